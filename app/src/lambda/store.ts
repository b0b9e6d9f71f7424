import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE_PARTITION_KEY } from "../../../shared/appContract";
import type { VoteOptions } from "../core/config";
import { computeTotals, type Totals } from "../core/totals";
import { VOTE_CHOICES, type Ballot, type VoteChoice } from "../core/votes";

/**
 * The DynamoDB data path of the serverless platform: one table, partition key `pk` (string), holding
 *   VOTER#<voter id>  { vote, pending? }          the voter's current vote
 *   TOTAL#a, TOTAL#b  { count, tokens? }          the per-option totals
 *
 * Keeping the two consistent uses conditional single-item writes (a small saga) rather than
 * TransactWriteItems, so it runs on DynamoDB-compatible test servers too:
 *   1. the voter item takes the new vote and records the change as `pending` {from, to, token}, on the
 *      condition that it still holds what was read (optimistic concurrency) and has nothing pending;
 *   2. each total is adjusted once per token (ADD count, ADD tokens, on condition the token is not there);
 *   3. `pending` is removed, then the token is deleted from the totals.
 * A crash at any step leaves `pending` in place; the redelivered message (or the voter's next one) finishes
 * it first. Correctness relies on one ballot per voter at a time, which the FIFO queue gives (message group
 * = voter id); redelivery of an applied ballot is a no-op.
 */

const voterKey = (voterId: string): Record<string, string> => ({ [TABLE_PARTITION_KEY]: `VOTER#${voterId}` });
const totalKey = (choice: VoteChoice): Record<string, string> => ({ [TABLE_PARTITION_KEY]: `TOTAL#${choice}` });

interface Pending {
    readonly from?: VoteChoice;
    readonly to: VoteChoice;
    readonly token: string;
}

interface VoterItem {
    readonly vote?: VoteChoice;
    readonly pending?: Pending;
}

function isConditionFailure(error: unknown): boolean {
    return (
        error instanceof ConditionalCheckFailedException ||
        (error instanceof Error && error.name === "ConditionalCheckFailedException")
    );
}

export class DynamoVoteStore {
    constructor(
        private readonly client: DynamoDBDocumentClient,
        private readonly tableName: string,
        private readonly newToken: () => string = () =>
            `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
    ) {}

    /** Record the voter's ballot (idempotent: recording the current vote again changes nothing). */
    async recordBallot(ballot: Ballot): Promise<void> {
        for (let attempt = 0; attempt < 5; attempt += 1) {
            const found = await this.client.send(
                new GetCommand({ TableName: this.tableName, Key: voterKey(ballot.voterId), ConsistentRead: true }),
            );
            const voter = found.Item as VoterItem | undefined;
            if (voter?.pending) {
                await this.applyPending(ballot.voterId, voter.pending);
                continue;
            }
            if (voter?.vote === ballot.vote) return;
            const pending: Pending = {
                ...(voter?.vote ? { from: voter.vote } : {}),
                to: ballot.vote,
                token: this.newToken(),
            };
            try {
                await this.client.send(
                    new UpdateCommand({
                        TableName: this.tableName,
                        Key: voterKey(ballot.voterId),
                        UpdateExpression: "SET #vote = :vote, #pending = :pending",
                        ConditionExpression: voter
                            ? "#vote = :previous AND attribute_not_exists(#pending)"
                            : `attribute_not_exists(${TABLE_PARTITION_KEY})`,
                        ExpressionAttributeNames: { "#vote": "vote", "#pending": "pending" },
                        ExpressionAttributeValues: {
                            ":vote": ballot.vote,
                            ":pending": pending,
                            ...(voter ? { ":previous": voter.vote } : {}),
                        },
                    }),
                );
            } catch (error) {
                if (isConditionFailure(error)) continue; // changed under us: read again
                throw error;
            }
            await this.applyPending(ballot.voterId, pending);
            return;
        }
        throw new Error(`voter ${ballot.voterId}: the vote kept changing under concurrent updates; will retry`);
    }

    /** Steps 2 and 3 of the saga; every write is conditional, so running it twice counts once. */
    private async applyPending(voterId: string, pending: Pending): Promise<void> {
        const adjustments: Array<[VoteChoice, number]> = [[pending.to, 1]];
        if (pending.from) adjustments.push([pending.from, -1]);
        for (const [choice, delta] of adjustments) {
            try {
                await this.client.send(
                    new UpdateCommand({
                        TableName: this.tableName,
                        Key: totalKey(choice),
                        UpdateExpression: "ADD #count :delta, #tokens :token",
                        ConditionExpression: "attribute_not_exists(#tokens) OR NOT contains(#tokens, :tokenValue)",
                        ExpressionAttributeNames: { "#count": "count", "#tokens": "tokens" },
                        ExpressionAttributeValues: {
                            ":delta": delta,
                            ":token": new Set([pending.token]),
                            ":tokenValue": pending.token,
                        },
                    }),
                );
            } catch (error) {
                if (!isConditionFailure(error)) throw error; // already applied by an earlier attempt
            }
        }
        try {
            await this.client.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: voterKey(voterId),
                    UpdateExpression: "REMOVE #pending",
                    ConditionExpression: "#pending.#token = :token",
                    ExpressionAttributeNames: { "#pending": "pending", "#token": "token" },
                    ExpressionAttributeValues: { ":token": pending.token },
                }),
            );
        } catch (error) {
            if (!isConditionFailure(error)) throw error;
        }
        for (const [choice] of adjustments) {
            await this.client.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: totalKey(choice),
                    UpdateExpression: "DELETE #tokens :token",
                    ExpressionAttributeNames: { "#tokens": "tokens" },
                    ExpressionAttributeValues: { ":token": new Set([pending.token]) },
                }),
            );
        }
    }

    /** The per-option totals (eventually consistent reads: the page refreshes every few seconds). */
    async readTotals(options: VoteOptions): Promise<Totals> {
        const result = await this.client.send(
            new BatchGetCommand({
                RequestItems: {
                    [this.tableName]: {
                        Keys: VOTE_CHOICES.map(totalKey),
                        ProjectionExpression: "#pk, #count",
                        ExpressionAttributeNames: { "#pk": TABLE_PARTITION_KEY, "#count": "count" },
                    },
                },
            }),
        );
        const counts: Partial<Record<VoteChoice, number>> = {};
        for (const item of result.Responses?.[this.tableName] ?? []) {
            const key = String(item[TABLE_PARTITION_KEY]);
            const choice = key.slice("TOTAL#".length);
            if (choice === "a" || choice === "b") counts[choice] = Number(item.count ?? 0);
        }
        return computeTotals(counts, options);
    }
}
