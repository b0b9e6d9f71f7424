import * as assert from "assert";
import { type Environment, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PolicyReport } from "../../policy/evaluate";
import { stackRun } from "../support/stacks";

/** EKS-specific policy checks on the shipped stacks switched to platform eks (the deployability of every stack × platform is in stacks.test.ts). */

const EKS = { "voteapp:platform": "eks" };

async function verdicts(stack: string, overrides: Record<string, string> = EKS): Promise<PolicyReport> {
    const run = await stackRun(stack, { overrides });
    return evaluatePolicies(run.resources, { config: packConfigFor(stack as Environment) });
}

describe("eks stacks under their environment's policy enforcement (offline)", function () {
    this.timeout(180_000);

    it("prod on eks: no EKS or Kubernetes rule fires at any level", async () => {
        const report = await verdicts("prod");
        const fired = report.violations.filter((v) => /^(eks|k8s)-/.test(v.policyName));
        assert.deepStrictEqual(fired, [], formatReport(report));
    });

    it("prod on eks with a restricted public endpoint passes too", async () => {
        const report = await verdicts("prod", {
            ...EKS,
            "voteapp:eksPublicAccessCidrs": "52.94.76.0/22",
        });
        const blocking = report.violations.filter((v) => v.level === "mandatory");
        assert.deepStrictEqual(blocking, [], formatReport(report));
        assert.ok(!report.violations.some((v) => v.policyName === "eks-endpoint-not-public"), formatReport(report));
    });
});
