import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { BUNDLE_STORE_DIR, type BundleRequest, type BundleStore } from "../../components/serverless/bundleStore";
import { writeFileWhole } from "../../scripts/writeWhole";

/**
 * Every esbuild bundle the program builds (the Lambda handlers, the database setup function), kept on disk for
 * every test file, mocha worker and child of every test run (issue 16.9): a bundle is about 0.4 CPU-s of esbuild,
 * and each process that planned a stack built it again. A bundle is kept under its request (entry, esbuild's
 * options and version) with what it was built from, and read back while that is unchanged:
 * - the content of every file esbuild read (its metafile's inputs);
 * - the listing of each directory holding an input of our own (not under node_modules): a new file there can
 *   change what an import resolves to (`./dep` to dep.tsx rather than dep.ts, a new index.ts);
 * - from those directories up to the root: the package.json, tsconfig.json, jsconfig.json and package-lock.json
 *   each holds, or their absence, and whether a node_modules is there (all change how imports resolve);
 * - the root's package-lock.json (the installed packages, whose package.json files decide their entry points).
 * Not the whole source tree, so a bundle outlives changes to files it never read (a component's, a test's).
 *
 * A bundle is kept only if nothing it was built from changed while esbuild built it (judged by the files' and
 * directories' change times against the file system's clock taken just before), so what is kept is what a fresh
 * build of the recorded files makes. An entry that cannot be read, is corrupt or was written by another format is
 * a miss, and rebuilt. Entries are written whole (scripts/writeWhole.ts): a reader in a parallel worker sees none
 * of one or all of it.
 */

/** Bumped when what an entry records changes: older entries are then misses. */
const ENTRY_FORMAT = 1;

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Files of a directory that change how imports below it resolve. */
const RESOLUTION_FILES = ["package.json", "package-lock.json", "tsconfig.json", "jsconfig.json"] as const;

/** One thing a bundle depends on and its state when it was built: [kind, absolute path, state]. */
type Fact = readonly [kind: "content" | "listing" | "presence", file: string, state: string];

interface Entry {
    readonly format: number;
    readonly request: BundleRequest;
    readonly facts: readonly Fact[];
    readonly code: string;
}

const digest = (data: string | Buffer): string => crypto.createHash("sha256").update(data).digest("hex");

