import { writeFileSync } from "fs";
import type Redis from "ioredis";
import { WORKER_HEARTBEAT } from "../../../shared/appContract";
import { Backoff } from "../core/backoff";
import type { Env } from "../core/config";
import { errorMessage, type Logger } from "../core/log";
import { workerServiceConfig } from "../core/serviceConfig";
import { decodeBallot, type Ballot } from "../core/votes";
import {
    createPostgres,
    CREATE_VOTES_TABLE,
    pgErrorCode,
    UNDEFINED_TABLE,
    UPSERT_VOTE,
    type PostgresDatabase,
} from "./postgres";
import { createRedisClient, VOTES_DEAD_LETTER, VOTES_PROCESSING, VOTES_QUEUE, waitReady } from "./redis";
import type { RetryTuning, RunningService } from "./run";

/** Where the worker records ballots: idempotent (one row per voter, the latest vote wins). */
export interface VoteStore {
    upsert(ballot: Ballot): Promise<void>;
}

/** The `votes` table, created on first use (and again if it disappears). */
export function postgresVoteStore(pool: Pick<PostgresDatabase, "query">): VoteStore {
    let schemaReady = false;
    return {
        async upsert(ballot) {
            if (!schemaReady) {
                await pool.query(CREATE_VOTES_TABLE);
                schemaReady = true;
            }
            try {
                await pool.query(UPSERT_VOTE, [ballot.voterId, ballot.vote]);
            } catch (error) {
                if (pgErrorCode(error) === UNDEFINED_TABLE) schemaReady = false;
                throw error;
            }
        },
    };
}

export interface WorkerOptions {
    readonly redis: Redis;
    readonly store: VoteStore;
    readonly log: Logger;
    /** BLMOVE timeout: how long one wait for a vote blocks before the loop checks for shutdown. @default 1 */
    readonly blockSeconds?: number;
    /** First retry delay after a failure. @default 100 */
    readonly minBackoffMs?: number;
    /** Longest retry delay. @default 5000 */
    readonly maxBackoffMs?: number;
    /**
     * Called by stop() while the worker is blocked waiting for a vote, to cut the wait short (e.g. close the
     * Redis connection). Safe: a ballot moved by an interrupted wait stays in the processing list.
     */
    readonly interruptWait?: () => void;
    /** Called on every turn of the loop and every retry: proof of progress for a liveness probe. */
    readonly heartbeat?: () => void;
    /**
     * Resolves once the queue connection is up (or is known to be down): awaited before the first Redis
     * command, so a start does not report a failure that is only the connection still opening.
     */
    readonly ready?: () => Promise<unknown>;
}

export interface WorkerStats {
    /** Ballots committed to the store. */
    processed: number;
    /** Malformed queue entries moved to the dead-letter list. */
    deadLettered: number;
    /** Entries found in the processing list (left by a stopped worker) and put back on the queue. */
    requeued: number;
    /** Failed attempts to reach the queue (Redis). */
    queueFailures: number;
    /** Failed attempts to write to the store (Postgres). */
    storeFailures: number;
}

/**
 * The worker: moves ballots from the Redis list `votes` into the store, never losing one.
 *
 * Each ballot is moved atomically (BLMOVE) into `{votes}:processing`, written to the store, and only then
 * removed from there. If the store is down, the worker keeps the ballot and retries with backoff; if Redis
 * is down, it retries too. Whatever is left in `{votes}:processing` (a crash, a shutdown mid-retry, a lost
 * reply) is put back at the head of the queue, in order, when the worker starts and after Redis errors.
 * Malformed entries go to `{votes}:dead-letter`. One worker replica at a time: the processing list is shared.
 */
export class VoteWorker {
    readonly stats: WorkerStats = { processed: 0, deadLettered: 0, requeued: 0, queueFailures: 0, storeFailures: 0 };
    private readonly redis: Redis;
    private readonly store: VoteStore;
    private readonly log: Logger;
    private readonly blockSeconds: number;
    private readonly minBackoffMs: number;
    private readonly maxBackoffMs: number;
    private stopping = false;
    private running: Promise<void> | undefined;
    private wake: (() => void) | undefined;
    private waiting = false;
    private readonly interruptWait: (() => void) | undefined;
    private readonly heartbeat: () => void;
    private readonly ready: (() => Promise<unknown>) | undefined;

    constructor(options: WorkerOptions) {
        this.redis = options.redis;
        this.store = options.store;
        this.log = options.log;
        this.blockSeconds = options.blockSeconds ?? 1;
        this.minBackoffMs = options.minBackoffMs ?? 100;
        this.maxBackoffMs = options.maxBackoffMs ?? 5000;
        this.interruptWait = options.interruptWait;
        this.heartbeat = options.heartbeat ?? (() => undefined);
        this.ready = options.ready;
    }

    /** Start the loop (once); resolves when it ends after stop(). */
    start(): Promise<void> {
        if (!this.running) {
            this.stopping = false;
            this.running = this.run().catch((error: unknown) => {
                this.log("error", "worker loop failed", { error: errorMessage(error) });
                throw error;
            });
        }
        return this.running;
    }

    /**
     * Graceful stop: finish or abandon the current ballot (an abandoned one stays in the processing list
     * and is requeued at the next start), then resolve. Does not close the connections (the owner does).
     */
    async stop(): Promise<void> {
        this.stopping = true;
        this.wake?.();
        if (this.waiting) this.interruptWait?.();
        const running = this.running;
        this.running = undefined;
        await running;
    }

