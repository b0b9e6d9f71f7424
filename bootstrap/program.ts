import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeliveryPipeline } from "../components/delivery/deliveryPipeline";
import { GitHubCiAccess } from "../components/delivery/githubCiAccess";
import { pullRequestPreviews } from "../components/delivery/githubTrust";
import { StateBackend } from "../components/delivery/stateBackend";
import { type BootstrapConfig, parseBootstrapConfig } from "./config";
import { createImageRegistry } from "./registry";

/** The bootstrap's only AWS provider: pinned to the account being bootstrapped, tagging everything. */
export function createBootstrapProvider(config: BootstrapConfig): aws.Provider {
    return new aws.Provider(`${config.environment}-bootstrap`, {
        region: config.region,
        allowedAccountIds: [config.accountId],
        ...(config.adminRoleArn
            ? {
                  assumeRoles: [
                      {
                          roleArn: config.adminRoleArn,
                          sessionName: `pulumi-${config.project}-${config.stack}`.slice(0, 64),
                      },
                  ],
              }
            : {}),
        defaultTags: {
            tags: {
                environment: config.environment,
                project: config.project,
                owner: config.tags.owner,
                "cost-centre": config.tags.costCentre,
                "managed-by": "pulumi",
            },
        },
    });
}

/** The tooling account's stack: the AWS-native pipeline deploying every listed environment in order. */
function createToolingPipeline(
    config: BootstrapConfig,
    environments: NonNullable<BootstrapConfig["deliveryPipeline"]>["environments"],
    opts: pulumi.ComponentResourceOptions,
): Record<string, pulumi.Input<unknown>> {
    const roleArn = (accountId: string, name: string) => `arn:${config.partition}:iam::${accountId}:role/${name}`;
    const pipeline = new DeliveryPipeline(
        "delivery",
        {
            namePrefix: `${config.programProject}-pipeline`,
            repository: config.github.repository,
            partition: config.partition,
            accountId: config.accountId,
            region: config.region,
            environments: environments.map((e, index) => ({
                stack: e.stack,
                previewRoleArn: roleArn(e.accountId, config.roles.preview),
                deployRoleArn: roleArn(e.accountId, config.roles.deploy),
                // The first environment deploys on every merge; each later one waits for a person.
                requiresApproval: index > 0,
            })),
        },
        { ...opts, protect: config.tier !== "dev" },
    );
    return {
        pipelineName: pipeline.pipeline.name,
        connectionArn: pipeline.connection.arn,
        // What each environment's bootstrap stack sets as pipelinePreviewRoleArn / pipelineDeployRoleArn.
        pipelinePreviewRoleArn: pipeline.buildRoles.preview.arn,
        pipelineDeployRoleArns: pulumi
            .all(
                Object.entries(pipeline.buildRoles.deploy).map(([stack, role]) =>
                    role.arn.apply((arn) => [stack, arn] as const),
                ),
            )
            .apply((pairs) => Object.fromEntries(pairs)),
    };
}

/** Composes one account's CI access (and optional state backend) from a validated config, or the tooling pipeline. */
export function createBootstrap(config: BootstrapConfig): Record<string, pulumi.Input<unknown>> {
    const provider = createBootstrapProvider(config);
    const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
    const state = config.state
        ? new StateBackend(
              "state",
              {
                  bucketName: config.state.bucketName,
                  keyAlias: config.state.keyAlias,
                  partition: config.partition,
                  accountId: config.accountId,
              },
              opts,
          )
        : undefined;
    if (config.deliveryPipeline) return createToolingPipeline(config, config.deliveryPipeline.environments, opts);
    const images = createImageRegistry(config, opts);
    const access = new GitHubCiAccess(
        "github",
        {
            repository: config.github.repository,
            githubEnvironment: config.github.environment,
            allowMainBranch: config.github.deployFromMainBranch,
            promotedTo: config.github.promotedTo,
            partition: config.partition,
            accountId: config.accountId,
            region: config.region,
            project: config.programProject,
            environment: config.environment,
            deployRoleName: config.roles.deploy,
            previewRoleName: config.roles.preview,
            createOidcProvider: config.createOidcProvider,
            // Pull requests run unreviewed code: only a dev account's preview role trusts them and reads its state.
            pullRequestPreviews: pullRequestPreviews(config.tier),
            pipelineRoles: config.roles.pipeline,
            registry: images.key,
            ...(state && config.state
                ? {
                      state: {
                          bucketArn: state.bucketArn,
                          keyArn: state.keyArn,
                          keyAliasArn: `arn:${config.partition}:kms:${config.region}:${config.accountId}:alias/${config.state.keyAlias}`,
                      },
                  }
                : {}),
        },
        // The OIDC provider and the roles are how every later deploy gets in: never delete them by accident.
        { ...opts, protect: config.tier !== "dev" },
    );
    return {
        ...images.outputs,
        oidcProviderArn: access.oidcProviderArn,
        previewRoleArn: access.previewRole.arn,
        deployRoleArn: access.deployRole.arn,
        ...(state && config.state
            ? {
                  stateBackendUrl: pulumi.interpolate`s3://${state.bucketName}?region=${config.region}`,
                  secretsProvider: `awskms://alias/${config.state.keyAlias}?region=${config.region}`,
              }
            : {}),
    };
}

/** The bootstrap program: read and validate config, then compose. Runs under the CLI and under mocks alike. */
export function bootstrapProgram(): Record<string, pulumi.Input<unknown>> {
    return createBootstrap(
        parseBootstrapConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() }),
    );
}
