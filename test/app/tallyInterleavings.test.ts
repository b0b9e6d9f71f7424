import * as assert from "assert";
import { Agent, request as httpRequest, type Server } from "http";
import { CreateTableCommand, DynamoDBClient, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";
import { itemSize } from "dynalite/db";
import type { VoteChoice } from "../../app/src/core/votes";
import {
    ballotProgram,
    DynamoStoreExecutor,
    normalizeSequence,
    pruneProgram,
    runProgram,
    TOTALS_ITEM_KEY,
    voterItemKey,
    type Next,
    type StoreCall,
    type StoreProgram,
    type StoreReply,
} from "../../app/src/lambda/store";
import { TABLE_PARTITION_KEY } from "../../shared/appContract";
import { quietSdkNodeWarning } from "./lambdaHarness";
import { freePort } from "./servers";

/**
 * The serverless tally under every interleaving of duplicate deliveries (issue 15): two or three deliveries
 * of a ballot (and a concurrent prune) take turns one store call at a time in every possible order, and any
 * of them may stop between any two of its calls (a crash, a timeout, a lost reply: the call before took
 * effect, the rest never run). Each store call runs on dynalite through the production executor.
 *
 * The exploration is exhaustive: a schedule's future depends only on the table's items and on each
 * program's state (plain data), so schedules that reach the same world share one exploration of what
 * follows, and every store call from a given table state is run on dynalite once. In every final world:
 * when each ballot had a delivery that succeeded, the count is exact and nothing is pending; then SQS's
 * redelivery of any ballot that had none runs, and a prune: the count is exact, the voter holds its newest
 * ballot, and no token is left in the totals item.
 */

type Item = Record<string, AttributeValue>;
/** The table: partition key -> item (DynamoDB's own attribute-value form, so it restores exactly). */
type Items = Readonly<Record<string, Item>>;

const VOTER = "voter0001abc";

/** JSON with object keys and string sets sorted: equal worlds give equal keys. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) => {
        if (v instanceof Set) return { $set: [...(v as Set<unknown>)].map(String).sort() };
        if (v && typeof v === "object" && !Array.isArray(v)) {
            const sorted: Record<string, unknown> = {};
            for (const k of Object.keys(v).sort()) {
                const field = (v as Record<string, unknown>)[k];
                sorted[k] = k === "SS" && Array.isArray(field) ? [...(field as string[])].sort() : field;
            }
            return sorted;
        }
        return v;
    });
}

const S = (text: string): AttributeValue => ({ S: text });
const N = (n: number): AttributeValue => ({ N: String(n) });

function totalsItem(a: number, b: number, extra: { epoch?: number; applied?: string[] } = {}): Item {
    return {
        [TABLE_PARTITION_KEY]: S(TOTALS_ITEM_KEY),
        a: N(a),
        b: N(b),
        ...(extra.epoch ? { epoch: N(extra.epoch) } : {}),
        ...(extra.applied?.length ? { applied: { SS: extra.applied } } : {}),
    };
}

function voterItem(
    vote: VoteChoice,
    seq: number,
    pending?: { token: string; from?: VoteChoice; to: VoteChoice },
): Item {
    return {
        [TABLE_PARTITION_KEY]: S(voterItemKey(VOTER)),
        vote: S(vote),
        seq: S(normalizeSequence(String(seq))),
        ...(pending
            ? {
                  pending: {
                      M: {
                          token: S(pending.token),
                          to: S(pending.to),
                          ...(pending.from ? { from: S(pending.from) } : {}),
                      },
                  },
              }
            : {}),
    };
}

// Items objects come from the transition cache, so each distinct table state is serialised once.
const itemIds = new WeakMap<Items, string>();
const idsByItems = new Map<string, string>();
function itemsId(items: Items): string {
    let id = itemIds.get(items);
    if (id === undefined) {
        const text = canonical(items);
        id = idsByItems.get(text) ?? String(idsByItems.size);
        idsByItems.set(text, id);
        itemIds.set(items, id);
    }
    return id;
}

/** Store calls that only read: the table is the same after them, so no snapshot is taken. */
const READ_OPS: ReadonlySet<StoreCall["op"]> = new Set(["read", "readTotals", "readVoters"]);

/**
 * DynamoDB's JSON protocol, spoken to dynalite directly: how the explorer moves the table between states
 * (restore) and reads it back (snapshot). Only the store calls under test go through the AWS SDK (the
 * production executor); this plumbing skips the SDK's per-request middleware, which cost three times what
 * dynalite itself does per request. Items stay in DynamoDB's own attribute-value form both ways. dynalite
 * checks that a request carries a SigV4-shaped Authorization header and an X-Amz-Date, not the signature.
 */
class DynaliteWire {
    private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

    constructor(private readonly port: number) {}

    call<T>(operation: string, body: object): Promise<T> {
        const payload = JSON.stringify(body);
        return new Promise<T>((resolve, reject) => {
            const request = httpRequest(
                {
                    host: "127.0.0.1",
                    port: this.port,
                    method: "POST",
                    path: "/",
                    agent: this.agent,
                    headers: {
                        "content-type": "application/x-amz-json-1.0",
                        "content-length": Buffer.byteLength(payload),
                        "x-amz-target": `DynamoDB_20120810.${operation}`,
                        "x-amz-date": "20260101T000000Z",
                        authorization:
                            "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
                    },
                },
                (response) => {
                    let text = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk: string) => (text += chunk));
                    response.on("end", () =>
                        response.statusCode === 200
                            ? resolve(JSON.parse(text) as T)
                            : reject(new Error(`dynalite ${operation}: ${response.statusCode} ${text}`)),
                    );
                    response.on("error", reject);
                },
            );
            request.on("error", reject);
            request.end(payload);
        });
    }

    destroy(): void {
        this.agent.destroy();
    }
}

