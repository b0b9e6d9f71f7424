import * as assert from "assert";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { PLATFORMS } from "../../stacks/config/rules";
import { assertDeployable, stackVerdicts as verdicts } from "../support/policy";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";

/** Every shipped stack, on every platform, against its environment's enforcement, offline. */
describe("shipped stacks under their environment's policy enforcement (offline)", function () {
    this.timeout(180_000);

    for (const platform of PLATFORMS) {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack} on ${platform}: no mandatory violation, no rule crashing, no config error`, async () => {
                assertDeployable(await verdicts(stack, { "voteapp:platform": platform }), `${stack} on ${platform}`);
            });
        }
    }

    it("prod pins the prod account and carries the required tags through the provider's default tags", async () => {
        const report = await verdicts("prod");
        for (const rule of [
            "prod-account-pin",
            "provider-allowed-accounts",
            "required-tags",
            "no-default-provider",
            "sg-no-public-ingress",
            "vpc-flow-logs",
        ]) {
            assert.ok(!report.violations.some((v) => v.policyName === rule), `${rule} fired:\n${formatReport(report)}`);
        }
    });

    it("turning Multi-AZ off in staging (which enforces like prod; prod config refuses it) fires rds-multi-az and redis-failover as mandatory", async () => {
        const report = await verdicts("staging", { "voteapp:multiAz": "false" });
        for (const rule of ["rds-multi-az", "redis-failover"]) {
            assert.ok(
                report.violations.some((v) => v.policyName === rule && v.level === "mandatory"),
                `${rule} should fire:\n${formatReport(report)}`,
            );
        }
    });

    it("the dev stack deployed with prod's config (another account) fails prod-account-pin", async () => {
        const run = await stackRun("dev");
        const report = evaluatePolicies(run.resources, { config: packConfigFor("prod") });
        assert.ok(
            report.violations.some(
                (v) =>
                    v.policyName === "prod-account-pin" &&
                    v.level === "mandatory" &&
                    v.message.includes("111111111111"),
            ),
            formatReport(report),
        );
    });
});
