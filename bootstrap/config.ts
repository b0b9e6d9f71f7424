import { z } from "zod";
import { GITHUB_REPOSITORY } from "../components/delivery/githubTrust";
import { partitionOf } from "../components/partition";
import {
    type ConfigKeyDeclaration,
    type ConfigKeyTable,
    type ConfigProblem,
    ConfigValidationError,
    deepFreeze,
    parseFlatValues,
    type Report,
    reporter,
    resolveTier,
} from "../shared/config/reader";
import {
    accountId,
    environmentName,
    iamRoleName,
    matching,
    region,
    tagValue,
    type Tier,
    tier,
} from "../shared/config/values";

/**
 * Config of the bootstrap project (bootstrap/Pulumi.yaml), run once per account by an administrator.
 * Same machinery as the main program (shared/config/reader.ts): declared keys, typed reading, did-you-mean,
 * per-key zod messages, cross-key rules, one error listing every problem before any resource.
 */
export const BOOTSTRAP_NAMESPACE = "voteapp-bootstrap";

export const BOOTSTRAP_KEYS = {
    environment: {
        type: "string",
        description:
            "Environment whose account this bootstraps (dev, staging, prod, int...): the GitHub environment name by default.",
    },
    tier: {
        type: "string",
        description:
            "Protection tier: dev, staging or prod. Defaults to the environment name when that is one of the three.",
        optional: true,
    },
    region: {
        type: "string",
        description: "Region the main program deploys this environment to; the deploy role acts only there.",
    },
    accountId: {
        type: "string",
        description: "12-digit id of the account to bootstrap. The provider refuses any other account.",
    },
    adminRoleArn: {
        type: "string",
        description:
            "Role assumed to run the bootstrap (e.g. OrganizationAccountAccessRole); unset uses the caller's credentials.",
        optional: true,
    },
    githubRepository: {
        type: "string",
        description: "GitHub repository (owner/name) whose workflows may assume the roles.",
    },
    githubEnvironment: {
        type: "string",
        description: "GitHub environment whose jobs may assume the deploy role (defaults to the environment name).",
        optional: true,
    },
    promotedTo: {
        type: "string",
        description:
            "GitHub environments (comma-separated) whose deploy jobs promote this account's images, pulling them with its preview role: the next environment in deploy.yml's order. Unset: none (the last environment).",
        optional: true,
    },
    deployFromMainBranch: {
        type: "boolean",
        description: "Also let jobs on main without a GitHub environment assume the deploy role (dev only).",
        default: false,
    },
    projectName: {
        type: "string",
        description:
            "Project name of the main program: the project tag the deploy role may manage, and the ECR name prefix.",
        default: "voteapp",
    },
    deployRoleName: {
        type: "string",
        description: "Name of the deploy role (the main program's voteapp:deployRoleName).",
        default: "voteapp-deploy",
    },
    previewRoleName: { type: "string", description: "Name of the read-only preview role.", default: "voteapp-preview" },
    createOidcProvider: {
        type: "boolean",
        description: "Create the account's GitHub OIDC provider (false when the account already has one).",
        default: true,
    },
    pipelinePreviewRoleArn: {
        type: "string",
        description: "Preview build role of a tooling account's DeliveryPipeline, allowed to assume the preview role.",
        optional: true,
    },
    pipelineDeployRoleArn: {
        type: "string",
        description:
            "This environment's deploy build role of a tooling account's DeliveryPipeline, allowed to assume the deploy role.",
        optional: true,
    },
    stateBackend: {
        type: "boolean",
        description: "Create an S3 bucket and KMS key for a self-managed Pulumi backend in this account.",
        default: false,
    },
    stateBucketName: {
        type: "string",
        description: "Name of the state bucket (default <projectName>-pulumi-state-<accountId>).",
        optional: true,
    },
    ecrKeepImages: {
        type: "integer",
        description: "Images kept per ECR repository of the environment by the lifecycle policy (1–1000).",
        default: 30,
    },
    owner: { type: "string", description: "Owning team, applied as the owner tag." },
    costCentre: { type: "string", description: "Cost centre, applied as the cost-centre tag." },
    deliveryPipeline: {
        type: "boolean",
        description:
            "Make this the tooling account's stack: create the AWS-native DeliveryPipeline (CodePipeline + CodeBuild) instead of GitHub CI roles.",
        default: false,
    },
    pipelineEnvironments: {
        type: "string",
        description:
            "Environments the pipeline deploys, in order, as stack:accountId pairs, e.g. dev:111111111111,staging:222222222222,prod:333333333333.",
        optional: true,
    },
} as const satisfies Record<string, ConfigKeyDeclaration>;

