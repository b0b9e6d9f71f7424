import type { VoteOptions } from "./config";
import type { VoteChoice } from "./votes";

/** Totals of the poll, as the result page and JSON endpoint present them (whatever the store). */
export interface OptionTotal {
    readonly label: string;
    readonly votes: number;
    /** Share of all votes, 0-100, one decimal. */
    readonly percent: number;
}

export interface Totals {
    readonly a: OptionTotal;
    readonly b: OptionTotal;
    readonly total: number;
}

/** Vote counts per choice -> totals with percentages (50/50 when nobody has voted, as the original app). */
export function computeTotals(counts: Readonly<Partial<Record<VoteChoice, number>>>, options: VoteOptions): Totals {
    const a = Math.max(0, Math.floor(counts.a ?? 0));
    const b = Math.max(0, Math.floor(counts.b ?? 0));
    const total = a + b;
    const percentA = total === 0 ? 50 : Math.round((a / total) * 1000) / 10;
    const percentB = total === 0 ? 50 : Math.round(1000 - percentA * 10) / 10;
    return {
        a: { label: options.a, votes: a, percent: percentA },
        b: { label: options.b, votes: b, percent: percentB },
        total,
    };
}

/** Rows of `SELECT vote, COUNT(*)` (any store) -> counts per valid choice; unknown values are ignored. */
export function countsFromRows(
    rows: ReadonlyArray<{ readonly vote: string; readonly count: number | string }>,
): Partial<Record<VoteChoice, number>> {
    const counts: Partial<Record<VoteChoice, number>> = {};
    for (const row of rows) {
        if (row.vote === "a" || row.vote === "b") counts[row.vote] = (counts[row.vote] ?? 0) + Number(row.count);
    }
    return counts;
}
