import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Server } from "http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from "aws-lambda";
import dynalite from "dynalite";
import { buildLambdas } from "../../app/build";
import { ConfigError } from "../../app/src/core/config";
import { silentLogger } from "../../app/src/core/log";
import { LambdaEnv, STORE_IAM_ACTIONS, TABLE_PARTITION_KEY } from "../../shared/appContract";
import { tableConfig, voteFunctionConfig } from "../../app/src/lambda/config";
import { createResultHandler } from "../../app/src/lambda/result";
import { DynamoVoteStore, TOTALS_ITEM_KEY } from "../../app/src/lambda/store";
import { createVoteHandler, functionInstance } from "../../app/src/lambda/vote";
import { createWorkerHandler } from "../../app/src/lambda/worker";
import { quietSdkNodeWarning } from "./lambdaHarness";
import { freePort } from "./servers";

/**
 * The Lambda handlers (serverless platform) over the same core: the vote function's SQS message is asserted
 * exactly (aws-sdk-client-mock); the worker and result functions' data path runs against a real
 * DynamoDB-compatible server (dynalite) on loopback.
 */

const OPTIONS = { a: "Cats", b: "Dogs" };
const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/votes.fifo";

function httpEvent(
    method: string,
    rawPath: string,
    init: { body?: string; base64?: boolean; cookies?: string[]; requestId?: string } = {},
): APIGatewayProxyEventV2 {
    return {
        version: "2.0",
        routeKey: "$default",
        rawPath,
        rawQueryString: "",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        ...(init.cookies ? { cookies: init.cookies } : {}),
        requestContext: {
            accountId: "123456789012",
            apiId: "api",
            domainName: "api.example.com",
            domainPrefix: "api",
            http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "203.0.113.1", userAgent: "test" },
            requestId: init.requestId ?? "request-1",
            routeKey: "$default",
            stage: "$default",
            time: "now",
            timeEpoch: 0,
        },
        ...(init.body !== undefined
            ? { body: init.base64 ? Buffer.from(init.body).toString("base64") : init.body }
            : {}),
        isBase64Encoded: init.base64 ?? false,
    };
}

let messageCount = 0;
function sqsEvent(bodies: readonly string[]): SQSEvent {
    const Records = bodies.map((body): SQSRecord => {
        messageCount += 1;
        return {
            messageId: `m${messageCount}`,
            receiptHandle: "r",
            body,
            attributes: {
                // FIFO queues number messages in increasing order (per message group).
                SequenceNumber: (BigInt("18000000000000000000") + BigInt(messageCount)).toString(),
                ApproximateReceiveCount: "1",
                SentTimestamp: "0",
                SenderId: "s",
                ApproximateFirstReceiveTimestamp: "0",
            },
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:votes.fifo",
            awsRegion: "eu-west-1",
        };
    });
    return { Records };
}

const ballot = (voterId: string, vote: string): string => JSON.stringify({ voter_id: voterId, vote });