/** Whether `error` says the file is not there (anything else, a permission error, is no fact). */
const isAbsent = (error: unknown): boolean =>
    error instanceof Error && ["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "");

function stateOf(kind: Fact[0], file: string): string {
    try {
        if (kind === "content") return digest(fs.readFileSync(file));
        if (kind === "listing")
            return digest(
                fs
                    .readdirSync(file, { withFileTypes: true })
                    .map((entry) => `${entry.name}\0${entry.isDirectory() ? "d" : "f"}`)
                    .sort()
                    .join("\n"),
            );
        return fs.statSync(file).isDirectory() ? "directory" : "file";
    } catch (error) {
        if (isAbsent(error)) return "absent";
        throw error;
    }
}

const isLocal = (file: string): boolean => !file.split(path.sep).includes("node_modules");

/** `dir` and each directory above it, up to `root` (or the file system's root if `dir` is not below it). */
function directoriesUp(dir: string, root: string): string[] {
    const dirs = [dir];
    for (let current = dir; current !== root && path.dirname(current) !== current;) {
        current = path.dirname(current);
        dirs.push(current);
    }
    return dirs;
}

/** The paths a bundle built from `inputs` depends on, by kind. */
function dependencies(inputs: readonly string[], root: string): [Fact[0], string][] {
    const localDirs = [...new Set(inputs.filter(isLocal).map((input) => path.dirname(input)))].sort();
    const upward = [...new Set(localDirs.flatMap((dir) => directoriesUp(dir, root)))].sort();
    const all: [Fact[0], string][] = [
        ...inputs.map((input): [Fact[0], string] => ["content", input]),
        ...localDirs.map((dir): [Fact[0], string] => ["listing", dir]),
        ...upward.flatMap((dir) => [
            ...RESOLUTION_FILES.map((name): [Fact[0], string] => ["content", path.join(dir, name)]),
            ["presence", path.join(dir, "node_modules")] as [Fact[0], string],
        ]),
        ["content", path.join(root, "package-lock.json")],
    ];
    return [...new Map(all.map((dependency) => [dependency.join("\0"), dependency])).values()];
}

/** Whether every fact still holds. */
const holds = (facts: readonly Fact[]): boolean => facts.every(([kind, file, state]) => stateOf(kind, file) === state);

function isFact(value: unknown): value is Fact {
    return (
        Array.isArray(value) &&
        value.length === 3 &&
        ["content", "listing", "presence"].includes(value[0]) &&
        value.every((part) => typeof part === "string")
    );
}

/** The entry's code if `text` is an entry of this format for `request` whose facts still hold. */
function validCode(text: string, request: BundleRequest): string | undefined {
    const entry = JSON.parse(text) as Partial<Entry> | null;
    if (
        entry?.format !== ENTRY_FORMAT ||
        typeof entry.code !== "string" ||
        !Array.isArray(entry.facts) ||
        !entry.facts.every(isFact) ||
        !isDeepStrictEqual(entry.request, JSON.parse(JSON.stringify(request)))
    )
        return undefined;
    return holds(entry.facts) ? entry.code : undefined;
}

/**
 * The file system's current time as change times show it (coarse: one kernel tick), read at the start of a tick:
 * a file changed after this call has a change time at or after it, one changed before it an earlier one.
 */
async function fileSystemClock(dir: string): Promise<bigint> {
    const probe = path.join(dir, `clock.${process.pid}.${crypto.randomUUID()}`);
    let writes = 0;
    const now = (): bigint => {
        fs.writeFileSync(probe, String(writes++)); // new content: the write itself sets the change time
        return fs.statSync(probe, { bigint: true }).ctimeNs;
    };
    try {
        const before = now();
        for (let tries = 0; tries < 1000; tries++) {
            const after = now();
            if (after !== before) return after;
            await new Promise((resolve) => setTimeout(resolve, 1));
        }
        throw new Error(`the change time of ${probe} never moved`);
    } finally {
        fs.rmSync(probe, { force: true });
    }
}

/** Whether any of `files` (those that exist) changed at or after `clock`. */
function changedSince(files: readonly string[], clock: bigint): boolean {
    return files.some((file) => {
        const stat = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
        return stat !== undefined && stat.ctimeNs >= clock;
    });
}

/**
 * A store in `dir` (node_modules/.cache/voteapp-bundles by default) for bundles of files in `root` (the
 * repository): resolution files and node_modules are looked for up to it.
 */
export function diskBundleStore(dir: string = BUNDLE_STORE_DIR, root: string = REPOSITORY_ROOT): BundleStore {
    const fileOf = (request: BundleRequest): string =>
        path.join(dir, `${digest(JSON.stringify([request.entry, request.options, request.esbuildVersion]))}.json`);
    return {
        async bundle(request, build) {
            const file = fileOf(request);
            try {
                const code = validCode(fs.readFileSync(file, "utf8"), request);
                if (code !== undefined) return code;
            } catch {
                // Unreadable or corrupt: built again below, and replaced.
            }
            let clock: bigint | undefined;
            try {
                fs.mkdirSync(dir, { recursive: true });
                clock = await fileSystemClock(dir);
            } catch {
                // No place to keep it: built all the same.
            }
            const built = await build();
            if (clock === undefined) return built.code;
            try {
                const paths = dependencies(built.inputs, root);
                const facts = paths.map(([kind, file]): Fact => [kind, file, stateOf(kind, file)]);
                const inputs = new Set(built.inputs);
                const unread = facts.some(([, file, state]) => inputs.has(file) && state === "absent");
                // A file or directory that appears or goes changes its directory; one whose content changes, itself.
                const watched = [
                    ...new Set(
                        paths.flatMap(([kind, file]) => (kind === "presence" ? [] : [file]).concat(path.dirname(file))),
                    ),
                ];
                if (!unread && !changedSince(watched, clock)) {
                    const entry: Entry = { format: ENTRY_FORMAT, request, facts, code: built.code };
                    writeFileWhole(file, JSON.stringify(entry));
                }
            } catch {
                // An input that is no file (one of esbuild's own namespaces), a store that cannot be written: not kept.
            }
            return built.code;
        },
    };
}
