import * as assert from "assert";
import { runStack } from "../../plan/runStack";
import { type StackRun } from "../../plan/stackRun";
import { encodeRun } from "../support/runStore";
import { stackRun } from "../support/stacks";

/**
 * A run as the store encodes it (assets with their contents), its lists in URN order: the order resources
 * register in is not the program's (a process's first run of a Lambda waits for its bundle to build, later
 * runs reuse it).
 */
async function comparable(run: StackRun): Promise<Record<string, unknown>> {
    const encoded = JSON.parse(await encodeRun(run)) as Record<string, unknown>;
    const byUrn = (items: unknown) =>
        [...(items as { urn: string }[])].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    const invokes = (encoded.invokes as unknown[]).map((invoke) => JSON.stringify(invoke)).sort();
    return { ...encoded, resources: byUrn(encoded.resources), remoteChildren: byUrn(encoded.remoteChildren), invokes };
}

/**
 * Mocked runs turn the SDK's diagnostics off (plan/sdkInternals.ts withoutSdkDiagnostics: no source
 * positions, no error frames, no debug text) because nothing offline reads them. That must change nothing a
 * run registers: the same resources, inputs, outputs and invokes as with them kept (VOTEAPP_SDK_DIAGNOSTICS=1,
 * a run of its own: the variable is in the run store's key). A run with them kept costs ~2.5 CPU-s (a
 * source-mapped stack for each of ~14k promises), so two are compared: the largest graph (EKS: Kubernetes
 * provider, Helm, awsx's remote VPC) and the Lambda platform (archives bundled while the program runs). The
 * switch does not read config; all nine stack × platform runs compared the same when it was written.
 */
describe("a stack run registers the same with the SDK's diagnostics off as with them kept", function () {
    this.timeout(120_000);

    for (const [stack, platform] of [
        ["staging", "eks"],
        ["prod", "lambda"],
    ] as const) {
        it(`${stack} on ${platform}`, async () => {
            const overrides = { "voteapp:platform": platform };
            const lean = await stackRun(stack, { overrides });
            process.env.VOTEAPP_SDK_DIAGNOSTICS = "1";
            let kept: StackRun;
            try {
                kept = await runStack(stack, { overrides });
            } finally {
                delete process.env.VOTEAPP_SDK_DIAGNOSTICS;
            }
            assert.ok(lean.resources.length > 50, `only ${lean.resources.length} resources`);
            assert.deepStrictEqual(await comparable(lean), await comparable(kept));
        });
    }
});
