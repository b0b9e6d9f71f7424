import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { bundleLambdaHandler } from "../../components/serverless/bundle";
import { LAMBDA_DEPLOYMENT_CONFIGS, LAMBDA_STRATEGIES } from "../../components/serverless/lambdaDeployment";
import type { StackRun } from "../../plan/stackRun";
import { input, named, ofType, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of the Lambda platform's components (VoteAppServerless, its
 * ServerlessFunctions and LambdaCodeDeployment), and how the stack joins them: the handlers it bundles, the
 * alarms its deployment groups roll back on, the outputs a deployment needs. What each component does with its
 * args is test/components/serverless, on the components mounted alone.
 */
const LAMBDA = { "voteapp:platform": "lambda" };
const SERVICES = ["vote", "result", "worker"] as const;
type Service = (typeof SERVICES)[number];
const GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup";
const QUEUE = "aws:sqs/queue:Queue";
const TABLE = "aws:dynamodb/table:Table";
const FUNCTION = "aws:lambda/function:Function";
const lambda = (stack: string, overrides: Record<string, string> = {}) =>
    stackRun(stack, { overrides: { ...LAMBDA, ...overrides } });
/** dev with each function sized by its keys (the worker's timeout among them). */
const SIZED = {
    "voteapp:lambdaVoteMemory": "1024",
    "voteapp:lambdaHttpTimeoutSeconds": "7",
    "voteapp:lambdaWorkerTimeoutSeconds": "120",
    "voteapp:lambdaWorkerReservedConcurrency": "8",
};
const fnOf = (run: StackRun, service: Service) => named(run, FUNCTION, `vote-app-${service}`);

