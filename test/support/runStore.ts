import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import type * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { RUN_STORE_DIR, type RunStore, type StackRun } from "../../plan/stackRun";
import { writeFileWhole } from "../../scripts/writeWhole";

/**
 * Mocked stack runs shared by every test file and every mocha worker of a test run (issue 16.9): the same
 * stack × platform × config was planned again in each file that read it (73 of 173 runs in one `npm test`
 * repeated an earlier one). A run is a function of the program's sources and its config, so a finished run
 * is kept on disk under the content hash of the sources and the run's key (plan/runStack.ts `runKey`), and a
 * later reader in any worker gets a fresh copy of it. Installed by test/support/installRunStore.ts, which
 * .mocharc.json requires, so `npx mocha <file>` shares too.
 *
 * Parallel workers often miss the same run at about the same time (two files planning all nine stack ×
 * platform runs side by side): the first to miss claims the key and plans it, the others wait for its run
 * instead of planning it too (`diskRunStore` below says when a waiter plans after all: the claimant failed,
 * declined the run, died or is far too slow, so that a claim never deadlocks a test run).
 *
 * Trust: a run is kept only if it reads back deep-equal to what was planned (anything JSON cannot carry
 * makes it run fresh every time); any change to a file the program may read (everything but test/, bench/,
 * node_modules and dot-directories) or to the installed packages (package-lock.json) is a new hash, and so
 * a cold store; runs with transforms (code) or that fail are never kept. `VOTEAPP_RUN_STORE=off` turns it
 * off; `npm run bench` empties it before timing `npm test`, as a clean CI clone has none.
 *
 * Every mocha process loads this module before any test, so it imports nothing heavy: the SDK only where a run is
 * encoded, or decoded with an asset in it (then it is loaded anyway, or a run's Lambda code would be a stand-in).
 */

/** Directories whose files the program never reads: tests, the bench, installed packages, tool state. */
const NOT_SOURCES = new Set(["node_modules", "test", "bench"]);

/** Every file the program may read, in a stable order. */
function sourceFiles(dir: string = PROJECT_ROOT, relative = ""): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const rel = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            if (entry.name.startsWith(".") || NOT_SOURCES.has(entry.name)) continue;
            files.push(...sourceFiles(path.join(dir, entry.name), rel));
        } else if (entry.isFile()) files.push(rel);
    }
    return files;
}

/** The content hash of the program's sources (and Node's version, which the SDK's behaviour may follow). */
export function sourceHash(root: string = PROJECT_ROOT): string {
    const hash = crypto.createHash("sha256").update(process.version);
    for (const file of sourceFiles(root)) {
        hash.update(`\0${file}\0`);
        hash.update(fs.readFileSync(path.join(root, file)));
    }
    return hash.digest("hex").slice(0, 16);
}

/** JSON drops undefined-valued keys (`parent: undefined`) and turns undefined array items to null: mark them. */
const UNDEFINED = "\u0000undefined\u0000";
/** Key of the one-key object that stands for a Pulumi asset or archive (a Lambda's code) in the encoding. */
const ASSET = "\u0000asset\u0000";

type EncodedAsset =
    | {
          readonly kind: "StringAsset" | "FileAsset" | "RemoteAsset" | "FileArchive" | "RemoteArchive";
          readonly value: string;
      }
    /** A long text kept apart (AssetTexts), by its id. */
    | { readonly kind: "StringAsset"; readonly apart: string }
    | { readonly kind: "AssetArchive"; readonly value: Record<string, unknown> };

/**
 * Where an encoding keeps the long texts of string assets apart from the run: a Lambda's bundled code is 0.5–0.7 MB,
 * three quarters of a run's text and most of the time JSON takes to write and read a run, and every run of a test
 * run holds the same few bundles. A text is kept under its id (textId: its content hash), so an encoding that names
 * the same id names the same text.
 */
export interface AssetTexts {
    /** The text kept under `id`, or undefined. */
    get(id: string): string | undefined;
}

/** AssetTexts an encoding puts texts into. */
export interface AssetTextSink extends AssetTexts {
    /** Keeps `text`; returns its id. */
    put(text: string): string;
}

/** Shorter texts stay in the run (a policy document, a script): only bundles are worth a file of their own. */
export const TEXT_APART_FROM = 16_384;

