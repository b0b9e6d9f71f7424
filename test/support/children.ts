import * as path from "path";

/**
 * node's arguments for a child process that runs the repository's TypeScript (`node ...args entry.ts`): loaded
 * through esbuild's transform (test/support/esbuildTs.js), not ts-node, whose emit was most of a child's CPU; and
 * reading the tests' bundle store (test/support/installBundleStore.ts), so that a child planning a stack does not
 * bundle the functions again.
 */
export function typeScriptChild(...args: string[]): string[] {
    return [
        "--require",
        path.join(__dirname, "esbuildTs.js"),
        "--require",
        path.join(__dirname, "installBundleStore.ts"),
        ...args,
    ];
}

/**
 * The same, and the child reads and writes the tests' shared run store (test/support/installRunStore.ts, as
 * mocha's processes do): with this process's environment (the store keys on it), a stack run the suite planned
 * is not planned again in the child, nor the program loaded.
 */
export function typeScriptChildWithRunStore(...args: string[]): string[] {
    return typeScriptChild("--require", path.join(__dirname, "installRunStore.ts"), ...args);
}
