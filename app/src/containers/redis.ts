import Redis from "ioredis";
import type { RedisConfig } from "../core/config";
import { errorMessage, type Logger } from "../core/log";

/** Redis keys of the vote queue, shared by the vote service and the worker (the original app's `votes`). */
export const VOTES_QUEUE = "votes";
/** Votes the worker has taken but not yet committed to Postgres; requeued when a worker starts. */
export const VOTES_PROCESSING = "votes:processing";
/** Queue entries that are not valid ballots: kept for inspection, never silently dropped. */
export const VOTES_DEAD_LETTER = "votes:dead-letter";

export interface RedisClientOptions {
    /** Milliseconds before a command fails (so callers answer 503 or retry instead of hanging). */
    readonly commandTimeoutMs?: number;
    /** Upper bound of ioredis's reconnect backoff. @default REDIS_RECONNECT_MAX_DELAY_MS */
    readonly maxReconnectDelayMs?: number;
}

/**
 * Longest wait between two reconnect attempts. While disconnected the vote service answers 503, so this
 * bounds how long it keeps doing so once Redis is back; an attempt is one TCP connect, cheap at this rate.
 */
export const REDIS_RECONNECT_MAX_DELAY_MS = 200;

/** Wait before reconnect attempt `times` (1, 2, ...): 25 ms doubling, capped at `maxDelayMs`. */
export function redisReconnectDelay(times: number, maxDelayMs = REDIS_RECONNECT_MAX_DELAY_MS): number {
    return Math.min(25 * 2 ** Math.min(Math.max(times, 1) - 1, 10), maxDelayMs);
}

/**
 * An ioredis client for the config: TLS when REDIS_TLS is true (ElastiCache in-transit encryption), AUTH
 * when a password is injected. Commands fail fast while disconnected (no offline queue): the callers decide
 * (vote answers 503, the worker backs off and retries), and ioredis keeps reconnecting in the background.
 */
export function createRedisClient(config: RedisConfig, log: Logger, options: RedisClientOptions = {}): Redis {
    const maxDelay = options.maxReconnectDelayMs ?? REDIS_RECONNECT_MAX_DELAY_MS;
    const client = new Redis({
        host: config.host,
        port: config.port,
        ...(config.password ? { password: config.password } : {}),
        ...(config.tls ? { tls: { servername: config.host } } : {}),
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: options.commandTimeoutMs ?? 2000,
        connectTimeout: 3000,
        retryStrategy: (times: number) => redisReconnectDelay(times, maxDelay),
    });
    let lastLogged = 0;
    client.on("error", (error: unknown) => {
        // ioredis reports each failed reconnect; log at most every 10 s.
        const now = Date.now();
        if (now - lastLogged > 10_000) {
            lastLogged = now;
            log("warn", "redis connection error", { error: errorMessage(error) });
        }
    });
    return client;
}

/**
 * Wait until the client is connected (true), or until `timeoutMs` passes or, with `untilError`, a connection
 * attempt fails (false): a caller that only wants to avoid sending before the first connect is up need not
 * wait out the timeout when Redis is down.
 */
export function waitReady(client: Redis, timeoutMs: number, { untilError = false } = {}): Promise<boolean> {
    if (client.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
        const finish = (ready: boolean): void => {
            clearTimeout(timer);
            client.off("ready", onReady);
            client.off("error", onError);
            resolve(ready);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const onReady = (): void => finish(true);
        const onError = (): void => finish(false);
        client.once("ready", onReady);
        if (untilError) client.once("error", onError);
    });
}
