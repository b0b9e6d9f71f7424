import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import type { StackRun } from "../../../plan/runStack";
import { bundleLambdaHandler } from "../../../components/serverless/bundle";
import { NODE_RUNTIME } from "../../../shared/nodeRuntime";
import { input, named, ofType, stackRun } from "../../support/stacks";

const LAMBDA = { "voteapp:platform": "lambda" };
const SERVICES = ["vote", "result", "worker"] as const;
type Service = (typeof SERVICES)[number];

interface Statement {
    readonly Sid?: string;
    readonly Effect: string;
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string>>;
}

const fnOf = (run: StackRun, service: Service) => named(run, "aws:lambda/function:Function", `vote-app-${service}`);
const statementsOf = (run: StackRun, service: Service): Statement[] =>
    (
        JSON.parse(String(named(run, "aws:iam/rolePolicy:RolePolicy", `vote-app-${service}`).inputs.policy)) as {
            Statement: Statement[];
        }
    ).Statement;
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
/** Every (action, resource) pair a role's policy allows, as "action on resource". */
const grants = (run: StackRun, service: Service) =>
    statementsOf(run, service).flatMap((s) =>
        list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} on ${r}`)),
    );

describe("ServerlessFunction (on the dev stack with platform lambda)", function () {
    this.timeout(120_000);
    let run: StackRun;
    /** The stack's data key (the mocks give keys ARNs in the stack's account and region). */
    const keyArn = "arn:aws:kms:eu-west-1:111111111111:key/";
    before(async () => {
        run = await stackRun("dev", { overrides: LAMBDA });
    });

    it("runs every function on the shipped Node.js (shared/nodeRuntime.ts), arm64, with X-Ray active tracing, published, environment encrypted with the stack key", () => {
        assert.strictEqual(ofType(run, "aws:lambda/function:Function").length, 3);
        for (const service of SERVICES) {
            const fn = fnOf(run, service);
            assert.strictEqual(fn.inputs.runtime, NODE_RUNTIME.lambdaRuntime, service);
            assert.deepStrictEqual(fn.inputs.architectures, ["arm64"], service);
            assert.deepStrictEqual(fn.inputs.tracingConfig, { mode: "Active" }, service);
            assert.strictEqual(fn.inputs.publish, true, service);
            assert.strictEqual(fn.inputs.handler, "index.handler", service);
            assert.ok(
                String(fn.inputs.kmsKeyArn).startsWith(keyArn),
                `${service} kmsKeyArn ${String(fn.inputs.kmsKeyArn)}`,
            );
            assert.strictEqual(fn.inputs.name, `voteapp-dev-${service}`);
            assert.strictEqual(fn.inputs.vpcConfig, undefined, `${service} runs outside any VPC`);
        }
    });

    it("sizes each function from config: memory, timeout, reserved concurrency", async () => {
        const sized = await stackRun("dev", {
            overrides: {
                ...LAMBDA,
                "voteapp:lambdaVoteMemory": "1024",
                "voteapp:lambdaHttpTimeoutSeconds": "7",
                "voteapp:lambdaWorkerTimeoutSeconds": "120",
                "voteapp:lambdaWorkerReservedConcurrency": "8",
            },
        });
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

    it("writes JSON logs to its own KMS-encrypted log group with the stack's retention", () => {
        for (const service of SERVICES) {
            const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `vote-app-${service}`);
            assert.strictEqual(group.inputs.name, `/aws/lambda/voteapp-dev-${service}`);
            assert.strictEqual(group.inputs.retentionInDays, 14);
            assert.ok(String(group.inputs.kmsKeyId).startsWith(keyArn));
            assert.deepStrictEqual(fnOf(run, service).inputs.loggingConfig, {
                logFormat: "JSON",
                logGroup: group.inputs.name,
            });
        }
    });

    it("publishes a version and points the live alias at it", () => {
        for (const service of SERVICES) {
            const alias = named(run, "aws:lambda/alias:Alias", `vote-app-${service}`);
            assert.deepStrictEqual(
                [alias.inputs.name, alias.inputs.functionName, alias.inputs.functionVersion],
                ["live", `voteapp-dev-${service}`, "1"],
            );
        }
    });

    it("gives each function its own role, assumable by Lambda from this account only", () => {
        // The functions' execution roles (the CodeDeploy service role is the LambdaCodeDeployment's).
        const roles = ofType(run, "aws:iam/role:Role").filter((r) => r.urn.includes("ServerlessFunction"));
        assert.strictEqual(roles.length, 3, roles.map((r) => r.name).join(", "));
        const arns = new Set(SERVICES.map((service) => fnOf(run, service).inputs.role));
        assert.strictEqual(arns.size, 3, "functions share a role");
        for (const service of SERVICES) {
            assert.strictEqual(fnOf(run, service).inputs.role, `arn:aws:iam::111111111111:role/vote-app-${service}`);
            const trust = JSON.parse(
                String(named(run, "aws:iam/role:Role", `vote-app-${service}`).inputs.assumeRolePolicy),
            ) as { Statement: Array<Statement & { Principal: unknown }> };
            assert.deepStrictEqual(
                trust.Statement.map((s) => [s.Principal, s.Action, s.Condition]),
                [
                    [
                        { Service: "lambda.amazonaws.com" },
                        "sts:AssumeRole",
                        { StringEquals: { "aws:SourceAccount": "111111111111" } },
                    ],
                ],
            );
        }
    });

    it("grants each role exactly what its handler calls, on the exact ARNs", () => {
        const queue = "arn:aws:sqs:eu-west-1:111111111111:voteapp-dev-votes.fifo";
        const table = "arn:aws:dynamodb:eu-west-1:111111111111:table/voteapp-dev-votes";
        const key = String(fnOf(run, "vote").inputs.kmsKeyArn);
        const common = (service: Service) => [
            `logs:CreateLogStream on arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/voteapp-dev-${service}:*`,
            `logs:PutLogEvents on arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/voteapp-dev-${service}:*`,
            "xray:PutTraceSegments on *",
            "xray:PutTelemetryRecords on *",
            `kms:Decrypt on ${key}`,
        ];
        const tableKey = [`kms:Decrypt on ${key}`, `kms:DescribeKey on ${key}`];
        const expected: Record<Service, string[]> = {
            vote: [
                ...common("vote"),
                `sqs:SendMessage on ${queue}`,
                `kms:GenerateDataKey on ${key}`,
                `kms:Decrypt on ${key}`,
            ],
            worker: [
                ...common("worker"),
                ...["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"].map((a) => `sqs:${a} on ${queue}`),
                `kms:Decrypt on ${key}`,
                `dynamodb:BatchGetItem on ${table}`,
                `dynamodb:GetItem on ${table}`,
                `dynamodb:UpdateItem on ${table}`,
                ...tableKey,
            ],
            result: [...common("result"), `dynamodb:GetItem on ${table}`, ...tableKey],
        };
        for (const service of SERVICES) {
            assert.deepStrictEqual(grants(run, service).sort(), expected[service].sort(), service);
            assert.ok(statementsOf(run, service).every((s) => s.Effect === "Allow"));
        }
    });

    it("lets a role use the key only for its own environment and through SQS or DynamoDB, never directly", () => {
        for (const service of SERVICES) {
            for (const statement of statementsOf(run, service).filter((s) =>
                list(s.Action).some((a) => a.startsWith("kms:")),
            )) {
                const condition = JSON.stringify(statement.Condition);
                assert.ok(
                    condition ===
                        JSON.stringify({
                            StringEquals: { "kms:EncryptionContext:LambdaFunctionName": `voteapp-dev-${service}` },
                        }) ||
                        condition ===
                            JSON.stringify({ StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } }) ||
                        (service !== "vote" &&
                            condition ===
                                JSON.stringify({
                                    StringEquals: { "kms:ViaService": "dynamodb.eu-west-1.amazonaws.com" },
                                })),
                    `${service} ${statement.Sid}: ${condition}`,
                );
            }
        }
    });

    it("hands each function only its own variables: the queue URL to vote, the table name to worker and result", () => {
        const env = (service: Service) =>
            input(fnOf(run, service), "environment", "variables") as Record<string, string>;
        assert.deepStrictEqual(env("vote"), {
            VOTES_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111111111111/voteapp-dev-votes.fifo",
            OPTION_A: "Cats",
            OPTION_B: "Dogs",
        });
        assert.deepStrictEqual(env("worker"), { VOTES_TABLE_NAME: "voteapp-dev-votes" });
        assert.deepStrictEqual(env("result"), {
            VOTES_TABLE_NAME: "voteapp-dev-votes",
            OPTION_A: "Cats",
            OPTION_B: "Dogs",
        });
    });

    it("deploys the bundled handler: the archive's index.js is the bundle of the function's own handler", async () => {
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
});
