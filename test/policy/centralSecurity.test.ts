import * as assert from "assert";
import * as fs from "node:fs";
import { CENTRAL_SECURITY_RULES, ENVIRONMENTS, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, readPackConfig } from "../../policy/evaluate";
import { configPath, renderConfig } from "../../policy/scripts/write-config";
import { stackRun } from "../support/stacks";

const CENTRAL = {
    "voteapp:securityBaseline": "central",
    "voteapp:securityAccountId": "444444444444",
    "voteapp:securityHub": "false",
};

describe("policy pack: security baseline owned by the stack or by a central security account", function () {
    this.timeout(180_000);

    for (const env of ENVIRONMENTS) {
        it(`policy/config/${env}-central-security.json equals what policy/enforcement.ts says and is a valid pack config`, () => {
            const central = { centralSecurityAccount: true };
            assert.strictEqual(fs.readFileSync(configPath(env, central), "utf8"), renderConfig(env, central));
            const config = readPackConfig(configPath(env, central));
            assert.deepStrictEqual(evaluatePolicies([], { config }).configErrors, []);
            for (const rule of CENTRAL_SECURITY_RULES)
                assert.deepStrictEqual(
                    config[rule],
                    { enforcementLevel: packConfigFor(env)[rule], centralSecurityAccount: true },
                    rule,
                );
        });
    }

    it("the stack-owned baseline satisfies guardduty-enabled, guardduty-features and inspector-enabled in prod", async () => {
        const report = evaluatePolicies((await stackRun("prod")).resources, { config: packConfigFor("prod") });
        for (const rule of CENTRAL_SECURITY_RULES)
            assert.ok(!report.violations.some((v) => v.policyName === rule), `${rule} fired:\n${formatReport(report)}`);
    });

    it("a central-baseline staging stack passes with the central pack config and is refused with the stack one", async () => {
        const run = await stackRun("staging", { overrides: CENTRAL });
        const central = evaluatePolicies(run.resources, {
            config: packConfigFor("staging", { centralSecurityAccount: true }),
        });
        assert.deepStrictEqual(
            central.violations.filter((v) => v.level === "mandatory"),
            [],
            formatReport(central),
        );
        for (const rule of ["guardduty-enabled", "inspector-enabled"])
            assert.ok(
                central.notApplicable.some((n) => n.policyName === rule),
                `${rule} should be not applicable`,
            );
        const owned = evaluatePolicies(run.resources, { config: packConfigFor("staging") });
        for (const rule of ["guardduty-enabled", "inspector-enabled"])
            assert.ok(
                owned.violations.some((v) => v.policyName === rule && v.level === "mandatory"),
                `${rule} should fire:\n${formatReport(owned)}`,
            );
    });

    it("dropping a GuardDuty feature the platform needs fires guardduty-features (the rule sees the baseline's features)", async () => {
        const run = await stackRun("prod");
        const withoutRuntime = run.resources.filter(
            (r) =>
                !(r.type === "aws:guardduty/detectorFeature:DetectorFeature" && r.inputs.name === "RUNTIME_MONITORING"),
        );
        const report = evaluatePolicies(withoutRuntime, { config: packConfigFor("prod") });
        assert.ok(
            report.violations.some(
                (v) => v.policyName === "guardduty-features" && v.message.includes("RUNTIME_MONITORING"),
            ),
            formatReport(report),
        );
    });
});