describe("stacks on lambda: config reaches the serverless components, and they are joined", function () {
    this.timeout(180_000);

    describe("functions", () => {
        it("dev: named after the stack, arm64, environment and logs encrypted with the stack's key, logs kept 14 days", async () => {
            const run = await lambda("dev");
            const keyArn = "arn:aws:kms:eu-west-1:111111111111:key/";
            assert.strictEqual(ofType(run, FUNCTION).length, 3);
            for (const service of SERVICES) {
                const fn = fnOf(run, service);
                assert.strictEqual(fn.inputs.name, `voteapp-dev-${service}`);
                assert.deepStrictEqual(fn.inputs.architectures, ["arm64"], service);
                assert.ok(String(fn.inputs.kmsKeyArn).startsWith(keyArn), `${service} kmsKeyArn`);
                const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `vote-app-${service}`);
                assert.strictEqual(group.inputs.retentionInDays, 14);
                assert.ok(String(group.inputs.kmsKeyId).startsWith(keyArn));
            }
        });

        it("the lambda keys size each function: memory, timeout, reserved concurrency", async () => {
            const sized = await lambda("dev", SIZED);
            const vote = fnOf(sized, "vote");
            assert.deepStrictEqual(
                [vote.inputs.memorySize, vote.inputs.timeout, vote.inputs.reservedConcurrentExecutions],
                [1024, 7, 20],
            );
            const worker = fnOf(sized, "worker");
            assert.deepStrictEqual(
                [worker.inputs.memorySize, worker.inputs.timeout, worker.inputs.reservedConcurrentExecutions],
                [256, 120, 8],
            );
            assert.strictEqual(fnOf(sized, "result").inputs.timeout, 7);
        });

        it("deploys the bundled handler: the archive's index.js is the bundle of the function's own handler", async () => {
            const run = await lambda("dev");
            const marker: Record<Service, string> = {
                vote: "must be the https URL of a FIFO queue",
                result: "totals temporarily unavailable",
                worker: "malformed message",
            };
            for (const service of SERVICES) {
                const archive = fnOf(run, service).inputs.code as pulumi.asset.AssetArchive;
                const assets = await archive.assets;
                assert.deepStrictEqual(Object.keys(assets), ["index.js"], service);
                const text = await (assets["index.js"] as pulumi.asset.StringAsset).text;
                assert.strictEqual(
                    text,
                    await bundleLambdaHandler(`${service}-lambda`),
                    `${service}: not the ${service} bundle`,
                );
                assert.ok(text.includes(marker[service]), `${service} bundle lacks "${marker[service]}"`);
                for (const other of SERVICES.filter((s) => s !== service))
                    assert.ok(!text.includes(marker[other]), `${service} bundle holds ${other}'s code`);
            }
        });

        it("the vote options reach the functions", async () => {
            const env = input(fnOf(await lambda("dev"), "vote"), "environment", "variables") as Record<string, string>;
            assert.deepStrictEqual([env.OPTION_A, env.OPTION_B], ["Cats", "Dogs"]);
        });
    });

    describe("queue, table and API", () => {
        it("lambdaQueueMaxReceiveCount reaches the redrive policy; the visibility timeout is six times the worker's timeout", async () => {
            const run = await lambda("dev", { "voteapp:lambdaQueueMaxReceiveCount": "3" });
            const redrive = JSON.parse(String(named(run, QUEUE, "vote-app-votes").inputs.redrivePolicy)) as {
                maxReceiveCount: number;
            };
            assert.strictEqual(redrive.maxReceiveCount, 3);
            // 30 s is the key's default (dev sets none); the sized run's worker has 120 s. The visibility timeout follows
            // the worker's timeout alone (stacks/config/lambda.ts), and each run's worker timeout is checked first.
            for (const [timeout, overrides] of [
                [30, {}],
                [120, SIZED],
            ] as const) {
                const timed = await lambda("dev", overrides);
                const visibility = Number(named(timed, QUEUE, "vote-app-votes").inputs.visibilityTimeoutSeconds);
                const workerTimeout = Number(fnOf(timed, "worker").inputs.timeout);
                assert.strictEqual(workerTimeout, timeout);
                assert.strictEqual(visibility, 6 * timeout);
                assert.ok(visibility > workerTimeout);
            }
        });

        it("the votes table is deletion-protected, protected and retained in prod and staging, disposable in dev", async () => {
            for (const stack of ["prod", "staging"]) {
                const table = single(await lambda(stack), TABLE);
                assert.deepStrictEqual(
                    [table.inputs.deletionProtectionEnabled, table.protect, table.retainOnDelete],
                    [true, true, true],
                    stack,
                );
            }
            const table = single(await lambda("dev"), TABLE);
            assert.deepStrictEqual(
                [table.inputs.deletionProtectionEnabled, table.protect, table.retainOnDelete],
                [false, false, false],
            );
        });

        it("prod keeps API access logs 365 days; the throttle keys reach the default route", async () => {
            const prod = await lambda("prod");
            assert.strictEqual(
                named(prod, "aws:cloudwatch/logGroup:LogGroup", "vote-app-api-access").inputs.retentionInDays,
                365,
            );
            const run = await lambda("dev", {
                "voteapp:lambdaApiThrottleBurst": "40",
                "voteapp:lambdaApiThrottleRate": "25",
            });
            const settings = input(single(run, "aws:apigatewayv2/stage:Stage"), "defaultRouteSettings") as Record<
                string,
                unknown
            >;
            assert.deepStrictEqual([settings.throttlingBurstLimit, settings.throttlingRateLimit], [40, 25]);
        });

        it("prod is served on its domain and certificate (url and domainTarget outputs); dev on the execute-api endpoint", async () => {
            const prod = await lambda("prod");
            const domain = single(prod, "aws:apigatewayv2/domainName:DomainName");
            assert.strictEqual(domain.inputs.domainName, "vote.example.com");
            assert.strictEqual(
                input(domain, "domainNameConfiguration", "certificateArn"),
                "arn:aws:acm:eu-west-1:333333333333:certificate/00000000-0000-4000-8000-000000000003",
            );
            assert.strictEqual(single(prod, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, true);
            assert.strictEqual(prod.outputs.url, "https://vote.example.com");
            assert.match(String(prod.outputs.domainTarget), /^d-[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
            const dev = await lambda("dev");
            assert.strictEqual(ofType(dev, "aws:apigatewayv2/domainName:DomainName").length, 0);
            assert.strictEqual(single(dev, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, false);
            assert.match(String(dev.outputs.url), /^https:\/\/[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        });

        it("the worker batch size and reserved concurrency keys reach the queue mapping", async () => {
            const run = await lambda("dev", {
                "voteapp:lambdaWorkerBatchSize": "4",
                "voteapp:lambdaWorkerReservedConcurrency": "7",
            });
            const mapping = single(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
            assert.strictEqual(mapping.inputs.batchSize, 4);
            assert.deepStrictEqual(mapping.inputs.scalingConfig, { maximumConcurrency: 7 });
        });
    });

    describe("CodeDeploy", () => {
        for (const strategy of LAMBDA_STRATEGIES) {
            it(`${strategy}: staging's deployment groups use ${LAMBDA_DEPLOYMENT_CONFIGS[strategy]} and roll back on alarms the stack really creates`, async () => {
                const run = await lambda("staging", { "voteapp:deploymentStrategy": strategy });
                const groups = ofType(run, GROUP);
                assert.deepStrictEqual(
                    groups.map((g) => g.inputs.deploymentGroupName).sort(),
                    SERVICES.map((s) => `voteapp-staging-${s}`).sort(),
                );
                const alarmNames = new Set(
                    ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.name),
                );
                for (const service of SERVICES) {
                    const group = named(run, GROUP, `vote-app-codedeploy-${service}`);
                    assert.strictEqual(group.inputs.appName, "voteapp-staging");
                    assert.strictEqual(group.inputs.deploymentConfigName, LAMBDA_DEPLOYMENT_CONFIGS[strategy]);
                    assert.deepStrictEqual(group.inputs.alarmConfiguration, {
                        enabled: true,
                        alarms: [`voteapp-staging-${service}-errors`],
                    });
                    // The rollback alarm is one the stack really creates (named on both sides by alarmNames.ts).
                    assert.ok(
                        alarmNames.has(`voteapp-staging-${service}-errors`),
                        `no alarm voteapp-staging-${service}-errors`,
                    );
                }
            });
        }

        it("prod: the application is the stack's, its service role trusts CodeDeploy for the stack's account", async () => {
            const run = await lambda("prod");
            const app = single(run, "aws:codedeploy/application:Application");
            assert.deepStrictEqual([app.inputs.name, app.inputs.computePlatform], ["voteapp-prod", "Lambda"]);
            const trust = JSON.parse(
                String(named(run, "aws:iam/role:Role", "vote-app-codedeploy-service").inputs.assumeRolePolicy),
            ) as { Statement: Array<{ Condition: unknown }> };
            assert.deepStrictEqual(
                trust.Statement.map((s) => s.Condition),
                [{ StringEquals: { "aws:SourceAccount": String(run.outputs.accountId) } }],
            );
            for (const group of ofType(run, GROUP))
                assert.strictEqual(
                    group.inputs.serviceRoleArn,
                    `arn:aws:iam::${String(run.outputs.accountId)}:role/vote-app-codedeploy-service`,
                );
        });

        it("follows the tier's default: dev all at once, staging and prod canary", async () => {
            const expected = {
                dev: "CodeDeployDefault.LambdaAllAtOnce",
                staging: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
                prod: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            };
            for (const [stack, config] of Object.entries(expected)) {
                const run = await lambda(stack);
                assert.deepStrictEqual(
                    [...new Set(ofType(run, GROUP).map((g) => g.inputs.deploymentConfigName))],
                    [config],
                    stack,
                );
            }
        });

        it("outputs what a CodeDeploy deployment needs: application, groups and the versions just published", async () => {
            const { outputs } = await lambda("prod", { "voteapp:deploymentStrategy": "linear" });
            assert.strictEqual(outputs.deploymentStrategy, "linear");
            assert.strictEqual(outputs.codeDeployApplication, "voteapp-prod");
            assert.deepStrictEqual(outputs.codeDeployGroups, {
                vote: "voteapp-prod-vote",
                result: "voteapp-prod-result",
                worker: "voteapp-prod-worker",
            });
            assert.deepStrictEqual(Object.keys(outputs.functionVersions as object).sort(), [...SERVICES].sort());
        });
    });
});
