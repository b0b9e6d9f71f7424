import { runStack, type RunStackOptions } from "../../plan/runStack";
import { type StackRun } from "../../plan/stackRun";
import { readStackConfig, type StackFileConfig } from "../../plan/stackFile";

/**
 * Shared test support over the one mock harness: runs of the shipped stacks are cached per process (the
 * program is deterministic), variants run fresh.
 */
const cache = new Map<string, Promise<StackRun>>();

/** A run of a shipped stack file, optionally with config overrides; cached per (stack, overrides). */
export function stackRun(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    const key = `${stack}:${JSON.stringify(options.overrides ?? {})}`;
    if (options.config || options.transforms || options.services) return runStack(stack, options);
    let run = cache.get(key);
    if (!run) {
        run = runStack(stack, options);
        cache.set(key, run);
    }
    return run;
}

/** The stack file's config with some keys changed or removed (value undefined), for invalid-config tests. */
export function stackConfigWith(stack: string, changes: Readonly<Record<string, string | undefined>>): StackFileConfig {
    const base = readStackConfig(stack);
    const config = { ...base.config };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    return { ...base, config };
}

/** Resource-level helpers live in ./resources (component tests use them without anything of the stacks). */
export { assertRejectsWith, descendantsOf, input, named, ofType, privateRouteTables, single } from "./resources";

/** The shipped environment stack files. */
export const SHIPPED_STACKS = ["dev", "staging", "prod"] as const;
