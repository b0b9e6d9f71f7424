import * as assert from "assert";
import * as path from "path";
import { BASELINE_SOURCE_FILE, BASELINE_TEST_FILE } from "../../bench/bench";
import { BUNDLE_STORE_DIR } from "../../components/serverless/bundleStore";
import { RUN_STORE_DIR } from "../../plan/stackRun";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { FORMAT_CACHE_FILE, TEST_CACHES_DIR } from "../../scripts/test";
import { CACHE_DIR as TYPES_AND_LINT_CACHE_DIR } from "../../scripts/typesAndLint";
import { APP_TEST_CACHE_DIR } from "../app/testCache";
import { TRANSFORM_CACHE_DIR } from "../support/esbuildTs";
import { readImportGraph } from "../support/importGraph";

describe("bench: the test loop's one-file changes (bench/bench.ts)", function () {
    it("the program source it changes is one the baseline test file imports", () => {
        const graph = readImportGraph(PROJECT_ROOT);
        assert.ok(
            graph[BASELINE_TEST_FILE]?.includes(BASELINE_SOURCE_FILE),
            `${BASELINE_TEST_FILE} does not import ${BASELINE_SOURCE_FILE}: the loop would change a file the baseline does not test`,
        );
    });

    it("its clean clone empties every cache npm test keeps (a clean clone has none)", () => {
        const caches = [
            RUN_STORE_DIR,
            BUNDLE_STORE_DIR,
            APP_TEST_CACHE_DIR,
            TYPES_AND_LINT_CACHE_DIR,
            FORMAT_CACHE_FILE,
            TRANSFORM_CACHE_DIR,
        ];
        for (const cache of caches) {
            assert.ok(cache.startsWith(TEST_CACHES_DIR + path.sep), `${cache} is outside ${TEST_CACHES_DIR}`);
        }
        assert.strictEqual(TEST_CACHES_DIR, path.join(PROJECT_ROOT, "node_modules", ".cache"));
    });
});
