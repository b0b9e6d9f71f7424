import * as fs from "fs";
import * as path from "path";

/**
 * Where the project's stack files live and which there are, apart from plan/stackFile.ts (which re-exports both):
 * reading them needs no YAML or config reader, so the entry points that answer before planning (the CLIs' usage
 * errors, an unknown stack, `--list`) and the tests' run store preload load this alone (stackFile's imports cost
 * each process ~0.13 CPU-s).
 */

/** The project root: where Pulumi.yaml and the stack files live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Stacks that have a Pulumi.<stack>.yaml file. */
export function listStacks(root: string = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
