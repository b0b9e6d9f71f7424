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
    /** Upper bound of ioredis's reconnect backoff. */
    readonly maxReconnectDelayMs?: number;
}

/**
 * An ioredis client for the config: TLS when REDIS_TLS is true (ElastiCache in-transit encryption), AUTH
 * when a password is injected. Commands fail fast while disconnected (no offline queue): the callers decide
 * (vote answers 503, the worker backs off and retries), and ioredis keeps reconnecting in the background.
 */
export function createRedisClient(config: RedisConfig, log: Logger, options: RedisClientOptions = {}): Redis {
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
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
        retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
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

/** Wait until the client is connected, or `timeoutMs` passes (resolves false). */
export function waitReady(client: Redis, timeoutMs: number): Promise<boolean> {
    if (client.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            client.off("ready", onReady);
            resolve(false);
        }, timeoutMs);
        const onReady = (): void => {
            clearTimeout(timer);
            resolve(true);
        };
        client.once("ready", onReady);
    });
}
