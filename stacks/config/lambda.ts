import { z } from "zod";
import { intBetween as between } from "../../shared/config/values";
import type { FunctionSize } from "../../components/vocabulary";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import {
    API_BURST_LIMIT,
    API_RATE_LIMIT,
    ASSUMED_ACCOUNT_CONCURRENCY,
    FIFO_BATCH_SIZE,
    HTTP_API_INTEGRATION_TIMEOUT_SECONDS,
    HTTP_FUNCTION_TIMEOUT_SECONDS,
    MAX_RECEIVE_COUNT,
    MAX_VISIBILITY_TIMEOUT_SECONDS,
    UNRESERVED_CONCURRENCY_MINIMUM,
    VISIBILITY_TIMEOUT_FACTOR,
    WORKER_TIMEOUT_SECONDS,
} from "./lambdaLimits";
import { type ConfiguredService, perService, type PerService, runningServices, serviceKeyName } from "./serviceKeys";

/**
 * Validation of the serverless platform's keys (`voteapp:lambda*`): the per-key bounds AWS enforces, and
 * the relations between them that AWS would only refuse halfway through a deploy (or, worse, accept and
 * then misbehave: a visibility timeout shorter than the worker's run redelivers ballots while they are
 * being recorded).
 */

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
