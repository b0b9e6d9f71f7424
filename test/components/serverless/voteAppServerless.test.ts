import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import { RESULT_ROUTES, VOTE_ROUTES } from "../../../components/serverless/voteAppServerless";
import type { MockedRun } from "../../../plan/harness";
import { TABLE_PARTITION_KEY } from "../../../shared/appContract";
import {
    mountServerlessApp,
    TEST_CERTIFICATE_ARN,
    TEST_KMS_KEY_ARN,
    TEST_NAME_PREFIX,
    TEST_SERVERLESS_ARGS,
} from "../../support/fixtures";
import { MOUNT_ACCOUNT } from "../../support/mount";
import { input, named, ofType, single } from "../../support/resources";

/**
 * VoteAppServerless mounted alone with the args each test chooses (issue 16.5); what each stack's config makes
 * of them (sizes, the queue's visibility from the worker's timeout, protection and domain per tier, the bundled
 * handlers) is test/stacks/lambdaComposition.test.ts.
 */
const { region, accountId } = MOUNT_ACCOUNT;
const QUEUE = "aws:sqs/queue:Queue";
const TABLE = "aws:dynamodb/table:Table";
const QUEUE_ARN = `arn:aws:sqs:${region}:${accountId}:${TEST_NAME_PREFIX}-votes.fifo`;
const DLQ_ARN = `arn:aws:sqs:${region}:${accountId}:${TEST_NAME_PREFIX}-votes-dlq.fifo`;
const TABLE_ARN = `arn:aws:dynamodb:${region}:${accountId}:table/${TEST_NAME_PREFIX}-votes`;
const SERVICES = ["vote", "result", "worker"] as const;
type Service = (typeof SERVICES)[number];

/** The index.js text of a captured code archive. */
const indexOf = async (code: unknown) =>
    (await ((await (code as pulumi.asset.AssetArchive).assets)["index.js"] as pulumi.asset.StringAsset).text) as string;
const json = (value: unknown): Record<string, unknown> => JSON.parse(String(value)) as Record<string, unknown>;
let defaults: Promise<MockedRun> | undefined;
/** The app with the fixture's args alone: no domain, no protection, all at once. */
const plainApp = () => (defaults ??= mountServerlessApp());
const DOMAIN = { name: "vote.example.test", certificateArn: TEST_CERTIFICATE_ARN };

interface Statement {
    readonly Sid?: string;
    readonly Effect: string;
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string>>;
}
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const statementsOf = (run: MockedRun, service: Service): Statement[] =>
    (
        JSON.parse(String(named(run, "aws:iam/rolePolicy:RolePolicy", `vote-app-${service}`).inputs.policy)) as {
            Statement: Statement[];
        }
    ).Statement;
