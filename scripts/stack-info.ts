// What the workflows need to know about one environment, read from the stack files (never duplicated in
// YAML): its account, region, roles, registry, and state backend. Checks that the program's stack
// (Pulumi.<env>.yaml) and the bootstrap's (bootstrap/Pulumi.<env>.yaml) agree.
// Usage: npx ts-node --transpile-only scripts/stack-info.ts --stack <env> [--github-output]
//        npx ts-node --transpile-only scripts/stack-info.ts --list        (JSON array of stacks, for matrices)
//        npx ts-node --transpile-only scripts/stack-info.ts --image-platforms [--github-output]
//            (platforms=linux/arm64[,linux/amd64]: what the images are built for, every stack's cpuArchitecture)
//        npx ts-node --transpile-only scripts/stack-info.ts --matrix      (JSON [{stack, runs-on}], the preview matrix)
//        npx ts-node --transpile-only scripts/stack-info.ts --stack <env> --get secrets-provider   (one value)
//        --require-secrets-provider: fail unless Pulumi.<env>.yaml carries the bootstrap's secrets provider
//        --runner codebuild: for the AWS-native pipeline's builds (refuses eks stacks: stacks/config/ciRunner.ts codeBuildReach)
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseArgs } from "node:util";
import { parseBootstrapConfig } from "../bootstrap/config";
import { DEPLOY_SESSION_SECONDS } from "../components/delivery/ciSessions";
import { pullRequestPreviews } from "../components/delivery/githubTrust";
import { registryReference } from "../components/registryNames";
import { BOOTSTRAP_ROOT, listStacks, PROJECT_ROOT } from "../plan/projectRoot";
import { readStackConfig } from "../plan/stackFile";
import { parseVoteAppConfig } from "../stacks/config/load";
import type { VoteAppConfig } from "../stacks/config/types";
import { ciRunnerReach, codeBuildReach } from "../stacks/config/ciRunner";
import { packConfigChoiceFor, packConfigRepositoryPath } from "../policy/configFile";
import { ARCHITECTURE_NAMES, imagePlatformsFor } from "../shared/cpuArchitecture";
import { type Command, runAsProcess } from "../plan/command";

export interface StackInfo {
    readonly stack: string;
    readonly tier: string;
    /**
     * The `--policy-pack-config` file this stack is judged with, from the repository root (policy/configFile.ts:
     * `<tier>.json`, or `<tier>-central-security.json` when the security baseline is central).
     */
    readonly policyConfig: string;
    readonly accountId: string;
    readonly region: string;
    /** `voteapp:cpuArchitecture`, and the image platform it needs (the build covers every stack's: --image-platforms). */
    readonly cpuArchitecture: string;
    readonly imagePlatform: string;
    readonly deployRoleArn: string;
    readonly previewRoleArn: string;
    /** ECR registry host of the account. */
    readonly registry: string;
    /** ECR repositories (created by the account's bootstrap) are `<repositoryPrefix>/<service>`. */
    readonly repositoryPrefix: string;
    /** `pulumi login` URL when the account hosts its own state (bootstrap stateBackend), else "". */
    readonly backendUrl: string;
    /** Secrets provider of that backend, for `pulumi stack init --secrets-provider`, else "". */
    readonly secretsProvider: string;
    /** GitHub environment whose protection rules gate the deploy. */
    readonly githubEnvironment: string;
    /**
     * `runs-on` of the jobs that preview and deploy the stack, as JSON (`voteapp:ciRunnerLabels`): a runner that
     * reaches everything the run talks to (on eks, one whose `voteapp:ciRunnerCidrs` the API endpoint admits).
     */
    readonly runsOn: string;
    /** Whether pull requests preview this stack with real credentials (its preview role trusts them: dev tiers). */
    readonly pullRequestPreview: boolean;
    /** `role-duration-seconds` of the deploy job: the deploy role's MaxSessionDuration (components/delivery/ciSessions.ts). */
    readonly deploySessionSeconds: number;
}

/** A stack file's config, with test or CLI overrides applied, validated. */
function programConfig(stack: string, overrides: Readonly<Record<string, string>>): VoteAppConfig {
    const program = readStackConfig(stack);
    return parseVoteAppConfig({ ...program.config, ...overrides }, { project: program.project, stack });
}

/** The preview matrix: each stack with the runner its jobs run on (reach is checked by each job's stackInfo). */
export function previewMatrix(): { stack: string; "runs-on": string[] }[] {
    return listStacks().map((stack) => ({ stack, "runs-on": [...programConfig(stack, {}).ciRunner.labels] }));
}

