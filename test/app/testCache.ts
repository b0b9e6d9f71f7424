import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RUN_STORE_DIR } from "../../plan/runStack";
import { sourceHash } from "../support/runStore";

/**
 * What the app tests build once per test run and share between files and mocha workers (PostgreSQL's
 * initialised data directory), kept beside the stack runs: in the run store's
 * directory for the current sources (test/support/runStore.ts). So it is keyed by the same content hash (the
 * program's sources, the lockfiles, Node's version), emptied with the run store when they change and by
 * `npm run bench` (which times a cold run, as on a clean clone), and off with it: `VOTEAPP_RUN_STORE=off`
 * builds everything afresh in every file. What a test file itself decides (initdb's arguments) goes into
 * the entry's name, since test/ is not part of the source hash.
 */

let home: string | null | undefined;

/** The shared directory of the current sources, or undefined when the run store is off. */
export function sharedTestCache(): string | undefined {
    if (home === undefined)
        home = process.env.VOTEAPP_RUN_STORE === "off" ? null : path.join(RUN_STORE_DIR, sourceHash());
    return home ?? undefined;
}

/** A short content hash of `parts`, for an entry's name. */
export function entryKey(...parts: readonly unknown[]): string {
    return crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/**
 * The directory `name` in the shared cache, made once by `make`: `make` fills a fresh directory of this
 * process's own, which is then renamed into place whole, so a reader in another worker sees none of it or
 * all of it. Of two workers making it at once, the first rename wins and the other's copy is dropped.
 * Undefined when the run store is off: the caller then builds in a place of its own.
 */
export async function sharedDirectory(name: string, make: (dir: string) => Promise<void>): Promise<string | undefined> {
    const root = sharedTestCache();
    if (!root) return undefined;
    const target = path.join(root, name);
    if (fs.existsSync(target)) return target;
    fs.mkdirSync(root, { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial);
    try {
        await make(partial);
        fs.renameSync(partial, target);
    } catch (error) {
        fs.rmSync(partial, { recursive: true, force: true });
        // Another worker renamed its copy first: use that one.
        if (fs.existsSync(target)) return target;
        throw error;
    }
    return target;
}
