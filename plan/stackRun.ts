import * as path from "path";
import { slot } from "../shared/slot";
import type { MockedRun } from "./harness";
import { PROJECT_ROOT } from "./projectRoot";
import type { StackFileConfig } from "./stackFile";

/**
 * What a stack run is, and the run store in use: apart from plan/runStack.ts (which plans runs), as mocha's processes
 * install the tests' store (test/support/installRunStore.ts) before any test, and a mocha main process or a test
 * file that never plans should not pay for the SDK and the harness (~0.7 CPU-s a process) to do so. Only type
 * imports of those here.
 */

export interface StackRun extends MockedRun {
    readonly stackConfig: StackFileConfig;
}

/**
 * Where finished runs can be kept by what determines them, so that the many readers of one run (the test
 * files, spread over several mocha workers) plan it once: test/support/runStore.ts. With none set (the plan
 * CLI, the bench) every call runs the program.
 */
export interface RunStore {
    /**
     * The run kept under `key`, as a fresh object; if there is none, the run `plan` makes, which the store then
     * keeps if it can (it may decline one it cannot keep faithfully; a rejected `plan` is passed on, never kept).
     * A store shared by several processes may wait for another one planning the same key rather than call `plan`.
     */
    run(key: string, plan: () => Promise<StackRun>): Promise<StackRun>;
}

/**
 * Where test/support/runStore.ts keeps runs (one directory per source hash): here so that the bench, a tool,
 * can empty it without importing test support.
 */
export const RUN_STORE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "voteapp-runs");

const runStore = slot<RunStore>();

/** Sets (or, with undefined, removes) the store runs are read from and written to; returns the previous one. */
export const useRunStore = runStore.use;

/** The store set by useRunStore, if any. */
export const currentRunStore = runStore.current;
