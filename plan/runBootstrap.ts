import * as path from "path";
import { runMocked } from "./harness";
import type { RunStackOptions, StackRun } from "./runStack";
import { PROJECT_ROOT, readStackConfig, type StackFileConfig } from "./stackFile";

/** Where the bootstrap project's Pulumi.yaml and stack files live. */
export const BOOTSTRAP_ROOT = path.join(PROJECT_ROOT, "bootstrap");

/**
 * Runs the bootstrap program under the one mock harness with bootstrap/Pulumi.<stack>.yaml: what
 * `cd bootstrap && pulumi up -s <stack>` would register, without AWS or the CLI.
 */
export async function runBootstrap(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    const base: StackFileConfig = options.config ?? readStackConfig(stack, BOOTSTRAP_ROOT);
    const stackConfig: StackFileConfig = { ...base, config: { ...base.config, ...options.overrides } };
    const namespace = `${stackConfig.project}:`;
    const context = {
        region: stackConfig.config[`${namespace}region`] ?? "us-east-1",
        accountId: stackConfig.config[`${namespace}accountId`] ?? "123456789012",
    };
    // Loaded lazily so the harness's mocks are in place before any program module initialises.
    const { bootstrapProgram } = await import("../bootstrap/program");
    const run = await runMocked(() => bootstrapProgram(), {
        project: stackConfig.project,
        stack,
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        context,
    });
    return { ...run, stackConfig };
}
