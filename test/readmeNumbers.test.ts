import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { IAM_TOKEN_LIFETIME_MS, IAM_TOKEN_REUSE_MS } from "../app/src/containers/pgPassword";
import { REDIS_TOKEN_RENEWAL_MS } from "../app/src/containers/redis";
import { REDIS_IAM_TOKEN_LIFETIME_SECONDS } from "../app/src/containers/redisAuth";
import { SUITE_RATIO_TARGET } from "../bench/bench";
import { BOOTSTRAP_KEYS } from "../bootstrap/config";
import {
    MULTI_AZ_REDIS_NODES,
    POSTGRES_CA_IDENTIFIER,
    REDIS_PORT,
    REDIS_SERVERLESS_ENGINE,
    REDIS_SERVERLESS_LIMITS,
} from "../components/data";
import { IMDS_V2_ONE_HOP } from "../components/instanceMetadata";
import { DEPLOY_SESSION_SECONDS } from "../components/delivery/ciSessions";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../components/eks/addonVersions";
import { PER_NODE_SYSTEM_PODS } from "../components/eks/systemPods";
import {
    ecsDeploymentPlan,
    CANARY_PERCENT,
    LINEAR_STEP_MINUTES,
    LINEAR_STEP_PERCENT,
} from "../components/fargate/strategies";
import { TEST_LISTENER_PORT } from "../components/fargate/loadBalancer";
import { ROOT_VOLUME_GB } from "../components/network/natInstance";
import { LAMBDA_DEPLOYMENT_CONFIGS } from "../components/serverless/lambdaDeployment";
import { RDS_AUTO_START_HOURS } from "../components/workingHoursSchedule";
import { DEFAULT_VOTES_PER_MONTH } from "../plan/cost/assumptions";
import { PRICED_REGIONS } from "../plan/cost/prices";
import { README_PLATFORMS, README_STACKS } from "../plan/cost/readme";
import { PROJECT_ROOT } from "../plan/projectRoot";
import { WAITING_LANE_JOBS } from "../scripts/test";
import { WORKER_HEARTBEAT } from "../shared/appContract";
import { HTTP_HEALTH_CHECK, WORKER_HEALTH_CHECK } from "../shared/imageContract";
import { NODE_MAJOR, NODE_RUNTIME } from "../shared/nodeRuntime";
import { LAMBDA_NODE_RUNTIMES, NODE_RELEASES, RUNTIME_SUPPORT_CHECKED_ON } from "../shared/nodeRuntimeSupport";
import { largestVpcPrefixFor, networkSubnetRequests } from "../shared/subnetLayout";
import { PROD_MINIMUM_BACKUP_DAYS } from "../stacks/config/data";
import {
    AUTO_MODE_POD_SECURITY_GROUPS_FROM,
    MAX_PUBLIC_CIDRS,
    WIDEST_PUBLIC_ACCESS_PREFIX,
} from "../stacks/config/eks";
import {
    allocatableOf,
    capacityInputs,
    eksCapacityFit,
    EVICTION_HARD_MIB,
    KUBE_RESERVED_MEMORY_MIB,
} from "../stacks/config/eksCapacity";
import { FARGATE_CPU_VALUES, fargateMemoryOptions } from "../stacks/config/fargate";
import { CONFIG_KEYS } from "../stacks/config/keys";
import type { VoteAppConfig } from "../stacks/config/types";
import {
    ASSUMED_ACCOUNT_CONCURRENCY,
    CONCURRENCY_QUOTA_CODE,
    FIFO_BATCH_SIZE,
    HTTP_API_INTEGRATION_TIMEOUT_SECONDS,
    HTTP_FUNCTION_TIMEOUT_SECONDS,
    LAMBDA_MEMORY_MB,
    NEW_ACCOUNT_CONCURRENCY,
    UNRESERVED_CONCURRENCY_MINIMUM,
    VISIBILITY_TIMEOUT_FACTOR,
    WORKER_TIMEOUT_SECONDS,
} from "../stacks/config/lambdaLimits";
import { PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX } from "../stacks/config/rules";
import { assertProblem, parseWith } from "./support/config";
import { SCHEMA_KUBERNETES_VERSION } from "./support/kubernetesSchema";
import { last, parseDockerfile, targetChain } from "./support/dockerfile";
import { assertStates, grouped, numberWord, README, readmeSection } from "./support/readme";

