import * as aws from "@pulumi/aws";
import { type ReportViolation } from "@pulumi/policy";
import { asArray, isRecord, parseJsonish, resourceRule, validateResourceOfType } from "./util";

/** ECS task definitions, services and clusters (FSBP ECS.*). */

interface Container {
    readonly name: string;
    readonly raw: Record<string, unknown>;
}

/**
 * The containers of a task definition. `containerDefinitions` is a JSON string (may be unknown in preview,
 * in which case the SDK's proxy throws and CrossGuard reports the rule as not runnable). Reports and
 * returns undefined when the string is not a JSON array.
 */
function containersOf(containerDefinitions: string | undefined, report: ReportViolation): Container[] | undefined {
    if (containerDefinitions === undefined) return [];
    const parsed = parseJsonish(containerDefinitions);
    if (!Array.isArray(parsed)) {
        report("containerDefinitions is not a JSON array of container definitions, so it cannot be checked.");
        return undefined;
    }
    return parsed.filter(isRecord).map((raw, i) => ({ name: typeof raw.name === "string" ? raw.name : `#${i}`, raw }));
}

function eachContainer(check: (container: Container, report: ReportViolation) => void) {
    return validateResourceOfType(aws.ecs.TaskDefinition, (td, _args, report) => {
        for (const container of containersOf(td.containerDefinitions, report) ?? []) check(container, report);
    });
}

export const ecsTaskNoPrivileged = resourceRule(
    {
        name: "ecs-task-no-privileged",
        passes: "no container definition sets `privileged: true` (unset or false passes)",
        control: "ECS.4",
        description:
            "ECS containers must not run privileged (`privileged: true` gives the container root on the host).",
        remediation: "Remove `privileged: true` from the container definition.",
    },
    eachContainer((c, report) => {
        if (c.raw.privileged === true) report(`Container "${c.name}" runs privileged.`);
    }),
);

export const ecsTaskReadonlyRoot = resourceRule(
    {
        name: "ecs-task-readonly-root",
        passes: "every container definition sets `readonlyRootFilesystem: true` (unset fails: ECS defaults to writable)",
        control: "ECS.5",
        description:
            "Every ECS container mounts its root filesystem read-only (`readonlyRootFilesystem: true`), so a compromised process cannot alter the image.",
        remediation: "Set `readonlyRootFilesystem: true`; give writable paths their own volumes.",
    },
    eachContainer((c, report) => {
        if (c.raw.readonlyRootFilesystem !== true)
            report(`Container "${c.name}" does not set readonlyRootFilesystem: true.`);
    }),
);

