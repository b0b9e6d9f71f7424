import { PolicyPack } from "@pulumi/policy";
import { enforcement } from "./enforcement";
import { allPolicies } from "./rules";

/**
 * The voteapp DevSecOps pack. Each rule defaults to its prod level (secure by default); the per-environment
 * levels come from policy/config/<env>.json:
 *
 *     pulumi preview --policy-pack policy --policy-pack-config policy/config/prod.json
 *
 * This is the only module that builds the PolicyPack: constructing it starts the policy server, so tests
 * and the offline evaluator import policy/rules instead.
 */
new PolicyPack("voteapp-devsecops", {
    description:
        "DevSecOps rules for the voteapp stacks (ECS, EKS, Lambda on AWS): AWS FSBP controls and house rules, enforced per environment.",
    enforcementLevel: "advisory",
    policies: allPolicies.map((p) => ({ ...p, enforcementLevel: enforcement[p.name]?.prod ?? "mandatory" })),
});