/** Where the preview or deploy runs: a GitHub Actions job on the stack's runner, or the AWS-native pipeline's CodeBuild. */
export type CiRunnerKind = "github" | "codebuild";

export function stackInfo(
    stack: string,
    overrides: Readonly<Record<string, string>> = {},
    runner: CiRunnerKind = "github",
): StackInfo {
    const config = programConfig(stack, overrides);
    // A job on a runner that cannot reach the cluster would fail halfway through pulumi up: stop before it.
    const reach =
        runner === "codebuild" ? codeBuildReach(config.platform) : ciRunnerReach(config.platform, config.ciRunner);
    if (!reach.reaches) throw new Error(`Stack ${stack} cannot be previewed or deployed from CI: ${reach.why}`);
    if (!listStacks(BOOTSTRAP_ROOT).includes(stack))
        throw new Error(
            `No bootstrap/Pulumi.${stack}.yaml: every environment's account is bootstrapped (see README, "Deploying across accounts")`,
        );
    const raw = readStackConfig(stack, BOOTSTRAP_ROOT);
    const bootstrap = parseBootstrapConfig(raw.config, { project: raw.project, stack });
    const mismatches = [
        bootstrap.accountId !== config.account.id &&
            `accountId: ${config.account.id} (program) vs ${bootstrap.accountId} (bootstrap)`,
        bootstrap.region !== config.region && `region: ${config.region} (program) vs ${bootstrap.region} (bootstrap)`,
        bootstrap.roles.deploy !== config.account.deployRoleName &&
            `deploy role: ${config.account.deployRoleName} (program) vs ${bootstrap.roles.deploy} (bootstrap)`,
        // On eks the cluster gives this role read access for pull requests' previews (components/eks/previewAccess.ts).
        bootstrap.roles.preview !== config.account.previewRoleName &&
            `preview role: ${config.account.previewRoleName} (program) vs ${bootstrap.roles.preview} (bootstrap)`,
        bootstrap.programProject !== config.project &&
            `project: ${config.project} (program) vs ${bootstrap.programProject} (bootstrap)`,
        // The bootstrap names the environment's repositories after it; the program pulls from those names.
        bootstrap.environment !== config.environment &&
            `environment: ${config.environment} (program) vs ${bootstrap.environment} (bootstrap)`,
    ].filter((m): m is string => typeof m === "string");
    if (mismatches.length > 0)
        throw new Error(
            `Pulumi.${stack}.yaml and bootstrap/Pulumi.${stack}.yaml disagree:\n  ${mismatches.join("\n  ")}`,
        );
    const registry = registryReference({
        accountId: config.account.id,
        region: config.region,
        project: config.project,
        environment: config.environment,
    });
    const roleArn = (name: string) => `arn:${bootstrap.partition}:iam::${bootstrap.accountId}:role/${name}`;
    return {
        stack,
        tier: config.tier,
        policyConfig: packConfigRepositoryPath(packConfigChoiceFor(config)),
        accountId: config.account.id,
        region: config.region,
        cpuArchitecture: config.cpuArchitecture,
        imagePlatform: ARCHITECTURE_NAMES[config.cpuArchitecture].imagePlatform,
        deployRoleArn: config.account.deployRoleArn,
        previewRoleArn: roleArn(bootstrap.roles.preview),
        registry: registry.host,
        repositoryPrefix: registry.prefix,
        backendUrl: bootstrap.state ? `s3://${bootstrap.state.bucketName}?region=${config.region}` : "",
        secretsProvider: bootstrap.state ? `awskms://alias/${bootstrap.state.keyAlias}?region=${config.region}` : "",
        githubEnvironment: bootstrap.github.environment,
        runsOn: JSON.stringify(config.ciRunner.labels),
        pullRequestPreview: pullRequestPreviews(bootstrap.tier),
        deploySessionSeconds: DEPLOY_SESSION_SECONDS,
    };
}

/**
 * The platforms the deploy workflow builds every image for: the union of the stack files' cpuArchitecture
 * (`linux/arm64`, or `linux/amd64,linux/arm64` for a multi-arch image index when stacks differ).
 */
export function imagePlatforms(root: string = PROJECT_ROOT): string {
    return imagePlatformsFor(
        listStacks(root).map((stack) => {
            const file = readStackConfig(stack, root);
            return parseVoteAppConfig(file.config, { project: file.project, stack }).cpuArchitecture;
        }),
    );
}

