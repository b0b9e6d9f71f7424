import { runStack } from "../runStack";
import { estimateCost, type CostEstimate } from "./estimate";
import { README_PLATFORMS, README_STACKS, type StackPlatform } from "./readme";

/** The estimate of every shipped stack on every platform (nine mocked plans, one after the other). */
export async function estimateShippedStacks(votesPerMonth?: number): Promise<Record<StackPlatform, CostEstimate>> {
    const estimates: Partial<Record<StackPlatform, CostEstimate>> = {};
    for (const stack of README_STACKS) {
        for (const platform of README_PLATFORMS) {
            const run = await runStack(stack, { overrides: { "voteapp:platform": platform } });
            const region = run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1";
            estimates[`${stack}/${platform}`] = estimateCost(run.resources, { region, votesPerMonth });
        }
    }
    return estimates as Record<StackPlatform, CostEstimate>;
}
