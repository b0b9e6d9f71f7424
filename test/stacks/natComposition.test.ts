import * as assert from "assert";
import { NAT_INSTANCE_TAG_KEY } from "../../components/network/natInstance";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies } from "../../policy/evaluate";
import { ec2NoPublicIp, NAT_INSTANCE_TAG } from "../../policy/rules/ec2";
import type { CapturedResource } from "../../shared/capturedResource";
import { input, ofType, privateRouteTables, single, stackRun } from "../support/stacks";

/** Issue 13 §2: each stack's NAT as its tier's config composes it (the component itself: test/components/network/natInstance.test.ts). */

describe("the stacks' NAT (voteapp:natGateways per tier)", function () {
    this.timeout(120_000);

    it("dev and staging plan one NAT instance and no NAT gateway; prod keeps a gateway per AZ and no instance", async () => {
        for (const stack of ["dev", "staging"] as const) {
            const run = await stackRun(stack);
            assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "None", stack);
            assert.strictEqual(ofType(run, "voteapp:network:NatInstance").length, 1, stack);
            assert.strictEqual(ofType(run, "aws:ec2/route:Route").length, privateRouteTables(run).length, stack);
        }
        const prod = await stackRun("prod");
        assert.strictEqual(input(single(prod, "awsx:ec2:Vpc"), "natGateways", "strategy"), "OnePerAz");
        assert.deepStrictEqual(
            [ofType(prod, "voteapp:network:NatInstance").length, ofType(prod, "aws:autoscaling/group:Group").length],
            [0, 0],
        );
    });

    it("the policy pack exempts exactly the planned NAT's public address (ec2-no-public-ip), mandatory in staging", async () => {
        assert.strictEqual(NAT_INSTANCE_TAG_KEY, NAT_INSTANCE_TAG, "component and policy name different tags");
        const run = await stackRun("staging");
        const config = packConfigFor("staging");
        assert.strictEqual(config["ec2-no-public-ip"], "mandatory");
        const verdicts = (resources: readonly CapturedResource[]) =>
            evaluatePolicies(resources, { config, policies: [ec2NoPublicIp] }).violations;
        assert.deepStrictEqual(verdicts(run.resources), []);
        // The same template with a key pair, or with IMDSv1, is no longer the NAT the rule exempts.
        const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate", "nat");
        for (const change of [{ keyName: "ops" }, { metadataOptions: { httpTokens: "optional" } }]) {
            const changed = run.resources.map((r) =>
                r === template ? { ...r, inputs: { ...r.inputs, ...change } } : r,
            );
            const violations = verdicts(changed);
            assert.deepStrictEqual(
                violations.map((v) => [v.policyName, v.level]),
                [["ec2-no-public-ip", "mandatory"]],
                JSON.stringify(change),
            );
        }
    });
});
