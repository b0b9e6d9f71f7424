import { runStack } from "../runStack";
import { accountPlanFor } from "./account";
import { estimateCost, type CostEstimate, type CostLine } from "./estimate";
import { priceTableFor } from "./prices";
import { HOURS_PER_MONTH } from "./priceTable";
import { costCategory } from "./readme";

/**
 * Issue 13's idle targets, and the floor of each: the lowest idle total the plan's own estimate reaches with the
 * cost options the stack's tier may take without weakening the posture. The README's floor table is generated
 * from here (`npm run cost:readme`; test/plan/costReadme.test.ts fails when it drifts).
 */
export interface CostTarget {
    readonly stack: "dev" | "staging" | "prod";
    readonly platform: "ecs" | "eks" | "lambda";
    readonly idleUsd: number;
}

export const COST_TARGETS: readonly CostTarget[] = [
    { stack: "dev", platform: "lambda", idleUsd: 5 },
    { stack: "dev", platform: "ecs", idleUsd: 45 },
    { stack: "staging", platform: "ecs", idleUsd: 150 },
];

/**
 * What each floor takes beyond the stack file (config overrides), and why none of it weakens the posture. dev's
 * and staging's defaults are already their cheapest without giving up what they keep: staging runs micro data
 * classes (still Multi-AZ, encrypted) and Fargate Spot above one on-demand task of each blue/green service
 * (Pulumi.staging.yaml, stacks/config/cost.ts), and keeps Container Insights, the dashboard, Inspector's scans,
 * the alarm topic's own key, node-based Redis and its Multi-AZ database, which it rehearses for prod. The second
 * staging floor adds dev's working hours: staging is then down at night and at weekends.
 */
export const FLOOR_VARIANTS: readonly {
    readonly stack: CostTarget["stack"];
    readonly platform: CostTarget["platform"];
    readonly label: string;
    readonly overrides: Readonly<Record<string, string>>;
}[] = [
    { stack: "dev", platform: "lambda", label: "dev defaults", overrides: {} },
    { stack: "dev", platform: "ecs", label: "dev defaults", overrides: {} },
    { stack: "staging", platform: "ecs", label: "staging defaults", overrides: {} },
    {
        stack: "staging",
        platform: "ecs",
        label: "staging defaults, dev's working hours",
        overrides: { "voteapp:workingHours": "MON-FRI 07:00-19:00 UTC" },
    },
];

/**
 * The NAT instance another part of issue 13 adds (fck-nat's shape: one Graviton instance per NAT gateway it
 * replaces, its root disk and its public IPv4 address), priced here until its option lands and the plan prices
 * its real resources: an assumption, named as one in the table.
 */
export const NAT_INSTANCE_ASSUMPTION = { instanceType: "t4g.nano", diskGb: 8 } as const;

const NAT_GATEWAY_LINE = (l: CostLine) =>
    l.priceKey.startsWith("vpc.nat-gateway.") || (l.priceKey === "vpc.public-ipv4.hour" && /NAT gateway/.test(l.item));

/** The idle NAT gateways' cost in an estimate, and what as many NAT instances would cost instead. */
export function natInstanceSubstitution(estimate: CostEstimate): {
    readonly gateways: number;
    readonly gatewaysUsd: number;
    readonly instancesUsd: number;
} {
    const lines = estimate.lines.filter((l) => l.driver === "idle" && l.scope === "stack" && NAT_GATEWAY_LINE(l));
    const gateways =
        lines.filter((l) => l.priceKey === "vpc.nat-gateway.hour").reduce((s, l) => s + l.quantity, 0) /
        HOURS_PER_MONTH;
    const prices = priceTableFor(estimate.region)?.prices;
    const price = (key: string) => {
        const p = prices?.[key];
        if (!p) throw new Error(`no price "${key}" in the ${estimate.region} table for the NAT instance assumption`);
        return p.usd;
    };
    const perInstance =
        HOURS_PER_MONTH * price(`ec2.${NAT_INSTANCE_ASSUMPTION.instanceType}.hour`) +
        HOURS_PER_MONTH * price("vpc.public-ipv4.hour") +
        NAT_INSTANCE_ASSUMPTION.diskGb * price("ebs.gp3.gb-month");
    return {
        gateways,
        gatewaysUsd: lines.reduce((s, l) => s + l.monthlyUsd, 0),
        instancesUsd: gateways * perInstance,
    };
}

export interface FloorRow {
    readonly stack: CostTarget["stack"];
    readonly platform: CostTarget["platform"];
    readonly label: string;
    readonly targetUsd: number;
    /** The stack file's idle total today. */
    readonly todayUsd: number;
    /** With the variant's options, and NAT instances for the NAT gateways. */
    readonly floorUsd: number;
    readonly natGateways: number;
    /** The floor's three largest categories (what keeps it above the target), $/month each. */
    readonly largest: readonly { readonly category: string; readonly usd: number }[];
}

