import * as assert from "assert";
import { readStackConfig } from "../../plan/stackFile";
import { ConfigValidationError, parseVoteAppConfig, type VoteAppConfig } from "../../stacks/config";

/** Parses a shipped stack file's config with some keys changed (undefined removes the key). */
export function parseWith(stack: string, changes: Record<string, string | undefined> = {}): VoteAppConfig {
    const file = readStackConfig(stack);
    const raw = { ...file.config };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete raw[`voteapp:${key}`];
        else raw[`voteapp:${key}`] = value;
    }
    return parseVoteAppConfig(raw, { project: file.project, stack });
}

/** Asserts the change is refused with one problem naming the key, the value and the fragment of what is allowed. */
export function assertProblem(
    stack: string,
    changes: Record<string, string | undefined>,
    key: string,
    ...fragments: string[]
): void {
    assert.throws(
        () => parseWith(stack, changes),
        (err: unknown) => {
            assert.ok(err instanceof ConfigValidationError, `expected ConfigValidationError, got ${String(err)}`);
            const problem = err.problems.find((p) => p.key === `voteapp:${key}`);
            assert.ok(problem, `no problem for voteapp:${key}; got:\n${err.message}`);
            const line = err.message.split("\n").find((l) => l.includes(`voteapp:${key} =`)) ?? "";
            for (const fragment of fragments)
                assert.ok(line.includes(fragment), `message for voteapp:${key} lacks "${fragment}": ${line}`);
            return true;
        },
    );
}
