import { z } from "zod";
import { intBetween as between } from "../../shared/config/values";
import type { FunctionSize } from "../../components/vocabulary";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { type ConfiguredService, perService, type PerService, runningServices, serviceKeyName } from "./serviceKeys";

/**
 * Validation of the serverless platform's keys (`voteapp:lambda*`): the per-key bounds AWS enforces, and
 * the relations between them that AWS would only refuse halfway through a deploy (or, worse, accept and
 * then misbehave: a visibility timeout shorter than the worker's run redelivers ballots while they are
 * being recorded).
 */

/** Lambda's memory range and the queue consumer's concurrency range are the per-service keys' (serviceKeys.ts). */
export { LAMBDA_MEMORY_MB, WORKER_CONCURRENCY } from "./serviceKeys";
/** API Gateway HTTP APIs wait at most this long for an integration. */
export const HTTP_API_INTEGRATION_TIMEOUT_SECONDS = 30;
/** The HTTP functions must time out (and log it) before API Gateway gives up. */
export const HTTP_FUNCTION_TIMEOUT_SECONDS = { min: 1, max: HTTP_API_INTEGRATION_TIMEOUT_SECONDS - 1 } as const;
/** Lambda's hard limit on a function's run. */
export const WORKER_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
/** A FIFO queue's event source mapping takes at most 10 messages per batch (and supports no batching window). */
export const FIFO_BATCH_SIZE = { min: 1, max: 10 } as const;
/** SQS redrive policies accept 1–1000 receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = { min: 1, max: 1000 } as const;
/** SQS accepts visibility timeouts up to 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/**
 * AWS: "set the source queue's visibility timeout to at least six times the timeout that you configure on
 * your function", so a batch retried after throttling or a failed invocation is not made visible again
 * while an earlier attempt may still be running.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Lambda refuses reserved concurrency that leaves fewer than 100 executions unreserved in the account. */
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;
/** HTTP API account-level defaults: 10,000 requests per second, bursts of 5,000. */
export const API_RATE_LIMIT = { min: 1, max: 10_000 } as const;
export const API_BURST_LIMIT = { min: 1, max: 5_000 } as const;

/**
 * Per-key constraints of the lambda block; spread into the one schema. Each function's memory and reserved
 * concurrency (lambda<Service>Memory, lambda<Service>ReservedConcurrency) are its service's keys (serviceKeys.ts).
 */
export const lambdaKeys = {
    lambdaHttpTimeoutSeconds: between(
        HTTP_FUNCTION_TIMEOUT_SECONDS.min,
        HTTP_FUNCTION_TIMEOUT_SECONDS.max,
        ` seconds: API Gateway gives up on an integration at ${HTTP_API_INTEGRATION_TIMEOUT_SECONDS} s, the function must time out first`,
    ),
    lambdaWorkerTimeoutSeconds: between(
        WORKER_TIMEOUT_SECONDS.min,
        WORKER_TIMEOUT_SECONDS.max,
        " seconds (Lambda's limit is 900)",
    ),
    // 0 = not stated (Pulumi.yaml cannot declare an optional integer: the CLI rejects an empty integer default).
    lambdaAccountConcurrency: z
        .number()
        .int({ error: "must be a whole number" })
        .refine((v) => v === 0 || (v >= UNRESERVED_CONCURRENCY_MINIMUM && v <= 1_000_000), {
            error: `must be 0 (not stated) or the quota, between ${UNRESERVED_CONCURRENCY_MINIMUM} and 1000000`,
        })
        .transform((v) => (v === 0 ? undefined : v)),
    lambdaApiThrottleBurst: between(
        API_BURST_LIMIT.min,
        API_BURST_LIMIT.max,
        " requests (the HTTP API account limit is 5000)",
    ),
    lambdaApiThrottleRate: between(
        API_RATE_LIMIT.min,
        API_RATE_LIMIT.max,
        " requests per second (the HTTP API account limit is 10000)",
    ),
    lambdaWorkerBatchSize: between(
        FIFO_BATCH_SIZE.min,
        FIFO_BATCH_SIZE.max,
        ": a FIFO queue hands Lambda at most 10 messages per batch",
    ),
    lambdaQueueMaxReceiveCount: between(MAX_RECEIVE_COUNT.min, MAX_RECEIVE_COUNT.max),
};

/** The flat values of the lambda block, as the loader has parsed them. */
export type LambdaFlatConfig = FlatOf<typeof lambdaKeys>;

/**
 * Lambda's default concurrency quota for an account whose quota was never lowered; assumed while
 * `lambdaAccountConcurrency` is unset. New accounts start far lower (NEW_ACCOUNT_CONCURRENCY).
 */
export const ASSUMED_ACCOUNT_CONCURRENCY = 1000;
/**
 * The concurrency quota AWS gives new accounts (Lambda's quotas page: new accounts get reduced concurrency
 * quotas; 10 at the time of writing): too low to reserve anything, since Lambda keeps 100 unreserved.
 * Raised through Service Quotas (quota code L-B99A9384).
 */
