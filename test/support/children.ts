import { spawnSync } from "child_process";
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

/** How a TypeScript child run by runTypeScriptChild ended, and which @pulumi packages it had loaded by then. */
export interface TypeScriptChildResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Names under node_modules/@pulumi/ the child loaded (e.g. "pulumi", "aws"), sorted. */
    readonly pulumiPackages: readonly string[];
}

/**
 * Runs `node ...typeScriptChild(...args)` to its end with `preloads` (e.g. installRunStore.ts) required first, and
 * reports the @pulumi packages it loaded (test/support/pulumiLoadReport.ts): for the tests that an entry point
 * answers without the SDK.
 */
export function runTypeScriptChild(
    args: readonly string[],
    options: { readonly cwd: string; readonly preloads?: readonly string[]; readonly env?: NodeJS.ProcessEnv },
): TypeScriptChildResult {
    const preloads = [...(options.preloads ?? []), path.join(__dirname, "pulumiLoadReport.ts")];
    const result = spawnSync(
        process.execPath,
        typeScriptChild(...preloads.flatMap((preload) => ["--require", preload]), ...args),
        {
            cwd: options.cwd,
            env: options.env,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe", "pipe"],
            timeout: 120_000,
        },
    );
    if (result.error) throw result.error;
    const report = String(result.output[3] ?? "");
    if (report === "") throw new Error(`the child left no load report (status ${result.status}):\n${result.stderr}`);
    return {
        status: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
        pulumiPackages: JSON.parse(report) as string[],
    };
}
