/**
 * Writes test/fixtures/serviceUrns.json: per shipped stack and platform, the URNs of the resources that name
 * a service (test/support/serviceUrns.ts). Generated once from main before the service table (issue 16.2)
 * replaced the hand-written per-service code, so test/stacks/serviceUrns.test.ts proves that refactoring
 * renamed (and so replaced) nothing. Regenerate only when a change means to add, rename or remove a
 * per-service resource, and say so in the commit.
 */
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../plan/runStack";
import { serviceUrns, URN_SNAPSHOT_PLATFORMS } from "../test/support/serviceUrns";

const SNAPSHOT_SERVICES = ["vote", "result", "worker"];
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

void main();
