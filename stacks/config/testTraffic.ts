import { z } from "zod";
import type { Tier } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { commaList, isWholeInternet, publicCidrFormProblem } from "./rules";
import { DEFAULT_DEPLOYMENT_STRATEGY, type SafetyFlatConfig } from "./safety";

/**
 * Who may send blue/green test traffic (platform ecs): the test listener's port on the internet-facing load
 * balancer is opened only to these public CIDRs (office, VPN or CI egress). Test traffic reaches the new tasks
 * before users do, so it is never something anyone on the internet can ask for. Unset: ECS native deployments
 * have no test route at all, and CodeDeploy's test listener admits nobody.
 */

/** Inbound rules a security group holds by default (60); the load balancer's group also has 80/443. */
const MAX_TEST_CIDRS = 50;

/** ECS strategies that have a test route (a test listener); rolling has none. */
export const STRATEGIES_WITH_TEST_ROUTE: readonly string[] = [
    "blueGreen",
    "canary",
    "linear",
    "codeDeployAllAtOnce",
    "codeDeployCanary",
    "codeDeployLinear",
];

export const testTrafficKeys = {
    testTrafficCidrs: z
        .string()
        .optional()
        .transform(commaList)
        .superRefine((cidrs, ctx) => {
            for (const cidr of cidrs) {
                const why = publicCidrFormProblem(cidr, "the load balancer");
                if (why) ctx.addIssue({ code: "custom", message: why });
            }
            if (cidrs.length > MAX_TEST_CIDRS)
                ctx.addIssue({
                    code: "custom",
                    message: `lists ${cidrs.length} CIDRs; at most ${MAX_TEST_CIDRS} fit in the load balancer's security group`,
                });
        }),
};

export type TestTrafficFlatConfig = FlatOf<typeof testTrafficKeys> &
    Pick<SafetyFlatConfig, "platform" | "deploymentStrategy">;

/** Never the whole internet; only where a test route exists (ecs with a blue/green, canary, linear or CodeDeploy strategy). */
export const checkTestTraffic: ConfigCheck<TestTrafficFlatConfig> = (flat, tier: Tier, report) => {
    const cidrs = flat.testTrafficCidrs;
    if (cidrs.length === 0) return;
    const shown = cidrs.join(",");
    for (const cidr of cidrs.filter(isWholeInternet))
        report(
            "testTrafficCidrs",
            shown,
            `"${cidr}" would let anyone on the internet reach the new tasks before users do; list your office/VPN/CI egress CIDRs`,
        );
    if (flat.platform !== "ecs") {
        report(
            "testTrafficCidrs",
            shown,
            `is only used on platform ecs (here ${flat.platform}${flat.platform === "eks" ? ": test the idle slot through kubectl port-forward to its -preview Service" : ""}); remove it`,
        );
        return;
    }
    const strategy = flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier].ecs;
    if (!STRATEGIES_WITH_TEST_ROUTE.includes(strategy))
        report(
            "testTrafficCidrs",
            shown,
            `has no effect with ${qualifiedKey("deploymentStrategy")} = ${strategy}, which has no test route; remove it or choose ${STRATEGIES_WITH_TEST_ROUTE.join(", ")}`,
        );
};

export function resolveTestTraffic(flat: TestTrafficFlatConfig): readonly string[] {
    return flat.testTrafficCidrs;
}
