import * as assert from "assert";
import { BASELINE_SOURCE_FILE, BASELINE_TEST_FILE } from "../../bench/bench";
import { PROJECT_ROOT } from "../../plan/stackFile";
import { readImportGraph } from "../support/importGraph";

describe("bench: the test loop's one-file changes (bench/bench.ts)", function () {
    it("the program source it changes is one the baseline test file imports", () => {
        const graph = readImportGraph(PROJECT_ROOT);
        assert.ok(
            graph[BASELINE_TEST_FILE]?.includes(BASELINE_SOURCE_FILE),
            `${BASELINE_TEST_FILE} does not import ${BASELINE_SOURCE_FILE}: the loop would change a file the baseline does not test`,
        );
    });
});