/** A string's id by content: the SHA-256 of its UTF-16 code units, which tell any two different strings apart. */
const textIds = new Map<string, string>();
export function textId(text: string): string {
    // Every run of a process holds the same bundle strings: a Map lookup (V8 keeps a string's hash) beats hashing.
    let id = textIds.get(text);
    if (id === undefined) {
        id = crypto.createHash("sha256").update(text, "utf16le").digest("hex");
        textIds.set(text, id);
    }
    return id;
}

/** AssetTexts in memory (what one encoding put apart). */
export function memoryTexts(): AssetTextSink & { readonly texts: ReadonlyMap<string, string> } {
    const texts = new Map<string, string>();
    return {
        texts,
        put: (text) => {
            const id = textId(text);
            texts.set(id, text);
            return id;
        },
        get: (id) => texts.get(id),
    };
}

/** A run names a text that is not kept (a deleted or altered file): the run cannot be read. */
class MissingText extends Error {}

/** The SDK's asset classes; loaded on first use (see the top of this file). */
let sdkAssetClasses: Promise<typeof pulumi.asset> | undefined;
function sdkAssets(): Promise<typeof pulumi.asset> {
    return (sdkAssetClasses ??= import("@pulumi/pulumi").then((sdk) => sdk.asset));
}

/**
 * The run with every asset and archive replaced by a plain stand-in, long texts put apart in `texts` when given. One
 * synchronous walk copies the run and marks undefined values; only the assets' contents (promises) are awaited,
 * together, and filled into their stand-ins: a walk that awaited every value cost ~5 ms a run, most of encoding it.
 */
async function withPlainAssets(
    value: unknown,
    asset: typeof pulumi.asset,
    texts: AssetTextSink | undefined,
): Promise<unknown> {
    const pending: Promise<void>[] = [];
    const marked = (contents: unknown) => (contents === undefined ? UNDEFINED : contents);
    const standIn = (contents: Promise<unknown>, encode: (resolved: unknown) => Record<string, unknown>) => {
        const box: Record<string, unknown> = {};
        pending.push(
            contents.then((resolved) => {
                box[ASSET] = encode(resolved);
            }),
        );
        return box;
    };
    const plainly = (kind: EncodedAsset["kind"]) => (resolved: unknown) => ({ kind, value: marked(resolved) });
    const walk = (item: unknown): unknown => {
        if (item === undefined) return UNDEFINED;
        if (item instanceof asset.StringAsset)
            return standIn(item.text, (text) =>
                texts && typeof text === "string" && text.length >= TEXT_APART_FROM
                    ? { kind: "StringAsset", apart: texts.put(text) }
                    : { kind: "StringAsset", value: marked(text) },
            );
        if (item instanceof asset.FileAsset) return standIn(item.path, plainly("FileAsset"));
        if (item instanceof asset.RemoteAsset) return standIn(item.uri, plainly("RemoteAsset"));
        if (item instanceof asset.FileArchive) return standIn(item.path, plainly("FileArchive"));
        if (item instanceof asset.RemoteArchive) return standIn(item.uri, plainly("RemoteArchive"));
        if (item instanceof asset.AssetArchive)
            return standIn(
                item.assets.then((assets) =>
                    Object.fromEntries(Object.entries(assets).map(([name, member]) => [name, walk(member)])),
                ),
                plainly("AssetArchive"),
            );
        if (Array.isArray(item)) return item.map(walk);
        if (item !== null && typeof item === "object" && Object.getPrototypeOf(item) === Object.prototype) {
            const plain: Record<string, unknown> = {};
            for (const [key, field] of Object.entries(item)) plain[key] = walk(field);
            return plain;
        }
        return item; // anything else is left to the fidelity check
    };
    const plain = walk(value);
    // An archive's members are walked when its contents arrive, and may hold assets of their own.
    while (pending.length > 0) await Promise.all(pending.splice(0));
    return plain;
}