/**
 * A dynalite table the explorer moves between states: each store call from a given table state runs there
 * once. One table serves every scenario of the file: a transition depends only on the items and the call
 * (the programs are deterministic: fixed nonces), so scenarios that reach the same state with the same call
 * (two and three deliveries of one ballot, the final redelivery and prune) share its run.
 */
class TableUnderTest {
    private current: Items = {};
    private readonly transitions = new Map<string, { reply: StoreReply; items: Items }>();
    readonly executor: DynamoStoreExecutor;
    /** Store calls run on dynalite (each distinct one once). */
    callsRun = 0;

    constructor(
        private readonly wire: DynaliteWire,
        doc: DynamoDBDocumentClient,
        private readonly table: string,
    ) {
        this.executor = new DynamoStoreExecutor(doc, table);
    }

    async restore(target: Items): Promise<void> {
        if (target === this.current) return;
        const writes: object[] = [];
        for (const pk of Object.keys(this.current)) {
            if (!(pk in target)) writes.push({ DeleteRequest: { Key: { [TABLE_PARTITION_KEY]: S(pk) } } });
        }
        for (const [pk, item] of Object.entries(target)) {
            if (canonical(this.current[pk]) !== canonical(item)) writes.push({ PutRequest: { Item: item } });
        }
        for (let i = 0; i < writes.length; i += 25) {
            const reply = await this.wire.call<{ UnprocessedItems?: Record<string, unknown> }>("BatchWriteItem", {
                RequestItems: { [this.table]: writes.slice(i, i + 25) },
            });
            assert.deepStrictEqual(reply.UnprocessedItems ?? {}, {}, "dynalite left writes unprocessed");
        }
        this.current = target;
    }

