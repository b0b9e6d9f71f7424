import { runStack } from "../runStack";
import { accountPlanFor } from "./account";
import { estimateCost, type CostEstimate } from "./estimate";
import { README_PLATFORMS, README_STACKS, type StackPlatform } from "./readme";

/** The estimate of every shipped stack on every platform, with its account's bootstrap plan (mocked, one after the other). */
export async function estimateShippedStacks(votesPerMonth?: number): Promise<Record<StackPlatform, CostEstimate>> {
    const estimates: Partial<Record<StackPlatform, CostEstimate>> = {};
    for (const stack of README_STACKS) {
        for (const platform of README_PLATFORMS) {
            const run = await runStack(stack, { overrides: { "voteapp:platform": platform } });
            const region = run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1";
            const account = await accountPlanFor(run);
            estimates[`${stack}/${platform}`] = estimateCost(run.resources, {
                region,
                votesPerMonth,
                ...(account ? { account } : {}),
            });
        }
    }
    return estimates as Record<StackPlatform, CostEstimate>;
}
