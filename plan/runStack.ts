import type { ServiceTable } from "../shared/appContract";
import type { VoteAppTransforms } from "../stacks/transforms";
import { currentRunStore, type StackRun } from "./stackRun";
import { readStackConfig, type StackFileConfig } from "./stackFile";

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

/** The options a run's key holds; a run given any other is never stored. */
const KEYED_OPTIONS: ReadonlySet<string> = new Set<keyof RunStackOptions>(["overrides", "config", "services"]);

/**
 * What determines a run of a project's own program: the project (its stack-file root), the stack, the
 * resulting config and secret keys, the mocked account, and the service table when the caller hands one
 * (data: a different table is a different run). A run with any other option (transforms, which are code, or
 * any option added later) has none.
 */
export function runKey(
    project: ProjectUnderTest,
    stack: string,
    stackConfig: StackFileConfig,
    context: { readonly region: string; readonly accountId: string },
    services?: RunStackOptions["services"],
): string {
    const config = Object.fromEntries(Object.entries(stackConfig.config).sort(([a], [b]) => (a < b ? -1 : 1)));
    return JSON.stringify({
        root: project.root ?? "",
        project: stackConfig.project,
        stack,
        config,
        secretKeys: [...stackConfig.secretKeys].sort(),
        context,
        services: services ?? null,
    });
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
    // Only config and the service table (data) are in the key: a run given anything else (transforms, which are
    // code, or any option added later) is never read from or written to the store.
    const store = Object.keys(options).every((option) => KEYED_OPTIONS.has(option)) ? currentRunStore() : undefined;
    const plan = async (): Promise<StackRun> => {
        // The harness (and with it the SDK) only once a run is planned: a run the store holds needs neither.
        const { runMocked } = await import("./harness");
        const program = await project.program(options);
        const mocked = await runMocked(program, {
            project: stackConfig.project,
            stack,
            config: stackConfig.config,
            secretKeys: stackConfig.secretKeys,
            context,
        });
        return { ...mocked, stackConfig };
    };
    if (!store) return plan();
    const run = await store.run(runKey(project, stack, stackConfig, context, options.services), plan);
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
