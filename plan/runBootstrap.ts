import { BOOTSTRAP_ROOT } from "./projectRoot";
import { runProject, type RunStackOptions } from "./runStack";
import type { StackRun } from "./stackRun";

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
