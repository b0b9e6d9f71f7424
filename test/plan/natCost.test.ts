import * as assert from "assert";
import { accountPlanFor } from "../../plan/cost/account";
import { estimateCost, type CostEstimate, type CostLine } from "../../plan/cost/estimate";
import { costCategory } from "../../plan/cost/readme";
import { stackRun } from "../support/stacks";

/** Issue 13 §2: what the NAT instance costs in the plan's estimate, against the NAT gateway it replaces. */
async function estimateOf(stack: string, overrides: Record<string, string> = {}): Promise<CostEstimate> {
    const run = await stackRun(stack, { overrides: { "voteapp:platform": "ecs", ...overrides } });
    const account = await accountPlanFor(run);
    return estimateCost(run.resources, { region: run.stackConfig.config["voteapp:region"], account });
}

const cents = (value: number) => Math.round(value * 100) / 100;
/** The NAT instance's idle lines (what the votes send through it across AZs: test/plan/dataTransfer.test.ts). */
const natLines = (estimate: CostEstimate): CostLine[] =>
    estimate.lines.filter((l) => l.name === "network-nat" && l.driver === "idle" && l.monthlyUsd > 0);
const gatewayUsd = (estimate: CostEstimate) =>
    cents(
        estimate.lines
            .filter((l) => l.priceKey.startsWith("vpc.nat-gateway") && l.driver === "idle")
            .reduce((s, l) => s + l.monthlyUsd, 0),
    );

describe("NAT instance cost (plan/cost)", function () {
    this.timeout(300_000);

    for (const stack of ["dev", "staging"] as const)
        it(`${stack}: prices the instance, its encrypted root volume and its public IPv4 address, and no NAT gateway`, async () => {
            const estimate = await estimateOf(stack);
            // eu-west-1: t4g.nano $0.0046/h × 730 h; 8 GB gp3 × $0.088/GB-month; one public IPv4 $0.005/h × 730 h.
            assert.deepStrictEqual(
                natLines(estimate).map((l) => [l.item, l.priceKey, cents(l.monthlyUsd)]),
                [
                    ["EC2 instances: 1 × t4g.nano", "ec2.t4g.nano.hour", 3.36],
                    ["EC2 instances: EBS gp3 8 GB × 1", "ebs.gp3.gb-month", 0.7],
                    ["public IPv4 address per instance", "vpc.public-ipv4.hour", 3.65],
                ],
            );
            assert.strictEqual(gatewayUsd(estimate), 0, "a NAT gateway is still priced");
            // The README's breakdown counts the whole NAT instance as network, where the gateway it replaces was.
            assert.deepStrictEqual(
                [...new Set(natLines(estimate).map(costCategory))],
                ["network (NAT, public IPv4, endpoints)"],
            );
            assert.deepStrictEqual(
                estimate.notPriced.filter((n) => n.name.startsWith("network-nat")),
                [],
                "a part of the NAT instance is not priced",
            );
        });

    it("prices the type natInstanceType names", async () => {
        const estimate = await estimateOf("dev", { "voteapp:natInstanceType": "t4g.micro" });
        // $0.0092/h × 730 h.
        assert.strictEqual(
            cents(natLines(estimate).find((l) => l.priceKey === "ec2.t4g.micro.hour")?.monthlyUsd ?? 0),
            6.72,
        );
    });

    it("saves a managed NAT gateway's hours, address and idle processing: dev with natGateways single costs more", async () => {
        const instance = await estimateOf("dev");
        const gateway = await estimateOf("dev", { "voteapp:natGateways": "single" });
        assert.strictEqual(natLines(gateway).length, 0);
        // $0.048/h × 730 h = $35.04 plus its address $3.65 plus the idle GB processed.
        assert.ok(gatewayUsd(gateway) > 35.04, String(gatewayUsd(gateway)));
        const natInstanceUsd = cents(natLines(instance).reduce((s, l) => s + l.monthlyUsd, 0));
        assert.strictEqual(natInstanceUsd, 7.71);
        // Everything else differs only by the management events one more running instance generates.
        const key = (l: CostLine) => `${l.name}|${l.item}`;
        const rest = (e: CostEstimate) =>
            e.lines.filter((l) => l.driver === "idle" && l.name !== "network-nat" && !/^NAT gateways/.test(l.item));
        const changed = rest(instance).filter(
            (l) => rest(gateway).find((g) => key(g) === key(l))?.monthlyUsd !== l.monthlyUsd,
        );
        assert.ok(
            changed.every((l) => l.name === "account-security" && /management events|log files/.test(l.item)),
            changed.map(key).join("; "),
        );
        const restDelta = (e: CostEstimate) => rest(e).reduce((s, l) => s + l.monthlyUsd, 0);
        const extraEvents = restDelta(instance) - restDelta(gateway);
        assert.ok(extraEvents > 0 && extraEvents < 0.1, String(extraEvents));
        // Totals are rounded to cents: the two may differ by one.
        const saving = gateway.totals.idleUsd - instance.totals.idleUsd;
        const expected = gatewayUsd(gateway) + 3.65 - natInstanceUsd - extraEvents;
        assert.ok(Math.abs(saving - expected) <= 0.0100001, `saving ${saving}, expected ${expected}`);
        assert.ok(saving > 30, String(saving));
    });
});
