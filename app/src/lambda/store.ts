import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE_PARTITION_KEY } from "../../../shared/appContract";
import type { VoteOptions } from "../core/config";
import { computeTotals, type Totals } from "../core/totals";
import type { Ballot, VoteChoice } from "../core/votes";

/**
 * The DynamoDB data path of the serverless platform: one table, partition key `pk` (string), holding
 *   VOTER#<voter id>  { vote, seq, pending? }       the voter's current vote, the SQS sequence number of the
 *                                                   newest ballot seen, and a change being counted
 *   TOTALS            { a, b, epoch?, applied? }    the counts, the fencing epoch, recently applied tokens
 *
 * Only single-item conditional writes (DynamoDB-compatible test servers have no transactions). A ballot:
 *   1. read the voter and the totals (one consistent BatchGet);
 *   2. claim: the voter takes the new vote and `pending` {token, from, to}, on condition it is unchanged;
 *      the token names the epoch read in 1;
 *   3. apply: the totals move (ADD a/b) and record the token in `applied`, on condition that the epoch is
 *      still the token's and the token is not in `applied` yet;
 *   4. settle: `pending` is removed (on condition it still holds that token).
 * Any delivery that finds a `pending` finishes it first: settle it when its token is in `applied`, apply it
 * when its epoch is current, otherwise re-stamp it with a token of the current epoch and apply that.
 *
 * Why the count is exact: a token applies at most once, because it stays in `applied` until a prune has
 * raised the epoch above the token's, after which no apply of it can succeed. A prune removes a token from
 * `applied` only after the voter no longer holds it as `pending`, so a delivery that still reads it pending
 * and finds it neither applied nor current knows it was never applied (re-stamping is then safe; if the
 * pending went away meanwhile, the re-stamp's condition fails). Each claimed change is thus counted once,
 * under exactly one token, whatever the interleaving of duplicate deliveries and wherever one stops.
 * Ballots older than the voter's `seq` (SQS FIFO sequence numbers grow within a message group) change
 * nothing, so a late duplicate of an earlier ballot cannot undo a newer vote.
 *
 * Bounded size: a voter item holds one vote, one sequence number and at most one pending change; the totals
 * item holds two counts, the epoch and the tokens applied since the last prune, which runs once a worker
 * sees `pruneThreshold` of them (prune(): raise the epoch, settle the voters still pending on those tokens,
 * delete them).
 */

/** Partition key of the totals item. */
export const TOTALS_ITEM_KEY = "TOTALS";
export const voterItemKey = (voterId: string): string => `VOTER#${voterId}`;

/** Tokens applied since the last prune that make a worker prune after its batch. */
export const DEFAULT_PRUNE_THRESHOLD = 25;
/** Reads of one ballot's program before it gives up (SQS redelivers the message). */
const MAX_READS = 12;
/** SQS FIFO sequence numbers are 128-bit decimals: stored zero-padded so string order is numeric order. */
const SEQUENCE_DIGITS = 40;

/** A change of one voter's vote, claimed on the voter item and counted under `token`. */
export interface PendingChange {
    readonly token: string;
    readonly from?: VoteChoice;
    readonly to: VoteChoice;
}

export interface VoterRecord {
    readonly vote?: VoteChoice;
    /** Zero-padded SQS sequence number of the newest ballot recorded for this voter. */
    readonly seq?: string;
    readonly pending?: PendingChange;
}

export interface TotalsRecord {
    readonly a: number;
    readonly b: number;
    readonly epoch: number;
    /** Tokens applied since the last prune, sorted. */
    readonly applied: readonly string[];
}

/** What a conditional voter write expects to find: no item, or an item with this seq and nothing pending. */
export type VoterVersion = { readonly exists: false } | { readonly exists: true; readonly seq?: string };

