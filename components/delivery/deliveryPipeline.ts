import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { customerManagedKey } from "../encryptionKey";
import { policyDocument, type PolicyStatementInput, serviceTrustPolicy } from "../iamPolicy";
import { physicalName } from "../naming";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";
import { POLICY_PACK_DIR } from "../../shared/policyPack";
import { DEPLOY_SESSION_SECONDS } from "./ciSessions";
import { SecureBucket } from "./secureBucket";

/** One environment the pipeline deploys, in order. */
export interface PipelineEnvironment {
    /** Stack name, e.g. `staging`. */
    readonly stack: string;
    /** The environment account's read-only role (bootstrap), assumed by the preview build. */
    readonly previewRoleArn: string;
    /** The environment account's deploy role (bootstrap), assumed by this environment's deploy build only. */
    readonly deployRoleArn: string;
    /** A person approves in CodePipeline before this environment is deployed. */
    readonly requiresApproval: boolean;
}

export interface DeliveryPipelineArgs {
    /**
     * Prefix of every physical name (roles, projects, pipeline).
     * @example "voteapp-pipeline"
     */
    readonly namePrefix: string;
    /** GitHub repository `owner/name` the source connection reads. @example "example-org/voteapp-infra" */
    readonly repository: string;
    /** Branch that triggers the pipeline. @default "main" */
    readonly branch?: string;
    /** Environments in promotion order; the first deploys without approval unless it asks for one. */
    readonly environments: readonly PipelineEnvironment[];
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
    /** Pulumi CLI version installed in the builds. @default "3.248.0" */
    readonly pulumiVersion?: string;
    /** CodeBuild image. @default "aws/codebuild/standard:7.0" */
    readonly buildImage?: string;
    /** Days of build logs kept. @default 90 */
    readonly logRetentionDays?: number;
}

/** Role names the environment accounts' bootstrap must trust (pipelinePreviewRoleArn / pipelineDeployRoleArn). */
export function pipelineRoleNames(
    namePrefix: string,
    stacks: readonly string[],
): { preview: string; deploy: Record<string, string> } {
    return {
        preview: physicalName("iamRole", namePrefix, "preview"),
        deploy: Object.fromEntries(stacks.map((s) => [s, physicalName("iamRole", namePrefix, "deploy", s)])),
    };
}

/** The AWS profile the builds act through: the environment account's role, re-assumed from CodeBuild's credentials. */
const PIPELINE_PROFILE = "pipeline-environment";

/**
 * Shell run by the preview and deploy builds for one stack: act as the account's role, log in to the
 * stack's backend, run Pulumi with the stack's pack config (both read by scripts/stack-info.ts, which picks
 * the pack config with policy/configFile.ts).
 *
 * CodeBuild's credentials are already a role session, so a role assumed from them is a chained session,
 * which STS caps at one hour ("Role chaining limits your AWS CLI or AWS API role session to a maximum of one
 * hour": IAM User Guide, Roles terms and concepts; AssumeRole, DurationSeconds), shorter than a first
 * `pulumi up` (components/delivery/ciSessions.ts). So the builds export no one-off keys: a profile names the
 * role with `credential_source = EcsContainer` (CodeBuild serves its credentials as a container does), and
 * the AWS SDKs of the Pulumi CLI and of the provider assume it again whenever the session nears its end
 * (AWS SDKs and Tools Reference Guide, "Assume role credential provider").
 */
