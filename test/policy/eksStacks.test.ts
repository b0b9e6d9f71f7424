import * as assert from "assert";
import { type Environment, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PolicyReport } from "../../policy/evaluate";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * The shipped stacks switched to platform eks, against their environment's enforcement, offline. The
 * known gaps are those of the ECS stacks (account-level detectors not built yet), nothing EKS-specific.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {
    "guardduty-enabled": "the GuardDuty detector is not part of the program yet",
    "inspector-enabled": "the Inspector v2 enabler is not part of the program yet",
};

const EKS = { "voteapp:platform": "eks" };

async function verdicts(stack: string, overrides: Record<string, string> = EKS): Promise<PolicyReport> {
    const run = await stackRun(stack, { overrides });
    return evaluatePolicies(run.resources, { config: packConfigFor(stack as Environment) });
}

describe("eks stacks under their environment's policy enforcement (offline)", function () {
    this.timeout(180_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack} on eks: no mandatory violation beyond the known gaps, no rule crashing, no config error`, async () => {
            const report = await verdicts(stack);
            assert.deepStrictEqual(report.configErrors, []);
            const crashes = report.violations.filter((v) => /instead of stopping the run|can't run policy/.test(v.message));
            assert.deepStrictEqual(crashes, [], formatReport(report));
            const blocking = report.violations.filter((v) => v.level === "mandatory" && !(v.policyName in KNOWN_GAPS));
            assert.deepStrictEqual(blocking, [], formatReport(report, `${stack}: mandatory violations`));
        });
    }

    it("prod on eks: no EKS or Kubernetes rule fires at any level", async () => {
        const report = await verdicts("prod");
        const fired = report.violations.filter((v) => /^(eks|k8s)-/.test(v.policyName));
        assert.deepStrictEqual(fired, [], formatReport(report));
    });

    it("prod on eks with Auto Mode and a restricted public endpoint passes too", async () => {
        const report = await verdicts("prod", { ...EKS, "voteapp:eksCapacity": "autoMode", "voteapp:eksPublicAccessCidrs": "52.94.76.0/22" });
        const blocking = report.violations.filter((v) => v.level === "mandatory" && !(v.policyName in KNOWN_GAPS));
        assert.deepStrictEqual(blocking, [], formatReport(report));
        assert.ok(!report.violations.some((v) => v.policyName === "eks-endpoint-not-public"), formatReport(report));
    });
});
