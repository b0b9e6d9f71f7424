// `npm run cost:readme`: rewrites the README's generated cost block from the plan's estimates of the shipped
// stacks (test/plan/costReadme.test.ts fails when the README and the estimate disagree).
import * as fs from "fs";
import * as path from "path";
import { costFloors, renderFloorSection, replaceReadmeFloorSection } from "../plan/cost/floor";
import { renderReadmeCostSection, replaceReadmeCostSection } from "../plan/cost/readme";
import { estimateShippedStacks } from "../plan/cost/shippedStacks";
import { PROJECT_ROOT } from "../plan/projectRoot";

async function main(): Promise<void> {
    const file = path.join(PROJECT_ROOT, "README.md");
    const section = renderReadmeCostSection(await estimateShippedStacks());
    const floors = renderFloorSection(await costFloors());
    fs.writeFileSync(
        file,
        replaceReadmeFloorSection(replaceReadmeCostSection(fs.readFileSync(file, "utf8"), section), floors),
    );
    console.log(`README.md: cost and floor blocks rewritten`);
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