export const NEW_ACCOUNT_CONCURRENCY = 10;
export const CONCURRENCY_QUOTA_CODE = "L-B99A9384";

/** Sizes and limits of the serverless platform (platform lambda); validated for every platform. */
export interface LambdaConfig {
    /** Each function's size, by service. */
    readonly functions: PerService<FunctionSize>;
    /** Timeout of the HTTP functions (lambdaHttpTimeoutSeconds). */
    readonly httpTimeoutSeconds: number;
    /** Timeout of the queue consumer (lambdaWorkerTimeoutSeconds). */
    readonly workerTimeoutSeconds: number;
    /** API Gateway default route throttling. */
    readonly api: { readonly throttleBurstLimit: number; readonly throttleRateLimit: number };
    /** The worker's event source mapping on the votes queue. */
    readonly worker: { readonly batchSize: number };
    readonly queue: {
        /** Deliveries before a ballot moves to the dead-letter queue. */
        readonly maxReceiveCount: number;
        /** Derived: six times the worker's timeout (AWS's recommendation for Lambda-consumed queues). */
        readonly visibilityTimeoutSeconds: number;
    };
    /** The account's concurrency quota as the stack file states it (lambdaAccountConcurrency); undefined = not stated. */
    readonly statedAccountConcurrency?: number;
}

/** "a, b and c". */
const andList = (names: readonly string[]) =>
    names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;

/** The queue's visibility timeout: six times the worker's timeout (the batching window is always 0 on FIFO). */
export function queueVisibilityTimeoutSeconds(workerTimeoutSeconds: number): number {
    return VISIBILITY_TIMEOUT_FACTOR * workerTimeoutSeconds;
}

/**
 * Relations between the lambda keys. Checked for every platform: a stack file switched to lambda later
 * must not discover its mistakes then.
 */
export const checkLambda: ConfigCheck<LambdaFlatConfig> = (flat, _tier, report, configured) => {
    const visibility = queueVisibilityTimeoutSeconds(flat.lambdaWorkerTimeoutSeconds);
    if (visibility > MAX_VISIBILITY_TIMEOUT_SECONDS) {
        report(
            "lambdaWorkerTimeoutSeconds",
            flat.lambdaWorkerTimeoutSeconds,
            `gives the votes queue a visibility timeout of ${visibility} s (${VISIBILITY_TIMEOUT_FACTOR} × the timeout), over SQS's ${MAX_VISIBILITY_TIMEOUT_SECONDS} s`,
        );
    }
    // The functions the stack creates: its table's rows (a shipped row the table leaves out reserves nothing).
    const services = runningServices(configured);
    const reservedSum = services.reduce((sum, { values }) => sum + values.LambdaReservedConcurrency, 0);
    const reservable = (flat.lambdaAccountConcurrency ?? ASSUMED_ACCOUNT_CONCURRENCY) - UNRESERVED_CONCURRENCY_MINIMUM;
    if (reservedSum > reservable) {
        report(
            "lambdaAccountConcurrency",
            flat.lambdaAccountConcurrency,
            `${flat.lambdaAccountConcurrency === undefined ? `(unset: ${ASSUMED_ACCOUNT_CONCURRENCY} assumed) ` : ""}leaves too little headroom: the ${andList(services.map((s) => s.spec.name))} functions reserve ${reservedSum} executions, and Lambda keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved, so at most ${reservable} can be reserved; lower the ${services.map((s) => qualifiedKey(serviceKeyName(s.spec.name, "LambdaReservedConcurrency"))).join(" / ")} values or raise the account's concurrency quota (and this key)`,
        );
    }
};

/** The nested `config.lambda` of the validated config. */
export function resolveLambda(flat: LambdaFlatConfig, services: readonly ConfiguredService[]): LambdaConfig {
    const httpTimeout = flat.lambdaHttpTimeoutSeconds;
    const fn = ({ spec, values }: ConfiguredService): FunctionSize => ({
        memoryMb: values.LambdaMemory,
        timeoutSeconds: spec.http ? httpTimeout : flat.lambdaWorkerTimeoutSeconds,
        reservedConcurrency: values.LambdaReservedConcurrency,
    });
    return {
        functions: perService(services, fn),
        httpTimeoutSeconds: httpTimeout,
        workerTimeoutSeconds: flat.lambdaWorkerTimeoutSeconds,
        api: { throttleBurstLimit: flat.lambdaApiThrottleBurst, throttleRateLimit: flat.lambdaApiThrottleRate },
        worker: { batchSize: flat.lambdaWorkerBatchSize },
        queue: {
            maxReceiveCount: flat.lambdaQueueMaxReceiveCount,
            visibilityTimeoutSeconds: queueVisibilityTimeoutSeconds(flat.lambdaWorkerTimeoutSeconds),
        },
        ...(flat.lambdaAccountConcurrency !== undefined
            ? { statedAccountConcurrency: flat.lambdaAccountConcurrency }
            : {}),
    };
}
