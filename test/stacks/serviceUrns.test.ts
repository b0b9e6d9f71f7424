import * as assert from "assert";
import * as fs from "fs";
import { stackRun, SHIPPED_STACKS } from "../support/stacks";
import {
    SERVICE_URNS_FILE,
    serviceUrns,
    SNAPSHOT_SERVICES,
    URN_SNAPSHOT_PLATFORMS,
} from "../../scripts/write-service-urns";

/**
 * The service table (issue 16.2) derives every per-service resource that was written by hand before. A URN
 * that changed would make `pulumi up` replace a live resource (a task definition, a target group, a
 * Deployment, a function), so each shipped stack on each platform must still register exactly the per-service
 * URNs captured from main before the change (test/fixtures/serviceUrns.json, written by
 * scripts/write-service-urns.ts; regenerate it only for a change that means to add, rename or remove one).
 */
const SNAPSHOT = JSON.parse(fs.readFileSync(SERVICE_URNS_FILE, "utf8")) as Record<string, string[]>;

describe("per-service URNs (service table refactoring renames nothing)", function () {
    this.timeout(300_000);
    for (const stack of SHIPPED_STACKS)
        for (const platform of URN_SNAPSHOT_PLATFORMS) {
            it(`${stack} on ${platform} registers exactly the per-service URNs it did before the service table`, async () => {
                const expected = SNAPSHOT[`${stack}/${platform}`];
                assert.ok(expected && expected.length > 0, `no snapshot for ${stack}/${platform}`);
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                const actual = serviceUrns(run.resources, SNAPSHOT_SERVICES);
                const missing = expected.filter((urn) => !actual.includes(urn));
                const added = actual.filter((urn) => !expected.includes(urn));
                assert.deepStrictEqual(
                    { missing, added },
                    { missing: [], added: [] },
                    `${stack}/${platform}: per-service URNs changed (a live resource would be replaced); if meant, regenerate with npx ts-node --transpile-only scripts/write-service-urns.ts`,
                );
            });
        }
});