function stackCommands(mode: "preview" | "up", roleVariable: string): string[] {
    return [
        // --runner codebuild: an eks stack stops here, named, before Pulumi starts (its API endpoint admits no CodeBuild).
        `info=$(npx ts-node --transpile-only scripts/stack-info.ts --stack "$STACK" --runner codebuild)`,
        `backend=$(echo "$info" | sed -n 's/^backend-url=//p'); policy_config=$(echo "$info" | sed -n 's/^policy-config=//p')`,
        `aws configure set profile.${PIPELINE_PROFILE}.role_arn "$${roleVariable}"`,
        `aws configure set profile.${PIPELINE_PROFILE}.credential_source EcsContainer`,
        `aws configure set profile.${PIPELINE_PROFILE}.role_session_name "pipeline-$STACK"`,
        // AWS_SDK_LOAD_CONFIG: the Pulumi CLI's backend and secrets provider read profiles from ~/.aws/config too.
        `export AWS_PROFILE=${PIPELINE_PROFILE} AWS_SDK_LOAD_CONFIG=1`,
        `if [ -n "$backend" ]; then pulumi login "$backend"; else pulumi login; fi`,
        // The program's provider acts with these credentials and names no role: preview and deploy give it the same inputs.
        `pulumi ${mode} ${mode === "up" ? "--yes " : ""}--stack "$STACK" --policy-pack ${POLICY_PACK_DIR} --policy-pack-config "$policy_config"`,
        "unset AWS_PROFILE",
    ];
}

function buildspec(install: readonly string[], build: readonly string[]): string {
    return YAML.stringify(
        {
            version: "0.2",
            env: { shell: "bash" },
            phases: {
                install: { "runtime-versions": { nodejs: NODE_RUNTIME.toolchainVersion }, commands: [...install] },
                build: { commands: [...build] },
            },
        },
        { lineWidth: 0 },
    );
}

/**
 * The AWS-native delivery path, in a tooling account: a CodeStar connection to GitHub, CodePipeline (V2)
 * Source → Test (npm test) and Preview (pulumi preview of every environment with the policy pack) →
 * Deploy of each environment in order, with a manual approval before those that ask for one. Each
 * CodeBuild project has its own role: the test build assumes nothing, the preview build only the preview
 * roles, each deploy build only its environment's deploy role. Artifacts live in a KMS-encrypted,
 * versioned, private, TLS-only bucket.
 *
 * The connection is created PENDING: an administrator completes the GitHub handshake once in the console.
 */
export class DeliveryPipeline extends pulumi.ComponentResource {
    readonly connection: aws.codestarconnections.Connection;
    readonly artifactKey: aws.kms.Key;
    readonly artifacts: SecureBucket;
    readonly pipeline: aws.codepipeline.Pipeline;
    readonly buildRoles: {
        readonly test: aws.iam.Role;
        readonly preview: aws.iam.Role;
        readonly deploy: Readonly<Record<string, aws.iam.Role>>;
    };
    readonly projects: Readonly<Record<string, aws.codebuild.Project>>;

