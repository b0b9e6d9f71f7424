import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHttpApiFront } from "../httpApiFront";
import {
    APP_SERVICE_TABLE,
    AppEnv,
    checkedServiceTable,
    consumesVotesQueue,
    type LambdaStoreAccess,
    LambdaEnv,
    RESULT_LAMBDA_ROUTES,
    type ServiceTable,
    STORE_IAM_ACTIONS,
    TABLE_PARTITION_KEY,
    VOTE_LAMBDA_ROUTES,
} from "../../shared/appContract";
import { entryOf } from "../../shared/record";
import { policyDocument, type PolicyStatementInput } from "../iamPolicy";
import { physicalName } from "../naming";
import { partitionOf } from "../partition";
import { aliasOwnerFor, LambdaCodeDeployment, type LambdaStrategy } from "./lambdaDeployment";
import { LIVE_ALIAS, ServerlessFunction } from "./serverlessFunction";
import type { CpuArchitecture } from "../../shared/cpuArchitecture";
import { type WorkloadRoleScope } from "../delivery/workloadRoles";
import { type FunctionSize, NO_PROTECTION, type Protection } from "../vocabulary";

export interface VoteAppServerlessArgs {
    /** `<project>-<environment>`, used in physical names. @example "voteapp-dev" */
    readonly namePrefix: string;
    readonly region: string;
    readonly accountId: string;
    /**
     * The app's services: a function per row with the statements and environment of its store access, API routes
     * for the HTTP services, the votes queue's event source mapping for its one consumer.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
    /** Code archive per function, by service name (see `lambdaHandlerArchive`). */
    readonly code: Readonly<Record<string, pulumi.asset.Archive>>;
    /** Memory, timeout and reserved concurrency per function, by service name. */
    readonly functions: Readonly<Record<string, FunctionSize>>;
    /** API Gateway default route throttling. @example { burstLimit: 200, rateLimit: 100 } */
    readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
    /**
     * Per-route API metrics (Count, 4xx, 5xx, Latency, IntegrationLatency for each route: custom metrics billed
     * while requests flow). The API-wide metrics the alarms and dashboard use are published either way.
     * @default true
     */
    readonly detailedRouteMetrics?: boolean;
    /** Ballots per worker invocation (1–10: the queue is FIFO). */
    readonly workerBatchSize: number;
    /** Deliveries of a ballot before it moves to the dead-letter queue. @example 5 */
    readonly maxReceiveCount: number;
    /** Visibility timeout of the votes queue; must exceed the worker's timeout (AWS recommends 6×). */
    readonly visibilityTimeoutSeconds: number;
    /** The stack's customer-managed key: queues, table, environments and log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /**
     * With `deletionProtection`, the ballots are protected: table deletion protection, Pulumi `protect` and
     * retain-on-delete.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /**
     * Serve the app on this DNS name with this ACM certificate (regional, in the stack's region); the
     * API's default execute-api endpoint is then disabled, so HTTPS on the domain is the only way in.
     */
    readonly domain?: { readonly name: string; readonly certificateArn: string };
    /** Vote option labels. */
    readonly voteOptions: { readonly a: string; readonly b: string };
    /** CPU architecture of the functions. @default "arm64" */
    readonly cpuArchitecture?: CpuArchitecture;
    /**
     * How new versions reach the `live` aliases (CodeDeploy, one deployment group per function), and the
     * alarms that roll each function's shift back (named before the alarms exist: alarmNames.ts).
     * @example { strategy: "canary", rollbackAlarmNames: { vote: ["voteapp-prod-vote-errors"], ... } }
     */
    readonly deployment: {
        readonly strategy: LambdaStrategy;
        readonly rollbackAlarmNames: Readonly<Record<string, readonly string[]>>;
    };
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/** Routes per function (the service table's lambdaRoutes). The handlers answer exactly these paths (and 404 anything else). */
export const VOTE_ROUTES = VOTE_LAMBDA_ROUTES;
export const RESULT_ROUTES = RESULT_LAMBDA_ROUTES;

export { ACCESS_LOG_FORMAT } from "../apiAccessLog";

/** SQS keeps messages at most 14 days: the dead-letter queue keeps its ballots that long. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** The votes queue keeps unprocessed ballots 4 days, well inside the dead-letter queue's retention. */
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** HTTP APIs cut an integration off at 30 s. */
const MAX_INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * The voting app on Lambda: API Gateway HTTP API (access logs, throttling, optional custom domain) in
 * front of the vote and result functions; vote sends each ballot to an SQS FIFO queue (message group =
 * voter); the worker records ballots in a DynamoDB table from the queue, reporting partial batch failures;
 * poison ballots move to a FIFO dead-letter queue after `maxReceiveCount` deliveries. Every store is
 * encrypted with the stack's key; every trigger targets a function's `live` alias.
 */
export class VoteAppServerless extends pulumi.ComponentResource {
    readonly api: aws.apigatewayv2.Api;
    readonly stage: aws.apigatewayv2.Stage;
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly table: aws.dynamodb.Table;
    /** Each service's function, by service name. */
    readonly functions: Readonly<Record<string, ServerlessFunction>>;
    readonly workerMapping: aws.lambda.EventSourceMapping;
    readonly codeDeployment: LambdaCodeDeployment;
    readonly domainName?: aws.apigatewayv2.DomainName;
    /** Where the app is served: https://<domain>, or the API's execute-api endpoint. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: VoteAppServerlessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:serverless:VoteAppServerless", name, {}, opts);
        const parent = this;
        const table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const protectData = (args.protection ?? NO_PROTECTION).deletionProtection;
        const viaService = (service: string) => ({
            StringEquals: { "kms:ViaService": `${service}.${args.region}.amazonaws.com` },
        });

        // --- Queues: the FIFO queue of ballots and its dead-letter queue -------------------------------
        this.deadLetterQueue = new aws.sqs.Queue(
            `${name}-votes-dlq`,
            {
                name: physicalName("sqsQueue", args.namePrefix, "votes-dlq.fifo"),
                fifoQueue: true,
                messageRetentionSeconds: DLQ_RETENTION_SECONDS,
                kmsMasterKeyId: args.kmsKeyArn,
                kmsDataKeyReusePeriodSeconds: 300,
            },
            { parent },
        );
        this.queue = new aws.sqs.Queue(
            `${name}-votes`,
            {
                name: physicalName("sqsQueue", args.namePrefix, "votes.fifo"),
                fifoQueue: true,
                // The vote function sets the deduplication id (the API request id) and the group (the voter).
                contentBasedDeduplication: false,
                deduplicationScope: "messageGroup",
                fifoThroughputLimit: "perMessageGroupId",
                visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
                messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
                receiveWaitTimeSeconds: 20,
                kmsMasterKeyId: args.kmsKeyArn,
                kmsDataKeyReusePeriodSeconds: 300,
                redrivePolicy: pulumi.jsonStringify({
                    deadLetterTargetArn: this.deadLetterQueue.arn,
                    maxReceiveCount: args.maxReceiveCount,
                }),
            },
            { parent },
        );
        // Only the votes queue may move messages into the dead-letter queue.
        new aws.sqs.RedriveAllowPolicy(
            `${name}-votes-dlq`,
            {
                queueUrl: this.deadLetterQueue.url,
                redriveAllowPolicy: pulumi.jsonStringify({
                    redrivePermission: "byQueue",
                    sourceQueueArns: [this.queue.arn],
                }),
            },
            { parent },
        );
        for (const [queueName, queue] of [
            [`${name}-votes`, this.queue],
            [`${name}-votes-dlq`, this.deadLetterQueue],
        ] as const) {
            new aws.sqs.QueuePolicy(
                queueName,
                {
                    queueUrl: queue.url,
                    policy: policyDocument(`${queueName} queue policy`, [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "sqs:*",
                            Resource: queue.arn,
                            Condition: { Bool: { "aws:SecureTransport": false } },
                        },
                    ]),
                },
                { parent },
            );
        }

        // --- Table: voters and totals (on demand, point-in-time recovery, the stack's key) -------------
        this.table = new aws.dynamodb.Table(
            `${name}-votes`,
            {
                name: physicalName("dynamodbTable", args.namePrefix, "votes"),
                billingMode: "PAY_PER_REQUEST",
                hashKey: TABLE_PARTITION_KEY,
                attributes: [{ name: TABLE_PARTITION_KEY, type: "S" }],
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
                deletionProtectionEnabled: protectData,
            },
            { parent, protect: protectData, retainOnDelete: protectData },
        );

        // --- Functions: each with its own role, holding exactly what its handler calls -----------------
        const options = { [AppEnv.optionA]: args.voteOptions.a, [AppEnv.optionB]: args.voteOptions.b };
        const fn = (
            service: string,
            description: string,
            environment: Record<string, pulumi.Input<string>>,
            permissions: readonly PolicyStatementInput[],
        ) =>
            new ServerlessFunction(
                `${name}-${service}`,
                {
                    roleScope: args.roleScope,
                    functionName: `${args.namePrefix}-${service}`,
                    description,
                    region: args.region,
                    accountId: args.accountId,
                    code: entryOf(args.code, "VoteAppServerless args.code", service),
                    ...entryOf(args.functions, "VoteAppServerless args.functions", service),
                    environment,
                    kmsKeyArn: args.kmsKeyArn,
                    logRetentionDays: args.logRetentionDays,
                    permissions,
                    aliasOwner: aliasOwnerFor(args.deployment.strategy),
                    architecture: args.cpuArchitecture,
                },
                { parent },
            );
        // DynamoDB uses the caller's permission on a table's customer-managed key when it refreshes the table key.
        const tableKeyViaDynamodb = {
            Sid: "UseTableKeyViaDynamodb",
            Effect: "Allow" as const,
            Action: ["kms:Decrypt", "kms:DescribeKey"],
            Resource: args.kmsKeyArn,
            Condition: viaService("dynamodb"),
        };
        // What each store access grants and sets (the service table's `lambda.access`).
        const grants: Readonly<
            Record<
                LambdaStoreAccess,
                { statements: PolicyStatementInput[]; environment: Record<string, pulumi.Input<string>> }
            >
        > = {
            sendBallots: {
                environment: { [LambdaEnv.queueUrl]: this.queue.url },
                statements: [
                    { Sid: "SendBallots", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.queue.arn },
                    // SSE-KMS producers need a data key, and Decrypt to reuse it.
                    {
                        Sid: "EncryptBallotsViaSqs",
                        Effect: "Allow",
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: args.kmsKeyArn,
                        Condition: viaService("sqs"),
                    },
                ],
            },
            receiveBallots: {
                environment: {},
                statements: [
                    // What the queue's event source mapping calls with the function's role (AWSLambdaSQSQueueExecutionRole's actions).
                    {
                        Sid: "ReceiveBallots",
                        Effect: "Allow",
                        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                        Resource: this.queue.arn,
                    },
                    {
                        Sid: "DecryptBallotsViaSqs",
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: args.kmsKeyArn,
                        Condition: viaService("sqs"),
                    },
                ],
            },
            recordBallots: {
                environment: { [LambdaEnv.tableName]: this.table.name },
                statements: [
                    {
                        Sid: "RecordBallots",
                        Effect: "Allow",
                        // What the store's calls need (app/src/lambda/store.ts); a test runs them to check.
                        Action: [...STORE_IAM_ACTIONS.worker],
                        Resource: this.table.arn,
                    },
                    tableKeyViaDynamodb,
                ],
            },
            readTotals: {
                environment: { [LambdaEnv.tableName]: this.table.name },
                statements: [
                    {
                        Sid: "ReadTotals",
                        Effect: "Allow",
                        Action: [...STORE_IAM_ACTIONS.result],
                        Resource: this.table.arn,
                    },
                    tableKeyViaDynamodb,
                ],
            },
        };
        const functions: Record<string, ServerlessFunction> = {};
        for (const spec of table) {
            const granted = spec.lambda.access.map((access) => grants[access]);
            const statements = granted
                .flatMap((grant) => grant.statements)
                .filter((statement, index, all) => all.findIndex((other) => other.Sid === statement.Sid) === index);
            functions[spec.name] = fn(
                spec.name,
                spec.lambda.description,
                // The HTTP functions render the vote options; the queue consumer does not.
                Object.assign({}, ...granted.map((grant) => grant.environment), spec.http ? options : {}),
                statements,
            );
        }
        this.functions = functions;
        const consumers = table.filter(consumesVotesQueue);
        if (consumers.length !== 1)
            throw new Error(
                `VoteAppServerless: exactly one service must consume the votes queue (receiveBallots); found ${consumers.length}`,
            );
        const consumer = consumers[0].name;
        this.codeDeployment = new LambdaCodeDeployment(
            `${name}-codedeploy`,
            {
                roleScope: args.roleScope,
                namePrefix: args.namePrefix,
                partition: partitionOf(args.region),
                accountId: args.accountId,
                strategy: args.deployment.strategy,
                functions: table.map(({ name: role }) => ({
                    role,
                    alarmNames: entryOf(
                        args.deployment.rollbackAlarmNames,
                        "VoteAppServerless args.deployment.rollbackAlarmNames",
                        role,
                    ),
                })),
            },
            { parent, dependsOn: Object.values(this.functions).map((f) => f.alias) },
        );

        // The worker reads the queue through its live alias, never faster than its reserved concurrency.
        this.workerMapping = new aws.lambda.EventSourceMapping(
            `${name}-${consumer}-votes`,
            {
                eventSourceArn: this.queue.arn,
                functionName: functions[consumer].alias.arn,
                batchSize: args.workerBatchSize,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: args.functions[consumer].reservedConcurrency },
                enabled: true,
            },
            { parent, dependsOn: [functions[consumer].rolePolicy] },
        );

        // --- HTTP API: access logs, throttling, routes to the live aliases ----------------------------
        const front = createHttpApiFront(
            { api: `${name}-api`, accessLogs: `${name}-api-access`, stage: `${name}-api`, domain: `${name}-domain` },
            {
                namePrefix: args.namePrefix,
                description: "The voting app: vote and result functions",
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                throttling: args.throttling,
                detailedRouteMetrics: args.detailedRouteMetrics ?? true,
                domain: args.domain,
            },
            parent,
        );
        this.api = front.api;
        this.stage = front.stage;
        this.domainName = front.domainName;
        this.url = front.url;
        const routeTo = (service: string, routes: readonly string[]) => {
            const target = this.functions[service];
            const integration = new aws.apigatewayv2.Integration(
                `${name}-${service}`,
                {
                    apiId: this.api.id,
                    integrationType: "AWS_PROXY",
                    integrationUri: target.alias.invokeArn,
                    payloadFormatVersion: "2.0",
                    // Slightly longer than the function may run, so its own timeout is what fires (and is logged).
                    timeoutMilliseconds: Math.min(
                        MAX_INTEGRATION_TIMEOUT_MS,
                        (args.functions[service].timeoutSeconds + 1) * 1000,
                    ),
                },
                { parent },
            );
            for (const routeKey of routes) {
                new aws.apigatewayv2.Route(
                    `${name}-${service}-${routeKey
                        .replace(/[^A-Za-z0-9]+/g, "-")
                        .replace(/-+$/, "")
                        .toLowerCase()}`,
                    { apiId: this.api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` },
                    { parent },
                );
            }
            // Only this API may invoke the alias (any stage, method and path of it).
            new aws.lambda.Permission(
                `${name}-${service}-api`,
                {
                    action: "lambda:InvokeFunction",
                    function: target.name,
                    qualifier: LIVE_ALIAS,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${this.api.executionArn}/*`,
                    sourceAccount: args.accountId,
                },
                { parent, dependsOn: [target.alias] },
            );
        };
        for (const spec of table) if (spec.http) routeTo(spec.name, spec.http.lambdaRoutes);

        this.registerOutputs({ url: this.url, queueUrl: this.queue.url, tableName: this.table.name });
    }
}