/** One store call of the write path: the programs below say which, an executor runs it. */
export type StoreCall =
    | { readonly op: "read"; readonly voterId: string }
    | {
          readonly op: "claim";
          readonly voterId: string;
          readonly expect: VoterVersion;
          readonly vote: VoteChoice;
          readonly seq: string;
          readonly change: PendingChange;
      }
    | { readonly op: "touch"; readonly voterId: string; readonly expect: VoterVersion; readonly seq: string }
    | { readonly op: "apply"; readonly change: PendingChange }
    | { readonly op: "settle"; readonly voterId: string; readonly token: string }
    | { readonly op: "restamp"; readonly voterId: string; readonly token: string; readonly newToken: string }
    | { readonly op: "readTotals" }
    | { readonly op: "bump"; readonly epoch: number }
    | { readonly op: "readVoters"; readonly voterIds: readonly string[] }
    | { readonly op: "forget"; readonly tokens: readonly string[] };

export type StoreReply =
    | { readonly op: "read"; readonly voter?: VoterRecord; readonly totals?: TotalsRecord }
    /** A conditional write: ok false when its condition failed; `applied` is the set size after an apply. */
    | { readonly op: "write"; readonly ok: boolean; readonly applied?: number }
    | { readonly op: "readTotals"; readonly totals?: TotalsRecord }
    | { readonly op: "readVoters"; readonly voters: Readonly<Record<string, VoterRecord | undefined>> };

/** A program's next move: a store call to run, or its end. States are plain data (tests copy and compare them). */
export type Next<S, R> = { readonly state: S; readonly call: StoreCall } | { readonly state: S; readonly done: R };

export interface StoreProgram<S, R> {
    start(): Next<S, R>;
    resume(state: S, reply: StoreReply): Next<S, R>;
}

/** SQS SequenceNumber (decimal string) -> the stored, order-preserving form. */
export function normalizeSequence(sequenceNumber: string): string {
    if (!/^\d{1,40}$/.test(sequenceNumber))
        throw new Error(
            `SQS SequenceNumber must be a decimal of at most ${SEQUENCE_DIGITS} digits, got "${sequenceNumber}"`,
        );
    return sequenceNumber.padStart(SEQUENCE_DIGITS, "0");
}

/** Tokens are `<epoch>.<voter id>.<nonce>`: a prune finds the voter, an apply checks the epoch. */
export function tokenEpoch(token: string): number {
    return Number(token.split(".")[0]);
}

export function tokenVoter(token: string): string {
    return token.split(".")[1] ?? "";
}

// --- the ballot program ---------------------------------------------------------------------------------

export type BallotOutcome = "recorded" | "already-recorded" | "unchanged" | "contended";

export interface BallotState {
    readonly voterId: string;
    readonly vote: VoteChoice;
    readonly seq: string;
    /** Makes this run's tokens unique; `minted` counts them. */
    readonly nonce: string;
    readonly minted: number;
    readonly reads: number;
    readonly stage:
        "read" | "claim" | "touch" | "apply-own" | "settle-own" | "apply-found" | "settle-found" | "restamp";
    readonly change?: PendingChange;
    /** Largest `applied` set this run saw: a hint that the totals item wants pruning. */
    readonly applied: number;
}

function mint(state: BallotState, epoch: number): { state: BallotState; token: string } {
    const minted = state.minted + 1;
    return { state: { ...state, minted }, token: `${epoch}.${state.voterId}.${state.nonce}${minted}` };
}

function ballotCall(
    state: BallotState,
    stage: BallotState["stage"],
    call: StoreCall,
): Next<BallotState, BallotOutcome> {
    return { state: { ...state, stage }, call };
}

function readAgain(state: BallotState): Next<BallotState, BallotOutcome> {
    if (state.reads >= MAX_READS) return { state, done: "contended" };
    return ballotCall({ ...state, reads: state.reads + 1 }, "read", { op: "read", voterId: state.voterId });
}

