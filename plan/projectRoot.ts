import * as fs from "fs";
import * as path from "path";

/**
 * Where the projects' stack files live and which there are: apart from plan/stackFile.ts, as finding them needs no YAML or config reader, so the entry points that answer
 * before planning (the CLIs' usage errors, an unknown stack, `--list`) and the tests' run store preload load this
 * alone (stackFile's imports cost a process ~0.13 CPU-s).
 */

/** The project root: where Pulumi.yaml and the stack files live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Where the bootstrap project's Pulumi.yaml and stack files live. */
export const BOOTSTRAP_ROOT = path.join(PROJECT_ROOT, "bootstrap");

/** Stacks that have a Pulumi.<stack>.yaml file. */
export function listStacks(root: string = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