/**
 * The numbers the README states, each joined to where the code keeps it (a constant, a config default, a shipped
 * stack file, an arithmetic the config check runs), so that the README and the code cannot drift apart. The
 * walkthrough's numbers are test/readmeWalkthrough.test.ts's; the generated cost and floor blocks are
 * test/plan/costReadme.test.ts's.
 */

const [dev, staging, prod] = README_STACKS.map((stack) => parseWith(stack));
const minutes = (ms: number) => ms / 60_000;
/** The project's package.json: its engines floor and its dependencies' versions. */
const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    engines: { node: string };
    dependencies: Record<string, string>;
};

/** Days the stack's own CloudTrail keeps its logs (the shipped stacks own their security baseline). */
function auditLogDays(config: VoteAppConfig): number {
    const baseline = config.safety.securityBaseline;
    assert.ok(baseline.owner === "stack", `${config.stack} owns its security baseline`);
    return baseline.auditLogRetentionDays;
}

describe("README: the numbers it states come from the code", () => {
    it("npm test's lanes and the bench: workers, the app lane's two, the nine estimates, the 6× target", () => {
        const text = readmeSection("## On a fresh machine: two commands");
        assertStates(
            text,
            `(\`test/app\`, ${numberWord(WAITING_LANE_JOBS)} workers of its own)`,
            `the estimated monthly cost of the ${numberWord(README_STACKS.length * README_PLATFORMS.length)} stack × platform combinations`,
            `(\`npm test\` at most ${SUITE_RATIO_TARGET}× the baseline)`,
        );
    });

    it("what each stack creates: AZs, subnet sizes, images kept, backups, audit logs, bake time", () => {
        const text = readmeSection("## What each stack creates");
        assertStates(
            text,
            `| ${dev.network.azCount} AZs, private /${PRIVATE_SUBNET_PREFIX} + public /${PUBLIC_SUBNET_PREFIX} per AZ,`,
            `| ${staging.network.azCount} AZs, one NAT instance |`,
            `| ${prod.network.azCount} AZs, NAT gateway per AZ |`,
            `keep last \`ecrKeepImages\` (${BOOTSTRAP_KEYS.ecrKeepImages.default})`,
            `| Multi-AZ, ${staging.data.backupRetentionDays}-day backups,`,
            `| Multi-AZ, ${prod.data.backupRetentionDays}-day backups, protected |`,
            `CloudTrail (${auditLogDays(dev)}-day logs)`,
            `${auditLogDays(staging)}-day audit logs`,
            `| blue/green, ${prod.safety.deployment.bakeMinutes}-minute bake |`,
        );
        assert.strictEqual(dev.data.multiAz, false, "dev's PostgreSQL on 1 node");
        assert.ok(staging.data.multiAz && prod.data.multiAz, "staging and prod Multi-AZ");
        // Prod's column says "same" as staging's.
        assert.strictEqual(auditLogDays(prod), auditLogDays(staging));
    });

    it("the Node.js runtime: the major, its images and dates, the one after it, the toolchain's engines floor", () => {
        const text = readmeSection("## Runtime and images");
        const release = NODE_RELEASES[NODE_MAJOR];
        const lambda = LAMBDA_NODE_RUNTIMES[NODE_RUNTIME.lambdaRuntime];
        const next = NODE_RELEASES[NODE_MAJOR + 2];
        const engines = PACKAGE_JSON.engines.node.replace(/^>=/, "");
        assertStates(
            text,
            `**Node.js ${NODE_MAJOR} ships everywhere**`,
            `build stage (\`${NODE_RUNTIME.buildImage}\`)`,
            `(\`${NODE_RUNTIME.runtimeImage}\`)`,
            `(\`${NODE_RUNTIME.lambdaRuntime}\`)`,
            `the root \`engines\` floor, ${engines},`,
            `| Node.js ${NODE_MAJOR} (LTS since ${release.ltsFrom}) | ${release.endOfLife} |`,
            `| Lambda \`${NODE_RUNTIME.lambdaRuntime}\` | deprecated ${lambda.deprecation}, create blocked ${lambda.blockFunctionCreate}, update blocked ${lambda.blockFunctionUpdate} |`,
            `with Node.js ${NODE_MAJOR} (distroless follows`,
            `Why ${NODE_MAJOR} and not ${NODE_MAJOR + 2} (LTS since ${next.ltsFrom},`,
            `no \`nodejs${NODE_MAJOR + 2}.x\` in the sources checked on ${RUNTIME_SUPPORT_CHECKED_ON}`,
        );
        assert.strictEqual(
            LAMBDA_NODE_RUNTIMES[`nodejs${NODE_MAJOR + 2}.x`],
            undefined,
            "Lambda still offers no next major",
        );
    });

    it("the containers' health checks: interval, timeout, start period, retries, the heartbeat's age", () => {
        const text = readmeSection("## Runtime and images");
        const timings = (check: typeof HTTP_HEALTH_CHECK | typeof WORKER_HEALTH_CHECK) =>
            `every ${check.intervalSeconds} s, ${check.timeoutSeconds} s timeout, ${check.startPeriodSeconds} s start period, ${check.retries} retries`;
        assertStates(
            text,
            `(GET \`${HTTP_HEALTH_CHECK.path}\`; ${timings(HTTP_HEALTH_CHECK)})`,
            `rewritten within the last ${WORKER_HEARTBEAT.staleAfterSeconds} s (${timings(WORKER_HEALTH_CHECK)})`,
        );
        // The uid the worker's image runs as (its target's last USER), which writes the heartbeat.
        const user = /^(\d+):\d+$/.exec(
            last(targetChain(parseDockerfile(), "worker").instructions, "USER")?.args ?? "",
        );
        assert.ok(user, "the worker image's USER uid:gid");
        assertStates(text, `so uid ${user[1]} can write`);
    });

    it("EKS: versions, the Auto Mode version, the endpoint's CIDR limits, the schema version", () => {
        const text = readmeSection("### Running on EKS (`voteapp:platform: eks`)");
        const versions = SUPPORTED_KUBERNETES_VERSIONS;
        assertStates(
            text,
            `(${versions[0]}–${versions[versions.length - 1]}, default ${CONFIG_KEYS.eksKubernetesVersion.default};`,
            `Kubernetes ${AUTO_MODE_POD_SECURITY_GROUPS_FROM} ([auto-sgp]`,
            `at most a /${WIDEST_PUBLIC_ACCESS_PREFIX}, never 0.0.0.0/0, at most ${MAX_PUBLIC_CIDRS} together`,
            `against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} schema`,
        );
        assert.strictEqual(CONFIG_KEYS.eksKubernetesVersion.default, SCHEMA_KUBERNETES_VERSION);
    });

    it("EKS: the node capacity arithmetic and prod's node count, as the config check computes them", () => {
        const text = readmeSection("### Running on EKS (`voteapp:platform: eks`)");
        const nodeType = CONFIG_KEYS.eksNodeInstanceTypes.default;
        const node = allocatableOf(nodeType);
        assert.ok(node, nodeType);
        const daemons = PER_NODE_SYSTEM_PODS.reduce(
            (sum, pod) => ({
                cpuMillis: sum.cpuMillis + pod.requests.cpuMillis,
                memoryMiB: sum.memoryMiB + pod.requests.memoryMiB,
            }),
            { cpuMillis: 0, memoryMiB: 0 },
        );
        const prodEks = parseWith("prod", { platform: "eks" });
        const fit = eksCapacityFit(capacityInputs(prodEks), prodEks.tier, "min");
        assert.ok(fit, "prod on eks has a capacity fit");
        const { nodes } = prodEks.eks;
        assertStates(
            text,
            `default ${nodeType}, sized by`,
            `(default \`${nodeType}\`)`,
            `memory less ${KUBE_RESERVED_MEMORY_MIB.perPod} MiB × max pods + ${KUBE_RESERVED_MEMORY_MIB.base} MiB and the ${EVICTION_HARD_MIB} MiB eviction threshold`,
            `a ${nodeType} leaves ${node.pods} pods, ${node.cpuMillis} m CPU and ${node.memoryMiB} MiB`,
            `the DaemonSets on every node take ${daemons.cpuMillis} m and ${daemons.memoryMiB} MiB`,
            `Prod on eks requests ${fit.demand.pods} pods, ${fit.demand.cpuMillis} m CPU and ${grouped(fit.demand.memoryMiB)} MiB at its minimum`,
            `\`eksNodeDesiredSize: ${nodes.desiredSize}\` (and \`eksNodeMaxSize: ${nodes.maxSize}\`) in \`Pulumi.prod.yaml\``,
            `with ${CONFIG_KEYS.eksNodeDesiredSize.default} nodes it is refused`,
        );
        assert.strictEqual(fit.nodesNeeded, nodes.desiredSize, "prod's stack file asks for exactly the nodes needed");
        assertProblem(
            "prod",
            { platform: "eks", eksNodeDesiredSize: String(CONFIG_KEYS.eksNodeDesiredSize.default) },
            "eksNodeDesiredSize",
            `at least ${fit.nodesNeeded}`,
        );
        assertStates(text, `(${nodeType} by default:`);
    });

    it("Lambda: the limits the config checks, the reserved executions and the account quota", () => {
        const text = readmeSection("### Running on Lambda (`voteapp:platform: lambda`)");
        const functions = parseWith("dev", { platform: "lambda" }).lambda.functions;
        const reservations = [functions.vote, functions.result, functions.worker].map((f) => f.reservedConcurrency);
        const reserved = reservations.reduce((a, b) => a + b, 0);
        assertStates(
            text,
            `visibility timeout = ${VISIBILITY_TIMEOUT_FACTOR} × \`lambdaWorkerTimeoutSeconds\``,
            `batches of \`lambdaWorkerBatchSize\` (≤ ${FIFO_BATCH_SIZE.max})`,
            `memory ${LAMBDA_MEMORY_MB.min}–${LAMBDA_MEMORY_MB.max} MiB, HTTP timeout ≤ ${HTTP_FUNCTION_TIMEOUT_SECONDS.max} s (API Gateway gives up at ${HTTP_API_INTEGRATION_TIMEOUT_SECONDS}), worker ≤ ${WORKER_TIMEOUT_SECONDS.max} s, reserved concurrency leaving ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved`,
            `The functions reserve ${reservations.join(" + ")} = ${reserved} concurrent executions, and Lambda always keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved, so the account needs a quota of at least ${reserved + UNRESERVED_CONCURRENCY_MINIMUM} in the stack's region`,
            `New AWS accounts start with a quota of ${NEW_ACCOUNT_CONCURRENCY},`,
            `(quota code \`${CONCURRENCY_QUOTA_CODE}\`) → request e.g. ${ASSUMED_ACCOUNT_CONCURRENCY}, or`,
            `--quota-code ${CONCURRENCY_QUOTA_CODE} --desired-value ${ASSUMED_ACCOUNT_CONCURRENCY} --region`,
        );
        assertStates(
            readmeSection("## Configuration"),
            `the functions reserve ${reserved} executions, which needs an account quota of at least ${reserved + UNRESERVED_CONCURRENCY_MINIMUM} (Lambda keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved), and new accounts start at ${NEW_ACCOUNT_CONCURRENCY}`,
        );
    });

    it("deployment strategies: the canary and linear steps, CodeDeploy's configs, the test listener's ports", () => {
        const text = readmeSection(
            "### Deployment strategies (`voteapp:deploymentStrategy`, bake time `voteapp:deploymentBakeMinutes`)",
        );
        const codeDeployConfig = (strategy: "codeDeployAllAtOnce" | "codeDeployCanary" | "codeDeployLinear") => {
            const plan = ecsDeploymentPlan(strategy);
            assert.ok(plan.kind === "codeDeploy", strategy);
            return plan.deploymentConfigName.replace(/^CodeDeployDefault\./, "");
        };
        const lambdaConfig = (strategy: "canary" | "linear") =>
            LAMBDA_DEPLOYMENT_CONFIGS[strategy].replace(/^CodeDeployDefault\./, "");
        assert.strictEqual(LINEAR_STEP_MINUTES, 1, "the README says a minute");
        assertStates(
            text,
            `ECS native: ${CANARY_PERCENT}% then the rest / ${LINEAR_STEP_PERCENT}% a minute`,
            `CodeDeploy controller: ${codeDeployConfig("codeDeployAllAtOnce")} / ${codeDeployConfig("codeDeployCanary")} / ${codeDeployConfig("codeDeployLinear")}, test listener ${TEST_LISTENER_PORT.https} (${TEST_LISTENER_PORT.http} on HTTP)`,
            `CodeDeploy \`${lambdaConfig("canary")}\` / \`${lambdaConfig("linear")}\` on the \`live\` alias`,
            `through a test listener on its own port (${TEST_LISTENER_PORT.https} with HTTPS, else ${TEST_LISTENER_PORT.http})`,
        );
    });

    it("Redis and database access: the tokens' lifetimes and renewal, the serverless cache's port and limits, the database's CA, prod's backups", () => {
        const text = readmeSection("### Redis and database access, credential rotation");
        assertStates(
            text,
            `valid ${REDIS_IAM_TOKEN_LIFETIME_SECONDS / 60} minutes, renewed every ${minutes(REDIS_TOKEN_RENEWAL_MS)} so every reconnect`,
            `the same security group on ${REDIS_PORT} only`,
            `usage limits of ${REDIS_SERVERLESS_LIMITS.dataStorageGb} GB and ${grouped(REDIS_SERVERLESS_LIMITS.ecpuPerSecond)} ECPU/s`,
            `(\`@aws-sdk/rds-signer\`, valid ${minutes(IAM_TOKEN_LIFETIME_MS)} minutes, renewed after ${minutes(IAM_TOKEN_REUSE_MS)} and after a refused connection)`,
            `tokens expire after ${minutes(IAM_TOKEN_LIFETIME_MS)} minutes by design`,
            `The instance's CA is \`${POSTGRES_CA_IDENTIFIER}\` (\`POSTGRES_CA_IDENTIFIER\`)`,
        );
        assertStates(readmeSection("## Configuration"), `with backups under ${PROD_MINIMUM_BACKUP_DAYS} days`);
    });

    it("what it costs: the default load, the priced regions, RDS's auto-start, the working hours, staging's sizes", () => {
        const text = readmeSection("## What it costs");
        const hours = dev.cost.workingHours;
        assert.ok(hours !== "always", "dev has working hours");
        assert.strictEqual(staging.cost.workingHours, "always");
        assertStates(
            text,
            `default ${grouped(DEFAULT_VOTES_PER_MONTH)});`,
            `prints the ${numberWord(README_STACKS.length * README_PLATFORMS.length)} stack × platform totals`,
            `in \`plan/cost/prices/\` (${PRICED_REGIONS.join(" and ")};`,
            `RDS starts a stopped instance by itself after ${RDS_AUTO_START_HOURS / 24} days`,
            `defaults to \`${hours.days} ${hours.start}-${hours.stop} ${hours.timezone}\`, staging to \`always\``,
            `(\`fargateOnDemandBase\` ${staging.cost.fargateOnDemandBase}:`,
            `in \`Pulumi.staging.yaml\` ${staging.data.postgresInstanceClass} and ${staging.data.redisNodeType},`,
        );
    });

    it("the NAT instance: its default type and its volume", () => {
        const text = readmeSection("## NAT instance or NAT gateways");
        const type = CONFIG_KEYS.natInstanceType.default;
        assert.strictEqual(dev.network.natInstanceType, type);
        assertStates(
            text,
            `(\`voteapp:natInstanceType\`, default \`${type}\`)`,
            `${type}'s`,
            `(instance, ${ROOT_VOLUME_GB} GB volume, public IPv4,`,
        );
    });

    it("the config checks: the VPC sizes per AZ count, Fargate's cpu/memory table, the widest endpoint CIDR", () => {
        const text = readmeSection("## Configuration");
        const smallest = (azCount: number) =>
            largestVpcPrefixFor(azCount, networkSubnetRequests(PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX));
        const [one, two, three] = [1, 2, 3].map(smallest);
        assertStates(
            text,
            `so a /${two} fits 2 AZs but not 3; /${one}, /${two} and /${three} are the smallest for 1, 2 and 3 AZs`,
            `at most a /${WIDEST_PUBLIC_ACCESS_PREFIX} (${grouped(2 ** (32 - WIDEST_PUBLIC_ACCESS_PREFIX))} addresses)`,
        );
        assert.ok(three < two, "a /20 does not fit 3 AZs");
        const rows = FARGATE_CPU_VALUES.map((cpu) => {
            const memory = fargateMemoryOptions(cpu);
            const [min, max] = [memory[0], memory[memory.length - 1]];
            if (cpu === FARGATE_CPU_VALUES[0]) return `${cpu} with ${min}–${max} MiB`;
            const step = memory[1] - memory[0];
            return `${cpu} with ${min / 1024}–${max / 1024} GiB${step > 1024 ? ` in ${step / 1024} GiB steps` : ""}`;
        });
        assertStates(text, `(AWS's table: ${rows.join(", ")});`);
    });

    it("the instances' metadata hop limit, the serverless cache's engine, the Multi-AZ Redis group's size", () => {
        const hops = IMDS_V2_ONE_HOP.httpPutResponseHopLimit;
        assertStates(README, `IMDSv2 only with hop limit ${hops}`, `IMDSv2 only (hop limit ${hops})`);
        const engine = REDIS_SERVERLESS_ENGINE.engine.replace(/^v/, "V");
        assertStates(README, `a ${engine} ${REDIS_SERVERLESS_ENGINE.majorVersion} serverless cache`);
        assertStates(
            README,
            `a Redis replication group of ${numberWord(MULTI_AZ_REDIS_NODES)} with automatic failover`,
        );
    });

    it("the deploy session lasts what ciSessions.ts sets", () => {
        assertStates(
            readmeSection("## Security: who can do what"),
            `\`role-duration-seconds\` (${DEPLOY_SESSION_SECONDS / 3600} hours;`,
        );
    });

    it("the dependencies' versions are package.json's", () => {
        const text = readmeSection("## Dependencies");
        const dependencies = PACKAGE_JSON.dependencies;
        const pulumi = /^(\d+\.\d+)\.\d+$/.exec(dependencies["@pulumi/pulumi"]);
        assert.ok(pulumi, `@pulumi/pulumi is pinned: ${dependencies["@pulumi/pulumi"]}`);
        const major = (name: string) => /^\^(\d+)\./.exec(dependencies[name])?.[1];
        assertStates(
            text,
            `| \`@pulumi/pulumi\` ${pulumi[1]} (pinned) | the SDK; ${pulumi[1]} is the last release`,
            `| \`@pulumi/aws\` ${major("@pulumi/aws")}.x |`,
            `| \`@pulumi/awsx\` ${major("@pulumi/awsx")}.x |`,
        );
    });
});