function afterRead(state: BallotState, voter?: VoterRecord, totals?: TotalsRecord): Next<BallotState, BallotOutcome> {
    const epoch = totals?.epoch ?? 0;
    const { voterId } = state;
    const found = voter?.pending;
    if (found) {
        // Finish the change someone claimed (maybe this very ballot, by an earlier delivery) before anything else.
        if (totals?.applied.includes(found.token))
            return ballotCall(state, "settle-found", { op: "settle", voterId, token: found.token });
        if (tokenEpoch(found.token) === epoch)
            return ballotCall({ ...state, change: found }, "apply-found", { op: "apply", change: found });
        // Neither applied nor applicable: it never was counted and its token never will be. Count it afresh.
        const minted = mint(state, epoch);
        return ballotCall(minted.state, "restamp", {
            op: "restamp",
            voterId,
            token: found.token,
            newToken: minted.token,
        });
    }
    if (voter?.seq !== undefined && voter.seq >= state.seq) return { state, done: "already-recorded" };
    const expect: VoterVersion = voter
        ? { exists: true, ...(voter.seq !== undefined ? { seq: voter.seq } : {}) }
        : { exists: false };
    if (voter?.vote === state.vote) return ballotCall(state, "touch", { op: "touch", voterId, expect, seq: state.seq });
    const minted = mint(state, epoch);
    const change: PendingChange = { token: minted.token, ...(voter?.vote ? { from: voter.vote } : {}), to: state.vote };
    return ballotCall({ ...minted.state, change }, "claim", {
        op: "claim",
        voterId,
        expect,
        vote: state.vote,
        seq: state.seq,
        change,
    });
}

/** Records one ballot (a voter's vote with its SQS sequence number) as the steps described above. */
export function ballotProgram(
    ballot: Ballot,
    sequenceNumber: string,
    nonce: string,
): StoreProgram<BallotState, BallotOutcome> {
    const seq = normalizeSequence(sequenceNumber);
    return {
        start: () =>
            readAgain({
                voterId: ballot.voterId,
                vote: ballot.vote,
                seq,
                nonce,
                minted: 0,
                reads: 0,
                stage: "read",
                applied: 0,
            }),
        resume(state, reply) {
            if (reply.op === "read") return afterRead(state, reply.voter, reply.totals);
            if (reply.op !== "write") throw new Error(`ballot program: unexpected ${reply.op} reply`);
            const seen = { ...state, applied: Math.max(state.applied, reply.applied ?? 0) };
            switch (state.stage) {
                case "claim":
                    if (!reply.ok || !state.change) return readAgain(seen);
                    return ballotCall(seen, "apply-own", { op: "apply", change: state.change });
                case "touch":
                    return reply.ok ? { state: seen, done: "unchanged" } : readAgain(seen);
                case "apply-own":
                    if (!reply.ok || !state.change) return readAgain(seen);
                    return ballotCall(seen, "settle-own", {
                        op: "settle",
                        voterId: state.voterId,
                        token: state.change.token,
                    });
                case "settle-own":
                    // Not ok: someone settled it first. Either way the change is counted.
                    return { state: seen, done: "recorded" };
                case "apply-found":
                    if (!reply.ok || !state.change) return readAgain(seen);
                    return ballotCall(seen, "settle-found", {
                        op: "settle",
                        voterId: state.voterId,
                        token: state.change.token,
                    });
                case "settle-found":
                case "restamp":
                    return readAgain(seen);
                default:
                    throw new Error(`ballot program: write reply in stage ${state.stage}`);
            }
        },
    };
}

// --- the prune program ----------------------------------------------------------------------------------

export type PruneOutcome = { readonly pruned: number } | "nothing-to-prune" | "another-prune-ran";

export interface PruneState {
    readonly stage: "readTotals" | "bump" | "readVoters" | "settle" | "forget";
    readonly epoch: number;
    readonly tokens: readonly string[];
    /** Voters still pending on one of `tokens`, settled before the tokens are forgotten. */
    readonly toSettle: ReadonlyArray<{ readonly voterId: string; readonly token: string }>;
}

function settleOrForget(state: PruneState): Next<PruneState, PruneOutcome> {
    const [next, ...rest] = state.toSettle;
    if (next) return { state: { ...state, stage: "settle", toSettle: rest }, call: { op: "settle", ...next } };
    return { state: { ...state, stage: "forget" }, call: { op: "forget", tokens: state.tokens } };
}