function assetFrom(
    encoded: EncodedAsset,
    asset: typeof pulumi.asset,
    texts: AssetTexts | undefined,
): pulumi.asset.Asset | pulumi.asset.Archive {
    switch (encoded.kind) {
        case "StringAsset": {
            if (!("apart" in encoded)) return new asset.StringAsset(encoded.value);
            const text = texts?.get(encoded.apart);
            if (text === undefined) throw new MissingText(`run store: no kept text ${encoded.apart}`);
            return new asset.StringAsset(text);
        }
        case "FileAsset":
            return new asset.FileAsset(encoded.value);
        case "RemoteAsset":
            return new asset.RemoteAsset(encoded.value);
        case "FileArchive":
            return new asset.FileArchive(encoded.value);
        case "RemoteArchive":
            return new asset.RemoteArchive(encoded.value);
        case "AssetArchive":
            return new asset.AssetArchive(
                Object.fromEntries(
                    Object.entries(encoded.value).map(([name, item]) => [
                        name,
                        restore(item, asset, texts) as pulumi.asset.Asset | pulumi.asset.Archive,
                    ]),
                ),
            );
    }
}

function restore(value: unknown, asset: typeof pulumi.asset | undefined, texts: AssetTexts | undefined): unknown {
    if (value === UNDEFINED) return undefined;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = restore(value[i], asset, texts);
    } else if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record);
        if (keys.length === 1 && keys[0] === ASSET) {
            if (!asset) throw new Error("run store: an encoded asset decoded without the SDK's asset classes");
            return assetFrom(record[ASSET] as EncodedAsset, asset, texts);
        }
        for (const key of keys) record[key] = restore(record[key], asset, texts);
    }
    return value;
}

/** A run as text; with `texts`, the long texts of its string assets are put there and named by id. */
export async function encodeRun(run: StackRun, texts?: AssetTextSink): Promise<string> {
    // No replacer: the walk marked every undefined, and JSON.stringify without one is several times faster.
    return JSON.stringify(await withPlainAssets(run, await sdkAssets(), texts));
}

/** How the asset marker key appears in an encoded run's text (JSON escapes its NUL characters). */
const ASSET_IN_TEXT = JSON.stringify(ASSET);

/** The run `text` encodes; the texts it names are read from `texts` (MissingText if one is not there). */
export async function decodeRun(text: string, texts?: AssetTexts): Promise<StackRun> {
    // A run without assets decodes without the SDK.
    const asset = text.includes(ASSET_IN_TEXT) ? await sdkAssets() : undefined;
    return restore(JSON.parse(text), asset, texts) as StackRun;
}

/**
 * Whether `text` (with the texts it put apart in `texts`) carries `run` whole: decoded, it is deep-equal (same
 * prototypes, so no Date, Map or class instance became a plain object) and encodes to the same text (so the assets'
 * contents, promises that a deep-equal check does not look into, came through too: a text apart by its content hash).
 */
export async function carriesWhole(text: string, run: StackRun, texts?: AssetTexts): Promise<boolean> {
    const decoded = await decodeRun(text, texts);
    return isDeepStrictEqual(decoded, run) && (await encodeRun(decoded, texts && memoryTexts())) === text;
}

/**
 * Variables that name the process running the tests, never read by the program: left out of a run's key. Mocha
 * gives each parallel worker its own MOCHA_WORKER_ID, so with them in the key every run was planned once per
 * worker (half of a cold `npm test`'s 149 fresh runs); npm test and the bench mark their processes with a new
 * value on each run (scripts/test.ts STEP_MARKER, bench/bench.ts).
 */
export const PROCESS_IDENTITY: ReadonlySet<string> = new Set([
    "MOCHA_WORKER_ID",
    "VOTEAPP_TEST_STEP",
    "VOTEAPP_BENCH_RUN",
    // How the test process was started, by the shell (`_`, the command's path) or npm (`npm_*` below): `npx mocha f`,
    // `node …/mocha.js f` and `npm test` plan the same program.
    "_",
    "OLDPWD",
    "SHLVL",
    "INIT_CWD",
]);

/** Whether a variable only names the process (PROCESS_IDENTITY, or one npm sets for the script it runs). */
export function namesTheProcess(name: string): boolean {
    return PROCESS_IDENTITY.has(name) || name.startsWith("npm_");
}

/** Options of a disk run store; the defaults are those of the tests' shared store. */
export interface DiskRunStoreOptions {
    /**
     * How long a miss waits for a live process planning the same key before planning it too (a claimant that is
     * stuck or far slower than planned). Waiting longer only costs wall time; planning too only costs CPU.
     */
    readonly claimWaitMs?: number;
}

