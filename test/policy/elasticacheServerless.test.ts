import * as assert from "assert";
import type { Policy } from "@pulumi/policy";
import type { CapturedResource } from "../../shared/capturedResource";
import { enforcement, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PackConfig } from "../../policy/evaluate";
import {
    elasticacheServerlessPolicies,
    redisServerlessNotInProd,
    SERVERLESS_PROD_REFUSAL,
} from "../../policy/rules/elasticacheServerless";
import { REDIS_SERVERLESS_PROD_REFUSAL, REDIS_SERVERLESS_PROD_RULE } from "../../stacks/config/cost";
import { assertProblem } from "../support/config";
import { assertDeployable, stackVerdicts } from "../support/policy";
import { single, stackRun } from "../support/stacks";
import { plannedServerlessCache, SERVERLESS_CACHE } from "./fixtures/elasticacheServerless";

/**
 * The redis-serverless-* rules on the cache the stacks really plan: each passes on it as planned and fails on it
 * with the one input its rule judges taken away; prod's refusal is the same in the config and in the pack.
 */

const ON_ECS = { "voteapp:platform": "ecs" };
/** staging's cost floor (plan/cost/floor.ts): Spot and a serverless cache, at staging's enforcement. */
const STAGING_SERVERLESS = { "voteapp:platform": "ecs", "voteapp:redisCapacity": "serverless" };

/** The run's resources with the serverless cache's inputs changed. */
function withCache(resources: readonly CapturedResource[], change: (inputs: Record<string, unknown>) => void) {
    return resources.map((r) => {
        if (r.type !== SERVERLESS_CACHE) return r;
        const inputs = structuredClone(r.inputs);
        change(inputs);
        return { ...r, inputs };
    });
}

function verdicts(policy: Policy, resources: readonly CapturedResource[], config: PackConfig) {
    return evaluatePolicies(resources, { policies: [policy], config }).violations.filter(
        (v) => v.policyName === policy.name,
    );
}

/** What takes each rule's point away from the planned cache, and what the violation says. */
const BREAKS: Readonly<Record<string, { change: (inputs: Record<string, unknown>) => void; says: string }>> = {
    "redis-serverless-kms": { change: (i) => delete i.kmsKeyId, says: "service key" },
    "redis-serverless-security-groups": { change: (i) => (i.securityGroupIds = []), says: "default security group" },
    "redis-serverless-auth": { change: (i) => delete i.userGroupId, says: "full access" },
    "redis-serverless-backups": { change: (i) => delete i.snapshotRetentionLimit, says: "unset (0)" },
    "redis-serverless-supported-engine": {
        change: (i) => ((i.engine = "memcached"), (i.majorEngineVersion = "1.6")),
        says: "memcached 1.6",
    },
};

