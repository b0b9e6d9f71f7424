import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatementInput } from "../iamPolicy";
import { physicalName } from "../naming";
import { BUNDLE_HANDLER } from "./bundle";
import { type AliasOwner, liveAliasIgnoredChanges } from "./lambdaDeployment";
import type { CpuArchitecture } from "../../shared/cpuArchitecture";
import type { WorkloadRoleScope } from "../delivery/workloadRoles";
import { functionExecution } from "./functionExecution";

export { LAMBDA_RUNTIME } from "./functionExecution";
/** The alias every trigger (API Gateway, the queue) invokes; traffic shifting moves it between versions. */
export const LIVE_ALIAS = "live";

export interface ServerlessFunctionArgs {
    /**
     * Physical function name (at most 64 characters); its log group is `/aws/lambda/<name>`.
     * @example "voteapp-dev-vote"
     */
    readonly functionName: string;
    /** What the function does, shown in the console. */
    readonly description: string;
    /** Region and account the function runs in: scope the trust policy. */
    readonly region: string;
    readonly accountId: string;
    /** The code archive, e.g. from `lambdaHandlerArchive("vote-lambda")`. */
    readonly code: pulumi.asset.Archive;
    /**
     * Module and export the runtime calls.
     * @default "index.handler"
     */
    readonly handler?: string;
    /** MiB, 128–10240 (validated by the stack config). */
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    /** Executions reserved for (and the ceiling of) this function. */
    readonly reservedConcurrency: number;
    /** Plain environment variables (encrypted at rest with `kmsKeyArn`). No secrets: use a secret store. */
    readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
    /** Customer-managed KMS key for the environment variables and the log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /**
     * What the code itself may do, beyond writing its logs and traces: the exact actions on the exact ARNs.
     * @example [{ Sid: "SendBallots", Effect: "Allow", Action: "sqs:SendMessage", Resource: queue.arn }]
     */
    readonly permissions: readonly PolicyStatementInput[];
    /**
     * CPU architecture of the function (the bundles are plain JavaScript, so either runs them). Graviton is
     * about 20% cheaper per GB-second.
     * @default "arm64"
     */
    readonly architecture?: CpuArchitecture;
    /**
     * Who moves the `live` alias to a new version: Pulumi at once, or CodeDeploy gradually (Pulumi then
     * creates the alias on the first version and never resets its version or weights).
     * @default "pulumi"
     */
    readonly aliasOwner?: AliasOwner;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * One Lambda function as this project runs them: the shipped Node.js release on the stack's architecture, X-Ray active tracing, its own role
 * holding only its logs, traces and the `permissions` given, a KMS-encrypted log group with retention
 * (JSON log format), the environment encrypted with the stack's key, reserved concurrency, and every
 * deploy published as a version that the `live` alias points at. Triggers target the alias, so a
 * delivery pipeline can shift traffic between versions without touching them.
 *
 * No dead-letter queue on the function itself: Lambda uses one only for asynchronous invocations, and
 * these functions are invoked synchronously (API Gateway) or by an event source mapping (whose queue
 * has its own dead-letter queue).
 */
export class ServerlessFunction extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly alias: aws.lambda.Alias;
    readonly role: aws.iam.Role;
    readonly rolePolicy: aws.iam.RolePolicy;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Function name, for permissions and event source mappings (with `qualifier: LIVE_ALIAS`). */
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: ServerlessFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:serverless:ServerlessFunction", name, {}, opts);
        const parent = this;
        const functionName = physicalName("lambdaFunction", args.functionName);

        const execution = functionExecution(
            name,
            {
                ...args, // accountId, kmsKeyArn, logRetentionDays, roleScope
                functionName,
                roleDescription: `${functionName}: execution role (its logs, traces and ${args.permissions.length} statement(s) of app permissions)`,
                permissions: args.permissions,
                architecture: args.architecture,
            },
            parent,
        );
        this.logGroup = execution.logGroup;
        this.role = execution.role;
        this.rolePolicy = execution.rolePolicy;

        this.function = new aws.lambda.Function(
            name,
            {
                ...execution.functionArgs,
                description: args.description,
                handler: args.handler ?? BUNDLE_HANDLER,
                code: args.code,
                memorySize: args.memoryMb,
                timeout: args.timeoutSeconds,
                reservedConcurrentExecutions: args.reservedConcurrency,
                environment: { variables: { ...args.environment } },
                publish: true,
            },
            // The role must hold its permissions before the first invocation (and the queue mapping's check).
            { parent, dependsOn: [this.rolePolicy] },
        );
        this.name = this.function.name;
        this.alias = new aws.lambda.Alias(
            name,
            {
                name: LIVE_ALIAS,
                description: "The version serving traffic",
                functionName: this.function.name,
                functionVersion: this.function.version,
            },
            { parent, ignoreChanges: liveAliasIgnoredChanges(args.aliasOwner ?? "pulumi") },
        );
        this.registerOutputs({ functionName: this.name, aliasArn: this.alias.arn, version: this.function.version });
    }
}
