import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { accountPlanFor } from "../../plan/cost/account";
import { estimateCost, type CostEstimate } from "../../plan/cost/estimate";
import {
    README_COST_BEGIN,
    README_COST_END,
    README_PLATFORMS,
    README_STACKS,
    renderReadmeCostSection,
    type StackPlatform,
} from "../../plan/cost/readme";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { costFloors, README_FLOOR_BEGIN, README_FLOOR_END, renderFloorSection } from "../../plan/cost/floor";
import { stackRun } from "../support/stacks";

describe("README cost statements", function () {
    this.timeout(300_000);
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

    it("the generated cost block equals what the plan's estimate gives today (run npm run cost:readme)", async () => {
        const estimates: Partial<Record<StackPlatform, CostEstimate>> = {};
        for (const stack of README_STACKS) {
            for (const platform of README_PLATFORMS) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                const account = await accountPlanFor(run);
                estimates[`${stack}/${platform}`] = estimateCost(run.resources, {
                    region: run.stackConfig.config["voteapp:region"],
                    ...(account ? { account } : {}),
                });
            }
        }
        const expected = renderReadmeCostSection(estimates as Record<StackPlatform, CostEstimate>);
        const begin = readme.indexOf(README_COST_BEGIN);
        const end = readme.indexOf(README_COST_END);
        assert.ok(begin >= 0 && end > begin, "README.md has no generated cost block");
        assert.strictEqual(
            readme.slice(begin, end + README_COST_END.length),
            expected,
            "README cost block is stale: run `npm run cost:readme`",
        );
    });

    it("the generated floor table equals what the plan's estimates give today (run npm run cost:readme)", async () => {
        const begin = readme.indexOf(README_FLOOR_BEGIN);
        const end = readme.indexOf(README_FLOOR_END);
        assert.ok(begin >= 0 && end > begin, "README.md has no generated floor block");
        assert.strictEqual(
            readme.slice(begin, end + README_FLOOR_END.length),
            renderFloorSection(await costFloors()),
            "README floor table is stale: run `npm run cost:readme`",
        );
    });

    it("states no dollar figure outside the generated blocks", () => {
        const begin = readme.indexOf(README_COST_BEGIN);
        const end = readme.indexOf(README_COST_END) + README_COST_END.length;
        const floorBegin = readme.indexOf(README_FLOOR_BEGIN);
        const floorEnd = readme.indexOf(README_FLOOR_END) + README_FLOOR_END.length;
        assert.ok(end <= floorBegin, "the floor block follows the cost block");
        const outside = readme.slice(0, begin) + readme.slice(end, floorBegin) + readme.slice(floorEnd);
        const figures = outside.match(/~?\$\s?\d[\d,.]*(\+|\/\w+)?/g) ?? [];
        assert.deepStrictEqual(figures, [], "dollar amounts in the README must come from the estimate's block");
    });
});