    async snapshot(): Promise<Items> {
        const result = await this.wire.call<{ Items?: Item[]; LastEvaluatedKey?: unknown }>("Scan", {
            TableName: this.table,
            ConsistentRead: true,
        });
        assert.strictEqual(result.LastEvaluatedKey, undefined, "the scan read the whole table");
        const items: Record<string, Item> = {};
        for (const item of result.Items ?? []) items[String(item[TABLE_PARTITION_KEY].S)] = item;
        this.current = items;
        return items;
    }

    /** The reply and the items after the call `callKey` names on `items`, when it has run from there before. */
    known(items: Items, callKey: string): { reply: StoreReply; items: Items } | undefined {
        return this.transitions.get(`${itemsId(items)}|${callKey}`);
    }

    /** The reply and the items after running `call` on `items` (`callKey` names the call). */
    async transition(items: Items, call: StoreCall, callKey: string): Promise<{ reply: StoreReply; items: Items }> {
        const key = `${itemsId(items)}|${callKey}`;
        const known = this.transitions.get(key);
        if (known) return known;
        await this.restore(items);
        const reply = await this.executor.run(call);
        this.callsRun += 1;
        const result = { reply, items: READ_OPS.has(call.op) ? items : await this.snapshot() };
        this.transitions.set(key, result);
        return result;
    }
}

type AnyProgram = StoreProgram<unknown, unknown>;
function erase<St, R>(program: StoreProgram<St, R>): AnyProgram {
    return { start: () => program.start(), resume: (state, reply) => program.resume(state as St, reply) };
}

interface ActorState {
    /** Equal states have equal ids (interned per exploration): part of the world's key. */
    readonly id: number;
    /** Its call's JSON: equal calls from equal items run on dynalite once. */
    readonly callKey: string;
    readonly status: "live" | "done" | "crashed";
    readonly state: unknown;
    readonly call?: StoreCall;
    readonly outcome?: unknown;
}

interface World {
    readonly items: Items;
    readonly actors: readonly ActorState[];
}

/** Interns actor states and remembers their moves, so each distinct move is computed once. */
class Actors {
    private readonly byJson = new Map<string, ActorState>();
    private readonly moves = new Map<string, ActorState>();
    private readonly replyIds = new WeakMap<StoreReply, number>();
    private replies = 0;

    private intern(fields: Omit<ActorState, "id" | "callKey">): ActorState {
        const json = JSON.stringify(fields);
        let found = this.byJson.get(json);
        if (!found) {
            found = { ...fields, id: this.byJson.size, callKey: JSON.stringify(fields.call ?? null) };
            this.byJson.set(json, found);
        }
        return found;
    }

    from(next: Next<unknown, unknown>): ActorState {
        // A finished or stopped actor's state no longer matters: dropping it lets those worlds merge.
        return "done" in next
            ? this.intern({ status: "done", state: null, outcome: next.done })
            : this.intern({ status: "live", state: next.state, call: next.call });
    }

    /** The actor after its call replied `reply` (`reply` objects come from the transition cache). */
    resumed(program: AnyProgram, actor: ActorState, reply: StoreReply): ActorState {
        let replyId = this.replyIds.get(reply);
        if (replyId === undefined) {
            replyId = this.replies++;
            this.replyIds.set(reply, replyId);
        }
        const key = `${actor.id}>${replyId}`;
        let next = this.moves.get(key);
        if (!next) {
            next = this.from(program.resume(actor.state, reply));
            this.moves.set(key, next);
        }
        return next;
    }

    crashed(actor: ActorState): ActorState {
        const key = `${actor.id}!`;
        let next = this.moves.get(key);
        if (!next) {
            next = this.intern({ status: "crashed", state: null });
            this.moves.set(key, next);
        }
        return next;
    }
}

interface Ballot {
    readonly vote: VoteChoice;
    readonly seq: number;
}

interface Scenario {
    readonly name: string;
    readonly items: Items;
    readonly ballots: readonly Ballot[];
    /** Which ballot each concurrent delivery carries. */
    readonly deliveries: readonly number[];
    /** A prune runs concurrently too. */
    readonly prune?: boolean;
    readonly expect: { readonly vote: VoteChoice; readonly a: number; readonly b: number };
}