/** Name parts that mark an environment variable as a secret. */
const SECRET_NAME_PARTS = [
    "PASSWORD",
    "PASSWD",
    "PWD",
    "TOKEN",
    "SECRET",
    "KEY",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
];
/** Words that mark a secret also at the end of a run-together part (PGPASSWORD, REDISAUTHTOKEN, GITHUBTOKEN). */
const SECRET_NAME_SUFFIXES = ["PASSWORD", "PASSWD", "TOKEN", "SECRET", "APIKEY", "CREDENTIAL", "CREDENTIALS"];
/** Value shapes that are secrets whatever the variable is called. */
const SECRET_VALUE_PATTERNS: readonly [RegExp, string][] = [
    [/\bA(KIA|SIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
    [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, "a URL with embedded credentials"],
];

/** A bare ARN (arn:<partition>:<service>:...), no whitespace: what a `..._ARN` reference variable holds. */
const ARN_VALUE = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:[^\s]+$/;

/**
 * A variable that names where a secret lives rather than holding it (PGPASSWORD_SECRET_ARN =
 * arn:aws:secretsmanager:...): its last name part is ARN and its value is exactly an ARN. An ARN is an
 * identifier; reading the secret still needs the task role's permission.
 */
export function isArnReference(name: string, value: string): boolean {
    const parts = name.toUpperCase().split(/[^A-Z0-9]+/);
    return parts[parts.length - 1] === "ARN" && ARN_VALUE.test(value);
}

export function secretLookingName(name: string): boolean {
    const parts = name.toUpperCase().split(/[^A-Z0-9]+/);
    return parts.some(
        (p) => SECRET_NAME_PARTS.includes(p) || SECRET_NAME_SUFFIXES.some((suffix) => p.endsWith(suffix)),
    );
}

/**
 * What is wrong with a plaintext environment variable, if anything: a secret-looking name (unless it is an
 * `_ARN` reference holding exactly an ARN), or a value shaped like a secret. Shared with the Lambda rule.
 */
export function plaintextSecret(name: string, value: string): string | undefined {
    if (secretLookingName(name) && !isArnReference(name, value))
        return "has a secret-looking name and a plaintext value";
    const match = SECRET_VALUE_PATTERNS.find(([re]) => re.test(value));
    return match ? `holds ${match[1]}` : undefined;
}

export const ecsTaskNoSecretsInEnv = resourceRule(
    {
        name: "ecs-task-no-secrets-in-env",
        passes: "no container `environment` entry has a secret-looking name (unless it ends in _ARN and holds exactly an ARN) or a secret-shaped value",
        control: "ECS.8",
        description:
            "No secret in a container's plaintext `environment`: names with a part PASSWORD, TOKEN, SECRET, KEY (or CREDENTIAL, PRIVATE), or ending in one (PGPASSWORD), and values that look like access keys, private keys or URLs with credentials are refused (a name ending in _ARN whose value is exactly an ARN, such as PGPASSWORD_SECRET_ARN, is a reference and allowed); secrets go through `secrets` (Secrets Manager / SSM), which the task definition stores as references only.",
        remediation: "Move the value to Secrets Manager and reference it from the container's `secrets` list.",
    },
    eachContainer((c, report) => {
        for (const entry of asArray(c.raw.environment).filter(isRecord)) {
            const name = typeof entry.name === "string" ? entry.name : "";
            const value = typeof entry.value === "string" ? entry.value : "";
            if (secretLookingName(name) && !isArnReference(name, value)) {
                report(
                    `Container "${c.name}" passes "${name}" as a plaintext environment variable; use "secrets" instead.`,
                );
                continue;
            }
            const match = SECRET_VALUE_PATTERNS.find(([re]) => re.test(value));
            if (match)
                report(
                    `Container "${c.name}" environment variable "${name}" holds ${match[1]}; use "secrets" instead.`,
                );
        }
    }),
);

export const ecsTaskLogging = resourceRule(
    {
        name: "ecs-task-logging",
        passes: "every container definition has a `logConfiguration` with a `logDriver`",
        control: "ECS.9",
        description:
            "Every ECS container has a `logConfiguration` with a log driver, so its output is kept for investigation.",
        remediation: "Add a logConfiguration (awslogs to a CloudWatch log group).",
    },
    eachContainer((c, report) => {
        const log = c.raw.logConfiguration;
        if (!isRecord(log) || typeof log.logDriver !== "string" || log.logDriver === "")
            report(`Container "${c.name}" has no logConfiguration with a logDriver.`);
    }),
);

export const ecsTaskNoHostNetwork = resourceRule(
    {
        name: "ecs-task-no-host-network",
        passes: "the task definition's `networkMode` is `awsvpc` (unset, bridge, host and none fail)",
        control: "ECS.17",
        description:
            "ECS task definitions use the `awsvpc` network mode (ECS.17 forbids host mode; awsvpc gives each task its own ENI and security groups).",
        remediation: 'Set networkMode: "awsvpc".',
    },
    validateResourceOfType(aws.ecs.TaskDefinition, (td, _args, report) => {
        if (td.networkMode !== "awsvpc")
            report(`networkMode is ${JSON.stringify(td.networkMode ?? "unset (bridge)")}; use "awsvpc".`);
    }),
);

export const ecsTaskNoHostPid = resourceRule(
    {
        name: "ecs-task-no-host-pid",
        passes: "`pidMode` is unset or `task`",
        control: "ECS.3",
        description: "ECS task definitions do not share the host's process namespace (`pidMode` must not be `host`).",
        remediation: "Remove pidMode or set it to task.",
    },
    validateResourceOfType(aws.ecs.TaskDefinition, (td, _args, report) => {
        if (td.pidMode === "host")
            report('pidMode is "host": containers could see and signal every process on the host.');
    }),
);

const ROOT_USERS = new Set(["root", "0"]);

export const ecsTaskNonRootUser = resourceRule(
    {
        name: "ecs-task-non-root-user",
        passes: "every container definition sets `user`, and it is neither `root` nor uid `0` (with or without a group); unset fails (images default to root)",
        control: "ECS.1",
        description:
            "Every ECS container sets `user` to a non-root user (not root or uid 0), limiting what a compromised process can do (ECS.1's secure container configuration).",
        remediation: 'Set user: "10001" (or another unprivileged uid) in the container definition.',
    },
    eachContainer((c, report) => {
        const user = c.raw.user;
        if (typeof user !== "string" || user.trim() === "") {
            report(`Container "${c.name}" does not set user, so it runs as the image's user (often root).`);
            return;
        }
        const uid = user.split(":")[0].trim();
        if (ROOT_USERS.has(uid)) report(`Container "${c.name}" runs as ${JSON.stringify(user)} (root).`);
    }),
);

export const ecsServiceNoPublicIp = resourceRule(
    {
        name: "ecs-service-no-public-ip",
        passes: "`networkConfiguration.assignPublicIp` is unset or false",
        control: "ECS.2",
        description:
            "ECS services do not assign public IPs to their tasks (`networkConfiguration.assignPublicIp` false); traffic reaches them through the load balancer.",
        remediation: "Set assignPublicIp: false and run the tasks in private subnets.",
    },
    validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
        if (service.networkConfiguration?.assignPublicIp === true)
            report("networkConfiguration.assignPublicIp is true: every task gets a public IP.");
    }),
);

