import * as path from "path";
import { runProject, type RunStackOptions, type StackRun } from "./runStack";
import { PROJECT_ROOT } from "./stackFile";

/** Where the bootstrap project's Pulumi.yaml and stack files live. */
export const BOOTSTRAP_ROOT = path.join(PROJECT_ROOT, "bootstrap");

/**
 * Runs the bootstrap program under the one mock harness with bootstrap/Pulumi.<stack>.yaml: what
 * `cd bootstrap && pulumi up -s <stack>` would register, without AWS or the CLI.
 */
export function runBootstrap(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    return runProject(
        {
            root: BOOTSTRAP_ROOT,
            program: async () => {
                const { bootstrapProgram } = await import("../bootstrap/program");
                return () => bootstrapProgram();
            },
        },
        stack,
        options,
    );
}