/** A planning process can take several seconds under load; far past that, the claimant is taken as stuck. */
const CLAIM_WAIT_MS = 60_000;
/** First pause between looks at a claimed key's files; it grows to at most MAX_POLL_MS. */
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

/** A disk run store (RunStore), with the single reads and writes its `run` is made of. */
export interface DiskRunStore extends RunStore {
    /** The run kept under this key, as a fresh object, or undefined. */
    read(key: string): Promise<StackRun | undefined>;
    /** Keeps a run under its key unless JSON cannot carry it whole; then marks the key as declined. */
    write(key: string, run: StackRun): Promise<void>;
}

/** Whether a process with this id is running (one of another user counts: it exists). */
function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The texts apart (AssetTexts) of a disk run store, one file each, named by id, in `dir`: written whole and once,
 * read once a process, and only if the file's content has the id it is named by (else it is not there).
 */
function diskTexts(dir: string): AssetTexts & { keep(id: string, text: string): void } {
    const known = new Map<string, string>();
    const fileOf = (id: string) => path.join(dir, `${id}.utf16le`);
    return {
        keep(id, text) {
            if (known.has(id)) return;
            if (!fs.existsSync(fileOf(id))) {
                fs.mkdirSync(dir, { recursive: true });
                // UTF-16 code units, as JavaScript holds them: UTF-8 would lose a lone surrogate.
                writeFileWhole(fileOf(id), Buffer.from(text, "utf16le"));
            }
            known.set(id, text);
        },
        get(id) {
            let text = known.get(id);
            if (text !== undefined) return text;
            try {
                text = fs.readFileSync(fileOf(id)).toString("utf16le");
            } catch {
                return undefined;
            }
            if (textId(text) !== id) {
                // Altered: removed, so that the next run that keeps this text writes it again.
                fs.rmSync(fileOf(id), { force: true });
                return undefined;
            }
            known.set(id, text);
            return text;
        },
    };
}

/**
 * A run store on disk under `dir`/<source hash>/; in memory, the encoded runs this process has seen.
 *
 * A miss is planned by one process at a time: the first to miss claims the key (a `<run file>.claim` created
 * whole and exclusively, holding its pid and a token of its own), plans, writes the run and removes the claim,
 * whatever the planning did (`finally`). Another process (or another call in this one) that misses while the
 * claim is there waits for the run file and reads it. It plans the run itself when the claim goes away without a
 * run (the planning failed: so fails its own; or the run was declined, see below), when the claimant's process is
 * gone (its claim is taken over), or after `claimWaitMs`. A run JSON cannot carry whole leaves a
 * `<run file>.declined` marker, so that every later miss plans it at once, unclaimed (as it must: it is never kept).
 */
