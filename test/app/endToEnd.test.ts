import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Server } from "http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { LAMBDA_ENTRIES, type LambdaBundleName } from "../../app/build";
import { silentLogger } from "../../app/src/core/log";
import { startResultService } from "../../app/src/containers/result";
import type { RunningService } from "../../app/src/containers/run";
import { startVoteService } from "../../app/src/containers/vote";
import { startWorkerService } from "../../app/src/containers/worker";
import { bundleLambdaHandler, BUNDLE_FILE } from "../../components/serverless/bundle";
import { smokeTest } from "../../scripts/smoke-test";
import {
    APP_SERVICE_TABLE,
    LambdaEnv,
    RESULT_LAMBDA_ROUTES,
    TABLE_PARTITION_KEY,
    VOTE_LAMBDA_ROUTES,
} from "../../shared/appContract";
import { renderPage, type RenderedPage } from "./browser";
import { postForm, get } from "./client";
import { LocalFifoQueue, LocalHttpApi, type HttpHandler, type QueueHandler } from "./lambdaHarness";
import { startLoadBalancerFront } from "./loadBalancerFront";
import { freePort, startTestServers, type TestServers } from "./servers";

/**
 * The original voting app's own end-to-end test (dockersamples/example-voting-app, result/tests/tests.sh with
 * render.js): POST vote=b to the vote service, render the result page at / in a browser, expect "1 vote".
 * Here against the container services on loopback (real Redis and PostgreSQL) and against the Lambda
 * bundles through their local harness (HTTP API, SQS FIFO, dynalite). The result page is rendered by a real
 * DOM running the page's own script, and one rendering opened before the vote must show it arrive live.
 */

async function theOriginalScenario(voteUrl: string, resultUrl: string): Promise<void> {
    const pages: RenderedPage[] = [];
    try {
        // Opened before anyone votes: it must change by itself (server-sent events or polling).
        const live = await renderPage(resultUrl);
        pages.push(live);
        assert.strictEqual(live.text("count"), "No votes yet");

        // tests.sh: curl -sS -X POST --data "vote=b" http://vote
        const voted = await postForm(`${voteUrl}/`, "vote=b");
        assert.strictEqual(voted.status, 200, voted.body);

        await live.waitForText("count", "1 vote", 15_000);
        assert.strictEqual(live.text("percent-b"), "100%");

        // tests.sh: phantomjs render.js http://result | grep -q '1 vote'
        const rendered = await renderPage(resultUrl);
        pages.push(rendered);
        assert.strictEqual(rendered.text("count"), "1 vote");

        // A second voter: both renderings follow.
        assert.strictEqual((await postForm(`${voteUrl}/`, "vote=a")).status, 200);
        for (const page of pages) await page.waitForText("count", "2 votes", 15_000);
        assert.strictEqual(live.text("percent-a"), "50%");
    } finally {
        for (const page of pages) page.close();
    }
}

/**
 * The deploy workflow's smoke test (scripts/smoke-test.ts, run against the stack output `url`) on the real app
 * behind its entry point's routes: the paths and form it sends are the ones the services answer. It casts one
 * vote for a and must see it counted.
 */
async function smokeTestTheApp(url: string): Promise<void> {
    const lines: string[] = [];
    const { before, after } = await smokeTest({ url, attempts: 30, intervalMs: 100, log: (line) => lines.push(line) });
    assert.strictEqual(after.a.votes, before.a.votes + 1, lines.join("\n"));
}

