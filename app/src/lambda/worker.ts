import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { errorMessage, jsonLogger, type Logger } from "../core/log";
import { decodeBallot } from "../core/votes";
import { tableConfig } from "./config";
import { DynamoVoteStore } from "./store";

export interface WorkerFunctionDeps {
    readonly store: Pick<DynamoVoteStore, "recordBallot" | "pruneDue" | "prune">;
    readonly log: Logger;
}

/**
 * The worker function on the FIFO queue: records each ballot in DynamoDB and reports partial batch
 * failures. On a FIFO queue, order must hold, so once one message fails it and every later message of the
 * batch are returned to the queue. Malformed messages are failed too: after the queue's maxReceiveCount
 * they land in its dead-letter queue, never silently dropped. Each ballot is recorded with its message's
 * SequenceNumber (FIFO queues set it; it orders one voter's ballots), and once the totals item holds enough
 * applied tokens the store prunes them after the batch.
 */
export function createWorkerHandler({
    store,
    log,
}: WorkerFunctionDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
    return async (event) => {
        const batchItemFailures: SQSBatchItemFailure[] = [];
        for (const record of event.Records) {
            if (batchItemFailures.length > 0) {
                batchItemFailures.push({ itemIdentifier: record.messageId });
                continue;
            }
            const ballot = decodeBallot(record.body);
            if (!ballot.ok) {
                log("warn", "malformed message: failed, will reach the dead-letter queue", {
                    messageId: record.messageId,
                    reason: ballot.error,
                });
                batchItemFailures.push({ itemIdentifier: record.messageId });
                continue;
            }
            const sequenceNumber = record.attributes.SequenceNumber;
            if (sequenceNumber === undefined) {
                log("error", "message without SequenceNumber: the worker must be subscribed to a FIFO queue", {
                    messageId: record.messageId,
                });
                batchItemFailures.push({ itemIdentifier: record.messageId });
                continue;
            }
            try {
                await store.recordBallot(ballot.value, sequenceNumber);
            } catch (error) {
                log("warn", "ballot not recorded, returned to the queue", {
                    messageId: record.messageId,
                    error: errorMessage(error),
                });
                batchItemFailures.push({ itemIdentifier: record.messageId });
            }
        }
        if (store.pruneDue) {
            // Housekeeping: a failure leaves the tokens for the next prune and fails no ballot.
            try {
                await store.prune();
            } catch (error) {
                log("warn", "could not prune applied tokens; a later batch will", { error: errorMessage(error) });
            }
        }
        return { batchItemFailures };
    };
}

let cached: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
    if (!cached) {
        const { tableName } = tableConfig(process.env, "worker");
        const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
        cached = createWorkerHandler({ store: new DynamoVoteStore(client, tableName), log: jsonLogger("worker") });
    }
    return cached(event);
}