interface Exploration {
    readonly schedules: number;
    readonly worlds: number;
    readonly finals: number;
    readonly callsRun: number;
    readonly maxVoterBytes: number;
    readonly maxTotalsBytes: number;
}

const ballotFor = (ballot: Ballot, nonce: string): AnyProgram =>
    erase(ballotProgram({ voterId: VOTER, vote: ballot.vote }, String(ballot.seq), nonce));

async function explore(db: TableUnderTest, scenario: Scenario): Promise<Exploration> {
    const programs: AnyProgram[] = [
        ...scenario.deliveries.map((ballot, i) => ballotFor(scenario.ballots[ballot], `d${i}n`)),
        ...(scenario.prune ? [erase(pruneProgram)] : []),
    ];
    const actors = new Actors();
    const schedulesFrom = new Map<string, number>();
    const measured = new WeakSet<Items>();
    const finalsChecked = new Set<string>();
    let maxVoterBytes = 0;
    let maxTotalsBytes = 0;

    function measure(items: Items): void {
        const voter = items[voterItemKey(VOTER)];
        const totals = items[TOTALS_ITEM_KEY];
        if (voter) maxVoterBytes = Math.max(maxVoterBytes, itemSize(voter));
        if (totals) maxTotalsBytes = Math.max(maxTotalsBytes, itemSize(totals));
    }

    function describe(world: World): string {
        const actors = world.actors.map((actor, i) =>
            i < scenario.deliveries.length
                ? `delivery ${i} of ballot ${scenario.deliveries[i]}: ${actor.status} ${canonical(actor.outcome ?? actor.call ?? "")}`
                : `prune: ${actor.status} ${canonical(actor.outcome ?? "")}`,
        );
        return `${scenario.name}\n  ${actors.join("\n  ")}\n  items: ${canonical(world.items)}`;
    }

    function checkCount(items: Items, context: string): void {
        const totals = items[TOTALS_ITEM_KEY];
        const voter = items[voterItemKey(VOTER)];
        assert.deepStrictEqual(
            { vote: voter?.vote?.S, a: Number(totals?.a?.N ?? 0), b: Number(totals?.b?.N ?? 0) },
            scenario.expect,
            `${context}: wrong count`,
        );
        assert.strictEqual(voter?.pending, undefined, `${context}: a change is left pending`);
    }

    async function checkFinal(world: World): Promise<void> {
        const succeeded = scenario.ballots.map((_, b) =>
            world.actors.some(
                (actor, i) => scenario.deliveries[i] === b && actor.status === "done" && actor.outcome !== "contended",
            ),
        );
        const key = canonical([world.items, succeeded]);
        if (finalsChecked.has(key)) return;
        finalsChecked.add(key);
        const context = describe(world);
        // Every ballot had a delivery that succeeded: SQS deletes them, nothing else will run for them.
        if (succeeded.every(Boolean)) checkCount(world.items, `${context}\n  after every ballot succeeded once`);
        // Each call through the transition cache: finals that converge on one state share the prune's run.
        let after = world.items;
        const run = async (call: StoreCall): Promise<StoreReply> => {
            const next = await db.transition(after, call, JSON.stringify(call));
            after = next.items;
            return next.reply;
        };
        for (const [b, ballot] of scenario.ballots.entries()) {
            if (succeeded[b]) continue;
            const redelivery = await runProgram(ballotFor(ballot, `r${b}n`), run);
            assert.notStrictEqual(redelivery.outcome, "contended", `${context}\n  redelivery of ballot ${b}`);
        }
        await runProgram(pruneProgram, run);
        measure(after);
        checkCount(after, `${context}\n  after redelivery and a prune`);
        assert.strictEqual(after[TOTALS_ITEM_KEY]?.applied, undefined, `${context}\n  tokens left after a prune`);
    }

    const keyOf = (world: World) => `${itemsId(world.items)}|${world.actors.map((a) => a.id).join(",")}`;

    /** The schedules from a world: known ones without a turn of the event loop (most visits are of known worlds). */
    function schedulesOf(world: World): number | Promise<number> {
        const key = keyOf(world);
        return schedulesFrom.get(key) ?? visit(world, key);
    }

    async function visit(world: World, key: string): Promise<number> {
        if (!measured.has(world.items)) {
            measured.add(world.items);
            measure(world.items);
        }
        let schedules = 0;
        const live = world.actors.flatMap((actor, i) => (actor.status === "live" && actor.call ? [i] : []));
        if (live.length === 0) {
            await checkFinal(world);
            schedules = 1;
        }
        for (const i of live) {
            const current = world.actors[i];
            const replace = (next: ActorState): ActorState[] => world.actors.map((a, j) => (j === i ? next : a));
            const { reply, items } =
                db.known(world.items, current.callKey) ??
                (await db.transition(world.items, current.call as StoreCall, current.callKey));
            schedules += await schedulesOf({ items, actors: replace(actors.resumed(programs[i], current, reply)) });
            // It stops here: its previous call took effect, this one never runs.
            schedules += await schedulesOf({ items: world.items, actors: replace(actors.crashed(current)) });
        }
        schedulesFrom.set(key, schedules);
        return schedules;
    }

    const callsBefore = db.callsRun;
    const schedules = await schedulesOf({ items: scenario.items, actors: programs.map((p) => actors.from(p.start())) });
    return {
        schedules,
        worlds: schedulesFrom.size,
        finals: finalsChecked.size,
        callsRun: db.callsRun - callsBefore,
        maxVoterBytes,
        maxTotalsBytes,
    };
}

