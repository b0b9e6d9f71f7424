import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CapturedResource } from "../../shared/capturedResource";
import { allPolicies } from "../../policy/rules";
import { TYPE_ALIAS_FAMILIES } from "../../policy/rules/typeAliases";
import {
    assertHasViolation,
    assertNoViolations,
    describeRules,
    type RuleCases,
    type RuleFixture,
    stackOf,
} from "./helpers";
import { cases as accounts } from "./fixtures/accounts";
import { cases as apigateway } from "./fixtures/apigateway";
import { cases as cloudtrail } from "./fixtures/cloudtrail";
import { cases as ec2 } from "./fixtures/ec2";
import { cases as ecr } from "./fixtures/ecr";
import { cases as ecs } from "./fixtures/ecs";
import { cases as eks } from "./fixtures/eks";
import { cases as elasticache } from "./fixtures/elasticache";
import { cases as elasticacheServerless } from "./fixtures/elasticacheServerless";
import { cases as elb } from "./fixtures/elb";
import { cases as iam } from "./fixtures/iam";
import { cases as kms } from "./fixtures/kms";
import { cases as kubernetes } from "./fixtures/kubernetes";
import { cases as lambda } from "./fixtures/lambda";
import { cases as logs } from "./fixtures/logs";
import { cases as messaging } from "./fixtures/messaging";
import { cases as rds } from "./fixtures/rds";
import { cases as resourcePolicies } from "./fixtures/resourcePolicies";
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
    elasticacheServerless,
    elb,
    iam,
    kms,
    kubernetes,
    lambda,
    logs,
    messaging,
    rds,
    resourcePolicies,
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

describe("policy rules judge every alias type the same (aws.alb.* = aws.lb.*, aws.s3.BucketV2 = aws.s3.Bucket, ...)", () => {
    /** The fixture with every type token that has an alias replaced by that alias (URNs and dependencies too). */
    const withAliases = (resources: RuleFixture["resources"]): CapturedResource[] | undefined => {
        let text = JSON.stringify(stackOf(resources));
        let changed = false;
        for (const family of TYPE_ALIAS_FAMILIES) {
            const [first, second] = family;
            if (text.includes(`"${first}"`)) {
                text = text.split(first).join(second);
                changed = true;
            } else if (text.includes(`"${second}"`)) {
                text = text.split(second).join(first);
                changed = true;
            }
        }
        return changed ? (JSON.parse(text) as CapturedResource[]).slice(1) : undefined;
    };

    let checked = 0;
    for (const c of Object.values(allCases).flat()) {
        for (const [verdict, fixtures] of [
            ["fails", c.fail],
            ["passes", c.pass],
        ] as const) {
            for (const f of fixtures) {
                const aliased = withAliases(f.resources);
                if (!aliased) continue;
                checked++;
                it(`${c.policy.name} ${verdict} with alias types: ${f.title}`, () => {
                    if (verdict === "fails") assertHasViolation(c.policy, aliased, f.message, f.config);
                    else assertNoViolations(c.policy, aliased, f.config);
                });
            }
        }
    }

    it("the alias families come from the installed @pulumi/aws and cover the ELB v2 and S3 V2 classes", () => {
        const flat = TYPE_ALIAS_FAMILIES.flat();
        for (const token of [
            "aws:alb/loadBalancer:LoadBalancer",
            "aws:alb/listener:Listener",
            "aws:s3/bucketV2:BucketV2",
        ])
            assert.ok(flat.includes(token), token);
        assert.ok(checked >= 20, `only ${checked} fixtures use a type that has an alias`);
    });

    it("no rule module uses the SDK's validateResourceOfType, which would skip alias types", () => {
        const dir = path.join(__dirname, "..", "..", "policy", "rules");
        const offenders = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .filter((f) =>
                /import \{[^}]*\bvalidateResourceOfType\b[^}]*\} from "@pulumi\/policy"/.test(
                    fs.readFileSync(path.join(dir, f), "utf8"),
                ),
            );
        assert.deepStrictEqual(offenders, []);
    });
});
