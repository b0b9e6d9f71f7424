import * as assert from "assert";
import { allPolicies } from "../../policy/rules";
import { describeRules, type RuleCases } from "./helpers";
import { cases as ecr } from "./fixtures/ecr";
import { cases as ecs } from "./fixtures/ecs";

/** Every rule's failing and passing fixtures, run through the offline evaluator. */
export const allCases: Readonly<Record<string, readonly RuleCases[]>> = { ecs, ecr };

for (const [moduleName, cases] of Object.entries(allCases)) describeRules(moduleName, cases);

describe("policy rule fixtures cover the pack", () => {
    const covered = new Map<string, RuleCases>();
    for (const c of Object.values(allCases).flat()) covered.set(c.policy.name, c);

    for (const policy of allPolicies) {
        it(`${policy.name} has a failing and a passing fixture`, () => {
            const c = covered.get(policy.name);
            assert.ok(c, `no fixtures for ${policy.name}`);
            assert.ok(c.fail.length > 0, `${policy.name} has no failing fixture`);
            assert.ok(c.pass.length > 0, `${policy.name} has no passing fixture`);
            assert.strictEqual(c.policy, policy, `${policy.name}: fixtures test a different policy object than the pack's`);
        });
    }
});
