import * as assert from "assert";
import * as os from "os";
import Redis from "ioredis";
import { Pool } from "pg";
import { APP_HEALTH_PATH } from "../../shared/appContract";
import { silentLogger } from "../../app/src/core/log";
import { VOTES_DEAD_LETTER, VOTES_PROCESSING, VOTES_QUEUE } from "../../app/src/containers/redis";
import { startResultService } from "../../app/src/containers/result";
import type { RunningService } from "../../app/src/containers/run";
import { startVoteService } from "../../app/src/containers/vote";
import { startWorkerService, type WorkerService } from "../../app/src/containers/worker";
import { cookiePair, firstEvent, get, postForm, readEvents } from "./client";
import { freePort, sleep, startTestServers, waitFor, type TestServers } from "./servers";

/**
 * The voting app end to end against real Redis and PostgreSQL servers (test/app/servers.ts): votes are
 * cast through the vote server, moved by the worker, and read from the result endpoints; the servers are
 * stopped mid-test to show what happens when Redis or Postgres is down.
 */

const FAST = { minBackoffMs: 20, maxBackoffMs: 200 };

describe("voting app against real Redis and PostgreSQL", function () {
    this.timeout(20_000);

    let servers: TestServers;
    let redis: Redis;
    let db: Pool;
    let vote: RunningService;
    let result: RunningService;
    let voteUrl: string;
    let resultUrl: string;

    before(async function () {
        this.timeout(30_000);
        servers = await startTestServers();
        const env = servers.env();
        // The explicit reply mapping spares tsc comparing two Redis instantiations of ioredis's huge command
        // interface (several seconds of every type-check).
        redis = new Redis<"legacy">({
            host: "127.0.0.1",
            port: servers.redis.port,
            password: servers.redis.password,
            retryStrategy: () => 50,
            maxRetriesPerRequest: 2,
        });
        redis.on("error", () => undefined);
        db = new Pool({ ...servers.postgres.connection(), max: 2, connectionTimeoutMillis: 1000 });
        db.on("error", () => undefined);
        vote = await startVoteService(
            { ...env, PORT: String(await freePort()), OPTION_A: "Tabs", OPTION_B: "Spaces" },
            silentLogger,
            FAST,
        );
        result = await startResultService(
            { ...env, PORT: String(await freePort()), OPTION_A: "Tabs", OPTION_B: "Spaces" },
            silentLogger,
        );
        voteUrl = `http://127.0.0.1:${vote.port}`;
        resultUrl = `http://127.0.0.1:${result.port}`;
    });

    after(async function () {
        this.timeout(30_000);
        await vote?.stop();
        await result?.stop();
        redis?.disconnect();
        await db?.end();
        await servers?.destroy();
    });

    async function resetData(): Promise<void> {
        await Promise.all([servers.redis.start(), servers.postgres.start()]);
        await waitFor("inspection client connected to Redis", async () =>
            (await redis.ping()) === "PONG" ? true : undefined,
        );
        await redis.del(VOTES_QUEUE, VOTES_PROCESSING, VOTES_DEAD_LETTER);
        await db.query("DROP TABLE IF EXISTS votes");
    }

    async function queued(): Promise<unknown[]> {
        return (await redis.lrange(VOTES_QUEUE, 0, -1)).map((entry) => JSON.parse(entry) as unknown);
    }

    async function castVote(choice: string, cookie?: string): Promise<string> {
        const reply = await postForm(`${voteUrl}/`, `vote=${choice}`, cookie);
        assert.strictEqual(reply.status, 200, `vote ${choice}: expected 200, got ${reply.status}: ${reply.body}`);
        const set = cookiePair(reply);
        const voter = set ?? cookie;
        assert.ok(voter, "the first vote of a voter sets the voter_id cookie");
        return voter;
    }

    async function rows(): Promise<Array<{ id: string; vote: string }>> {
        const found = await db.query<{ id: string; vote: string }>("SELECT id, vote FROM votes ORDER BY id");
        return found.rows;
    }

    async function totals(): Promise<{
        a: { votes: number; label: string; percent: number };
        b: { votes: number; label: string; percent: number };
        total: number;
    }> {
        const reply = await get(`${resultUrl}/result/totals.json`);
        assert.strictEqual(reply.status, 200, `totals.json: ${reply.status} ${reply.body}`);
        return JSON.parse(reply.body) as Awaited<ReturnType<typeof totals>>;
    }

    function waitForTotals(a: number, b: number): Promise<true> {
        return waitFor(`result totals a=${a} b=${b}`, async () => {
            const current = await totals();
            return current.a.votes === a && current.b.votes === b && current.total === a + b ? true : undefined;
        });
    }

    describe("vote service", () => {
        beforeEach(resetData);

        it("serves the page with both configured options and answers the health check", async () => {
            const page = await get(`${voteUrl}/`);
            assert.strictEqual(page.status, 200);
            assert.match(page.body, /Tabs/);
            assert.match(page.body, /Spaces/);
            assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
            // The original shows the serving container's hostname; ours names the task or pod the same way.
            assert.ok(
                page.body.includes(`Processed by container ID ${os.hostname()}`),
                "the page names the container that served it",
            );
            assert.strictEqual((await get(`${voteUrl}${APP_HEALTH_PATH}`)).status, 200);
            assert.strictEqual((await get(`${voteUrl}/nowhere`)).status, 404);
        });

        it("records a vote: sets an HttpOnly SameSite=Lax voter_id cookie and pushes the ballot JSON onto the Redis list", async () => {
            const reply = await postForm(`${voteUrl}/`, "vote=a");
            assert.strictEqual(reply.status, 200);
            const setCookie = reply.headers.get("set-cookie") ?? "";
            assert.match(setCookie, /^voter_id=[A-Za-z0-9_-]+;/);
            assert.match(setCookie, /HttpOnly/);
            assert.match(setCookie, /SameSite=Lax/);
            assert.match(reply.body, /Tabs &#10004;/, "the page marks the chosen option");
            const voterId = setCookie.split(";")[0].split("=")[1];
            assert.deepStrictEqual(await queued(), [{ voter_id: voterId, vote: "a" }]);
        });

        it("a re-vote keeps the voter id (no new cookie) and queues the new choice", async () => {
            const cookie = await castVote("a");
            const again = await postForm(`${voteUrl}/`, "vote=b", cookie);
            assert.strictEqual(again.status, 200);
            assert.strictEqual(again.headers.get("set-cookie"), null, "a known voter gets no new cookie");
            const voterId = cookie.split("=")[1];
            assert.deepStrictEqual(await queued(), [
                { voter_id: voterId, vote: "a" },
                { voter_id: voterId, vote: "b" },
            ]);
        });

        it("rejects malformed votes with 400 (oversized bodies with 413) and writes nothing to Redis", async () => {
            for (const body of ["vote=c", "", "choice=a", "vote=a&vote=b", "vote=", "vote=A", "%%%"]) {
                const reply = await postForm(`${voteUrl}/`, body);
                assert.strictEqual(
                    reply.status,
                    400,
                    `body ${JSON.stringify(body)}: expected 400, got ${reply.status}`,
                );
            }
            const large = await postForm(`${voteUrl}/`, `vote=a&padding=${"x".repeat(4096)}`);
            assert.strictEqual(large.status, 413);
            assert.strictEqual(
                (await postForm(`${voteUrl}/`, "vote=a", "voter_id=../../etc")).status,
                200,
                "an invalid cookie is replaced, not trusted",
            );
            const entries = await queued();
            assert.strictEqual(entries.length, 1, `only the valid vote is queued, found ${JSON.stringify(entries)}`);
            assert.notStrictEqual((entries[0] as { voter_id: string }).voter_id, "../../etc");
        });

        it("answers 503 while Redis is down, keeps serving, and records votes again once Redis is back", async () => {
            await servers.redis.stop();
            const reply = await postForm(`${voteUrl}/`, "vote=a");
            assert.strictEqual(reply.status, 503, `expected 503 with Redis down, got ${reply.status}`);
            assert.strictEqual((await get(`${voteUrl}${APP_HEALTH_PATH}`)).status, 200, "the process is alive");
            assert.strictEqual((await get(`${voteUrl}/`)).status, 200, "the page is still served");
            await servers.redis.start();
            await waitFor("a vote accepted after Redis restarts", async () =>
                (await postForm(`${voteUrl}/`, "vote=b")).status === 200 ? true : undefined,
            );
            await waitFor("inspection client reconnected", async () =>
                (await redis.ping()) === "PONG" ? true : undefined,
            );
            assert.deepStrictEqual(
                (await queued()).map((entry) => (entry as { vote: string }).vote),
                ["b"],
                "the vote refused with 503 was not written",
            );
        });
    });

    describe("worker and result service", () => {
        let worker: WorkerService | undefined;

        async function startWorker(): Promise<WorkerService> {
            worker = await startWorkerService(servers.env(), silentLogger, FAST);
            return worker;
        }

        beforeEach(async () => {
            await resetData();
            await startWorker();
        });

        afterEach(async () => {
            await worker?.stop();
            worker = undefined;
        });

        it("moves votes into Postgres and shows totals as JSON, on the page and as the first server-sent event", async () => {
            await castVote("a");
            await castVote("a");
            await castVote("b");
            await waitForTotals(2, 1);
            const current = await totals();
            assert.deepStrictEqual(current, {
                a: { label: "Tabs", votes: 2, percent: 66.7 },
                b: { label: "Spaces", votes: 1, percent: 33.3 },
                total: 3,
            });
            // At / as the original serves it, and under /result for the shared load balancer's path routing.
            for (const path of ["/", "/result", "/result/"]) {
                const page = await get(`${resultUrl}${path}`);
                assert.strictEqual(page.status, 200, path);
                assert.match(page.body, /66\.7%/);
                assert.match(page.body, /<span id="count">3 votes<\/span>/);
                assert.match(page.body, /data-events="\/result\/events"/);
            }
            const script = await get(`${resultUrl}/result/app.js`);
            assert.strictEqual(script.status, 200);
            assert.match(script.headers.get("content-type") ?? "", /javascript/);
            for (const path of [APP_HEALTH_PATH, `/result${APP_HEALTH_PATH}`])
                assert.strictEqual((await get(`${resultUrl}${path}`)).status, 200, path);
            const { contentType, event } = await firstEvent(`${resultUrl}/result/events`, "totals");
            assert.match(contentType ?? "", /^text\/event-stream/);
            assert.deepStrictEqual(JSON.parse(event.data), current);
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 0, "nothing left in the processing list");
        });

        it('words the count as the original does: "No votes yet", then "1 vote"', async () => {
            const count = async (): Promise<string | undefined> =>
                /<span id="count">([^<]*)<\/span>/.exec((await get(`${resultUrl}/`)).body)?.[1];
            assert.strictEqual(await count(), "No votes yet");
            await castVote("b");
            await waitForTotals(0, 1);
            assert.strictEqual(await count(), "1 vote");
        });

        it("a worker starting against a running Redis reports no Redis failure (it waits for the connection)", async () => {
            await worker?.stop();
            const warnings: string[] = [];
            worker = await startWorkerService(
                servers.env(),
                (level, message) => {
                    if (level !== "info") warnings.push(message);
                },
                FAST,
            );
            await castVote("a");
            await waitForTotals(1, 0);
            assert.deepStrictEqual(warnings, []);
            assert.strictEqual(worker.stats.queueFailures, 0);
        });

        it("the event stream pushes new totals when votes land (live result page)", async () => {
            await castVote("a");
            await waitForTotals(1, 0);
            let voted = false;
            const { events } = await readEvents(`${resultUrl}/result/events`, (seen) => {
                const latest = seen.filter((e) => e.event === "totals");
                if (latest.length === 1 && !voted) {
                    voted = true;
                    void castVote("b");
                }
                return latest.length >= 2;
            });
            const [before, after] = events
                .filter((e) => e.event === "totals")
                .map((e) => JSON.parse(e.data) as { total: number; b: { votes: number } });
            assert.deepStrictEqual([before.total, after.total, after.b.votes], [1, 2, 1]);
        });

        it("a re-vote changes the voter's vote: totals stay one per voter", async () => {
            const first = await castVote("a");
            await castVote("b");
            await waitForTotals(1, 1);
            await castVote("b", first);
            await waitForTotals(0, 2);
            const stored = await rows();
            assert.strictEqual(stored.length, 2, `one row per voter, found ${JSON.stringify(stored)}`);
            assert.deepStrictEqual(stored.find((row) => row.id === first.split("=")[1])?.vote, "b");
        });

        it("moves malformed queue entries to the dead-letter list and carries on", async () => {
            await redis.rpush(
                VOTES_QUEUE,
                "not json",
                JSON.stringify({ voter_id: "x", vote: "a" }),
                JSON.stringify({ voter_id: "abcdefgh12", vote: "z" }),
            );
            await castVote("b");
            await waitForTotals(0, 1);
            await waitFor("three dead letters", async () =>
                (await redis.llen(VOTES_DEAD_LETTER)) === 3 ? true : undefined,
            );
            assert.strictEqual(await redis.lrange(VOTES_DEAD_LETTER, 0, 0).then((items) => items[0]), "not json");
            assert.strictEqual(worker?.stats.deadLettered, 3);
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 0);
        });

        it("Redis down: the worker retries without crashing and drains the queue when Redis returns", async () => {
            await worker?.stop();
            const voters = [await castVote("a"), await castVote("b")];
            assert.strictEqual(await redis.llen(VOTES_QUEUE), 2);
            await servers.redis.stop();
            const running = await startWorker();
            await waitFor("the worker to retry Redis", async () =>
                running.stats.queueFailures >= 2 ? true : undefined,
            );
            assert.strictEqual(
                (await postForm(`${voteUrl}/`, "vote=a")).status,
                503,
                "the vote service answers 503 meanwhile",
            );
            await servers.redis.start();
            // The vote service reconnects on its own schedule; the next test must not meet it mid-reconnect.
            // A re-vote of the same choice changes nothing it counts.
            await waitFor("the vote service to reach Redis again", async () =>
                (await postForm(`${voteUrl}/`, "vote=a", voters[0])).status === 200 ? true : undefined,
            );
            await waitForTotals(1, 1);
            await waitFor("the queue to drain", async () =>
                (await redis.llen(VOTES_QUEUE)) + (await redis.llen(VOTES_PROCESSING)) === 0 ? true : undefined,
            );
            assert.strictEqual((await rows()).length, voters.length);
        });

        it("Postgres down: the worker keeps the vote in Redis and retries; it lands when Postgres returns; the result JSON answers 503 meanwhile", async () => {
            await castVote("a");
            await waitForTotals(1, 0);
            await servers.postgres.stop();
            const voter = await castVote("b");
            await waitFor("the worker to retry Postgres", async () =>
                (worker?.stats.storeFailures ?? 0) >= 2 ? true : undefined,
            );
            const kept = await redis.lrange(VOTES_PROCESSING, 0, -1);
            assert.deepStrictEqual(
                kept.map((entry) => JSON.parse(entry) as unknown),
                [{ voter_id: voter.split("=")[1], vote: "b" }],
                "the vote is kept in the processing list",
            );
            const unavailable = await get(`${resultUrl}/result/totals.json`);
            assert.strictEqual(unavailable.status, 503);
            assert.strictEqual(
                (await firstEvent(`${resultUrl}/result/events`, "unavailable")).event.event,
                "unavailable",
            );
            assert.strictEqual(
                (await get(`${resultUrl}${APP_HEALTH_PATH}`)).status,
                200,
                "the result process is alive",
            );
            await sleep(300);
            await servers.postgres.start();
            await waitForTotals(1, 1);
            await waitFor("the processing list to empty", async () =>
                (await redis.llen(VOTES_PROCESSING)) === 0 ? true : undefined,
            );
            assert.strictEqual(await redis.llen(VOTES_QUEUE), 0);
        });

        it("a worker stopped while Postgres is down leaves the vote in Redis; the next worker requeues and stores it", async () => {
            await servers.postgres.stop();
            await castVote("a");
            const first = worker;
            await waitFor("the worker to retry Postgres", async () =>
                (first?.stats.storeFailures ?? 0) >= 1 ? true : undefined,
            );
            const started = Date.now();
            await first?.stop();
            assert.ok(Date.now() - started < 3000, "SIGTERM-style stop is prompt even mid-retry");
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 1, "the unstored vote stays in the processing list");
            await servers.postgres.start();
            const next = await startWorker();
            await waitForTotals(1, 0);
            assert.strictEqual(next.stats.requeued, 1);
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 0);
        });
    });
});