const KEY_TABLE: ConfigKeyTable = {
    namespace: BOOTSTRAP_NAMESPACE,
    keys: BOOTSTRAP_KEYS,
    reference: "bootstrap/Pulumi.yaml",
};
type BootstrapKey = keyof typeof BOOTSTRAP_KEYS;
const qualified = (key: BootstrapKey) => `${BOOTSTRAP_NAMESPACE}:${key}`;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;
const PIPELINE_ENVIRONMENTS = /^[a-z][a-z0-9-]{1,14}[a-z0-9]:\d{12}(,[a-z][a-z0-9-]{1,14}[a-z0-9]:\d{12})*$/;
const S3_BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A GitHub environment name as a trust policy may name it: 1–255 characters, no quotes, commas or wildcards. */
const GITHUB_ENVIRONMENT_NAME = /[^'"`,;\\*?]{1,255}/.source;

const schema = z.object({
    environment: environmentName,
    tier: tier.optional(),
    region,
    accountId,
    adminRoleArn: matching(ROLE_ARN, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)").optional(),
    githubRepository: matching(GITHUB_REPOSITORY, "a GitHub repository owner/name, e.g. example-org/voteapp-infra"),
    githubEnvironment: matching(
        new RegExp(`^${GITHUB_ENVIRONMENT_NAME}$`),
        "a GitHub environment name (1–255 characters, no quotes, commas, wildcards)",
    ).optional(),
    promotedTo: matching(
        new RegExp(`^${GITHUB_ENVIRONMENT_NAME}(,${GITHUB_ENVIRONMENT_NAME})*$`),
        "comma-separated GitHub environment names (no quotes, wildcards), e.g. staging",
    ).optional(),
    deployFromMainBranch: z.boolean(),
    projectName: matching(/^[a-z][a-z0-9-]{1,30}$/, "a lowercase project name (2–31 letters, digits, hyphens)"),
    deployRoleName: iamRoleName,
    previewRoleName: iamRoleName,
    createOidcProvider: z.boolean(),
    pipelinePreviewRoleArn: matching(ROLE_ARN, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)").optional(),
    pipelineDeployRoleArn: matching(ROLE_ARN, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)").optional(),
    deliveryPipeline: z.boolean(),
    pipelineEnvironments: matching(
        PIPELINE_ENVIRONMENTS,
        "comma-separated stack:accountId pairs, e.g. dev:111111111111,staging:222222222222",
    ).optional(),
    stateBackend: z.boolean(),
    stateBucketName: matching(
        S3_BUCKET_NAME,
        "an S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)",
    ).optional(),
    ecrKeepImages: z
        .number()
        .int({ error: "must be a whole number" })
        .min(1, { error: "must be between 1 and 1000" })
        .max(1000, { error: "must be between 1 and 1000" }),
    owner: tagValue,
    costCentre: tagValue,
});

type FlatBootstrapConfig = z.infer<typeof schema>;

/** The validated, frozen config of one bootstrap stack. */
export interface BootstrapConfig {
    readonly stack: string;
    readonly project: string;
    readonly environment: string;
    readonly tier: Tier;
    readonly region: string;
    readonly partition: string;
    readonly accountId: string;
    readonly adminRoleArn?: string;
    readonly github: {
        readonly repository: string;
        readonly environment: string;
        readonly deployFromMainBranch: boolean;
        /** GitHub environments whose deploy jobs pull this account's images to promote them. */
        readonly promotedTo: readonly string[];
    };
    /** The main program this account is bootstrapped for. */
    readonly programProject: string;
    readonly roles: {
        readonly deploy: string;
        readonly preview: string;
        readonly pipeline: { readonly preview?: string; readonly deploy?: string };
    };
    /** Set on the tooling account's stack: the environments the DeliveryPipeline deploys, in order. */
    readonly deliveryPipeline?: {
        readonly environments: readonly { readonly stack: string; readonly accountId: string }[];
    };
    readonly createOidcProvider: boolean;
    readonly state?: { readonly bucketName: string; readonly keyAlias: string };
    /** The environment's ECR repositories (environment accounts only; the tooling account has none). */
    readonly registry: { readonly keepImages: number };
    readonly tags: { readonly owner: string; readonly costCentre: string };
}

function checkRelations(flat: FlatBootstrapConfig, tier: Tier, report: Report<BootstrapKey>): void {
    if (flat.deliveryPipeline) {
        const pairs = flat.pipelineEnvironments?.split(",").map((pair) => pair.split(":")) ?? [];
        if (pairs.length === 0)
            report(
                "pipelineEnvironments",
                undefined,
                `is required with ${qualified("deliveryPipeline")} = true: the stacks to deploy, in order`,
            );
        if (pairs.some(([, account]) => account === flat.accountId)) {
            report(
                "pipelineEnvironments",
                flat.pipelineEnvironments,
                `includes this stack's own account ${flat.accountId}: the pipeline runs in a separate tooling account`,
            );
        }
        const stacks = pairs.map(([stack]) => stack);
        if (new Set(stacks).size !== stacks.length)
            report("pipelineEnvironments", flat.pipelineEnvironments, "lists a stack twice");
    } else if (flat.pipelineEnvironments !== undefined) {
        report(
            "pipelineEnvironments",
            flat.pipelineEnvironments,
            `is only used with ${qualified("deliveryPipeline")} = true`,
        );
    }
    if (flat.deployFromMainBranch && tier !== "dev") {
        report(
            "deployFromMainBranch",
            true,
            `must be false for a ${tier} account: it deploys only through its GitHub environment's protection rules (approvals)`,
        );
    }
    if (flat.deployRoleName === flat.previewRoleName)
        report("previewRoleName", flat.previewRoleName, `must differ from ${qualified("deployRoleName")}`);
    if (flat.stateBucketName !== undefined && !flat.stateBackend)
        report("stateBucketName", flat.stateBucketName, `is only used with ${qualified("stateBackend")} = true`);
    const defaultBucket = `${flat.projectName}-pulumi-state-${flat.accountId}`;
    if (flat.stateBackend && flat.stateBucketName === undefined && defaultBucket.length > 63) {
        report(
            "stateBucketName",
            undefined,
            `is required: the default name ${defaultBucket} is longer than S3's 63 characters`,
        );
    }
}

/** Parses and validates a bootstrap stack's raw config, or throws one ConfigValidationError listing every problem. */
export function parseBootstrapConfig(
    raw: Readonly<Record<string, string>>,
    context: { readonly project: string; readonly stack: string },
): BootstrapConfig {
    const flat = parseFlatValues(raw, KEY_TABLE, schema, context.stack);
    const problems: ConfigProblem[] = [];
    const report = reporter<BootstrapKey>(BOOTSTRAP_NAMESPACE, problems);
    const tier = resolveTier(flat, report);
    if (tier) checkRelations(flat, tier, report);
    if (problems.length > 0 || !tier) throw new ConfigValidationError(context.stack, problems);

    const partition = partitionOf(flat.region);
    return deepFreeze({
        stack: context.stack,
        project: context.project,
        environment: flat.environment,
        tier,
        region: flat.region,
        partition,
        accountId: flat.accountId,
        ...(flat.adminRoleArn !== undefined ? { adminRoleArn: flat.adminRoleArn } : {}),
        github: {
            repository: flat.githubRepository,
            environment: flat.githubEnvironment ?? flat.environment,
            deployFromMainBranch: flat.deployFromMainBranch,
            promotedTo: flat.promotedTo?.split(",").map((name) => name.trim()) ?? [],
        },
        programProject: flat.projectName,
        roles: {
            deploy: flat.deployRoleName,
            preview: flat.previewRoleName,
            pipeline: {
                ...(flat.pipelinePreviewRoleArn ? { preview: flat.pipelinePreviewRoleArn } : {}),
                ...(flat.pipelineDeployRoleArn ? { deploy: flat.pipelineDeployRoleArn } : {}),
            },
        },
        ...(flat.deliveryPipeline && flat.pipelineEnvironments
            ? {
                  deliveryPipeline: {
                      environments: flat.pipelineEnvironments
                          .split(",")
                          .map((pair) => ({ stack: pair.split(":")[0], accountId: pair.split(":")[1] })),
                  },
              }
            : {}),
        createOidcProvider: flat.createOidcProvider,
        ...(flat.stateBackend
            ? {
                  state: {
                      bucketName: flat.stateBucketName ?? `${flat.projectName}-pulumi-state-${flat.accountId}`,
                      keyAlias: `${flat.projectName}-pulumi-state`,
                  },
              }
            : {}),
        registry: { keepImages: flat.ecrKeepImages },
        tags: { owner: flat.owner, costCentre: flat.costCentre },
    });
}