/**
 * Why the stack file cannot be used by CI with the account's state backend, or undefined. With the S3 backend
 * the stack's secrets provider lives in Pulumi.<env>.yaml: `pulumi stack init <env> --secrets-provider <url>`
 * writes `secretsprovider` and `encryptedkey` (the data key, encrypted by the KMS key) there, and the CLI reads
 * them on every run (pulumi/pulumi pkg/secrets/cloud/manager.go: no `encryptedkey` or another provider makes a
 * new data key, so secrets encrypted before no longer decrypt). Without them the CLI falls back to the
 * passphrase provider, for which CI has no passphrase. So the committed file must carry the bootstrap's
 * provider (the KMS key the CI roles may use) and its key.
 */
export function secretsProviderProblem(stack: string, root: string = PROJECT_ROOT): string | undefined {
    const info = stackInfo(stack);
    if (info.secretsProvider === "") return undefined; // Pulumi Cloud holds the stack's secrets
    const file = YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as Record<
        string,
        unknown
    >;
    const init = `pulumi stack init ${stack} --secrets-provider "${info.secretsProvider}" (README, "From empty accounts to a running app"), then commit Pulumi.${stack}.yaml`;
    if (typeof file.encryptionsalt === "string")
        return `Pulumi.${stack}.yaml uses the passphrase secrets provider (encryptionsalt), for which CI has no passphrase; the account's state backend uses ${info.secretsProvider}: pulumi stack change-secrets-provider "${info.secretsProvider}" --stack ${stack}, then commit the file`;
    const provider = file.secretsprovider;
    if (provider === undefined && file.encryptedkey === undefined)
        return `Pulumi.${stack}.yaml has no secrets provider yet, so the CLI would fall back to a passphrase CI does not have: ${init}`;
    if (provider !== info.secretsProvider)
        return `Pulumi.${stack}.yaml names the secrets provider ${String(provider)}, but the account's bootstrap made ${info.secretsProvider}, the only key the CI roles may use: pulumi stack change-secrets-provider "${info.secretsProvider}" --stack ${stack}, then commit the file`;
    if (typeof file.encryptedkey !== "string" || file.encryptedkey.length === 0)
        return `Pulumi.${stack}.yaml names ${info.secretsProvider} but carries no encryptedkey, so every run would make a new data key and earlier secrets would not decrypt: commit the file as pulumi stack init wrote it`;
    return undefined;
}

/** `kebab-case=value` lines, the format of $GITHUB_OUTPUT. */
export function githubOutputLines(info: StackInfo): string {
    return Object.entries(info)
        .map(([key, value]) => `${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${String(value)}`)
        .join("\n");
}

/** `scripts/stack-info.ts <argv>`: a stack's facts for the workflows, or the list of stacks. */
export const stackInfoCommand: Command = async (argv, output) => {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            stack: { type: "string" },
            list: { type: "boolean", default: false },
            "image-platforms": { type: "boolean", default: false },
            matrix: { type: "boolean", default: false },
            "github-output": { type: "boolean", default: false },
            get: { type: "string" },
            "require-secrets-provider": { type: "boolean", default: false },
            runner: { type: "string", default: "github" },
        },
        strict: true,
    });
    if (values.list) {
        output.out(JSON.stringify(listStacks()));
        return 0;
    }
    if (values.matrix) {
        output.out(JSON.stringify(previewMatrix()));
        return 0;
    }
    if (!values.stack && !values["image-platforms"]) {
        output.err("--stack <env>, --image-platforms, --list or --matrix is required");
        return 2;
    }
    let lines: string;
    if (!values.stack) lines = `platforms=${imagePlatforms()}`;
    else {
        const runner = values.runner;
        if (runner !== "github" && runner !== "codebuild") {
            output.err(
                `--runner ${runner}: github (a workflow job, the default) or codebuild (the AWS-native pipeline)`,
            );
            return 2;
        }
        const info = stackInfo(values.stack, {}, runner);
        if (values["require-secrets-provider"]) {
            const problem = secretsProviderProblem(values.stack);
            if (problem) {
                output.err(problem);
                return 1;
            }
        }
        lines = githubOutputLines(info);
        if (values.get !== undefined) {
            const line = lines.split("\n").find((l) => l.startsWith(`${values.get}=`));
            if (line === undefined) {
                output.err(
                    `--get ${values.get}: no such fact; one of ${lines
                        .split("\n")
                        .map((l) => l.split("=")[0])
                        .join(", ")}`,
                );
                return 2;
            }
            output.out(line.slice(line.indexOf("=") + 1));
            return 0;
        }
    }
    if (values["github-output"]) {
        const target = process.env.GITHUB_OUTPUT;
        if (!target) throw new Error("--github-output needs GITHUB_OUTPUT (set by GitHub Actions)");
        fs.appendFileSync(target, `${lines}\n`);
    }
    output.out(lines);
    return 0;
};

if (require.main === module) runAsProcess(stackInfoCommand);
