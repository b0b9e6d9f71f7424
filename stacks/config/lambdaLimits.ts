/**
 * The limits AWS sets on the serverless platform (Lambda, SQS, API Gateway) that its config keys are checked
 * against: one home, with no imports, so that the keys' descriptions (keys.ts, serviceKeys.ts), their checks
 * (lambda.ts, serviceKeys.ts) and the plan's warnings state the same numbers.
 */

/** Lambda accepts 128 MiB to 10,240 MiB of memory per function. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;
/** An SQS event source mapping's maximum concurrency is 2–1000; the consumer's mapping uses its reserved concurrency. */
export const WORKER_CONCURRENCY = { min: 2, max: 1000 } as const;
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