const voterKey = voterItemKey(VOTER);
/** Tokens of other voters applied before: a prune meets them too. */
const OTHERS_APPLIED = ["0.voter0002xyz.k1", "0.voter0003xyz.k1"];

const SCENARIOS: Scenario[] = [
    {
        name: "a new voter's ballot",
        items: { [TOTALS_ITEM_KEY]: totalsItem(5, 3) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a changed vote",
        items: { [voterKey]: voterItem("a", 3), [TOTALS_ITEM_KEY]: totalsItem(6, 3) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "the same vote again",
        items: { [voterKey]: voterItem("b", 3), [TOTALS_ITEM_KEY]: totalsItem(5, 4) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a ballot older than the voter's newest",
        items: { [voterKey]: voterItem("a", 7), [TOTALS_ITEM_KEY]: totalsItem(6, 3) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "a", a: 6, b: 3 },
    },
    {
        name: "a change left pending and uncounted by a stopped delivery",
        items: {
            [voterKey]: voterItem("b", 5, { token: `0.${VOTER}.old1`, from: "a", to: "b" }),
            [TOTALS_ITEM_KEY]: totalsItem(6, 3),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a change left pending and already counted by a stopped delivery",
        items: {
            [voterKey]: voterItem("b", 5, { token: `0.${VOTER}.old1`, from: "a", to: "b" }),
            [TOTALS_ITEM_KEY]: totalsItem(5, 4, { applied: [`0.${VOTER}.old1`] }),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a change left pending under an epoch a prune has closed",
        items: {
            [voterKey]: voterItem("b", 5, { token: `0.${VOTER}.old1`, from: "a", to: "b" }),
            [TOTALS_ITEM_KEY]: totalsItem(6, 3, { epoch: 1 }),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a late duplicate of the voter's previous ballot against the new one",
        items: { [voterKey]: voterItem("a", 3), [TOTALS_ITEM_KEY]: totalsItem(6, 3) },
        ballots: [
            { vote: "b", seq: 5 },
            { vote: "a", seq: 6 },
        ],
        deliveries: [0, 1],
        expect: { vote: "a", a: 6, b: 3 },
    },
    {
        name: "a changed vote while a prune runs",
        items: {
            [voterKey]: voterItem("a", 3),
            [TOTALS_ITEM_KEY]: totalsItem(6, 3, { applied: OTHERS_APPLIED }),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        prune: true,
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a counted pending change while a prune runs",
        items: {
            [voterKey]: voterItem("b", 5, { token: `0.${VOTER}.old1`, from: "a", to: "b" }),
            [TOTALS_ITEM_KEY]: totalsItem(5, 4, { applied: [`0.${VOTER}.old1`, ...OTHERS_APPLIED] }),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0],
        prune: true,
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a new voter's ballot, three deliveries",
        items: { [TOTALS_ITEM_KEY]: totalsItem(5, 3) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a changed vote, three deliveries",
        items: { [voterKey]: voterItem("a", 3), [TOTALS_ITEM_KEY]: totalsItem(6, 3) },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "a change left pending and uncounted, three deliveries",
        items: {
            [voterKey]: voterItem("b", 5, { token: `0.${VOTER}.old1`, from: "a", to: "b" }),
            [TOTALS_ITEM_KEY]: totalsItem(6, 3),
        },
        ballots: [{ vote: "b", seq: 5 }],
        deliveries: [0, 0, 0],
        expect: { vote: "b", a: 5, b: 4 },
    },
    {
        name: "two duplicates of the new ballot and a late one of the previous ballot",
        items: { [voterKey]: voterItem("b", 3), [TOTALS_ITEM_KEY]: totalsItem(5, 4) },
        ballots: [
            { vote: "b", seq: 3 },
            { vote: "a", seq: 6 },
        ],
        deliveries: [1, 1, 0],
        expect: { vote: "a", a: 6, b: 3 },
    },
];

describe("serverless tally under every interleaving of duplicate deliveries (dynalite)", function () {
    this.timeout(600_000);
    quietSdkNodeWarning();
    let server: Server;
    let low: DynamoDBClient;
    let wire: DynaliteWire;
    let table: TableUnderTest;

    before(async () => {
        server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
        const port = await freePort();
        await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
        low = new DynamoDBClient({
            endpoint: `http://127.0.0.1:${port}`,
            region: "eu-west-1",
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
            maxAttempts: 1,
        });
        wire = new DynaliteWire(port);
        const name = "interleavings";
        await low.send(
            new CreateTableCommand({
                TableName: name,
                AttributeDefinitions: [{ AttributeName: TABLE_PARTITION_KEY, AttributeType: "S" }],
                KeySchema: [{ AttributeName: TABLE_PARTITION_KEY, KeyType: "HASH" }],
                BillingMode: "PAY_PER_REQUEST",
            }),
        );
        table = new TableUnderTest(wire, DynamoDBDocumentClient.from(low), name);
    });

    after(async () => {
        wire?.destroy();
        low?.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    for (const scenario of SCENARIOS) {
        const who = `${scenario.deliveries.length} deliveries${scenario.prune ? " and a prune" : ""}`;
        it(`${scenario.name}: ${who}, in every order, each stopping anywhere`, async () => {
            const result = await explore(table, scenario);
            // Bounded items: a voter holds one vote, one sequence number and at most one pending change; the
            // totals hold two counts, an epoch and at most the tokens applied since the last prune.
            assert.ok(result.maxVoterBytes <= 160, `voter item reached ${result.maxVoterBytes} bytes`);
            const tokens = (scenario.items[TOTALS_ITEM_KEY].applied?.SS?.length ?? 0) + scenario.deliveries.length;
            assert.ok(result.maxTotalsBytes <= 40 + 40 * tokens, `totals item reached ${result.maxTotalsBytes} bytes`);
            assert.ok(result.schedules > 1 && result.finals > 0);
            if (process.env.TALLY_STATS) console.log(`      ${JSON.stringify(result)}`);
        });
    }
});