const round = (v: number) => Math.round(v * 100) / 100;

/** The floor of an estimate: its idle total with the NAT gateways priced as NAT instances. */
export function floorOf(estimate: CostEstimate): { readonly floorUsd: number; readonly natGateways: number } {
    const nat = natInstanceSubstitution(estimate);
    return {
        floorUsd: round(estimate.totals.idleUsd - nat.gatewaysUsd + nat.instancesUsd),
        natGateways: nat.gateways,
    };
}

async function estimateOf(stack: string, overrides: Record<string, string>): Promise<CostEstimate> {
    const run = await runStack(stack, { overrides });
    const account = await accountPlanFor(run);
    return estimateCost(run.resources, {
        region: run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1",
        ...(account ? { account } : {}),
    });
}

/** Every floor variant, planned and priced (mocked, one after the other). */
export async function costFloors(): Promise<FloorRow[]> {
    const rows: FloorRow[] = [];
    for (const variant of FLOOR_VARIANTS) {
        const target = COST_TARGETS.find((t) => t.stack === variant.stack && t.platform === variant.platform);
        if (!target) throw new Error(`no target for ${variant.stack}/${variant.platform}`);
        const platform = { "voteapp:platform": variant.platform };
        const today = await estimateOf(variant.stack, platform);
        const floorEstimate = await estimateOf(variant.stack, { ...platform, ...variant.overrides });
        const { floorUsd, natGateways } = floorOf(floorEstimate);
        const sums = new Map<string, number>();
        for (const line of floorEstimate.lines.filter(
            (l) => l.driver === "idle" && l.scope === "stack" && !NAT_GATEWAY_LINE(l),
        ))
            sums.set(costCategory(line), (sums.get(costCategory(line)) ?? 0) + line.monthlyUsd);
        if (natGateways > 0) sums.set("NAT instances (assumed)", natInstanceSubstitution(floorEstimate).instancesUsd);
        const largest = [...sums.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([category, usd]) => ({ category, usd: round(usd) }));
        rows.push({
            stack: variant.stack,
            platform: variant.platform,
            label: variant.label,
            targetUsd: target.idleUsd,
            todayUsd: today.totals.idleUsd,
            floorUsd,
            natGateways,
            largest,
        });
    }
    return rows;
}

export const README_FLOOR_BEGIN =
    "<!-- floor:begin: generated by `npm run cost:readme` from plan/cost/floor.ts; edit that, not this block -->";
export const README_FLOOR_END = "<!-- floor:end -->";

const usd = (v: number) => `$${v.toFixed(2)}`;

export function renderFloorSection(rows: readonly FloorRow[]): string {
    const { instanceType, diskGb } = NAT_INSTANCE_ASSUMPTION;
    return [
        README_FLOOR_BEGIN,
        "",
        ...(rows.some((r) => r.natGateways > 0)
            ? [
                  `Targets and floors, idle $/month (the floor: the options named, and NAT instances priced as one ${instanceType}`,
                  `with an ${diskGb} GB gp3 disk and a public IPv4 address per NAT gateway the variant still plans):`,
              ]
            : [
                  "Targets and floors, idle $/month (the floor: the stack with the options named, as the plan prices it):",
              ]),
        "",
        "| stack | target | today | floor | with | met | largest items of the floor |",
        "| --- | ---: | ---: | ---: | --- | --- | --- |",
        ...rows.map(
            (r) =>
                `| ${r.stack}/${r.platform} | ${usd(r.targetUsd)} | ${usd(r.todayUsd)} | ${usd(r.floorUsd)} | ${r.label}${r.natGateways > 0 ? `, ${r.natGateways} NAT instance${r.natGateways === 1 ? "" : "s"}` : ""} | ${r.floorUsd <= r.targetUsd ? "yes" : "no"} | ${r.largest.map((l) => `${l.category} ${usd(l.usd)}`).join("; ")} |`,
        ),
        "",
        README_FLOOR_END,
    ].join("\n");
}

/** Replaces the generated floor block in a README's text (which must contain both markers exactly once). */
export function replaceReadmeFloorSection(readme: string, section: string): string {
    const begin = readme.indexOf(README_FLOOR_BEGIN);
    const end = readme.indexOf(README_FLOOR_END);
    if (begin < 0 || end < begin)
        throw new Error(`README.md has no generated floor block (${README_FLOOR_BEGIN} … ${README_FLOOR_END})`);
    return readme.slice(0, begin) + section + readme.slice(end + README_FLOOR_END.length);
}