describe("the original app's end-to-end scenario", function () {
    this.timeout(90_000);

    describe("container services on loopback (real Redis and PostgreSQL)", () => {
        let servers: TestServers;
        const services: RunningService[] = [];
        let vote: RunningService;
        let result: RunningService;
        /** Port of each HTTP service, by name: where the load balancer's rules send a request. */
        const httpPorts: Record<string, number> = {};

        before(async function () {
            this.timeout(60_000);
            servers = await startTestServers();
            const env = servers.env();
            vote = await startVoteService({ ...env, PORT: String(await freePort()) }, silentLogger);
            services.push(vote);
            result = await startResultService({ ...env, PORT: String(await freePort()) }, silentLogger);
            services.push(result);
            services.push(await startWorkerService(env, silentLogger));
            for (const [name, service] of [
                ["vote", vote],
                ["result", result],
            ] as const) {
                if (service.port === undefined) throw new Error(`${name} listens on no port`);
                httpPorts[name] = service.port;
            }
        });

        after(async function () {
            this.timeout(60_000);
            for (const service of services.reverse()) await service.stop();
            await servers?.destroy();
        });

        it('vote=b, then the result page at / says "1 vote", and a page already open updates live', async () => {
            const voteUrl = `http://127.0.0.1:${vote.port}`;
            const page = await get(`${voteUrl}/`);
            assert.ok(
                page.body.includes(`Processed by container ID ${os.hostname()}`),
                "the vote page names its container",
            );
            await theOriginalScenario(voteUrl, `http://127.0.0.1:${result.port}/`);
        });

        it("the deploy's smoke test passes through the load balancer's path rules (the service table's)", async () => {
            const front = await startLoadBalancerFront(APP_SERVICE_TABLE, httpPorts);
            try {
                await smokeTestTheApp(front.url);
            } finally {
                await front.close();
            }
        });
    });

    describe("Lambda bundles through the local harness (HTTP API, SQS FIFO queue, dynalite)", () => {
        const variables = [
            LambdaEnv.queueUrl,
            LambdaEnv.tableName,
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ENDPOINT_URL_SQS",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
        ];
        const saved = new Map(variables.map((name) => [name, process.env[name]]));
        let outdir: string;
        let database: Server;
        let queue: LocalFifoQueue;
        let api: LocalHttpApi;

        before(async function () {
            this.timeout(60_000);
            outdir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-e2e-lambda-"));
            // The bundles the Lambda platform deploys (lambdaHandlerArchive: BUNDLE_FILE in each function's archive).
            const bundles = {} as Record<LambdaBundleName, string>;
            for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaBundleName[]) {
                fs.mkdirSync(path.join(outdir, name));
                bundles[name] = path.join(outdir, name, BUNDLE_FILE);
                fs.writeFileSync(bundles[name], await bundleLambdaHandler(name));
            }
            database = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
            const databasePort = await freePort();
            await new Promise<void>((resolve) => database.listen(databasePort, "127.0.0.1", resolve));
            queue = new LocalFifoQueue();
            await queue.start();
            const table = "voteapp-e2e-votes";
            Object.assign(process.env, {
                [LambdaEnv.queueUrl]: queue.url,
                [LambdaEnv.tableName]: table,
                AWS_REGION: "eu-west-1",
                AWS_ACCESS_KEY_ID: "test",
                AWS_SECRET_ACCESS_KEY: "test",
                AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${databasePort}`,
                AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${queue.port}`,
                AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]e2e0123456789abcdef",
                // The functions run on Node.js 22; the bundled SDK warns on the tests' Node 20.
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            });
            const admin = new DynamoDBClient({});
            await admin.send(
                new CreateTableCommand({
                    TableName: table,
                    AttributeDefinitions: [{ AttributeName: TABLE_PARTITION_KEY, AttributeType: "S" }],
                    KeySchema: [{ AttributeName: TABLE_PARTITION_KEY, KeyType: "HASH" }],
                    BillingMode: "PAY_PER_REQUEST",
                }),
            );
            admin.destroy();
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads each freshly built bundle by its path, synchronously and as CommonJS, the way Lambda's Node.js runtime loads a handler
            const load = <T>(file: string): T => (require(file) as { handler: T }).handler;
            const vote = load<HttpHandler>(bundles["vote-lambda"]);
            const result = load<HttpHandler>(bundles["result-lambda"]);
            queue.startDelivering(load<QueueHandler>(bundles["worker-lambda"]));
            api = new LocalHttpApi(
                new Map<string, HttpHandler>([
                    ...VOTE_LAMBDA_ROUTES.map((route): [string, HttpHandler] => [route, vote]),
                    ...RESULT_LAMBDA_ROUTES.map((route): [string, HttpHandler] => [route, result]),
                ]),
            );
            await api.start();
        });

        after(async function () {
            this.timeout(30_000);
            await api?.stop();
            await queue?.stop();
            if (database) {
                database.closeAllConnections();
                await new Promise<void>((resolve) => database.close(() => resolve()));
            }
            for (const [name, value] of saved) {
                if (value === undefined) delete process.env[name];
                else process.env[name] = value;
            }
            if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
        });

        it('vote=b, then the result page says "1 vote", and a page already open updates live (it polls)', async () => {
            const page = await get(`${api.url}/`);
            assert.strictEqual(page.status, 200);
            assert.ok(
                page.body.includes("Processed by function instance 2026/01/01/[$LATEST]e2e0123456789abcdef"),
                "the vote page names its function instance",
            );
            await theOriginalScenario(api.url, `${api.url}/result`);
            assert.strictEqual(queue.depth, 0, "every ballot was delivered");
            assert.deepStrictEqual(queue.deadLetters, [], "none failed");
        });

        it("the deploy's smoke test passes through the HTTP API's routes (the service table's)", async () => {
            await smokeTestTheApp(api.url);
        });
    });
});
