import Redis from "ioredis";
import { REDIS_KEYS } from "../../../shared/appContract";
import type { RedisConfig } from "../core/config";
import { errorMessage, type Logger } from "../core/log";
import { defaultRedisTokenSigner, RedisIamTokenError, type RedisTokenSigner } from "./redisAuth";

/** Redis keys of the vote queue, shared by the vote service and the worker (the original app's `votes`). */
export const VOTES_QUEUE = REDIS_KEYS.queue;
/** Votes the worker has taken but not yet committed to Postgres; requeued when a worker starts. */
export const VOTES_PROCESSING = REDIS_KEYS.processing;
/** Queue entries that are not valid ballots: kept for inspection, never silently dropped. */
export const VOTES_DEAD_LETTER = REDIS_KEYS.deadLetter;

export interface RedisClientOptions {
    /** Milliseconds before a command fails (so callers answer 503 or retry instead of hanging). */
    readonly commandTimeoutMs?: number;
    /** Upper bound of ioredis's reconnect backoff. @default REDIS_RECONNECT_MAX_DELAY_MS */
    readonly maxReconnectDelayMs?: number;
    /** How IAM tokens are signed (REDIS_AUTH=iam). Tests inject one with fixed credentials. @default defaultRedisTokenSigner() */
    readonly sign?: RedisTokenSigner;
    /** How often a new IAM token is signed. @default REDIS_TOKEN_RENEWAL_MS */
    readonly tokenRenewalMs?: number;
}

/**
 * How often the IAM token is renewed: every (re)connect, including the one after ElastiCache closes an IAM
 * connection at 12 hours, finds a token at most this old, well inside the 15 minutes ElastiCache accepts it for.
 */
export const REDIS_TOKEN_RENEWAL_MS = 5 * 60_000;
/** Wait before signing again after a failure (e.g. the credentials endpoint is not answering yet). */
export const REDIS_TOKEN_RETRY_MS = 1000;

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
 * An ioredis client for the config: TLS when REDIS_TLS is true (ElastiCache in-transit encryption); AUTH as the
 * service's own user with an IAM token (REDIS_AUTH=iam), or with a local server's password. Commands fail fast
 * while disconnected (no offline queue): the callers decide (vote answers 503, the worker backs off and retries),
 * and ioredis keeps reconnecting in the background.
 *
 * With IAM the client connects once the first token is signed, and a new token is signed every
 * `tokenRenewalMs`; ioredis reads the password at every (re)connect, so each one sends a fresh token.
 */
export function createRedisClient(config: RedisConfig, log: Logger, options: RedisClientOptions = {}): Redis {
    const maxDelay = options.maxReconnectDelayMs ?? REDIS_RECONNECT_MAX_DELAY_MS;
    const client = new Redis({
        host: config.host,
        port: config.port,
        ...(config.password ? { password: config.password } : {}),
        ...(config.tls ? { tls: { servername: config.host } } : {}),
        lazyConnect: config.iam !== undefined,
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
    if (config.iam) renewIamTokens(client, config.iam, log, options);
    return client;
}

/** Signs the client's IAM token now and every `tokenRenewalMs` until the client ends; connects after the first. */
function renewIamTokens(
    client: Redis,
    request: NonNullable<RedisConfig["iam"]>,
    log: Logger,
    options: RedisClientOptions,
): void {
    const sign = options.sign ?? defaultRedisTokenSigner();
    const renewalMs = options.tokenRenewalMs ?? REDIS_TOKEN_RENEWAL_MS;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const schedule = (ms: number): void => {
        if (ended) return;
        timer = setTimeout(() => void renew(), ms);
        timer.unref();
    };
    const renew = async (): Promise<void> => {
        try {
            const token = await sign(request);
            if (ended) return;
            client.options.username = request.user;
            client.options.password = token;
            // Not connected yet (the first token): connect now. Otherwise the next reconnect sends this token.
            if (client.status === "wait") client.connect().catch(() => undefined);
            schedule(renewalMs);
        } catch (error) {
            log("warn", "cannot sign a Redis IAM token; retrying", {
                error: errorMessage(new RedisIamTokenError(request, error)),
            });
            schedule(REDIS_TOKEN_RETRY_MS);
        }
    };
    client.once("end", () => {
        ended = true;
        clearTimeout(timer);
    });
    void renew();
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
