/**
 * Writes test/fixtures/serviceUrns.json: per shipped stack and platform, the URNs of the resources that name
 * a service (`serviceUrns` below). Generated once from main before the service table (issue 16.2)
 * replaced the hand-written per-service code, so test/stacks/serviceUrns.test.ts proves that refactoring
 * renamed (and so replaced) nothing. Regenerate only when a change means to add, rename or remove a
 * per-service resource, and say so in the commit.
 */
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../plan/runStack";
import type { CapturedResource } from "../shared/capturedResource";

/** The services of the table the snapshot was taken with (main before issue 16.2). */
export const SNAPSHOT_SERVICES = ["vote", "result", "worker"];

/** The stack × platform plans whose per-service URNs the snapshot pins (every shipped stack on every platform). */
export const URN_SNAPSHOT_PLATFORMS = ["ecs", "eks", "lambda"] as const;

/**
 * True when a resource's name speaks of one of the services (a dash- or slash-separated word of it, once the
 * app's own name, "vote-app" / "voteapp", is taken out): the resources the service table derives, whose
 * URNs a refactoring of the table must leave as they were (a changed URN replaces a live resource).
 */
export function namesAService(urn: string, services: readonly string[]): boolean {
    const name = urn.slice(urn.lastIndexOf("::") + 2);
    const words = name
        .replace(/vote-app|voteapp/g, " ")
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word.length > 0);
    return words.some((word) => services.includes(word));
}

/** The sorted URNs of a plan's resources that name a service. */
export function serviceUrns(resources: readonly CapturedResource[], services: readonly string[]): string[] {
    return resources
        .map((r) => r.urn)
        .filter((urn) => namesAService(urn, services))
        .sort();
}

export const SERVICE_URNS_FILE = path.join(__dirname, "..", "test", "fixtures", "serviceUrns.json");

async function main(): Promise<void> {
    const snapshot: Record<string, string[]> = {};
    for (const stack of ["dev", "staging", "prod"])
        for (const platform of URN_SNAPSHOT_PLATFORMS) {
            const run = await runStack(stack, { overrides: { "voteapp:platform": platform } });
            snapshot[`${stack}/${platform}`] = serviceUrns(run.resources, SNAPSHOT_SERVICES);
        }
    fs.writeFileSync(SERVICE_URNS_FILE, `${JSON.stringify(snapshot, null, 4)}\n`);
    console.log(`wrote ${SERVICE_URNS_FILE}`);
}

if (require.main === module) void main();
