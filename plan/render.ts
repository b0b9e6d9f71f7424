import type { CapturedResource } from "../shared/capturedResource";
import type { MockedRun } from "./harness";

/** Short name of the resource a URN names. */
export function urnName(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** Number of resources per type token, most frequent first. */
export function countByType(resources: readonly CapturedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The component tree, children sorted by type then name, one line per resource. */
export function renderTree(resources: readonly CapturedResource[]): string {
    const children = new Map<string | undefined, CapturedResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent !== undefined && urns.has(r.parent) ? r.parent : undefined;
        const list = children.get(parent) ?? [];
        list.push(r);
        children.set(parent, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, prefix: string) => {
        const list = (children.get(parent) ?? []).sort(
            (a, b) =>
                Number(a.custom) - Number(b.custom) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
        );
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const marks = [
                r.remote ? "remote" : "",
                r.protect ? "protected" : "",
                r.retainOnDelete ? "retained" : "",
            ].filter(Boolean);
            const connector = parent === undefined ? "" : last ? "└─ " : "├─ ";
            lines.push(`${prefix}${connector}${r.type}  ${r.name}${marks.length ? `  [${marks.join(", ")}]` : ""}`);
            walk(r.urn, parent === undefined ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    return lines.join("\n");
}

export function renderOutputs(run: MockedRun): string {
    return Object.entries(run.outputs)
        .map(([key, value]) => `  ${key}: ${run.secretOutputs.includes(key) ? "[secret]" : JSON.stringify(value)}`)
        .join("\n");
}

/** The full text report of a mocked run: tree, counts, outputs. */
export function renderRun(title: string, run: MockedRun): string {
    const counts = countByType(run.resources);
    const width = Math.max(...counts.map(([t]) => t.length));
    return [
        `# ${title}`,
        "",
        "## Resources",
        renderTree(run.resources),
        "",
        `## Count by type (${run.resources.length} resources)`,
        ...counts.map(([type, n]) => `  ${type.padEnd(width)}  ${n}`),
        "",
        "## Stack outputs",
        renderOutputs(run),
    ].join("\n");
}
