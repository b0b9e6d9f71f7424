import * as assert from "assert";
import { INSTANCE_SIZES } from "../../components/eks/instanceSizes";
import { accountPlanFor } from "../../plan/cost/account";
import { estimateCost, type CostEstimate } from "../../plan/cost/estimate";
import { ec2Vcpus, PRICE_TABLES } from "../../plan/cost/prices";
import { HOURS_PER_MONTH } from "../../plan/cost/priceTable";
import { single, stackRun } from "../support/stacks";

/** The estimate `npm run plan` prints for a stack with some keys changed. */
async function estimateWith(stack: string, overrides: Record<string, string>): Promise<CostEstimate> {
    const run = await stackRun(stack, { overrides });
    return estimateCost(run.resources, {
        region: run.stackConfig.config["voteapp:region"],
        account: await accountPlanFor(run),
    });
}

const X86_EKS = { "voteapp:platform": "eks", "voteapp:cpuArchitecture": "x86_64" };
const nodeLine = (estimate: CostEstimate) => {
    const lines = estimate.lines.filter((l) => l.name === "eks-nodes" && /^EKS nodes: \d+ ×/.test(l.item));
    assert.strictEqual(lines.length, 1, estimate.lines.map((l) => l.item).join("; "));
    return lines[0];
};

describe("cost estimate: EKS nodes on x86 (plan/cost/prices)", function () {
    this.timeout(300_000);

    it("plans eks on x86 (c7i.large) and prices it in full: nodes recomputed by hand in both regions", async () => {
        for (const [region, usd] of [
            ["eu-west-1", 0.1008],
            ["us-east-1", 0.08925],
        ] as const) {
            const overrides = {
                ...X86_EKS,
                "voteapp:eksNodeInstanceTypes": "c7i.large",
                "voteapp:region": region,
                "voteapp:certificateArn": `arn:aws:acm:${region}:222222222222:certificate/00000000-0000-4000-8000-000000000002`,
            };
            const run = await stackRun("staging", { overrides });
            const group = single(run, "aws:eks/nodeGroup:NodeGroup");
            assert.deepStrictEqual(
                [group.inputs.instanceTypes, group.inputs.amiType],
                [["c7i.large"], "AL2023_x86_64_STANDARD"],
            );
            const estimate = await estimateWith("staging", overrides);
            assert.deepStrictEqual(estimate.notPriced, [], region);
            const nodes = Number((group.inputs.scalingConfig as { desiredSize: number }).desiredSize);
            const line = nodeLine(estimate);
            assert.deepStrictEqual(
                [line.priceKey, line.unitPrice, line.quantity],
                ["ec2.c7i.large.hour", usd, nodes * HOURS_PER_MONTH],
                region,
            );
            // GuardDuty's runtime monitoring prices the nodes' vCPUs: c7i.large has 2.
            const runtime = estimate.lines.find((l) => l.priceKey === "guardduty.runtime.vcpu-month");
            assert.ok(runtime && runtime.quantity >= nodes * 2, `${region}: ${runtime?.item}`);
        }
    });

    it("dev on eks x86 (working hours, default node count) has no line left unpriced", async () => {
        const estimate = await estimateWith("dev", { ...X86_EKS, "voteapp:eksNodeInstanceTypes": "m7i.large" });
        assert.deepStrictEqual(estimate.notPriced, []);
        assert.strictEqual(nodeLine(estimate).unitPrice, 0.1124);
    });

    it("a node type the capacity check accepts but the table does not price is listed not priced, never zero", async () => {
        const estimate = await estimateWith("staging", { ...X86_EKS, "voteapp:eksNodeInstanceTypes": "m7i.2xlarge" });
        assert.ok(
            estimate.notPriced.some((n) => n.name === "eks-nodes" && /ec2\.m7i\.2xlarge\.hour/.test(n.reason)),
            JSON.stringify(estimate.notPriced),
        );
        assert.ok(!estimate.lines.some((l) => l.priceKey === "ec2.m7i.2xlarge.hour"));
        // Its vCPUs are known (the capacity check's table), so GuardDuty's per-vCPU line is still priced.
        assert.ok(estimate.lines.some((l) => l.priceKey === "guardduty.runtime.vcpu-month"));
    });

    it("knows the vCPUs of every type the node capacity check knows (one table), and prices x86 and arm64 alike", () => {
        for (const [type, [vcpus]] of Object.entries(INSTANCE_SIZES)) assert.strictEqual(ec2Vcpus(type), vcpus, type);
        const priced = (arch: string) =>
            Object.keys(PRICE_TABLES["eu-west-1"].prices)
                .map((key) => /^ec2\.([a-z0-9]+\.[a-z0-9]+)\.hour$/.exec(key)?.[1])
                .filter((type): type is string => type !== undefined && INSTANCE_SIZES[type]?.[2] === arch);
        for (const type of ["c7i.large", "m7i.large", "c6i.large", "m6i.large", "c5.large", "m5.large"])
            assert.ok(priced("x86_64").includes(type), `x86_64 ${type} not priced`);
        assert.ok(priced("arm64").includes("c7g.large"));
        for (const region of ["eu-west-1", "us-east-1"] as const)
            for (const arch of ["arm64", "x86_64"])
                for (const dim of ["vcpu-hour", "gb-hour"])
                    assert.ok(
                        PRICE_TABLES[region].prices[`fargate-spot.linux.${arch}.${dim}`],
                        `${region} ${arch} Spot ${dim}`,
                    );
    });

    it("prices staging on ecs with x86 tasks (Fargate Spot above the on-demand base) in full", async () => {
        const estimate = await estimateWith("staging", { "voteapp:cpuArchitecture": "x86_64" });
        assert.deepStrictEqual(estimate.notPriced, []);
        assert.ok(estimate.lines.some((l) => l.priceKey === "fargate-spot.linux.x86_64.vcpu-hour"));
    });
});