/** Raises the epoch, settles voters still pending on applied tokens, then deletes those tokens. */
export const pruneProgram: StoreProgram<PruneState, PruneOutcome> = {
    start: () => ({ state: { stage: "readTotals", epoch: 0, tokens: [], toSettle: [] }, call: { op: "readTotals" } }),
    resume(state, reply) {
        switch (state.stage) {
            case "readTotals": {
                if (reply.op !== "readTotals") break;
                const tokens = reply.totals?.applied ?? [];
                if (tokens.length === 0) return { state, done: "nothing-to-prune" };
                const epoch = reply.totals?.epoch ?? 0;
                return { state: { ...state, stage: "bump", epoch, tokens }, call: { op: "bump", epoch } };
            }
            case "bump": {
                if (reply.op !== "write") break;
                if (!reply.ok) return { state, done: "another-prune-ran" };
                const voterIds = [...new Set(state.tokens.map(tokenVoter))].sort();
                return { state: { ...state, stage: "readVoters" }, call: { op: "readVoters", voterIds } };
            }
            case "readVoters": {
                if (reply.op !== "readVoters") break;
                const toSettle = state.tokens
                    .filter((token) => reply.voters[tokenVoter(token)]?.pending?.token === token)
                    .map((token) => ({ voterId: tokenVoter(token), token }));
                return settleOrForget({ ...state, toSettle });
            }
            case "settle":
                if (reply.op !== "write") break;
                return settleOrForget(state);
            case "forget":
                if (reply.op !== "write") break;
                return { state, done: { pruned: state.tokens.length } };
        }
        throw new Error(`prune program: unexpected ${reply.op} reply in stage ${state.stage}`);
    },
};

// --- running the programs against DynamoDB --------------------------------------------------------------

function isConditionFailure(error: unknown): boolean {
    return (
        error instanceof ConditionalCheckFailedException ||
        (error instanceof Error && error.name === "ConditionalCheckFailedException")
    );
}

function voterFrom(item: Record<string, unknown> | undefined): VoterRecord | undefined {
    if (!item) return undefined;
    const pending = item.pending as PendingChange | undefined;
    return {
        ...(item.vote === "a" || item.vote === "b" ? { vote: item.vote } : {}),
        ...(typeof item.seq === "string" ? { seq: item.seq } : {}),
        ...(pending
            ? { pending: { token: pending.token, ...(pending.from ? { from: pending.from } : {}), to: pending.to } }
            : {}),
    };
}

function totalsFrom(item: Record<string, unknown> | undefined): TotalsRecord | undefined {
    if (!item) return undefined;
    const applied = item.applied instanceof Set ? [...(item.applied as Set<string>)].sort() : [];
    return { a: Number(item.a ?? 0), b: Number(item.b ?? 0), epoch: Number(item.epoch ?? 0), applied };
}

function epochCondition(epoch: number): string {
    return epoch === 0 ? "(attribute_not_exists(#epoch) OR #epoch = :epoch)" : "#epoch = :epoch";
}

function expectCondition(expect: VoterVersion): { condition: string; values: Record<string, unknown> } {
    if (!expect.exists) return { condition: "attribute_not_exists(#pk)", values: {} };
    if (expect.seq === undefined)
        return {
            condition: "attribute_exists(#pk) AND attribute_not_exists(#seq) AND attribute_not_exists(#pending)",
            values: {},
        };
    return { condition: "#seq = :expectSeq AND attribute_not_exists(#pending)", values: { ":expectSeq": expect.seq } };
}

/** Runs store calls on a table through the DynamoDB document client. */
export class DynamoStoreExecutor {
    constructor(
        private readonly client: DynamoDBDocumentClient,
        private readonly tableName: string,
    ) {}

    private key(pk: string): Record<string, string> {
        return { [TABLE_PARTITION_KEY]: pk };
    }