    private async run(): Promise<void> {
        this.log("info", "worker started", { queue: VOTES_QUEUE });
        if (this.ready) {
            this.heartbeat();
            // stop() cuts the wait short through wake().
            await Promise.race([this.ready(), new Promise<void>((resolve) => (this.wake = resolve))]);
        }
        const queueBackoff = new Backoff(this.minBackoffMs, this.maxBackoffMs);
        let needsRequeue = true;
        while (!this.stopping) {
            this.heartbeat();
            if (needsRequeue) {
                if (!(await this.retry("queue", () => this.requeueProcessing()))) break;
                needsRequeue = false;
            }
            let item: string | null;
            try {
                this.waiting = true;
                item = await this.redis.blmove(VOTES_QUEUE, VOTES_PROCESSING, "LEFT", "RIGHT", this.blockSeconds);
                queueBackoff.reset();
            } catch (error) {
                if (this.stopping) break;
                this.stats.queueFailures += 1;
                // The move may have happened without us seeing the reply: recover from the processing list.
                needsRequeue = true;
                this.logFailure("queue", error, queueBackoff.attempts);
                await this.sleep(queueBackoff.next());
                continue;
            } finally {
                this.waiting = false;
            }
            if (item !== null) await this.process(item);
        }
        this.log("info", "worker stopped", { ...this.stats });
    }

    private async process(item: string): Promise<void> {
        const ballot = decodeBallot(item);
        if (!ballot.ok) {
            this.log("warn", "malformed queue entry moved to the dead-letter list", {
                reason: ballot.error,
                list: VOTES_DEAD_LETTER,
            });
            const moved = await this.retry("queue", async () => {
                await this.redis.multi().rpush(VOTES_DEAD_LETTER, item).lrem(VOTES_PROCESSING, 1, item).exec();
            });
            if (moved) this.stats.deadLettered += 1;
            return;
        }
        if (!(await this.retry("store", () => this.store.upsert(ballot.value)))) return;
        this.stats.processed += 1;
        await this.retry("queue", async () => {
            await this.redis.lrem(VOTES_PROCESSING, 1, item);
        });
    }

    /** Put back every entry of the processing list at the head of the queue, oldest first. */
    private async requeueProcessing(): Promise<void> {
        for (;;) {
            const item = await this.redis.lmove(VOTES_PROCESSING, VOTES_QUEUE, "RIGHT", "LEFT");
            if (item === null) return;
            this.stats.requeued += 1;
        }
    }

    /** Run `action` until it succeeds (true) or the worker is stopping (false), backing off between failures. */
    private async retry(what: "queue" | "store", action: () => Promise<void>): Promise<boolean> {
        const backoff = new Backoff(this.minBackoffMs, this.maxBackoffMs);
        while (!this.stopping) {
            this.heartbeat();
            try {
                await action();
                return true;
            } catch (error) {
                if (what === "queue") this.stats.queueFailures += 1;
                else this.stats.storeFailures += 1;
                this.logFailure(what, error, backoff.attempts);
                await this.sleep(backoff.next());
            }
        }
        return false;
    }

    private logFailure(what: "queue" | "store", error: unknown, attempt: number): void {
        // First failure and then every tenth, so an outage does not flood the logs.
        if (attempt % 10 === 0) {
            this.log(
                "warn",
                what === "queue"
                    ? "redis unavailable, retrying"
                    : "postgres unavailable, keeping the vote and retrying",
                {
                    error: errorMessage(error),
                    attempt: attempt + 1,
                },
            );
        }
    }

    private sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const timer = setTimeout(done, ms);
            function done(): void {
                clearTimeout(timer);
                resolve();
            }
            this.wake = done;
        });
    }
}

/** Longest wait for the first Redis connection before the loop starts anyway (and reports what fails). */
const FIRST_CONNECT_WAIT_MS = 5000;

/** The running worker service; `stats` shows its progress and the failures it rode out. */
export interface WorkerService extends RunningService {
    readonly stats: Readonly<WorkerStats>;
}

/**
 * A heartbeat that rewrites `file` with the current time, at most once per interval (the loop turns every
 * second). A failed write is logged once: the worker keeps working, and the probe will notice.
 */
export function fileHeartbeat(
    file: string,
    log: Logger,
    intervalMs: number = WORKER_HEARTBEAT.intervalSeconds * 1000,
): () => void {
    let last = 0;
    let warned = false;
    return () => {
        const now = Date.now();
        if (now - last < intervalMs) return;
        last = now;
        try {
            writeFileSync(file, String(now));
        } catch (error) {
            if (!warned) log("warn", "cannot write the heartbeat file", { file, error: errorMessage(error) });
            warned = true;
        }
    };
}

export async function startWorkerService(env: Env, log: Logger, tuning: RetryTuning = {}): Promise<WorkerService> {
    const { redis: redisSettings, postgres: pgSettings, heartbeatFile } = workerServiceConfig(env);
    const redis = createRedisClient(redisSettings, log, {
        commandTimeoutMs: 5000,
        maxReconnectDelayMs: tuning.maxBackoffMs,
    });
    const pool = createPostgres(pgSettings, log, 2);
    const heartbeat = heartbeatFile ? fileHeartbeat(heartbeatFile, log) : undefined;
    const worker = new VoteWorker({
        redis,
        store: postgresVoteStore(pool),
        log,
        ...tuning,
        interruptWait: () => redis.disconnect(),
        heartbeat,
        ready: () => waitReady(redis, FIRST_CONNECT_WAIT_MS, { untilError: true }),
    });
    const loop = worker.start();
    loop.catch(() => undefined);
    return {
        stats: worker.stats,
        async stop() {
            await worker.stop();
            redis.disconnect();
            await pool.end();
        },
    };
}
