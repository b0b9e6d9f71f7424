import type { ServiceTable } from "../shared/appContract";
import type { VoteAppTransforms } from "../stacks/transforms";
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
    /** The app's service table (tests that add a service). @default APP_SERVICE_TABLE */
    readonly services?: ServiceTable;
}

/** Where a mocked run's config and program come from: a project's stack files and its program. */
export interface ProjectUnderTest {
    /** Directory holding the project's Pulumi.<stack>.yaml files. */
    readonly root?: string;
    /** Loads the program lazily, so the harness's mocks are in place before any program module initialises. */
    readonly program: (options: RunStackOptions) => Promise<() => object>;
}

/** Runs a project's program under the one mock harness with a stack's config (and overrides). */
export async function runProject(
    project: ProjectUnderTest,
    stack: string,
    options: RunStackOptions = {},
): Promise<StackRun> {
    const base = options.config ?? readStackConfig(stack, project.root);
    const stackConfig: StackFileConfig = { ...base, config: { ...base.config, ...options.overrides } };
    const namespace = `${stackConfig.project}:`;
    const context = {
        region: stackConfig.config[`${namespace}region`] ?? "us-east-1",
        accountId: stackConfig.config[`${namespace}accountId`] ?? "123456789012",
    };
    const program = await project.program(options);
    const run = await runMocked(program, {
        project: stackConfig.project,
        stack,
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        context,
    });
    return { ...run, stackConfig };
}

/** The main program (stacks/voteAppProgram) with the given transforms. */
const VOTEAPP: ProjectUnderTest = {
    program: async (options) => {
        const { voteAppProgram } = await import("../stacks");
        return () => voteAppProgram({ transforms: options.transforms, services: options.services });
    },
};

/**
 * Runs the real program (stacks/voteAppProgram) under the mock harness with a stack's config: what
 * `pulumi up -s <stack>` would register, without AWS or the CLI.
 */
export function runStack(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    return runProject(VOTEAPP, stack, options);
}