describe("ElastiCache Serverless rules on the planned cache", function () {
    this.timeout(300_000);

    it("the fixtures' cache (test/policy/fixtures/elasticacheServerless.ts) has the planned cache's inputs", async () => {
        const planned = single(await stackRun("dev", { overrides: ON_ECS }), SERVERLESS_CACHE).inputs;
        const fixture = plannedServerlessCache();
        assert.deepStrictEqual(Object.keys(fixture).sort(), Object.keys(planned).sort());
        for (const key of [
            "name",
            "description",
            "engine",
            "majorEngineVersion",
            "snapshotRetentionLimit",
            "cacheUsageLimits",
        ])
            assert.deepStrictEqual(fixture[key], planned[key], key);
    });

    for (const policy of elasticacheServerlessPolicies) {
        const name = policy.name;
        if (name === redisServerlessNotInProd.name) continue;
        it(`${name}: passes on each stack's planned cache at its environment's parameters, fails with its input taken away`, async () => {
            const mandatory = (env: "dev" | "staging" | "prod"): PackConfig => {
                const entry = packConfigFor(env)[name];
                return {
                    [name]: typeof entry === "object" ? { ...entry, enforcementLevel: "mandatory" } : "mandatory",
                };
            };
            for (const [env, overrides] of [
                ["dev", ON_ECS],
                ["staging", STAGING_SERVERLESS],
            ] as const) {
                const run = await stackRun(env, { overrides });
                assert.strictEqual(run.resources.filter((r) => r.type === SERVERLESS_CACHE).length, 1, env);
                assert.deepStrictEqual(
                    verdicts(policy, run.resources, mandatory(env)),
                    [],
                    `${name} on ${env}'s cache`,
                );
                const broken = verdicts(policy, withCache(run.resources, BREAKS[name].change), mandatory(env));
                assert.ok(
                    broken.some((v) => v.type === SERVERLESS_CACHE && v.message.includes(BREAKS[name].says)),
                    `${name} should fire on ${env}'s cache without its input; got ${JSON.stringify(broken)}`,
                );
            }
        });
    }

    it("redis-serverless-backups holds staging to a week of snapshots: dev's one day fails there", async () => {
        const run = await stackRun("dev", { overrides: ON_ECS });
        const rule = elasticacheServerlessPolicies.find((p) => p.name === "redis-serverless-backups");
        assert.ok(rule);
        const staging = evaluatePolicies(run.resources, { policies: [rule], config: packConfigFor("staging") });
        assert.ok(
            staging.violations.some((v) => v.level === "mandatory" && v.message.includes("at least 7 days")),
            formatReport(staging),
        );
    });

    it("dev and staging's serverless floor deploy under their enforcement: their pack config allows serverless", async () => {
        for (const [env, overrides] of [
            ["dev", ON_ECS],
            ["staging", STAGING_SERVERLESS],
        ] as const) {
            const report = await stackVerdicts(env, overrides);
            assertDeployable(report, `${env} with a serverless cache`);
            assert.deepStrictEqual(
                report.violations.filter((v) => v.policyName.startsWith("redis-serverless-")),
                [],
                env,
            );
        }
    });

    it("prod refuses a serverless cache: the pack as mandatory, the config before any resource, for one reason", async () => {
        const run = await stackRun("dev", { overrides: ON_ECS });
        const prod = evaluatePolicies(run.resources, { config: packConfigFor("prod") });
        const refusal = prod.violations.filter((v) => v.policyName === REDIS_SERVERLESS_PROD_RULE);
        assert.strictEqual(refusal.length, 1, formatReport(prod));
        assert.strictEqual(refusal[0].level, "mandatory");
        assert.ok(refusal[0].message.includes(SERVERLESS_PROD_REFUSAL));
        assert.strictEqual(enforcement[REDIS_SERVERLESS_PROD_RULE].prod, "mandatory");
        assert.deepStrictEqual(packConfigFor("prod")[REDIS_SERVERLESS_PROD_RULE], {
            enforcementLevel: "mandatory",
            allowed: false,
        });
        assertProblem("prod", { redisCapacity: "serverless" }, "redisCapacity", REDIS_SERVERLESS_PROD_REFUSAL);
        // The config's short reason names the rule, and says what the rule says.
        assert.ok(REDIS_SERVERLESS_PROD_REFUSAL.includes(REDIS_SERVERLESS_PROD_RULE));
        for (const words of ["final snapshot", "maintenance window"]) {
            assert.ok(REDIS_SERVERLESS_PROD_REFUSAL.includes(words), words);
            assert.ok(SERVERLESS_PROD_REFUSAL.includes(words), words);
        }
    });

    it("prod and staging plan Redis on nodes, which the refusal leaves alone", async () => {
        for (const stack of ["staging", "prod"]) {
            const report = await stackVerdicts(stack, ON_ECS);
            assert.ok(
                !report.violations.some((v) => v.policyName.startsWith("redis-serverless-")),
                formatReport(report),
            );
        }
    });
});