    constructor(name: string, args: DeliveryPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:delivery:DeliveryPipeline", name, {}, opts);
        const parent = this;
        if (args.environments.length === 0) throw new Error(`${name}: a pipeline needs at least one environment`);
        const stacks = args.environments.map((e) => e.stack);
        if (new Set(stacks).size !== stacks.length)
            throw new Error(`${name}: environments listed twice: ${stacks.join(", ")}`);
        const prefix = args.namePrefix;
        const roleNames = pipelineRoleNames(prefix, stacks);
        const pulumiVersion = args.pulumiVersion ?? "3.248.0";

        // Source connection and encrypted artifact store.
        this.connection = new aws.codestarconnections.Connection(
            name,
            { name: physicalName("codestarConnection", prefix), providerType: "GitHub" },
            { parent },
        );
        this.artifactKey = customerManagedKey(
            `${name}-artifacts`,
            { description: `${prefix}: pipeline artifacts`, partition: args.partition, accountId: args.accountId },
            parent,
        ).key;
        this.artifacts = new SecureBucket(
            `${name}-artifacts`,
            { kmsKeyArn: this.artifactKey.arn, noncurrentVersionDays: 30 },
            { parent },
        );
        const artifactObjects = pulumi.interpolate`${this.artifacts.arn}/*`;
        const artifactAccess: PolicyStatementInput[] = [
            {
                Sid: "Artifacts",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                Resource: artifactObjects,
            },
            {
                Sid: "ArtifactBucket",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:GetBucketVersioning"],
                Resource: this.artifacts.arn,
            },
            {
                Sid: "ArtifactKey",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                Resource: this.artifactKey.arn,
            },
        ];

        // One build role per job, each with its own log group.
        const logGroupName = (project: string) => `/aws/codebuild/${project}`;
        const buildRole = (
            key: string,
            roleName: string,
            assumable: readonly string[],
            project: string,
        ): aws.iam.Role => {
            const role = new aws.iam.Role(
                `${name}-${key}`,
                { name: roleName, assumeRolePolicy: serviceTrustPolicy("codebuild.amazonaws.com", args.accountId) },
                { parent },
            );
            const logGroupArn = `arn:${args.partition}:logs:${args.region}:${args.accountId}:log-group:${logGroupName(project)}`;
            new aws.iam.RolePolicy(
                `${name}-${key}`,
                {
                    role: role.id,
                    policy: policyDocument(`${roleName} policy`, [
                        ...artifactAccess,
                        {
                            Sid: "BuildLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: [logGroupArn, `${logGroupArn}:*`],
                        },
                        ...(assumable.length > 0
                            ? [
                                  {
                                      Sid: "AssumeEnvironmentRoles",
                                      Effect: "Allow" as const,
                                      Action: "sts:AssumeRole",
                                      Resource: [...assumable],
                                  },
                              ]
                            : []),
                    ]),
                },
                { parent },
            );
            return role;
        };
        const projectNames = {
            test: physicalName("codebuildProject", prefix, "test"),
            preview: physicalName("codebuildProject", prefix, "preview"),
            ...Object.fromEntries(
                stacks.map((s) => [`deploy-${s}`, physicalName("codebuildProject", prefix, "deploy", s)]),
            ),
        } as Record<string, string>;
        this.buildRoles = {
            test: buildRole("test", physicalName("iamRole", prefix, "test"), [], projectNames.test),
            preview: buildRole(
                "preview",
                roleNames.preview,
                args.environments.map((e) => e.previewRoleArn),
                projectNames.preview,
            ),
            deploy: Object.fromEntries(
                args.environments.map((e) => [
                    e.stack,
                    buildRole(
                        `deploy-${e.stack}`,
                        roleNames.deploy[e.stack],
                        [e.deployRoleArn],
                        projectNames[`deploy-${e.stack}`],
                    ),
                ]),
            ),
        };

        const install = [
            "npm ci --no-audit --no-fund",
            "npm ci --prefix policy --no-audit --no-fund",
            `curl -fsSL https://get.pulumi.com | sh -s -- --version ${pulumiVersion}`,
            'export PATH="$HOME/.pulumi/bin:$PATH"',
        ];
        const project = (
            key: string,
            role: aws.iam.Role,
            spec: string,
            variables: Record<string, string>,
            timeoutMinutes = 60,
        ): aws.codebuild.Project => {
            const projectName = projectNames[key];
            new aws.cloudwatch.LogGroup(
                `${name}-${key}`,
                { name: logGroupName(projectName), retentionInDays: args.logRetentionDays ?? 90 },
                { parent },
            );
            return new aws.codebuild.Project(
                `${name}-${key}`,
                {
                    name: projectName,
                    serviceRole: role.arn,
                    encryptionKey: this.artifactKey.arn,
                    artifacts: { type: "CODEPIPELINE" },
                    source: { type: "CODEPIPELINE", buildspec: spec },
                    environment: {
                        type: "LINUX_CONTAINER",
                        computeType: "BUILD_GENERAL1_MEDIUM",
                        image: args.buildImage ?? "aws/codebuild/standard:7.0",
                        privilegedMode: false,
                        environmentVariables: Object.entries(variables).map(([variable, value]) => ({
                            name: variable,
                            value,
                            type: "PLAINTEXT",
                        })),
                    },
                    logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroupName(projectName) } },
                    buildTimeout: timeoutMinutes,
                },
                { parent },
            );
        };
        const previewLoop = args.environments.flatMap((e) => [
            `export STACK=${e.stack} PREVIEW_ROLE_ARN=${e.previewRoleArn}`,
            ...stackCommands("preview", "PREVIEW_ROLE_ARN"),
        ]);
        this.projects = {
            test: project("test", this.buildRoles.test, buildspec(["npm ci --no-audit --no-fund"], ["npm test"]), {}),
            preview: project("preview", this.buildRoles.preview, buildspec(install, previewLoop), {}),
            ...Object.fromEntries(
                args.environments.map((e) => [
                    `deploy-${e.stack}`,
                    project(
                        `deploy-${e.stack}`,
                        this.buildRoles.deploy[e.stack],
                        buildspec(install, stackCommands("up", "DEPLOY_ROLE_ARN")),
                        { STACK: e.stack, DEPLOY_ROLE_ARN: e.deployRoleArn },
                        // As long as the deploy session: the longest first pulumi up.
                        Math.ceil(DEPLOY_SESSION_SECONDS / 60),
                    ),
                ]),
            ),
        };

        // The pipeline's own role: read the source connection, run exactly these builds, use the artifact store.
        const pipelineRole = new aws.iam.Role(
            `${name}-pipeline`,
            {
                name: physicalName("iamRole", prefix, "pipeline"),
                assumeRolePolicy: serviceTrustPolicy("codepipeline.amazonaws.com", args.accountId),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-pipeline`,
            {
                role: pipelineRole.id,
                policy: policyDocument(`${prefix} pipeline policy`, [
                    ...artifactAccess,
                    {
                        Sid: "Source",
                        Effect: "Allow",
                        Action: "codestar-connections:UseConnection",
                        Resource: this.connection.arn,
                    },
                    {
                        Sid: "Builds",
                        Effect: "Allow",
                        Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                        Resource: Object.values(this.projects).map((p) => p.arn),
                    },
                ]),
            },
            { parent },
        );

        const build = (
            actionName: string,
            projectKey: string,
            runOrder = 1,
        ): aws.types.input.codepipeline.PipelineStageAction => ({
            name: actionName,
            category: "Build",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            inputArtifacts: ["source"],
            configuration: { ProjectName: this.projects[projectKey].name },
            runOrder,
        });
        const deployStages = args.environments.flatMap((e): aws.types.input.codepipeline.PipelineStage[] => [
            ...(e.requiresApproval
                ? [
                      {
                          name: `Approve-${e.stack}`,
                          actions: [
                              {
                                  name: "Approve",
                                  category: "Approval",
                                  owner: "AWS",
                                  provider: "Manual",
                                  version: "1",
                                  configuration: {
                                      CustomData: `Deploy ${e.stack}: check the preview build's output first.`,
                                  },
                              },
                          ],
                      },
                  ]
                : []),
            { name: `Deploy-${e.stack}`, actions: [build("PulumiUp", `deploy-${e.stack}`)] },
        ]);
        this.pipeline = new aws.codepipeline.Pipeline(
            name,
            {
                name: physicalName("codepipeline", prefix),
                pipelineType: "V2",
                executionMode: "QUEUED",
                roleArn: pipelineRole.arn,
                artifactStores: [
                    {
                        type: "S3",
                        location: this.artifacts.name,
                        encryptionKey: { id: this.artifactKey.arn, type: "KMS" },
                    },
                ],
                stages: [
                    {
                        name: "Source",
                        actions: [
                            {
                                name: "GitHub",
                                category: "Source",
                                owner: "AWS",
                                provider: "CodeStarSourceConnection",
                                version: "1",
                                outputArtifacts: ["source"],
                                configuration: {
                                    ConnectionArn: this.connection.arn,
                                    FullRepositoryId: args.repository,
                                    BranchName: args.branch ?? "main",
                                    OutputArtifactFormat: "CODE_ZIP",
                                    DetectChanges: "false",
                                },
                            },
                        ],
                    },
                    { name: "Test-and-Preview", actions: [build("Test", "test", 1), build("Preview", "preview", 2)] },
                    ...deployStages,
                ],
                triggers: [
                    {
                        providerType: "CodeStarSourceConnection",
                        gitConfiguration: {
                            sourceActionName: "GitHub",
                            pushes: [{ branches: { includes: [args.branch ?? "main"] } }],
                        },
                    },
                ],
            },
            { parent },
        );
        this.registerOutputs({
            pipelineName: this.pipeline.name,
            connectionArn: this.connection.arn,
            previewBuildRoleArn: this.buildRoles.preview.arn,
        });
    }
}