describe("Lambda handlers", function () {
    this.timeout(20_000);
    quietSdkNodeWarning();

    describe("vote function (SQS send mocked)", () => {
        const sqsMock = mockClient(SQSClient);
        const handler = createVoteHandler({
            sqs: new SQSClient({ region: "eu-west-1" }),
            queueUrl: QUEUE_URL,
            options: OPTIONS,
            log: silentLogger,
        });

        beforeEach(() => {
            sqsMock.reset();
            sqsMock.on(SendMessageCommand).resolves({ MessageId: "1" });
        });

        it("serves the page and sets a Secure HttpOnly SameSite=Lax voter cookie", async () => {
            const result = await handler(httpEvent("GET", "/"));
            assert.strictEqual(result.statusCode, 200);
            assert.match(result.body ?? "", /Cats/);
            assert.match(result.cookies?.[0] ?? "", /^voter_id=\w+; .*HttpOnly; SameSite=Lax; Secure$/);
            assert.strictEqual((await handler(httpEvent("GET", "/healthz"))).statusCode, 200);
        });

        it("names the function instance that served the page: its log stream, else an id made at init", async () => {
            const stream = "2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef";
            assert.strictEqual(functionInstance({ AWS_LAMBDA_LOG_STREAM_NAME: stream }), `function instance ${stream}`);
            const fallback = functionInstance({});
            assert.match(fallback, /^function instance [0-9a-f-]{36}$/);
            assert.strictEqual(functionInstance({}), fallback, "one id per execution environment");
            const page = (await handler(httpEvent("GET", "/"))).body ?? "";
            assert.ok(page.includes(`Processed by ${functionInstance()}`), "the page shows it");
        });

        it("sends exactly one FIFO message per vote: the ballot JSON, grouped by voter, deduplicated by request", async () => {
            const result = await handler(
                httpEvent("POST", "/", {
                    body: "vote=b",
                    base64: true,
                    cookies: ["voter_id=abcdef0123456789"],
                    requestId: "req-42",
                }),
            );
            assert.strictEqual(result.statusCode, 200);
            assert.strictEqual(result.cookies, undefined, "a known voter gets no new cookie");
            const calls = sqsMock.commandCalls(SendMessageCommand);
            assert.strictEqual(calls.length, 1);
            assert.deepStrictEqual(calls[0].args[0].input, {
                QueueUrl: QUEUE_URL,
                MessageBody: '{"voter_id":"abcdef0123456789","vote":"b"}',
                MessageGroupId: "abcdef0123456789",
                MessageDeduplicationId: "req-42",
            });
        });

        it("rejects malformed or oversized votes without sending anything, and answers 503 when SQS fails", async () => {
            for (const body of ["vote=c", "", "vote=a&vote=b"])
                assert.strictEqual((await handler(httpEvent("POST", "/", { body }))).statusCode, 400, body);
            assert.strictEqual(
                (await handler(httpEvent("POST", "/", { body: `vote=a&x=${"y".repeat(2000)}` }))).statusCode,
                413,
            );
            assert.strictEqual(sqsMock.commandCalls(SendMessageCommand).length, 0);
            sqsMock.on(SendMessageCommand).rejects(new Error("throttled"));
            assert.strictEqual((await handler(httpEvent("POST", "/", { body: "vote=a" }))).statusCode, 503);
        });

        it("fails fast on configuration, naming the variable", () => {
            assert.throws(
                () => voteFunctionConfig({}),
                (e: unknown) => e instanceof ConfigError && e.variable === LambdaEnv.queueUrl,
            );
            assert.throws(() => voteFunctionConfig({ [LambdaEnv.queueUrl]: "https://sqs/votes" }), /FIFO/);
            assert.throws(
                () => tableConfig({}, "worker"),
                (e: unknown) =>
                    e instanceof ConfigError && /VOTES_TABLE_NAME: is not set; the worker function/.test(e.message),
            );
        });
    });

    describe("worker and result functions (dynalite)", () => {
        let server: Server;
        let client: DynamoDBDocumentClient;
        let table: string;
        let tables = 0;

        before(async () => {
            server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
            const port = await freePort();
            await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
            client = DynamoDBDocumentClient.from(
                new DynamoDBClient({
                    endpoint: `http://127.0.0.1:${port}`,
                    region: "eu-west-1",
                    credentials: { accessKeyId: "test", secretAccessKey: "test" },
                    maxAttempts: 1,
                }),
            );
        });

        after(async () => {
            client?.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        });

        beforeEach(async () => {
            tables += 1;
            table = `votes-${tables}`;
            await client.send(
                new CreateTableCommand({
                    TableName: table,
                    AttributeDefinitions: [{ AttributeName: TABLE_PARTITION_KEY, AttributeType: "S" }],
                    KeySchema: [{ AttributeName: TABLE_PARTITION_KEY, KeyType: "HASH" }],
                    BillingMode: "PAY_PER_REQUEST",
                }),
            );
        });

        function handlers(store = new DynamoVoteStore(client, table)) {
            return {
                worker: createWorkerHandler({ store, log: silentLogger }),
                result: createResultHandler({
                    totals: () => new DynamoVoteStore(client, table).readTotals(OPTIONS),
                    options: OPTIONS,
                    log: silentLogger,
                }),
            };
        }

        async function totals(): Promise<{ a: number; b: number; total: number }> {
            const reply = await handlers().result(httpEvent("GET", "/result/totals.json"));
            assert.strictEqual(reply.statusCode, 200, reply.body);
            const parsed = JSON.parse(reply.body ?? "{}") as {
                a: { votes: number };
                b: { votes: number };
                total: number;
            };
            return { a: parsed.a.votes, b: parsed.b.votes, total: parsed.total };
        }

        it("records a batch of ballots and serves the totals (JSON and page)", async () => {
            const { worker, result } = handlers();
            const response = await worker(
                sqsEvent([ballot("voter000001", "a"), ballot("voter000002", "a"), ballot("voter000003", "b")]),
            );
            assert.deepStrictEqual(response, { batchItemFailures: [] });
            assert.deepStrictEqual(await totals(), { a: 2, b: 1, total: 3 });
            const page = await result(httpEvent("GET", "/result"));
            assert.strictEqual(page.statusCode, 200);
            assert.match(page.body ?? "", /66\.7%/);
            assert.match(page.body ?? "", /data-totals="\/result\/totals.json"/);
            assert.ok(!/data-events/.test(page.body ?? ""), "no event stream behind API Gateway: the page polls");
        });

        it("a re-vote moves the voter's vote; redelivered and repeated ballots count once", async () => {
            const { worker } = handlers();
            await worker(sqsEvent([ballot("voter000001", "a"), ballot("voter000002", "b")]));
            await worker(sqsEvent([ballot("voter000001", "b"), ballot("voter000001", "b")]));
            assert.deepStrictEqual(await totals(), { a: 0, b: 2, total: 2 });
            await worker(sqsEvent([ballot("voter000001", "a")]));
            assert.deepStrictEqual(await totals(), { a: 1, b: 1, total: 2 });
            const voter = await client.send(
                new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: "VOTER#voter000001" } }),
            );
            assert.strictEqual(voter.Item?.vote, "a");
            assert.strictEqual(voter.Item?.pending, undefined);
        });

        it("reports partial batch failures (FIFO: the failed message and all after it), and a redelivery completes an interrupted update exactly once", async () => {
            await handlers().worker(sqsEvent([ballot("voter000001", "a")]));
            // A store whose client fails once: the 5th update is voter000001's totals adjustment, right after its voter
            // item took the new vote (a crash mid-write); voter000002's ballot (updates 1-3) went through.
            let updates = 0;
            const flaky = {
                send: ((command: unknown) => {
                    if (command instanceof UpdateCommand && ++updates === 5)
                        return Promise.reject(new Error("connection reset"));
                    return client.send(command as UpdateCommand);
                }) as DynamoDBDocumentClient["send"],
            } as DynamoDBDocumentClient;
            const event = sqsEvent([
                ballot("voter000002", "b"),
                ballot("voter000001", "b"),
                ballot("voter000003", "a"),
            ]);
            // voter000002 is recorded; voter000001 fails mid-update; voter000003 is returned unprocessed (FIFO order).
            const { worker } = handlers(new DynamoVoteStore(flaky, table));
            const response = await worker(event);
            assert.deepStrictEqual(
                response.batchItemFailures.map((f) => f.itemIdentifier),
                [event.Records[1].messageId, event.Records[2].messageId],
            );
            const pending = await client.send(
                new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: "VOTER#voter000001" } }),
            );
            assert.ok(pending.Item?.pending, "the interrupted change is recorded as pending on the voter");
            const redelivered: SQSEvent = { Records: event.Records.slice(1) };
            assert.deepStrictEqual(await handlers().worker(redelivered), { batchItemFailures: [] });
            assert.deepStrictEqual(await totals(), { a: 1, b: 2, total: 3 });
            assert.deepStrictEqual(
                await handlers().worker(redelivered),
                { batchItemFailures: [] },
                "a second redelivery is harmless",
            );
            assert.deepStrictEqual(await totals(), { a: 1, b: 2, total: 3 });
            assert.deepStrictEqual(
                await new DynamoVoteStore(client, table).prune(),
                { pruned: 4 },
                "one token per counted change",
            );
            const total = await client.send(
                new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: TOTALS_ITEM_KEY } }),
            );
            assert.deepStrictEqual(
                total.Item,
                { [TABLE_PARTITION_KEY]: TOTALS_ITEM_KEY, a: 1, b: 2, epoch: 1 },
                "applied tokens are pruned",
            );
        });

        it("fails malformed messages so the queue's redrive moves them to the dead-letter queue", async () => {
            const event = sqsEvent(["not json", ballot("voter000001", "z")]);
            const response = await handlers().worker(event);
            assert.deepStrictEqual(
                response.batchItemFailures.map((f) => f.itemIdentifier),
                event.Records.map((r) => r.messageId),
            );
            assert.deepStrictEqual(await totals(), { a: 0, b: 0, total: 0 });
        });

        it("answers 503 on the totals when DynamoDB fails, and health checks regardless", async () => {
            const result = createResultHandler({
                totals: () => new DynamoVoteStore(client, "no-such-table").readTotals(OPTIONS),
                options: OPTIONS,
                log: silentLogger,
            });
            assert.strictEqual((await result(httpEvent("GET", "/result/totals.json"))).statusCode, 503);
            assert.strictEqual((await result(httpEvent("GET", "/result/healthz"))).statusCode, 200);
            assert.strictEqual(
                await result(httpEvent("GET", "/result/")).then((r) => r.statusCode),
                200,
                "the page still renders",
            );
        });

        it("concurrent updates of one total stay exact (conditional ADD per token)", async () => {
            const store = new DynamoVoteStore(client, table);
            await Promise.all(
                Array.from({ length: 10 }, (_, i) =>
                    store.recordBallot(
                        { voterId: `voter${String(i).padStart(6, "0")}`, vote: i % 2 === 0 ? "a" : "b" },
                        String(i + 1),
                    ),
                ),
            );
            assert.deepStrictEqual(await totals(), { a: 5, b: 5, total: 10 });
        });
        it("the store calls only the DynamoDB actions the platform grants each function (STORE_IAM_ACTIONS)", async () => {
            const sent = new Set<string>();
            const recording = {
                send: ((command: { constructor: { name: string } }) => {
                    sent.add(command.constructor.name);
                    return client.send(command as UpdateCommand);
                }) as DynamoDBDocumentClient["send"],
            } as DynamoDBDocumentClient;
            // lib-dynamodb's document commands and the DynamoDB API operations (IAM actions) they call.
            const actions: Record<string, string> = {
                BatchGetCommand: "dynamodb:BatchGetItem",
                GetCommand: "dynamodb:GetItem",
                UpdateCommand: "dynamodb:UpdateItem",
                PutCommand: "dynamodb:PutItem",
                DeleteCommand: "dynamodb:DeleteItem",
                QueryCommand: "dynamodb:Query",
                ScanCommand: "dynamodb:Scan",
                BatchWriteCommand: "dynamodb:BatchWriteItem",
                TransactWriteCommand: "dynamodb:TransactWriteItems",
            };
            const toAction = (name: string): string => actions[name] ?? `unmapped ${name}`;
            const store = new DynamoVoteStore(recording, table, { pruneThreshold: 1 });
            const worker = createWorkerHandler({ store, log: silentLogger });
            await worker(sqsEvent([ballot("voter000001", "a"), ballot("voter000002", "b")]));
            await worker(sqsEvent([ballot("voter000001", "b")]));
            assert.deepStrictEqual([...sent].map(toAction).sort(), [...STORE_IAM_ACTIONS.worker].sort(), "worker");
            sent.clear();
            await store.readTotals(OPTIONS);
            assert.deepStrictEqual([...sent].map(toAction).sort(), [...STORE_IAM_ACTIONS.result].sort(), "result");
        });

        it("faults between store calls and concurrent duplicate deliveries lose, double and leak nothing", async function () {
            // A few hundred dynalite round trips: seconds alone, but past 20 s when the suite shares two cores with
            // other runs. The bound only guards against a hang; the assertions below are the test.
            this.timeout(120_000);
            // A seeded generator: the same faults every run. 4% of calls fail before reaching DynamoDB, 4% after (the reply
            // is lost); failed messages are delivered again, sometimes twice at once, until every ballot succeeded.
            let seed = 15;
            const random = (): number => {
                seed = (seed * 1103515245 + 12345) % 2147483648;
                return seed / 2147483648;
            };
            let faults = 0;
            const faulty = {
                send: (async (command: UpdateCommand) => {
                    const roll = random();
                    if (roll < 0.04) {
                        faults += 1;
                        throw new Error("connection reset before the request");
                    }
                    const reply = await client.send(command);
                    if (roll > 0.96) {
                        faults += 1;
                        throw new Error("connection reset before the reply");
                    }
                    return reply;
                }) as DynamoDBDocumentClient["send"],
            } as DynamoDBDocumentClient;
            const voters = Array.from({ length: 24 }, (_, i) => `voter${String(i).padStart(6, "0")}`);
            // Each voter's ballots in order (its FIFO message group); the last one is what must count.
            const groups = voters.map(
                (voter, i) =>
                    sqsEvent(Array.from({ length: 4 }, (_, n) => ballot(voter, (i + n) % 3 === 0 ? "a" : "b"))).Records,
            );
            const expected = { a: 0, b: 0 };
            for (const group of groups) expected[(JSON.parse(group[3].body) as { vote: "a" | "b" }).vote] += 1;
            const store = new DynamoVoteStore(faulty, table, { pruneThreshold: 10 });
            const worker = createWorkerHandler({ store, log: silentLogger });
            for (let round = 0; groups.some((g) => g.length > 0); round += 1) {
                assert.ok(round < 200, "ballots keep failing");
                const heads = groups.filter((g) => g.length > 0);
                const deliveries = heads.flatMap((g) => (random() < 0.3 ? [g[0], g[0]] : [g[0]]));
                const replies = await Promise.all(deliveries.map((record) => worker({ Records: [record] })));
                replies.forEach((reply, i) => {
                    const group = heads.find((g) => g[0] === deliveries[i]);
                    if (reply.batchItemFailures.length === 0 && group?.[0] === deliveries[i]) group.shift();
                });
            }
            assert.ok(faults > 20, `only ${faults} faults injected`);
            assert.deepStrictEqual(await totals(), { ...expected, total: voters.length });
            for (const voter of voters) {
                const item = await client.send(
                    new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: `VOTER#${voter}` } }),
                );
                assert.strictEqual(item.Item?.pending, undefined, `${voter} left pending`);
            }
            const applied = (
                await client.send(new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: TOTALS_ITEM_KEY } }))
            ).Item?.applied as Set<string> | undefined;
            assert.ok((applied?.size ?? 0) <= 10 + voters.length, `${applied?.size} tokens on the totals item`);
            await new DynamoVoteStore(client, table).prune();
            const pruned = await client.send(
                new GetCommand({ TableName: table, Key: { [TABLE_PARTITION_KEY]: TOTALS_ITEM_KEY } }),
            );
            assert.strictEqual(pruned.Item?.applied, undefined, "a prune leaves no token");
        });
    });

    it("the Lambda bundles build and export a handler", async () => {
        const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-lambda-"));
        try {
            const written = await buildLambdas(outdir);
            for (const [name, file] of Object.entries(written)) {
                // Checked in the CommonJS export table rather than by loading it: the bundled AWS SDK warns on Node 20.
                assert.match(
                    fs.readFileSync(file, "utf8"),
                    /__export\(\w+, \{[^}]*\bhandler: \(\) => handler\b/,
                    `${name}.js exports handler`,
                );
            }
        } finally {
            fs.rmSync(outdir, { recursive: true, force: true });
        }
    });
});
