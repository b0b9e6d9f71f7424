import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { ServerlessFunction, type ServerlessFunctionArgs } from "../../../components/serverless/serverlessFunction";
import type { MockedRun } from "../../../plan/harness";
import { NODE_RUNTIME } from "../../../shared/nodeRuntime";
import { TEST_KMS_KEY_ARN, TEST_NAME_PREFIX, testCodeArchive } from "../../support/fixtures";
import { MOUNT_ACCOUNT, mountComponent } from "../../support/mount";
import { input, named, policyStatements, single } from "../../support/resources";

/**
 * ServerlessFunction mounted alone with the args each test chooses (issue 16.5). What VoteAppServerless grants
 * each function is test/components/serverless/voteAppServerless.test.ts; what each stack's config makes of the
 * functions (sizes, retention, the bundled handlers) is test/stacks/lambdaComposition.test.ts.
 */
const { region, accountId } = MOUNT_ACCOUNT;
const FUNCTION_NAME = `${TEST_NAME_PREFIX}-tally`;
const SEND = {
    Sid: "SendBallots",
    Effect: "Allow",
    Action: "sqs:SendMessage",
    Resource: `arn:aws:sqs:${region}:${accountId}:ballots`,
} as const;
const TEST_FUNCTION_ARGS: ServerlessFunctionArgs = {
    functionName: FUNCTION_NAME,
    description: "counts ballots",
    region,
    accountId,
    code: testCodeArchive("tally"),
    memoryMb: 256,
    timeoutSeconds: 10,
    reservedConcurrency: 5,
    environment: { TALLY: "yes" },
    kmsKeyArn: TEST_KMS_KEY_ARN,
    logRetentionDays: 30,
    permissions: [SEND],
};
const mountFunction = (args: Partial<ServerlessFunctionArgs> = {}) =>
    mountComponent((opts) => new ServerlessFunction("tally", { ...TEST_FUNCTION_ARGS, ...args }, opts));
let defaults: Promise<MockedRun> | undefined;
const plainFunction = () => (defaults ??= mountFunction());
const FUNCTION = "aws:lambda/function:Function";

describe("ServerlessFunction", function () {
    this.timeout(180_000);

    it("runs on the shipped Node.js (shared/nodeRuntime.ts), on the architecture given (arm64 by default), X-Ray active, published, environment encrypted with the key given, outside any VPC", async () => {
        for (const architecture of [undefined, "x86_64"] as const) {
            const run = architecture ? await mountFunction({ architecture }) : await plainFunction();
            const fn = single(run, FUNCTION);
            assert.strictEqual(fn.inputs.runtime, NODE_RUNTIME.lambdaRuntime);
            assert.deepStrictEqual(fn.inputs.architectures, [architecture ?? "arm64"]);
            assert.deepStrictEqual(fn.inputs.tracingConfig, { mode: "Active" });
            assert.strictEqual(fn.inputs.publish, true);
            assert.strictEqual(fn.inputs.handler, "index.handler");
            assert.strictEqual(fn.inputs.kmsKeyArn, TEST_KMS_KEY_ARN);
            assert.strictEqual(fn.inputs.name, FUNCTION_NAME);
            assert.strictEqual(fn.inputs.description, "counts ballots");
            assert.strictEqual(fn.inputs.vpcConfig, undefined, "runs outside any VPC");
            const archive = fn.inputs.code as pulumi.asset.AssetArchive;
            const assets = await archive.assets;
            assert.deepStrictEqual(Object.keys(assets), ["index.js"]);
            assert.strictEqual(
                await (assets["index.js"] as pulumi.asset.StringAsset).text,
                'exports.handler = "tally";',
            );
        }
        assert.strictEqual(single(await mountFunction({ handler: "main.run" }), FUNCTION).inputs.handler, "main.run");
    });

    it("is sized as given: memory, timeout, reserved concurrency", async () => {
        for (const size of [
            { memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 5 },
            { memoryMb: 1024, timeoutSeconds: 120, reservedConcurrency: 8 },
        ]) {
            const run = size.memoryMb === 256 ? await plainFunction() : await mountFunction(size);
            const fn = single(run, FUNCTION);
            assert.deepStrictEqual(
                [fn.inputs.memorySize, fn.inputs.timeout, fn.inputs.reservedConcurrentExecutions],
                [size.memoryMb, size.timeoutSeconds, size.reservedConcurrency],
            );
        }
    });

    it("writes JSON logs to its own log group, encrypted with the key given and kept logRetentionDays", async () => {
        for (const days of [30, 365]) {
            const run = days === 30 ? await plainFunction() : await mountFunction({ logRetentionDays: days });
            const group = single(run, "aws:cloudwatch/logGroup:LogGroup");
            assert.strictEqual(group.inputs.name, `/aws/lambda/${FUNCTION_NAME}`);
            assert.strictEqual(group.inputs.retentionInDays, days);
            assert.strictEqual(group.inputs.kmsKeyId, TEST_KMS_KEY_ARN);
            assert.deepStrictEqual(single(run, FUNCTION).inputs.loggingConfig, {
                logFormat: "JSON",
                logGroup: group.inputs.name,
            });
        }
    });

    it("publishes a version and points the live alias at it", async () => {
        const alias = single(await plainFunction(), "aws:lambda/alias:Alias");
        assert.deepStrictEqual(
            [alias.inputs.name, alias.inputs.functionName, alias.inputs.functionVersion],
            ["live", FUNCTION_NAME, "1"],
        );
    });

    it("has its own role, assumable by Lambda from the account given only", async () => {
        for (const account of [accountId, "222222222222"]) {
            const run = account === accountId ? await plainFunction() : await mountFunction({ accountId: account });
            const role = named(run, "aws:iam/role:Role", "tally");
            assert.strictEqual(single(run, FUNCTION).inputs.role, `arn:aws:iam::${accountId}:role/tally`);
            assert.deepStrictEqual(
                policyStatements(role.inputs.assumeRolePolicy).map((s) => [s.Principal, s.Action, s.Condition]),
                [
                    [
                        { Service: "lambda.amazonaws.com" },
                        "sts:AssumeRole",
                        { StringEquals: { "aws:SourceAccount": account } },
                    ],
                ],
            );
        }
    });

    it("grants its own logs, traces, decrypting its own environment, and exactly the permissions given; the function waits for them", async () => {
        for (const permissions of [[SEND], []]) {
            const run = permissions.length > 0 ? await plainFunction() : await mountFunction({ permissions });
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy");
            const statements = policyStatements(policy.inputs.policy);
            assert.deepStrictEqual(
                statements.map((s) => s.Sid),
                ["WriteOwnLogs", "WriteTraces", "DecryptOwnEnvironment", ...permissions.map((p) => p.Sid)],
            );
            assert.deepStrictEqual(statements.slice(3), permissions);
            assert.strictEqual(
                statements[0].Resource,
                `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${FUNCTION_NAME}:*`,
            );
            assert.deepStrictEqual(
                [statements[2].Resource, statements[2].Condition],
                [TEST_KMS_KEY_ARN, { StringEquals: { "kms:EncryptionContext:LambdaFunctionName": FUNCTION_NAME } }],
            );
            assert.ok(single(run, FUNCTION).dependencies.includes(policy.urn), "may run before its permissions exist");
        }
    });

    it("hands the function exactly the environment given", async () => {
        assert.deepStrictEqual(input(single(await plainFunction(), FUNCTION), "environment", "variables"), {
            TALLY: "yes",
        });
        assert.deepStrictEqual(
            input(single(await mountFunction({ environment: {} }), FUNCTION), "environment", "variables"),
            {},
        );
    });
});