    /** An UpdateItem with only the names and values its expressions use (DynamoDB rejects unused ones). */
    private async update(input: {
        readonly pk: string;
        readonly update: string;
        readonly condition?: string;
        readonly names: Readonly<Record<string, string>>;
        readonly values?: Readonly<Record<string, unknown>>;
        readonly returnApplied?: boolean;
    }): Promise<StoreReply> {
        const text = `${input.update} ${input.condition ?? ""}`;
        const used = <T>(all: Readonly<Record<string, T>>): Record<string, T> | undefined => {
            const kept = Object.entries(all).filter(([placeholder]) =>
                new RegExp(`${placeholder}(?![A-Za-z0-9_])`).test(text),
            );
            return kept.length > 0 ? Object.fromEntries(kept) : undefined;
        };
        const names = used(input.names);
        const values = used(input.values ?? {});
        try {
            const result = await this.client.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: this.key(input.pk),
                    UpdateExpression: input.update,
                    ...(input.condition ? { ConditionExpression: input.condition } : {}),
                    ...(names ? { ExpressionAttributeNames: names } : {}),
                    ...(values ? { ExpressionAttributeValues: values } : {}),
                    ...(input.returnApplied ? { ReturnValues: "UPDATED_NEW" as const } : {}),
                }),
            );
            const applied = result.Attributes?.applied;
            return { op: "write", ok: true, ...(applied instanceof Set ? { applied: applied.size } : {}) };
        } catch (error) {
            if (isConditionFailure(error)) return { op: "write", ok: false };
            throw error;
        }
    }

    private async batchGet(pks: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
        const found = new Map<string, Record<string, unknown>>();
        for (let i = 0; i < pks.length; i += 100) {
            const result = await this.client.send(
                new BatchGetCommand({
                    RequestItems: {
                        [this.tableName]: {
                            Keys: pks.slice(i, i + 100).map((pk) => this.key(pk)),
                            ConsistentRead: true,
                        },
                    },
                }),
            );
            if (Object.keys(result.UnprocessedKeys ?? {}).length > 0)
                throw new Error("DynamoDB left keys unprocessed (throttled); will retry");
            for (const item of result.Responses?.[this.tableName] ?? [])
                found.set(String(item[TABLE_PARTITION_KEY]), item);
        }
        return found;
    }

    async run(call: StoreCall): Promise<StoreReply> {
        const names = {
            "#pk": TABLE_PARTITION_KEY,
            "#vote": "vote",
            "#seq": "seq",
            "#pending": "pending",
            "#token": "token",
            "#epoch": "epoch",
            "#applied": "applied",
        };
        switch (call.op) {
            case "read": {
                const items = await this.batchGet([voterItemKey(call.voterId), TOTALS_ITEM_KEY]);
                const voter = voterFrom(items.get(voterItemKey(call.voterId)));
                const totals = totalsFrom(items.get(TOTALS_ITEM_KEY));
                return { op: "read", ...(voter ? { voter } : {}), ...(totals ? { totals } : {}) };
            }
            case "claim":
            case "touch": {
                const expect = expectCondition(call.expect);
                return this.update({
                    pk: voterItemKey(call.voterId),
                    update:
                        call.op === "claim" ? "SET #vote = :vote, #seq = :seq, #pending = :pending" : "SET #seq = :seq",
                    condition: expect.condition,
                    names,
                    values: {
                        ":seq": call.seq,
                        ...(call.op === "claim" ? { ":vote": call.vote, ":pending": call.change } : {}),
                        ...expect.values,
                    },
                });
            }
            case "apply": {
                const { change } = call;
                return this.update({
                    pk: TOTALS_ITEM_KEY,
                    update: `ADD #to :plus, #applied :tokens${change.from ? ", #from :minus" : ""}`,
                    condition: `${epochCondition(tokenEpoch(change.token))} AND NOT contains(#applied, :token)`,
                    names: { ...names, "#to": change.to, ...(change.from ? { "#from": change.from } : {}) },
                    values: {
                        ":plus": 1,
                        ":minus": -1,
                        ":tokens": new Set([change.token]),
                        ":token": change.token,
                        ":epoch": tokenEpoch(change.token),
                    },
                    returnApplied: true,
                });
            }
            case "settle":
            case "restamp":
                return this.update({
                    pk: voterItemKey(call.voterId),
                    update: call.op === "settle" ? "REMOVE #pending" : "SET #pending.#token = :newToken",
                    condition: "#pending.#token = :token",
                    names,
                    values: { ":token": call.token, ...(call.op === "restamp" ? { ":newToken": call.newToken } : {}) },
                });
            case "readTotals": {
                const result = await this.client.send(
                    new GetCommand({ TableName: this.tableName, Key: this.key(TOTALS_ITEM_KEY), ConsistentRead: true }),
                );
                const totals = totalsFrom(result.Item);
                return { op: "readTotals", ...(totals ? { totals } : {}) };
            }
            case "bump":
                return this.update({
                    pk: TOTALS_ITEM_KEY,
                    update: "SET #epoch = :next",
                    condition: `attribute_exists(#pk) AND ${epochCondition(call.epoch)}`,
                    names,
                    values: { ":epoch": call.epoch, ":next": call.epoch + 1 },
                });
            case "readVoters": {
                const items = await this.batchGet(call.voterIds.map(voterItemKey));
                const voters: Record<string, VoterRecord | undefined> = {};
                for (const voterId of call.voterIds) voters[voterId] = voterFrom(items.get(voterItemKey(voterId)));
                return { op: "readVoters", voters };
            }
            case "forget":
                return this.update({
                    pk: TOTALS_ITEM_KEY,
                    update: "DELETE #applied :tokens",
                    names,
                    values: { ":tokens": new Set(call.tokens) },
                });
        }
    }
}

