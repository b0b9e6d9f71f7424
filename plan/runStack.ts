import type { VoteAppTransforms } from "../stacks/transforms";
import type { CapturedResource } from "../shared/capturedResource";
import { runMocked, type MockedRun } from "./harness";
import { readStackConfig, type StackFileConfig } from "./stackFile";

export interface StackRun extends MockedRun {
    readonly stackConfig: StackFileConfig;
}

export interface RunStackOptions {
    /** Config values overriding the stack file's, e.g. `{ "voteapp:platform": "eks" }`. */
    readonly overrides?: Readonly<Record<string, string>>;
    /** Run with this config instead of reading a stack file (tests of invalid config). */
    readonly config?: StackFileConfig;
    /** Per-component transforms handed to the program (tests that weaken a secure default on purpose). */
    readonly transforms?: VoteAppTransforms;
}

/**
 * Runs the real program (stacks/voteAppProgram) under the mock harness with a stack's config: what
 * `pulumi up -s <stack>` would register, without AWS or the CLI.
 */
export async function runStack(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    const base = options.config ?? readStackConfig(stack);
    const stackConfig: StackFileConfig = { ...base, config: { ...base.config, ...options.overrides } };
    const namespace = `${stackConfig.project}:`;
    const context = {
        region: stackConfig.config[`${namespace}region`] ?? "us-east-1",
        accountId: stackConfig.config[`${namespace}accountId`] ?? "123456789012",
    };
    // Loaded lazily so the harness's mocks are in place before any program module initialises.
    const { voteAppProgram } = await import("../stacks");
    const run = await runMocked(() => voteAppProgram({ transforms: options.transforms }), {
        project: stackConfig.project,
        stack,
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        context,
    });
    return { ...run, stackConfig };
}

/** Resources of one type token. */
export function ofType(run: MockedRun, type: string): CapturedResource[] {
    return run.resources.filter((r) => r.type === type);
}