export const ecsFargateLatestPlatform = resourceRule(
    {
        name: "ecs-fargate-latest-platform",
        passes: "`platformVersion` is unset or `LATEST`",
        control: "ECS.10",
        description:
            "Fargate services run on the latest platform version (`platformVersion` unset or `LATEST`), which carries the current security patches.",
        remediation: 'Remove platformVersion or set it to "LATEST".',
    },
    validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
        const version = service.platformVersion;
        if (version !== undefined && version !== "LATEST")
            report(`platformVersion is pinned to ${JSON.stringify(version)}; use "LATEST".`);
    }),
);

export const ecsClusterContainerInsights = resourceRule(
    {
        name: "ecs-cluster-container-insights",
        passes: "a `settings` entry `containerInsights` has value `enabled` or `enhanced`",
        control: "ECS.12",
        description:
            "ECS clusters enable Container Insights (`settings` containerInsights `enabled` or `enhanced`), for the metrics needed to detect and investigate incidents.",
        remediation: 'Add settings: [{ name: "containerInsights", value: "enhanced" }].',
    },
    validateResourceOfType(aws.ecs.Cluster, (cluster, _args, report) => {
        const setting = (cluster.settings ?? []).find((s) => s.name === "containerInsights");
        if (!setting || !["enabled", "enhanced"].includes(setting.value))
            report(`Container Insights is ${setting ? JSON.stringify(setting.value) : "not configured"}.`);
    }),
);

export const ecsServiceCircuitBreaker = resourceRule(
    {
        name: "ecs-service-circuit-breaker",
        passes: "`deploymentCircuitBreaker` has `enable` and `rollback` true, or the service deploys blue/green (CODE_DEPLOY controller or the BLUE_GREEN strategy)",
        description:
            "ECS services roll back failed deployments by themselves: a deployment circuit breaker with rollback, or a blue/green strategy (CODE_DEPLOY controller or the BLUE_GREEN deployment strategy).",
        remediation: "Set deploymentCircuitBreaker: { enable: true, rollback: true }.",
    },
    validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
        const breaker = service.deploymentCircuitBreaker;
        if (breaker?.enable === true && breaker.rollback === true) return;
        if (service.deploymentController?.type === "CODE_DEPLOY") return;
        if (service.deploymentConfiguration?.strategy === "BLUE_GREEN") return;
        report(
            breaker?.enable === true
                ? "The deployment circuit breaker does not roll back."
                : "No deployment circuit breaker with rollback and no blue/green strategy.",
        );
    }),
);

export const ecsPolicies = [
    ecsTaskNoPrivileged,
    ecsTaskReadonlyRoot,
    ecsTaskNoSecretsInEnv,
    ecsTaskLogging,
    ecsTaskNoHostNetwork,
    ecsTaskNoHostPid,
    ecsTaskNonRootUser,
    ecsServiceNoPublicIp,
    ecsFargateLatestPlatform,
    ecsClusterContainerInsights,
    ecsServiceCircuitBreaker,
];
