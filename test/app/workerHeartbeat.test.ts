import * as assert from "assert";
import * as fs from "fs";
import type Redis from "ioredis";
import * as os from "os";
import * as path from "path";
import { fileHeartbeat, VoteWorker, type VoteStore } from "../../app/src/containers/worker";
import type { Logger } from "../../app/src/core/log";
import { encodeBallot } from "../../app/src/core/votes";
import { waitFor } from "./servers";

/** The worker's liveness signal: beats while the loop turns or retries, stops when a call hangs. */

/** A well-formed voter id (the worker dead-letters malformed ballots instead of storing them). */
const VOTER = "0f8fad5b-d9cb-469f-a165-70867728950e";
const silent: Logger = () => undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Just the Redis commands the worker loop uses, over an in-memory queue. */
function fakeRedis(queue: string[]): Redis {
    const fake = {
        async blmove(): Promise<string | null> {
            await sleep(5);
            return queue.shift() ?? null;
        },
        async lmove(): Promise<string | null> {
            return null;
        },
        async lrem(): Promise<number> {
            return 1;
        },
    };
    return fake as unknown as Redis;
}

describe("worker heartbeat", () => {
    it("beats on every turn of an idle loop", async () => {
        let beats = 0;
        const store: VoteStore = { upsert: async () => undefined };
        // Turns are counted (each one waits on the queue once), not timed: a loaded machine may fit only one
        // turn into a fixed window.
        const redis = fakeRedis([]);
        let turns = 0;
        const blmove = redis.blmove.bind(redis);
        redis.blmove = ((...args: Parameters<typeof blmove>) => ((turns += 1), blmove(...args))) as typeof blmove;
        const worker = new VoteWorker({ redis, store, log: silent, heartbeat: () => (beats += 1) });
        void worker.start();
        try {
            await waitFor("five turns of the idle loop", async () => (turns >= 5 ? true : undefined), 5_000, 5);
        } finally {
            await worker.stop();
        }
        assert.ok(beats >= turns, `expected a beat per loop turn: ${turns} turns, ${beats} beats`);
    });

    it("stops beating while a store call hangs, so a liveness probe restarts the worker", async () => {
        let beats = 0;
        const hanging: VoteStore = { upsert: () => new Promise<void>(() => undefined) };
        const worker = new VoteWorker({
            redis: fakeRedis([encodeBallot({ voterId: VOTER, vote: "a" })]),
            store: hanging,
            log: silent,
            heartbeat: () => (beats += 1),
        });
        void worker.start();
        await sleep(150);
        const stuckAt = beats;
        assert.ok(stuckAt >= 2, `the worker never started (${stuckAt} beats)`);
        await sleep(150);
        assert.strictEqual(beats, stuckAt, "the heartbeat kept going although the loop was stuck");
    });

    it("keeps beating while it retries a failing store (an outage is not a hang)", async () => {
        let beats = 0;
        const failing: VoteStore = { upsert: async () => Promise.reject(new Error("connection refused")) };
        const worker = new VoteWorker({
            redis: fakeRedis([encodeBallot({ voterId: VOTER, vote: "a" })]),
            store: failing,
            log: silent,
            minBackoffMs: 5,
            maxBackoffMs: 5,
            heartbeat: () => (beats += 1),
        });
        void worker.start();
        await sleep(30);
        const before = beats;
        // Beats are counted, not timed: a loop that stopped beating never gets there (and under a loaded
        // machine a fixed window may hold only one 5 ms retry).
        try {
            await waitFor(
                "four more heartbeats during retries",
                async () => (beats > before + 3 ? true : undefined),
                5_000,
                5,
            );
        } finally {
            await worker.stop();
        }
        assert.ok(beats > before + 3, `heartbeat stalled during retries: ${before} → ${beats}`);
    });

    it("writes the file at most once per interval and logs one warning when it cannot", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heartbeat-"));
        const file = path.join(dir, "beat");
        const beat = fileHeartbeat(file, silent, 50);
        beat();
        const first = fs.readFileSync(file, "utf8");
        assert.ok(Math.abs(Number(first) - Date.now()) < 1000, `file holds ${first}`);
        beat();
        assert.strictEqual(fs.readFileSync(file, "utf8"), first, "rewrote the file within the interval");
        await sleep(60);
        beat();
        assert.notStrictEqual(fs.readFileSync(file, "utf8"), first, "did not rewrite after the interval");

        const warnings: string[] = [];
        const broken = fileHeartbeat(
            path.join(dir, "missing", "beat"),
            (level, message) => level === "warn" && warnings.push(message),
            0,
        );
        broken();
        broken();
        assert.deepStrictEqual(warnings, ["cannot write the heartbeat file"]);
    });
});
