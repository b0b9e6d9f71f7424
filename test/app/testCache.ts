import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/projectRoot";

/**
 * What the app tests build once and share between files, mocha workers and test runs (PostgreSQL's initialised
 * data directory). Keyed on what made it alone, so a change to the program, which it does not depend on, keeps it
 * (it was kept under the run store's source hash, and every program change ran initdb again). Under
 * node_modules/.cache, so a clean clone has none (`npm run bench` removes it with its clean clone);
 * `VOTEAPP_RUN_STORE=off` turns it off with the run store: each file then builds its own.
 */
export const APP_TEST_CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "voteapp-app-tests");

/** The shared directory, or undefined when the run store is off. */
export function sharedTestCache(root: string = APP_TEST_CACHE_DIR): string | undefined {
    return process.env.VOTEAPP_RUN_STORE === "off" ? undefined : root;
}

/** A short content hash of `parts`, for an entry's name. */
export function entryKey(...parts: readonly unknown[]): string {
    return crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/**
 * The directory `<family>-<key>` in the shared cache, made once by `make`: `make` fills a fresh directory of this
 * process's own, which is then renamed into place whole, so a reader in another worker sees none of it or
 * all of it. Of two workers making it at once, the first rename wins and the other's copy is dropped. Once made,
 * it replaces the family's entries of other keys (made from what no longer is: a data directory is tens of MB).
 * Undefined when the run store is off: the caller then builds in a place of its own.
 */
export async function sharedDirectory(
    family: string,
    key: string,
    make: (dir: string) => Promise<void>,
    root: string | undefined = sharedTestCache(),
): Promise<string | undefined> {
    if (!root) return undefined;
    const target = path.join(root, `${family}-${key}`);
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
    for (const other of fs.readdirSync(root)) {
        const stale = other.startsWith(`${family}-`) && !other.endsWith(".partial") && other !== path.basename(target);
        if (stale) fs.rmSync(path.join(root, other), { recursive: true, force: true });
    }
    return target;
}
