import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as pulumi from "@pulumi/pulumi";
import { RUN_STORE_DIR, type RunStore, type StackRun } from "../../plan/runStack";
import { PROJECT_ROOT } from "../../plan/stackFile";

/**
 * Mocked stack runs shared by every test file and every mocha worker of a test run (issue 16.9): the same
 * stack × platform × config was planned again in each file that read it (73 of 173 runs in one `npm test`
 * repeated an earlier one). A run is a function of the program's sources and its config, so a finished run
 * is kept on disk under the content hash of the sources and the run's key (plan/runStack.ts `runKey`), and a
 * later reader in any worker gets a fresh copy of it. Installed by test/support/installRunStore.ts, which
 * .mocharc.json requires, so `npx mocha <file>` shares too.
 *
 * Trust: a run is kept only if it reads back deep-equal to what was planned (anything JSON cannot carry
 * makes it run fresh every time); any change to a file the program may read (everything but test/, bench/,
 * node_modules and dot-directories) or to the installed packages (package-lock.json) is a new hash, and so
 * a cold store; runs with transforms (code) or that fail are never kept. `VOTEAPP_RUN_STORE=off` turns it
 * off; `npm run bench` empties it before timing `npm test`, as a clean CI clone has none.
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
    | { readonly kind: "AssetArchive"; readonly value: Record<string, unknown> };

/** The run with every asset and archive replaced by a plain stand-in (their contents are promises). */
async function withPlainAssets(value: unknown): Promise<unknown> {
    if (value instanceof pulumi.asset.StringAsset) return { [ASSET]: { kind: "StringAsset", value: await value.text } };
    if (value instanceof pulumi.asset.FileAsset) return { [ASSET]: { kind: "FileAsset", value: await value.path } };
    if (value instanceof pulumi.asset.RemoteAsset) return { [ASSET]: { kind: "RemoteAsset", value: await value.uri } };
    if (value instanceof pulumi.asset.FileArchive) return { [ASSET]: { kind: "FileArchive", value: await value.path } };
    if (value instanceof pulumi.asset.RemoteArchive)
        return { [ASSET]: { kind: "RemoteArchive", value: await value.uri } };
    if (value instanceof pulumi.asset.AssetArchive) {
        const assets: Record<string, unknown> = {};
        for (const [name, asset] of Object.entries(await value.assets)) assets[name] = await withPlainAssets(asset);
        return { [ASSET]: { kind: "AssetArchive", value: assets } };
    }
    if (Array.isArray(value)) return Promise.all(value.map(withPlainAssets));
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const plain: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) plain[key] = await withPlainAssets(item);
        return plain;
    }
    return value; // anything else is left to the fidelity check
}

function assetFrom(encoded: EncodedAsset): pulumi.asset.Asset | pulumi.asset.Archive {
    switch (encoded.kind) {
        case "StringAsset":
            return new pulumi.asset.StringAsset(encoded.value);
        case "FileAsset":
            return new pulumi.asset.FileAsset(encoded.value);
        case "RemoteAsset":
            return new pulumi.asset.RemoteAsset(encoded.value);
        case "FileArchive":
            return new pulumi.asset.FileArchive(encoded.value);
        case "RemoteArchive":
            return new pulumi.asset.RemoteArchive(encoded.value);
        case "AssetArchive":
            return new pulumi.asset.AssetArchive(
                Object.fromEntries(
                    Object.entries(encoded.value).map(([name, asset]) => [
                        name,
                        restore(asset) as pulumi.asset.Asset | pulumi.asset.Archive,
                    ]),
                ),
            );
    }
}

function restore(value: unknown): unknown {
    if (value === UNDEFINED) return undefined;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = restore(value[i]);
    } else if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record);
        if (keys.length === 1 && keys[0] === ASSET) return assetFrom(record[ASSET] as EncodedAsset);
        for (const key of keys) record[key] = restore(record[key]);
    }
    return value;
}

export async function encodeRun(run: StackRun): Promise<string> {
    return JSON.stringify(await withPlainAssets(run), (_key, value: unknown) =>
        value === undefined ? UNDEFINED : value,
    );
}

export function decodeRun(text: string): StackRun {
    return restore(JSON.parse(text)) as StackRun;
}

/**
 * Whether `text` carries `run` whole: decoded, it is deep-equal (same prototypes, so no Date, Map or class
 * instance became a plain object) and encodes to the same text (so the assets' contents, promises that a
 * deep-equal check does not look into, came through too).
 */
export async function carriesWhole(text: string, run: StackRun): Promise<boolean> {
    const decoded = decodeRun(text);
    return isDeepStrictEqual(decoded, run) && (await encodeRun(decoded)) === text;
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
]);

/** A run store on disk under `dir`/<source hash>/; in memory, the encoded runs this process has seen. */
export function diskRunStore(dir: string = RUN_STORE_DIR, hash: string = sourceHash()): RunStore {
    const home = path.join(dir, hash);
    const seen = new Map<string, string>();
    let prepared = false;
    // The environment is part of what a program may read (a test sets a CI job's variables around a run).
    const withEnvironment = (key: string) =>
        JSON.stringify([
            key,
            Object.entries(process.env)
                .filter(([name]) => !PROCESS_IDENTITY.has(name))
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
    return {
        read(runKey) {
            const key = withEnvironment(runKey);
            let text = seen.get(key);
            if (text === undefined) {
                let file: string;
                try {
                    file = fs.readFileSync(fileOf(key), "utf8");
                } catch {
                    return undefined;
                }
                // First line: the key, so that a file name collision reads as a miss, not as another run.
                const newline = file.indexOf("\n");
                if (file.slice(0, newline) !== JSON.stringify(key)) return undefined;
                text = file.slice(newline + 1);
                seen.set(key, text);
            }
            return decodeRun(text);
        },
        async write(runKey, run) {
            const key = withEnvironment(runKey);
            const text = await encodeRun(run);
            if (!(await carriesWhole(text, run))) return; // not faithfully JSON: keep running it
            seen.set(key, text);
            try {
                prepare();
                // Written whole, then renamed: a reader in another worker sees no file or all of it.
                const file = fileOf(key);
                const partial = `${file}.${process.pid}.partial`;
                fs.writeFileSync(partial, `${JSON.stringify(key)}\n${text}`);
                fs.renameSync(partial, file);
            } catch {
                // A store that cannot be written (read-only tree, a concurrent clean-up) only costs time.
            }
        },
    };
}