export function diskRunStore(
    dir: string = RUN_STORE_DIR,
    hash: string = sourceHash(),
    { claimWaitMs = CLAIM_WAIT_MS }: DiskRunStoreOptions = {},
): DiskRunStore {
    const home = path.join(dir, hash);
    const seen = new Map<string, string>();
    let prepared = false;
    // The environment is part of what a program may read (a test sets a CI job's variables around a run).
    const withEnvironment = (key: string) =>
        JSON.stringify([
            key,
            Object.entries(process.env)
                .filter(([name]) => !namesTheProcess(name))
                .sort(([a], [b]) => (a < b ? -1 : 1)),
        ]);
    const fileOf = (key: string) =>
        path.join(home, `${crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`);
    const prepare = () => {
        if (prepared) return;
        prepared = true;
        fs.mkdirSync(home, { recursive: true });
        // Runs of other sources can never be read again.
        for (const other of fs.readdirSync(dir)) {
            if (other !== hash) fs.rmSync(path.join(dir, other), { recursive: true, force: true });
        }
    };
    /** A file's text, or undefined when there is none (or it cannot be read). */
    const textOf = (file: string) => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    };
    const keptTexts = diskTexts(path.join(home, "texts"));
    // Keyed by the environment-qualified key; the first line of each file is that key, so that a file name
    // collision reads as a miss, not as another run.
    const readKept = async (key: string): Promise<StackRun | undefined> => {
        let text = seen.get(key);
        if (text === undefined) {
            const file = textOf(fileOf(key));
            if (file === undefined) return undefined;
            const newline = file.indexOf("\n");
            if (file.slice(0, newline) !== JSON.stringify(key)) return undefined;
            text = file.slice(newline + 1);
            seen.set(key, text);
        }
        try {
            return await decodeRun(text, keptTexts);
        } catch (error) {
            if (!(error instanceof MissingText)) throw error;
            seen.delete(key);
            return undefined; // a text it names is gone or altered: planned (and kept) again
        }
    };
    const isDeclined = (key: string) => textOf(`${fileOf(key)}.declined`) === JSON.stringify(key);
    const writeKept = async (key: string, run: StackRun) => {
        try {
            const apart = memoryTexts();
            const text = await encodeRun(run, apart);
            const whole = await carriesWhole(text, run, apart);
            if (whole) seen.set(key, text);
            prepare();
            // Its texts before the run: a reader that finds the run finds what it names.
            if (whole) for (const [id, kept] of apart.texts) keptTexts.keep(id, kept);
            if (whole) writeFileWhole(fileOf(key), `${JSON.stringify(key)}\n${text}`);
            else writeFileWhole(`${fileOf(key)}.declined`, JSON.stringify(key)); // not faithfully JSON: keep running it
        } catch {
            // A store that cannot be written (read-only tree, a concurrent clean-up) only costs time.
        }
    };
    /**
     * Claims the key, or says who holds it: "mine" (the claim file holds `token`), the pid of the live holder, or
     * "unclaimable" (the store cannot be written: plan without a claim). A dead holder's claim is taken over.
     */
    const claim = (claimFile: string, token: string): "mine" | "unclaimable" | number => {
        // A few tries: a claim released or taken over between two steps here is claimed again on the next one.
        for (let attempt = 0; attempt < 5; attempt++) {
            try {
                prepare();
                // Exclusive and whole at once: a link fails if the claim exists, and never shows a half-written one.
                const own = `${claimFile}.${crypto.randomUUID()}.partial`;
                fs.writeFileSync(own, token);
                try {
                    fs.linkSync(own, claimFile);
                    return "mine";
                } finally {
                    fs.rmSync(own, { force: true });
                }
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== "EEXIST") return "unclaimable";
            }
            const held = textOf(claimFile);
            if (held === undefined) continue; // released meanwhile
            const pid = Number(held.split(" ")[0]);
            if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
            // The claimant died planning: take its claim over (unless another waiter just did).
            try {
                if (textOf(claimFile) === held) fs.rmSync(claimFile, { force: true });
            } catch {
                return "unclaimable";
            }
        }
        return "unclaimable";
    };
    const release = (claimFile: string, token: string) => {
        // Only one's own claim: after a takeover the file may be another process's.
        try {
            if (textOf(claimFile) === token) fs.rmSync(claimFile, { force: true });
        } catch {
            // Left behind: a waiter plans the run itself after its wait (or once this process is gone).
        }
    };
    return {
        read: (runKey) => readKept(withEnvironment(runKey)),
        write: (runKey, run) => writeKept(withEnvironment(runKey), run),
        async run(runKey, plan) {
            const key = withEnvironment(runKey);
            const claimFile = `${fileOf(key)}.claim`;
            const token = `${process.pid} ${crypto.randomUUID()}`;
            const deadline = Date.now() + claimWaitMs;
            let pause = FIRST_POLL_MS;
            let holder: "mine" | "unclaimable" | number | undefined;
            for (;;) {
                const kept = await readKept(key);
                if (kept) return kept;
                if (isDeclined(key)) break;
                holder = claim(claimFile, token);
                // Claimed: the run may have been written between the look above and the claim.
                if (holder === "mine") {
                    const keptMeanwhile = await readKept(key);
                    if (keptMeanwhile) {
                        release(claimFile, token);
                        return keptMeanwhile;
                    }
                    break;
                }
                if (holder === "unclaimable" || Date.now() >= deadline) break;
                await sleep(pause);
                pause = Math.min(pause * 2, MAX_POLL_MS);
            }
            try {
                const run = await plan();
                await writeKept(key, run);
                return run;
            } finally {
                if (holder === "mine") release(claimFile, token);
            }
        },
    };
}
