import * as assert from "assert";
import type { StackRun } from "../../../plan/runStack";
import { TABLE_PARTITION_KEY } from "../../../shared/appContract";
import { RESULT_ROUTES, VOTE_ROUTES } from "../../../components/serverless/voteAppServerless";
import { input, named, ofType, single, stackRun } from "../../support/stacks";

const LAMBDA = { "voteapp:platform": "lambda" };
const QUEUE = "aws:sqs/queue:Queue";
const TABLE = "aws:dynamodb/table:Table";
const QUEUE_ARN = "arn:aws:sqs:eu-west-1:111111111111:voteapp-dev-votes.fifo";
const DLQ_ARN = "arn:aws:sqs:eu-west-1:111111111111:voteapp-dev-votes-dlq.fifo";

const json = (value: unknown): Record<string, unknown> => JSON.parse(String(value)) as Record<string, unknown>;

describe("VoteAppServerless", function () {
    this.timeout(120_000);
    let dev: StackRun;
    let prod: StackRun;
    before(async () => {
        dev = await stackRun("dev", { overrides: LAMBDA });
        prod = await stackRun("prod", { overrides: LAMBDA });
    });

    describe("the votes queue", () => {
        it("is FIFO, encrypted with the stack key, and moves a ballot to a FIFO dead-letter queue after the configured receives", async () => {
            const run = await stackRun("dev", { overrides: { ...LAMBDA, "voteapp:lambdaQueueMaxReceiveCount": "3" } });
            const queue = named(run, QUEUE, "vote-app-votes");
            const dlq = named(run, QUEUE, "vote-app-votes-dlq");
            for (const q of [queue, dlq]) {
                assert.strictEqual(q.inputs.fifoQueue, true, q.name);
                assert.ok(
                    String(q.inputs.kmsMasterKeyId).startsWith("arn:aws:kms:eu-west-1:111111111111:key/"),
                    q.name,
                );
            }
            assert.deepStrictEqual(
                [queue.inputs.name, dlq.inputs.name],
                ["voteapp-dev-votes.fifo", "voteapp-dev-votes-dlq.fifo"],
            );
            assert.deepStrictEqual(json(queue.inputs.redrivePolicy), {
                deadLetterTargetArn: DLQ_ARN,
                maxReceiveCount: 3,
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
        });

        it("has a visibility timeout of six times the worker's timeout, so a running batch is never redelivered", async () => {
            for (const timeout of [30, 120]) {
                const run = await stackRun("dev", {
                    overrides: { ...LAMBDA, "voteapp:lambdaWorkerTimeoutSeconds": String(timeout) },
                });
                const visibility = Number(named(run, QUEUE, "vote-app-votes").inputs.visibilityTimeoutSeconds);
                const workerTimeout = Number(
                    named(run, "aws:lambda/function:Function", "vote-app-worker").inputs.timeout,
                );
                assert.strictEqual(workerTimeout, timeout);
                assert.strictEqual(visibility, 6 * timeout);
                assert.ok(visibility > workerTimeout);
            }
        });

        it("lets only the votes queue redrive into the DLQ, and refuses non-TLS access to both", () => {
            const allow = single(dev, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
            assert.deepStrictEqual(json(allow.inputs.redriveAllowPolicy), {
                redrivePermission: "byQueue",
                sourceQueueArns: [QUEUE_ARN],
            });
            const policies = ofType(dev, "aws:sqs/queuePolicy:QueuePolicy");
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
        it("is on-demand, keyed by the app's partition key, with point-in-time recovery and the stack's KMS key", () => {
            for (const run of [dev, prod]) {
                const table = single(run, TABLE);
                assert.strictEqual(table.inputs.billingMode, "PAY_PER_REQUEST");
                assert.strictEqual(table.inputs.hashKey, TABLE_PARTITION_KEY);
                assert.deepStrictEqual(table.inputs.attributes, [{ name: TABLE_PARTITION_KEY, type: "S" }]);
                assert.deepStrictEqual(table.inputs.pointInTimeRecovery, { enabled: true });
                assert.strictEqual(input(table, "serverSideEncryption", "enabled"), true);
                assert.ok(String(input(table, "serverSideEncryption", "kmsKeyArn")).startsWith("arn:aws:kms:"));
            }
        });

        it("is deletion-protected, protected and retained in prod and staging, disposable in dev", async () => {
            const staging = await stackRun("staging", { overrides: LAMBDA });
            for (const run of [prod, staging]) {
                const table = single(run, TABLE);
                assert.deepStrictEqual(
                    [table.inputs.deletionProtectionEnabled, table.protect, table.retainOnDelete],
                    [true, true, true],
                );
            }
            const table = single(dev, TABLE);
            assert.deepStrictEqual(
                [table.inputs.deletionProtectionEnabled, table.protect, table.retainOnDelete],
                [false, false, false],
            );
        });
    });

    describe("the HTTP API", () => {
        it("writes one JSON access log line per request to a KMS-encrypted log group with retention", () => {
            const stage = single(prod, "aws:apigatewayv2/stage:Stage");
            const group = named(prod, "aws:cloudwatch/logGroup:LogGroup", "vote-app-api-access");
            assert.strictEqual(
                input(stage, "accessLogSettings", "destinationArn"),
                `arn:aws:logs:eu-west-1:333333333333:log-group:${String(group.inputs.name)}`,
            );
            const format = json(input(stage, "accessLogSettings", "format"));
            for (const field of ["requestId", "sourceIp", "routeKey", "status", "integrationError"])
                assert.ok(field in format, `access log lacks ${field}`);
            assert.strictEqual(group.inputs.retentionInDays, 365);
            assert.ok(String(group.inputs.kmsKeyId).startsWith("arn:aws:kms:"));
            assert.deepStrictEqual([stage.inputs.name, stage.inputs.autoDeploy], ["$default", true]);
        });

        it("throttles the default route as configured", async () => {
            const run = await stackRun("dev", {
                overrides: { ...LAMBDA, "voteapp:lambdaApiThrottleBurst": "40", "voteapp:lambdaApiThrottleRate": "25" },
            });
            const settings = input(single(run, "aws:apigatewayv2/stage:Stage"), "defaultRouteSettings") as Record<
                string,
                unknown
            >;
            assert.deepStrictEqual([settings.throttlingBurstLimit, settings.throttlingRateLimit], [40, 25]);
        });

        it("routes the vote page and ballots to vote, the result page, script, totals and health to result, and nothing else", () => {
            const routes = ofType(dev, "aws:apigatewayv2/route:Route");
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

        it("proxies to the live aliases (payload 2.0), letting the function's own timeout fire first", () => {
            for (const service of ["vote", "result"]) {
                const integration = named(dev, "aws:apigatewayv2/integration:Integration", `vote-app-${service}`);
                assert.strictEqual(integration.inputs.integrationType, "AWS_PROXY");
                assert.strictEqual(integration.inputs.payloadFormatVersion, "2.0");
                assert.strictEqual(
                    integration.inputs.integrationUri,
                    `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111111111111:function:voteapp-dev-${service}:live/invocations`,
                );
                assert.strictEqual(integration.inputs.timeoutMilliseconds, 11_000);
            }
        });

        it("lets only this API invoke the live aliases of vote and result", () => {
            const permissions = ofType(dev, "aws:lambda/permission:Permission");
            assert.deepStrictEqual(permissions.map((p) => p.inputs.function).sort(), [
                "voteapp-dev-result",
                "voteapp-dev-vote",
            ]);
            const api = single(dev, "aws:apigatewayv2/api:Api");
            assert.strictEqual(api.inputs.protocolType, "HTTP");
            for (const permission of permissions) {
                assert.deepStrictEqual(
                    [permission.inputs.principal, permission.inputs.qualifier, permission.inputs.action],
                    ["apigateway.amazonaws.com", "live", "lambda:InvokeFunction"],
                );
                assert.match(
                    String(permission.inputs.sourceArn),
                    /^arn:aws:execute-api:eu-west-1:111111111111:[0-9a-f]+\/\*$/,
                );
                assert.strictEqual(permission.inputs.sourceAccount, "111111111111");
            }
        });

        it("serves prod on its domain only: TLS 1.2 regional domain with the ACM certificate, mapped to the stage, execute-api endpoint off", () => {
            const domain = single(prod, "aws:apigatewayv2/domainName:DomainName");
            assert.strictEqual(domain.inputs.domainName, "vote.example.com");
            assert.deepStrictEqual(domain.inputs.domainNameConfiguration, {
                certificateArn: "arn:aws:acm:eu-west-1:333333333333:certificate/00000000-0000-4000-8000-000000000003",
                endpointType: "REGIONAL",
                securityPolicy: "TLS_1_2",
            });
            single(prod, "aws:apigatewayv2/apiMapping:ApiMapping");
            assert.strictEqual(single(prod, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, true);
            assert.strictEqual(prod.outputs.url, "https://vote.example.com");
            assert.match(String(prod.outputs.domainTarget), /^d-[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        });

        it("serves dev on the execute-api endpoint when no domain is set", () => {
            assert.strictEqual(ofType(dev, "aws:apigatewayv2/domainName:DomainName").length, 0);
            assert.strictEqual(single(dev, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, false);
            assert.match(String(dev.outputs.url), /^https:\/\/[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        });
    });

    describe("the worker's queue mapping", () => {
        it("feeds the worker's live alias in batches, reporting partial batch failures, never beyond its reserved concurrency", async () => {
            const run = await stackRun("dev", {
                overrides: {
                    ...LAMBDA,
                    "voteapp:lambdaWorkerBatchSize": "4",
                    "voteapp:lambdaWorkerReservedConcurrency": "7",
                },
            });
            const mapping = single(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.strictEqual(mapping.inputs.eventSourceArn, QUEUE_ARN);
            assert.strictEqual(
                mapping.inputs.functionName,
                "arn:aws:lambda:eu-west-1:111111111111:function:voteapp-dev-worker:live",
            );
            assert.strictEqual(mapping.inputs.batchSize, 4);
            assert.deepStrictEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
            assert.deepStrictEqual(mapping.inputs.scalingConfig, { maximumConcurrency: 7 });
            assert.strictEqual(
                mapping.inputs.maximumBatchingWindowInSeconds,
                undefined,
                "FIFO queues support no batching window",
            );
            const workerPolicy = named(run, "aws:iam/rolePolicy:RolePolicy", "vote-app-worker");
            assert.ok(
                mapping.dependencies.includes(workerPolicy.urn),
                "the mapping waits for the worker's queue permissions",
            );
        });
    });
});