/** Runs a program to its end, one store call at a time. */
export async function runProgram<S, R>(
    program: StoreProgram<S, R>,
    run: (call: StoreCall) => Promise<StoreReply>,
): Promise<{ state: S; outcome: R }> {
    let next = program.start();
    while (!("done" in next)) next = program.resume(next.state, await run(next.call));
    return { state: next.state, outcome: next.done };
}

export interface DynamoVoteStoreOptions {
    /** Applied tokens at which the worker prunes after its batch. @default DEFAULT_PRUNE_THRESHOLD */
    readonly pruneThreshold?: number;
    /** Unique per ballot run (tests make it deterministic). */
    readonly newNonce?: () => string;
}

export class DynamoVoteStore {
    private readonly executor: DynamoStoreExecutor;
    private readonly pruneThreshold: number;
    private readonly newNonce: () => string;
    private due = false;

    constructor(
        private readonly client: DynamoDBDocumentClient,
        private readonly tableName: string,
        options: DynamoVoteStoreOptions = {},
    ) {
        this.executor = new DynamoStoreExecutor(client, tableName);
        this.pruneThreshold = options.pruneThreshold ?? DEFAULT_PRUNE_THRESHOLD;
        this.newNonce = options.newNonce ?? (() => Math.random().toString(36).slice(2, 10));
    }

    /**
     * Record the voter's ballot; `sequenceNumber` is the SQS FIFO message's (it orders one voter's ballots).
     * Idempotent: a ballot already recorded, or older than the voter's newest, changes nothing.
     */
    async recordBallot(ballot: Ballot, sequenceNumber: string): Promise<Exclude<BallotOutcome, "contended">> {
        const { state, outcome } = await runProgram(ballotProgram(ballot, sequenceNumber, this.newNonce()), (call) =>
            this.executor.run(call),
        );
        if (state.applied >= this.pruneThreshold) this.due = true;
        if (outcome === "contended")
            throw new Error(`voter ${ballot.voterId}: the vote kept changing under concurrent updates; will retry`);
        return outcome;
    }

    /** Whether a recorded ballot saw enough applied tokens on the totals item to prune them. */
    get pruneDue(): boolean {
        return this.due;
    }

    /** Delete the applied tokens from the totals item (safe at any time, from any number of workers at once). */
    async prune(): Promise<PruneOutcome> {
        this.due = false;
        return (await runProgram(pruneProgram, (call) => this.executor.run(call))).outcome;
    }

    /** The per-option totals (an eventually consistent read: the page refreshes every few seconds). */
    async readTotals(options: VoteOptions): Promise<Totals> {
        const result = await this.client.send(
            new GetCommand({
                TableName: this.tableName,
                Key: { [TABLE_PARTITION_KEY]: TOTALS_ITEM_KEY },
                ProjectionExpression: "#a, #b",
                ExpressionAttributeNames: { "#a": "a", "#b": "b" },
            }),
        );
        return computeTotals({ a: Number(result.Item?.a ?? 0), b: Number(result.Item?.b ?? 0) }, options);
    }
}
