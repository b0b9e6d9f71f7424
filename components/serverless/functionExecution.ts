import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type PolicyStatementInput } from "../iamPolicy";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";
import { ARCHITECTURE_NAMES, type CpuArchitecture } from "../../shared/cpuArchitecture";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";

/** The managed runtime every function runs on: the shipped Node.js release (shared/nodeRuntime.ts). */
export const LAMBDA_RUNTIME = NODE_RUNTIME.lambdaRuntime;

export interface FunctionExecutionArgs {
    /** Physical function name: the log group is `/aws/lambda/<name>`, the environment key is scoped to it. */
    readonly functionName: string;
    /** The account the trust policy admits Lambda for (aws:SourceAccount). */
    readonly accountId: string;
    /** Customer-managed KMS key of the log group and the function's environment. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** The role's description, e.g. what the function may do. */
    readonly roleDescription: string;
    /** What the code itself may do, beyond writing its logs and traces and decrypting its environment. */
    readonly permissions: readonly PolicyStatementInput[];
    /** Where the role lives and its permissions boundary. @default none: role at "/", unbounded */
    readonly roleScope?: WorkloadRoleScope;
    /** @default "arm64" */
    readonly architecture?: CpuArchitecture;
}

/** A function's log group, execution role and role policy, and the function args every function shares. */
export interface FunctionExecution {
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly role: aws.iam.Role;
    readonly rolePolicy: aws.iam.RolePolicy;
    /** Runtime, architecture, role, environment key, active tracing and JSON logs into the log group. */
    readonly functionArgs: Pick<
        aws.lambda.FunctionArgs,
        "name" | "role" | "runtime" | "architectures" | "kmsKeyArn" | "tracingConfig" | "loggingConfig"
    >;
}

/**
 * What every Lambda function of this project runs with (the app's functions, the database setup): a KMS-encrypted
 * log group with retention, its own role that Lambda of this account alone may assume, holding only its logs,
 * traces, the decryption of its own environment and the `permissions` given. The three resources are named `name`
 * and parented to `parent`, as each component created them before this helper (their URNs are unchanged).
 */
export function functionExecution(
    name: string,
    args: FunctionExecutionArgs,
    parent: pulumi.Resource,
): FunctionExecution {
    const { functionName, kmsKeyArn } = args;
    const logGroup = new aws.cloudwatch.LogGroup(
        name,
        { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: kmsKeyArn },
        { parent },
    );
    const role = new aws.iam.Role(
        name,
        {
            ...roleScopeArgs(args.roleScope),
            description: args.roleDescription,
            assumeRolePolicy: policyDocument(`${name} trust`, [
                {
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                },
            ]),
        },
        { parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(
        name,
        {
            role: role.id,
            policy: policyDocument(`${name} policy`, [
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: pulumi.interpolate`${logGroup.arn}:*`,
                },
                // X-Ray's write actions support no resource-level scoping.
                {
                    Sid: "WriteTraces",
                    Effect: "Allow",
                    Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    Resource: "*",
                },
                {
                    Sid: "DecryptOwnEnvironment",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: kmsKeyArn,
                    Condition: { StringEquals: { "kms:EncryptionContext:LambdaFunctionName": functionName } },
                },
                ...args.permissions,
            ]),
        },
        { parent },
    );
    return {
        logGroup,
        role,
        rolePolicy,
        functionArgs: {
            name: functionName,
            role: role.arn,
            runtime: LAMBDA_RUNTIME,
            architectures: [ARCHITECTURE_NAMES[args.architecture ?? "arm64"].lambda],
            kmsKeyArn,
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        },
    };
}
