import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GitHubCiAccess } from "../components/delivery/githubCiAccess";
import { StateBackend } from "../components/delivery/stateBackend";
import { type BootstrapConfig, parseBootstrapConfig } from "./config";

/** The bootstrap's only AWS provider: pinned to the account being bootstrapped, tagging everything. */
export function createBootstrapProvider(config: BootstrapConfig): aws.Provider {
    return new aws.Provider(`${config.environment}-bootstrap`, {
        region: config.region,
        allowedAccountIds: [config.accountId],
        ...(config.adminRoleArn ? { assumeRoles: [{ roleArn: config.adminRoleArn, sessionName: `pulumi-${config.project}-${config.stack}`.slice(0, 64) }] } : {}),
        defaultTags: { tags: { environment: config.environment, project: config.project, owner: config.tags.owner, "cost-centre": config.tags.costCentre, "managed-by": "pulumi" } },
    });
}

/** Composes one account's CI access (and optional state backend) from a validated config. */
export function createBootstrap(config: BootstrapConfig): Record<string, pulumi.Input<unknown>> {
    const provider = createBootstrapProvider(config);
    const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
    const state = config.state ? new StateBackend("state", { bucketName: config.state.bucketName, keyAlias: config.state.keyAlias, partition: config.partition, accountId: config.accountId }, opts) : undefined;
    const access = new GitHubCiAccess(
        "github",
        {
            repository: config.github.repository,
            githubEnvironment: config.github.environment,
            allowMainBranch: config.github.deployFromMainBranch,
            partition: config.partition,
            accountId: config.accountId,
            region: config.region,
            project: config.programProject,
            environment: config.environment,
            deployRoleName: config.roles.deploy,
            previewRoleName: config.roles.preview,
            createOidcProvider: config.createOidcProvider,
            maxSessionHours: config.roles.maxSessionHours,
            pipelineRoleArns: config.roles.pipelineRoleArns,
            ...(state ? { state: { bucketArn: state.bucketArn, keyArn: state.keyArn } } : {}),
        },
        // The OIDC provider and the roles are how every later deploy gets in: never delete them by accident.
        { ...opts, protect: config.tier !== "dev" },
    );
    return {
        oidcProviderArn: access.oidcProviderArn,
        previewRoleArn: access.previewRole.arn,
        deployRoleArn: access.deployRole.arn,
        ...(state && config.state
            ? { stateBackendUrl: pulumi.interpolate`s3://${state.bucketName}?region=${config.region}`, secretsProvider: `awskms://alias/${config.state.keyAlias}?region=${config.region}` }
            : {}),
    };
}

/** The bootstrap program: read and validate config, then compose. Runs under the CLI and under mocks alike. */
export function bootstrapProgram(): Record<string, pulumi.Input<unknown>> {
    return createBootstrap(parseBootstrapConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() }));
}