/** Every (action, resource) pair a role's policy allows, as "action on resource". */
const grants = (run: MockedRun, service: Service) =>
    statementsOf(run, service).flatMap((s) =>
        list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} on ${r}`)),
    );

describe("VoteAppServerless", function () {
    this.timeout(180_000);

    describe("the votes queue", () => {
        it("is FIFO, encrypted with the key given, and moves a ballot to a FIFO dead-letter queue after maxReceiveCount receives", async () => {
            for (const maxReceiveCount of [3, 5]) {
                const run =
                    maxReceiveCount === TEST_SERVERLESS_ARGS.maxReceiveCount
                        ? await plainApp()
                        : await mountServerlessApp({ maxReceiveCount });
                const queue = named(run, QUEUE, "vote-app-votes");
                const dlq = named(run, QUEUE, "vote-app-votes-dlq");
                for (const q of [queue, dlq]) {
                    assert.strictEqual(q.inputs.fifoQueue, true, q.name);
                    assert.strictEqual(q.inputs.kmsMasterKeyId, TEST_KMS_KEY_ARN, q.name);
                }
                assert.deepStrictEqual(
                    [queue.inputs.name, dlq.inputs.name],
                    [`${TEST_NAME_PREFIX}-votes.fifo`, `${TEST_NAME_PREFIX}-votes-dlq.fifo`],
                );
                assert.deepStrictEqual(json(queue.inputs.redrivePolicy), {
                    deadLetterTargetArn: DLQ_ARN,
                    maxReceiveCount,
                });
                assert.strictEqual(dlq.inputs.redrivePolicy, undefined, "a dead-letter queue has no dead-letter queue");
                assert.ok(
                    Number(dlq.inputs.messageRetentionSeconds) > Number(queue.inputs.messageRetentionSeconds),
                    "the DLQ keeps ballots longer than the queue",
                );
                assert.strictEqual(
                    queue.inputs.contentBasedDeduplication,
                    false,
                    "the vote function sets the deduplication id",
                );
            }
        });

        it("has the visibility timeout given", async () => {
            for (const visibilityTimeoutSeconds of [180, 720]) {
                const run =
                    visibilityTimeoutSeconds === TEST_SERVERLESS_ARGS.visibilityTimeoutSeconds
                        ? await plainApp()
                        : await mountServerlessApp({ visibilityTimeoutSeconds });
                assert.strictEqual(
                    named(run, QUEUE, "vote-app-votes").inputs.visibilityTimeoutSeconds,
                    visibilityTimeoutSeconds,
                );
            }
        });

        it("lets only the votes queue redrive into the DLQ, and refuses non-TLS access to both", async () => {
            const run = await plainApp();
            const allow = single(run, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
            assert.deepStrictEqual(json(allow.inputs.redriveAllowPolicy), {
                redrivePermission: "byQueue",
                sourceQueueArns: [QUEUE_ARN],
            });
            const policies = ofType(run, "aws:sqs/queuePolicy:QueuePolicy");
            assert.strictEqual(policies.length, 2);
            for (const policy of policies) {
                const [statement] = json(policy.inputs.policy).Statement as Array<Record<string, unknown>>;
                assert.deepStrictEqual(
                    [statement.Effect, statement.Condition],
                    ["Deny", { Bool: { "aws:SecureTransport": false } }],
                );
            }
        });
    });

    describe("the votes table", () => {
        it("is on-demand, keyed by the app's partition key, with point-in-time recovery and the key given", async () => {
            const table = single(await plainApp(), TABLE);
            assert.strictEqual(table.inputs.billingMode, "PAY_PER_REQUEST");
            assert.strictEqual(table.inputs.hashKey, TABLE_PARTITION_KEY);
            assert.deepStrictEqual(table.inputs.attributes, [{ name: TABLE_PARTITION_KEY, type: "S" }]);
            assert.deepStrictEqual(table.inputs.pointInTimeRecovery, { enabled: true });
            assert.deepStrictEqual(table.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: TEST_KMS_KEY_ARN });
        });

        it("with deletion protection: deletion-protected, protected and retained; without: disposable", async () => {
            for (const [run, expected] of [
                [await mountServerlessApp({ protection: FULL_PROTECTION }), true],
                [await plainApp(), false],
            ] as const) {
                const table = single(run, TABLE);
                assert.deepStrictEqual(
                    [table.inputs.deletionProtectionEnabled, table.protect, table.retainOnDelete],
                    [expected, expected, expected],
                );
            }
        });
    });

    describe("the functions", () => {
        it("one function per service, each on its own code archive, size and the architecture given (arm64 by default)", async () => {
            for (const cpuArchitecture of [undefined, "x86_64"] as const) {
                const run = cpuArchitecture ? await mountServerlessApp({ cpuArchitecture }) : await plainApp();
                for (const service of SERVICES) {
                    const fn = named(run, "aws:lambda/function:Function", `vote-app-${service}`);
                    const size = TEST_SERVERLESS_ARGS.functions[service];
                    assert.deepStrictEqual(
                        [
                            fn.inputs.name,
                            fn.inputs.memorySize,
                            fn.inputs.timeout,
                            fn.inputs.reservedConcurrentExecutions,
                            fn.inputs.architectures,
                        ],
                        [
                            `${TEST_NAME_PREFIX}-${service}`,
                            size.memoryMb,
                            size.timeoutSeconds,
                            size.reservedConcurrency,
                            [cpuArchitecture ?? "arm64"],
                        ],
                        service,
                    );
                    assert.strictEqual(
                        await indexOf(fn.inputs.code),
                        `exports.handler = "${service}";`,
                        `${service}: not its archive`,
                    );
                }
            }
        });

        it("grants each role exactly what its handler calls, on the exact ARNs", async () => {
            const run = await plainApp();
            const key = TEST_KMS_KEY_ARN;
            const common = (service: Service) => [
                `logs:CreateLogStream on arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${TEST_NAME_PREFIX}-${service}:*`,
                `logs:PutLogEvents on arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${TEST_NAME_PREFIX}-${service}:*`,
                "xray:PutTraceSegments on *",
                "xray:PutTelemetryRecords on *",
                `kms:Decrypt on ${key}`,
            ];
            const tableKey = [`kms:Decrypt on ${key}`, `kms:DescribeKey on ${key}`];
            const expected: Record<Service, string[]> = {
                vote: [
                    ...common("vote"),
                    `sqs:SendMessage on ${QUEUE_ARN}`,
                    `kms:GenerateDataKey on ${key}`,
                    `kms:Decrypt on ${key}`,
                ],
                worker: [
                    ...common("worker"),
                    ...["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"].map((a) => `sqs:${a} on ${QUEUE_ARN}`),
                    `kms:Decrypt on ${key}`,
                    `dynamodb:BatchGetItem on ${TABLE_ARN}`,
                    `dynamodb:GetItem on ${TABLE_ARN}`,
                    `dynamodb:UpdateItem on ${TABLE_ARN}`,
                    ...tableKey,
                ],
                result: [...common("result"), `dynamodb:GetItem on ${TABLE_ARN}`, ...tableKey],
            };
            for (const service of SERVICES) {
                assert.deepStrictEqual(grants(run, service).sort(), expected[service].sort(), service);
                assert.ok(statementsOf(run, service).every((s) => s.Effect === "Allow"));
            }
        });

        it("lets a role use the key only for its own function and through SQS or DynamoDB, never directly", async () => {
            const run = await plainApp();
            for (const service of SERVICES) {
                for (const statement of statementsOf(run, service).filter((s) =>
                    list(s.Action).some((a) => a.startsWith("kms:")),
                )) {
                    const condition = JSON.stringify(statement.Condition);
                    assert.ok(
                        condition ===
                            JSON.stringify({
                                StringEquals: {
                                    "kms:EncryptionContext:LambdaFunctionName": `${TEST_NAME_PREFIX}-${service}`,
                                },
                            }) ||
                            condition ===
                                JSON.stringify({ StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } }) ||
                            (service !== "vote" &&
                                condition ===
                                    JSON.stringify({
                                        StringEquals: { "kms:ViaService": `dynamodb.${region}.amazonaws.com` },
                                    })),
                        `${service} ${statement.Sid}: ${condition}`,
                    );
                }
            }
        });

        it("hands each function only its own variables: the queue URL to vote, the table name to worker and result, the vote options given", async () => {
            const voteOptions = { a: "Tea", b: "Coffee" };
            const run = await mountServerlessApp({ voteOptions });
            const env = (service: Service) =>
                input(named(run, "aws:lambda/function:Function", `vote-app-${service}`), "environment", "variables");
            assert.deepStrictEqual(env("vote"), {
                VOTES_QUEUE_URL: `https://sqs.${region}.amazonaws.com/${accountId}/${TEST_NAME_PREFIX}-votes.fifo`,
                OPTION_A: "Tea",
                OPTION_B: "Coffee",
            });
            assert.deepStrictEqual(env("worker"), { VOTES_TABLE_NAME: `${TEST_NAME_PREFIX}-votes` });
            assert.deepStrictEqual(env("result"), {
                VOTES_TABLE_NAME: `${TEST_NAME_PREFIX}-votes`,
                OPTION_A: "Tea",
                OPTION_B: "Coffee",
            });
        });
    });

    describe("the HTTP API", () => {
        it("writes one JSON access log line per request to a log group encrypted with the key given, kept logRetentionDays", async () => {
            for (const logRetentionDays of [30, 365]) {
                const run = logRetentionDays === 30 ? await plainApp() : await mountServerlessApp({ logRetentionDays });
                const stage = single(run, "aws:apigatewayv2/stage:Stage");
                const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "vote-app-api-access");
                assert.strictEqual(
                    input(stage, "accessLogSettings", "destinationArn"),
                    `arn:aws:logs:${region}:${accountId}:log-group:${String(group.inputs.name)}`,
                );
                const format = json(input(stage, "accessLogSettings", "format"));
                for (const field of ["requestId", "sourceIp", "routeKey", "status", "integrationError"])
                    assert.ok(field in format, `access log lacks ${field}`);
                assert.strictEqual(group.inputs.retentionInDays, logRetentionDays);
                assert.strictEqual(group.inputs.kmsKeyId, TEST_KMS_KEY_ARN);
                assert.deepStrictEqual([stage.inputs.name, stage.inputs.autoDeploy], ["$default", true]);
            }
        });

        it("throttles the default route as given", async () => {
            for (const throttling of [TEST_SERVERLESS_ARGS.throttling, { burstLimit: 40, rateLimit: 25 }]) {
                const run =
                    throttling === TEST_SERVERLESS_ARGS.throttling
                        ? await plainApp()
                        : await mountServerlessApp({ throttling });
                const settings = input(single(run, "aws:apigatewayv2/stage:Stage"), "defaultRouteSettings") as Record<
                    string,
                    unknown
                >;
                assert.deepStrictEqual(
                    [settings.throttlingBurstLimit, settings.throttlingRateLimit],
                    [throttling.burstLimit, throttling.rateLimit],
                );
            }
        });

        it("routes the vote page and ballots to vote, the result page, script, totals and health to result, and nothing else", async () => {
            const routes = ofType(await plainApp(), "aws:apigatewayv2/route:Route");
            const integrationOf = (service: string) => `integrations/vote-app-${service}-id`;
            const byTarget = (service: string) =>
                routes
                    .filter((r) => r.inputs.target === integrationOf(service))
                    .map((r) => r.inputs.routeKey)
                    .sort();
            assert.deepStrictEqual(byTarget("vote"), ["GET /", "GET /healthz", "HEAD /", "POST /"]);
            assert.deepStrictEqual(byTarget("result"), [
                "GET /result",
                "GET /result/app.js",
                "GET /result/healthz",
                "GET /result/totals.json",
            ]);
            assert.strictEqual(routes.length, VOTE_ROUTES.length + RESULT_ROUTES.length);
        });

        it("proxies to the live aliases (payload 2.0), letting the function's own timeout fire first", async () => {
            for (const timeoutSeconds of [10, 20]) {
                const run =
                    timeoutSeconds === 10
                        ? await plainApp()
                        : await mountServerlessApp({
                              functions: {
                                  ...TEST_SERVERLESS_ARGS.functions,
                                  vote: { ...TEST_SERVERLESS_ARGS.functions.vote, timeoutSeconds },
                                  result: { ...TEST_SERVERLESS_ARGS.functions.result, timeoutSeconds },
                              },
                          });
                for (const service of ["vote", "result"]) {
                    const integration = named(run, "aws:apigatewayv2/integration:Integration", `vote-app-${service}`);
                    assert.strictEqual(integration.inputs.integrationType, "AWS_PROXY");
                    assert.strictEqual(integration.inputs.payloadFormatVersion, "2.0");
                    assert.strictEqual(
                        integration.inputs.integrationUri,
                        `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${accountId}:function:${TEST_NAME_PREFIX}-${service}:live/invocations`,
                    );
                    assert.strictEqual(integration.inputs.timeoutMilliseconds, (timeoutSeconds + 1) * 1000);
                }
            }
        });

        it("lets only this API invoke the live aliases of vote and result", async () => {
            const run = await plainApp();
            const permissions = ofType(run, "aws:lambda/permission:Permission");
            assert.deepStrictEqual(permissions.map((p) => p.inputs.function).sort(), [
                `${TEST_NAME_PREFIX}-result`,
                `${TEST_NAME_PREFIX}-vote`,
            ]);
            assert.strictEqual(single(run, "aws:apigatewayv2/api:Api").inputs.protocolType, "HTTP");
            for (const permission of permissions) {
                assert.deepStrictEqual(
                    [permission.inputs.principal, permission.inputs.qualifier, permission.inputs.action],
                    ["apigateway.amazonaws.com", "live", "lambda:InvokeFunction"],
                );
                assert.match(
                    String(permission.inputs.sourceArn),
                    new RegExp(`^arn:aws:execute-api:${region}:${accountId}:[0-9a-f]+/\\*$`),
                );
                assert.strictEqual(permission.inputs.sourceAccount, accountId);
            }
        });

        it("with a domain: served there only (TLS 1.2 regional domain on the certificate given, mapped to the stage, execute-api endpoint off); without: on execute-api", async () => {
            const run = await mountServerlessApp({ domain: DOMAIN });
            const domain = single(run, "aws:apigatewayv2/domainName:DomainName");
            assert.strictEqual(domain.inputs.domainName, DOMAIN.name);
            assert.deepStrictEqual(domain.inputs.domainNameConfiguration, {
                certificateArn: TEST_CERTIFICATE_ARN,
                endpointType: "REGIONAL",
                securityPolicy: "TLS_1_2",
            });
            single(run, "aws:apigatewayv2/apiMapping:ApiMapping");
            assert.strictEqual(single(run, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, true);
            const plain = await plainApp();
            assert.strictEqual(ofType(plain, "aws:apigatewayv2/domainName:DomainName").length, 0);
            assert.strictEqual(ofType(plain, "aws:apigatewayv2/apiMapping:ApiMapping").length, 0);
            assert.strictEqual(single(plain, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, false);
        });
    });

    describe("the worker's queue mapping", () => {
        it("feeds the worker's live alias in batches of workerBatchSize, reporting partial batch failures, never beyond its reserved concurrency", async () => {
            const run = await mountServerlessApp({
                workerBatchSize: 4,
                functions: {
                    ...TEST_SERVERLESS_ARGS.functions,
                    worker: { ...TEST_SERVERLESS_ARGS.functions.worker, reservedConcurrency: 7 },
                },
            });
            const mapping = single(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.strictEqual(mapping.inputs.eventSourceArn, QUEUE_ARN);
            assert.strictEqual(
                mapping.inputs.functionName,
                `arn:aws:lambda:${region}:${accountId}:function:${TEST_NAME_PREFIX}-worker:live`,
            );
            assert.strictEqual(mapping.inputs.batchSize, 4);
            assert.deepStrictEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
            assert.deepStrictEqual(mapping.inputs.scalingConfig, { maximumConcurrency: 7 });
            assert.strictEqual(
                mapping.inputs.maximumBatchingWindowInSeconds,
                undefined,
                "FIFO queues support no batching window",
            );
            assert.ok(
                mapping.dependencies.includes(named(run, "aws:iam/rolePolicy:RolePolicy", "vote-app-worker").urn),
                "the mapping waits for the worker's queue permissions",
            );
            const plain = single(await plainApp(), "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.deepStrictEqual(
                [plain.inputs.batchSize, plain.inputs.scalingConfig],
                [TEST_SERVERLESS_ARGS.workerBatchSize, { maximumConcurrency: 5 }],
            );
        });
    });

    it("deploys through CodeDeploy with the strategy and rollback alarms given", async () => {
        for (const strategy of ["allAtOnce", "linear"] as const) {
            const run =
                strategy === "allAtOnce"
                    ? await plainApp()
                    : await mountServerlessApp({ deployment: { ...TEST_SERVERLESS_ARGS.deployment, strategy } });
            for (const service of SERVICES) {
                const group = named(
                    run,
                    "aws:codedeploy/deploymentGroup:DeploymentGroup",
                    `vote-app-codedeploy-${service}`,
                );
                assert.strictEqual(
                    group.inputs.deploymentConfigName,
                    strategy === "allAtOnce"
                        ? "CodeDeployDefault.LambdaAllAtOnce"
                        : "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                );
                assert.deepStrictEqual(input(group, "alarmConfiguration", "alarms"), [
                    `${TEST_NAME_PREFIX}-${service}-errors`,
                ]);
            }
        }
    });
});
