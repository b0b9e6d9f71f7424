import * as assert from "assert";
import { allPolicies } from "../../policy/rules";
import { describeRules, type RuleCases } from "./helpers";
import { cases as accounts } from "./fixtures/accounts";
import { cases as apigateway } from "./fixtures/apigateway";
import { cases as cloudtrail } from "./fixtures/cloudtrail";
import { cases as ec2 } from "./fixtures/ec2";
import { cases as ecr } from "./fixtures/ecr";
import { cases as ecs } from "./fixtures/ecs";
import { cases as eks } from "./fixtures/eks";
import { cases as elasticache } from "./fixtures/elasticache";
import { cases as elb } from "./fixtures/elb";
import { cases as iam } from "./fixtures/iam";
import { cases as kms } from "./fixtures/kms";
import { cases as kubernetes } from "./fixtures/kubernetes";
import { cases as lambda } from "./fixtures/lambda";
import { cases as logs } from "./fixtures/logs";
import { cases as messaging } from "./fixtures/messaging";
import { cases as rds } from "./fixtures/rds";
import { cases as s3 } from "./fixtures/s3";
import { cases as secrets } from "./fixtures/secrets";

/** Every rule's failing and passing fixtures, run through the offline evaluator. */
export const allCases: Readonly<Record<string, readonly RuleCases[]>> = {
    accounts,
    apigateway,
    cloudtrail,
    ec2,
    ecr,
    ecs,
    eks,
    elasticache,
    elb,
    iam,
    kms,
    kubernetes,
    lambda,
    logs,
    messaging,
    rds,
    s3,
    secrets,
};

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
            assert.strictEqual(
                c.policy,
                policy,
                `${policy.name}: fixtures test a different policy object than the pack's`,
            );
        });
    }
});
