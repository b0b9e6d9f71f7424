import * as assert from "assert";
import { reporter } from "../../shared/config/reader";
import { CONFIG_NAMESPACE, type ConfigProblem } from "../../stacks/config";
import { checkSafety, DEPLOYMENT_STRATEGIES, resolveSafety, type SafetyFlatConfig } from "../../stacks/config/safety";
import type { Platform } from "../../stacks/config/types";
import { assertProblem, parseWith } from "../support/config";

const flat = (changes: Partial<SafetyFlatConfig>): SafetyFlatConfig => ({
    platform: "ecs",
    accountId: "111111111111",
    region: "eu-west-1",
    deploymentBakeMinutes: 5,
    securityBaseline: "stack",
    guardDutyFindingFrequency: "FIFTEEN_MINUTES",
    auditLogRetentionDays: 90,
    securityHub: false,
    ...changes,
});

describe("production safety config", () => {
    it("reads the shipped stacks: dev rolling, staging and prod blue/green with alarm email, prod a year of audit logs and Security Hub", () => {
        const dev = parseWith("dev").safety;
        assert.strictEqual(dev.deployment.strategy, "rolling");
        assert.deepStrictEqual(dev.securityBaseline, {
            owner: "stack",
            guardDutyFindingFrequency: "FIFTEEN_MINUTES",
            auditLogRetentionDays: 90,
            securityHub: false,
        });
        const prod = parseWith("prod").safety;
        assert.strictEqual(prod.deployment.strategy, "blueGreen");
        assert.strictEqual(prod.deployment.bakeMinutes, 10);
        assert.strictEqual(prod.alarmEmail, "oncall@example.com");
        assert.deepStrictEqual(prod.securityBaseline, {
            owner: "stack",
            guardDutyFindingFrequency: "FIFTEEN_MINUTES",
            auditLogRetentionDays: 365,
            securityHub: true,
        });
        assert.strictEqual(parseWith("staging").safety.deployment.strategy, "blueGreen");
    });

    it("defaults the strategy per tier and platform: rolling/allAtOnce in dev, blueGreen/canary in staging and prod", () => {
        assert.deepStrictEqual(parseWith("dev", { deploymentStrategy: undefined }).safety.deployment, {
            strategy: "rolling",
            bakeMinutes: 5,
        });
        assert.strictEqual(
            parseWith("prod", { deploymentStrategy: undefined }).safety.deployment.strategy,
            "blueGreen",
        );
        // eks and lambda are not deployable yet, so their defaults are checked on the resolver itself.
        assert.strictEqual(resolveSafety(flat({ platform: "lambda" }), "dev").deployment.strategy, "allAtOnce");
        assert.strictEqual(resolveSafety(flat({ platform: "lambda" }), "prod").deployment.strategy, "canary");
        assert.strictEqual(resolveSafety(flat({ platform: "eks" }), "dev").deployment.strategy, "rolling");
        assert.strictEqual(resolveSafety(flat({ platform: "eks" }), "prod").deployment.strategy, "blueGreen");
    });

    it("accepts every ECS strategy on an ecs stack", () => {
        for (const strategy of DEPLOYMENT_STRATEGIES.ecs)
            assert.strictEqual(parseWith("dev", { deploymentStrategy: strategy }).safety.deployment.strategy, strategy);
    });

    it("refuses a strategy the platform does not support, listing what it supports", () => {
        assertProblem(
            "dev",
            { deploymentStrategy: "allAtOnce" },
            "deploymentStrategy",
            '"allAtOnce"',
            "not supported on platform ecs",
            "ecs supports rolling, blueGreen, canary, linear, codeDeployAllAtOnce, codeDeployCanary, codeDeployLinear",
            "is a strategy of lambda",
        );
        assertProblem(
            "dev",
            { platform: "lambda", deploymentStrategy: "blueGreen" },
            "deploymentStrategy",
            "lambda supports allAtOnce, canary, linear",
        );
        assertProblem(
            "dev",
            { platform: "eks", deploymentStrategy: "canary" },
            "deploymentStrategy",
            "eks supports rolling, blueGreen",
        );
        assertProblem(
            "dev",
            { platform: "eks", deploymentStrategy: "codeDeployLinear" },
            "deploymentStrategy",
            "eks supports rolling, blueGreen",
            "(codeDeployLinear is a strategy of ecs)",
        );
        assertProblem("dev", { deploymentStrategy: "bluegreen" }, "deploymentStrategy", "ecs supports");
    });

    it("every platform × strategy combination: its own strategies pass and resolve, every other one is refused naming the platform's list", () => {
        const platforms = Object.keys(DEPLOYMENT_STRATEGIES) as Platform[];
        const all = [...new Set(platforms.flatMap((p) => [...DEPLOYMENT_STRATEGIES[p]]))];
        for (const platform of platforms) {
            for (const strategy of all) {
                const problems: ConfigProblem[] = [];
                const config = flat({ platform, deploymentStrategy: strategy });
                checkSafety(config, "dev", reporter(CONFIG_NAMESPACE, problems), []);
                const supported = (DEPLOYMENT_STRATEGIES[platform] as readonly string[]).includes(strategy);
                if (supported) {
                    assert.deepStrictEqual(problems, [], `${platform} × ${strategy}`);
                    assert.strictEqual(resolveSafety(config, "dev").deployment.strategy, strategy);
                } else {
                    assert.strictEqual(problems.length, 1, `${platform} × ${strategy} should be refused`);
                    assert.ok(
                        problems[0].message.includes(
                            `${platform} supports ${DEPLOYMENT_STRATEGIES[platform].join(", ")}`,
                        ),
                        problems[0].message,
                    );
                }
            }
        }
    });

    it("refuses bake times outside 0–1440 minutes", () => {
        assertProblem("dev", { deploymentBakeMinutes: "1441" }, "deploymentBakeMinutes", "between 0 and 1440");
        assertProblem("dev", { deploymentBakeMinutes: "-1" }, "deploymentBakeMinutes", "between 0 and 1440");
    });

    it("validates the alarm email and requires it in prod", () => {
        assertProblem("dev", { alarmEmail: "oncall" }, "alarmEmail", "email address");
        assertProblem("dev", { alarmEmail: "on call@example.com" }, "alarmEmail", "email address");
        assertProblem("prod", { alarmEmail: undefined }, "alarmEmail", "(not set)", "required in prod");
        assert.strictEqual(
            parseWith("dev", { alarmEmail: "team+alerts@example.co.uk" }).safety.alarmEmail,
            "team+alerts@example.co.uk",
        );
    });

    it("central baseline: requires a 12-digit security account other than the stack's, and no Security Hub of its own", () => {
        assertProblem(
            "dev",
            { securityBaseline: "central" },
            "securityAccountId",
            "(not set)",
            "required when voteapp:securityBaseline is central",
        );
        assertProblem(
            "dev",
            { securityBaseline: "central", securityAccountId: "12345" },
            "securityAccountId",
            "12-digit",
        );
        assertProblem(
            "dev",
            { securityBaseline: "central", securityAccountId: "111111111111" },
            "securityAccountId",
            "equals voteapp:accountId",
        );
        assertProblem(
            "prod",
            { securityBaseline: "central", securityAccountId: "444444444444" },
            "securityHub",
            "must be false",
        );
        const central = parseWith("prod", {
            securityBaseline: "central",
            securityAccountId: "444444444444",
            securityHub: "false",
        }).safety.securityBaseline;
        assert.deepStrictEqual(central, { owner: "central", securityAccountId: "444444444444" });
    });

    it("refuses a security account id without a central baseline, an unknown owner or frequency", () => {
        assertProblem(
            "dev",
            { securityAccountId: "444444444444" },
            "securityAccountId",
            "only used when voteapp:securityBaseline is central",
        );
        assertProblem("dev", { securityBaseline: "org" }, "securityBaseline", "stack, central");
        assertProblem(
            "dev",
            { guardDutyFindingFrequency: "DAILY" },
            "guardDutyFindingFrequency",
            "FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS",
        );
    });

    it("audit log retention: a value CloudWatch accepts, at least 365 days in prod", () => {
        assertProblem("dev", { auditLogRetentionDays: "100" }, "auditLogRetentionDays", "1, 3, 5");
        assertProblem("prod", { auditLogRetentionDays: "180" }, "auditLogRetentionDays", "at least 365 in prod");
    });
});
