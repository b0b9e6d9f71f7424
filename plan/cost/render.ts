import type { CostEstimate, CostLine } from "./estimate";

const usd = (value: number) => `$${value.toFixed(2)}`;

function formatQuantity(value: number): string {
    if (value >= 100) return Math.round(value).toLocaleString("en-US");
    if (value >= 1) return String(Math.round(value * 100) / 100);
    return String(Number(value.toPrecision(3)));
}

function unitPrice(value: number): string {
    return value >= 0.01 ? `$${value.toFixed(4).replace(/0{1,2}$/, "")}` : `$${Number(value.toPrecision(3))}`;
}

function table(lines: readonly CostLine[]): string[] {
    const rows = lines.map((l) => [
        `${l.type.split(":").pop() ?? l.type} ${l.name}`,
        l.item,
        `${formatQuantity(l.quantity)} ${l.unit}`,
        unitPrice(l.unitPrice),
        usd(l.monthlyUsd),
    ]);
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...rows.map((r) => r[i].length)));
    return rows.map((r) =>
        r
            .map((cell, i) => (i >= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd(),
    );
}

/** The text section `npm run plan` prints: the stack's lines, its account's, not-priced items and the totals. */
export function renderCostEstimate(estimate: CostEstimate): string {
    const byCost = (a: CostLine, b: CostLine) => b.monthlyUsd - a.monthlyUsd;
    const stack = estimate.lines.filter((l) => l.scope === "stack");
    const idle = stack.filter((l) => l.driver === "idle").sort(byCost);
    const load = stack.filter((l) => l.driver === "load").sort(byCost);
    const votes = estimate.votesPerMonth.toLocaleString("en-US");
    const out = [
        `## Estimated monthly cost (${estimate.region}, on-demand list prices read ${estimate.pricesRead ?? "— no price table for this region"}, 730 h, no free tier)`,
        "",
        `Idle (nobody votes): ${usd(estimate.totals.idleUsd)}/month`,
        ...table(idle).map((l) => `  ${l}`),
        "",
        `Added by ${votes} votes/month (assumptions: plan/cost/assumptions.ts): ${usd(estimate.totals.atLoadUsd - estimate.totals.idleUsd)}`,
        ...table(load).map((l) => `  ${l}`),
        "",
    ];
    if (estimate.account) {
        const account = estimate.lines.filter((l) => l.scope === "account").sort(byCost);
        out.push(
            `Account costs (bootstrap stack ${estimate.account.bootstrapStack}: image registry, state backend, what scans the images; paid once per account, whichever platform or stacks run there, and not in the stack's total): ${usd(estimate.account.totals.idleUsd)}/month idle`,
            ...table(account).map((l) => `  ${l}`),
            "",
        );
    } else {
        out.push(
            "Account costs: not estimated (no bootstrap/Pulumi.<stack>.yaml bootstraps this stack's account and environment)",
            "",
        );
    }
    if (estimate.notPriced.length > 0) {
        out.push(`Not priced (${estimate.notPriced.length}; not counted in the totals, not zero):`);
        for (const n of estimate.notPriced) out.push(`  ${n.type} ${n.name}: ${n.item} — ${n.reason}`);
        out.push("");
    }
    const unpriced = estimate.notPriced.length > 0 ? " (plus what is not priced)" : "";
    out.push(
        `Total: ${usd(estimate.totals.idleUsd)}/month idle, ${usd(estimate.totals.atLoadUsd)}/month at ${votes} votes/month${unpriced}`,
    );
    if (estimate.account)
        out.push(
            `With the account's costs: ${usd(estimate.totals.idleUsd + estimate.account.totals.idleUsd)}/month idle, ${usd(estimate.totals.atLoadUsd + estimate.account.totals.atLoadUsd)}/month at ${votes} votes/month${unpriced}`,
        );
    return out.join("\n");
}
