import * as assert from "assert";
import { PLATFORMS } from "../../stacks/config/rules";
import { stackRun } from "../support/stacks";
import { allWorkflowSteps } from "../support/workflows";

/**
 * Stack outputs the workflows read with `pulumi stack output <name>` ↔ the outputs the program exports
 * (stacks/outputs.ts). The scripts read theirs through that module's types; a workflow's shell line is not
 * type-checked. A read that tolerates a missing output (`|| true`, e.g. images before the first deploy) needs
 * some platform to export it; any other read needs every platform to, and must fail its step when the output is
 * missing: an assignment of its own under `set -e` (inside `echo "url=$(...)"` the failure passes "" on).
 */

interface OutputRead {
    readonly where: string;
    readonly name: string;
    readonly tolerant: boolean;
    /** The read's failure fails the step: `set -e` in the step, and the read assigned on a line of its own. */
    readonly failsTheStep: boolean;
}

function outputReads(): OutputRead[] {
    return allWorkflowSteps().flatMap(({ file, job, step }) =>
        (step.run ?? "").split("\n").flatMap((line) =>
            [...line.matchAll(/pulumi stack output ([\w-]+)/g)].map((match) => ({
                where: `${file} ${job} "${step.name ?? step.id ?? ""}"`,
                name: match[1],
                tolerant: /\|\| true\b/.test(line.slice(match.index)),
                failsTheStep:
                    /^\s*set -e/m.test(step.run ?? "") &&
                    new RegExp(`^\\s*\\w+=\\$\\(${match[0]}[^)]*\\)\\s*$`).test(line),
            })),
        ),
    );
}

describe("stack outputs the workflows read ↔ the program's outputs", function () {
    this.timeout(300_000);

    it("finds the deploy job's url and the preview's images", () => {
        assert.deepStrictEqual(
            outputReads()
                .map((read) => `${read.name}${read.tolerant ? " (tolerant)" : ""}`)
                .sort(),
            ["images (tolerant)", "url"],
        );
    });

    it("a read that does not tolerate a missing output fails its step when it is missing", () => {
        const swallowed = outputReads().filter((read) => !read.tolerant && !read.failsTheStep);
        assert.deepStrictEqual(
            swallowed.map((read) => `${read.where}: ${read.name}`),
            [],
            "assign the output on a line of its own, under set -e",
        );
    });

    it("every platform's stack exports each output a workflow reads (a tolerant read: at least one)", async () => {
        // dev per platform: the runs most other test files share (one mocked run each per worker).
        const exported = new Map<string, readonly string[]>();
        for (const platform of PLATFORMS) {
            const run = await stackRun(
                "dev",
                platform === "ecs" ? {} : { overrides: { "voteapp:platform": platform } },
            );
            assert.strictEqual(run.outputs.platform, platform);
            exported.set(platform, Object.keys(run.outputs));
        }
        for (const read of outputReads()) {
            const missing = PLATFORMS.filter((platform) => !exported.get(platform)?.includes(read.name));
            if (read.tolerant)
                assert.ok(missing.length < PLATFORMS.length, `${read.where}: no platform exports ${read.name}`);
            else
                assert.deepStrictEqual(
                    missing,
                    [],
                    `${read.where}: ${read.name} is missing from these platforms' outputs`,
                );
        }
    });
});
