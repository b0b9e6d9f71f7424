import * as assert from "assert";
import { COST_DEFAULTS } from "../../../stacks/config/cost";
import { assertProblem, parseWith } from "../../support/config";
import { SHIPPED_STACKS } from "../../support/stacks";

describe("cost options (stacks/config/cost.ts)", () => {
    it("takes each tier's defaults (COST_DEFAULTS) when the keys are unset: dev goes without what staging and prod keep", () => {
        for (const stack of SHIPPED_STACKS) assert.deepStrictEqual(parseWith(stack).cost, COST_DEFAULTS[stack], stack);
        // staging rehearses prod: it differs only in the purchase option of part of its Fargate capacity.
        assert.deepStrictEqual(
            { ...COST_DEFAULTS.staging, fargateSpot: false, fargateOnDemandBase: 0 },
            COST_DEFAULTS.prod,
            "staging rehearses prod",
        );
        assert.deepStrictEqual(
            [COST_DEFAULTS.staging.fargateSpot, COST_DEFAULTS.staging.fargateOnDemandBase],
            [true, 1],
            "staging: Spot above one on-demand task of each blue/green service",
        );
        // What prod may not weaken is refused below; here: dev's default differs on each of these keys.
        for (const key of [
            "containerInsights",
            "dashboard",
            "fargateSpot",
            "ecrScanning",
            "apiDetailedMetrics",
            "workingHours",
            "lambdaCodeScanning",
            "alarmTopicKey",
            "redisCapacity",
        ] as const)
            assert.notDeepStrictEqual(
                COST_DEFAULTS.dev[key],
                COST_DEFAULTS.prod[key],
                `dev's default ${key} is prod's`,
            );
    });

    it("keeps prod's choices exactly as they were before staging got its own (issue 13: prod unchanged)", () => {
        assert.deepStrictEqual(COST_DEFAULTS.prod, {
            containerInsights: "enhanced",
            dashboard: true,
            fargateSpot: false,
            fargateOnDemandBase: 0,
            ecrScanning: "enhanced",
            apiDetailedMetrics: true,
            workingHours: "always",
            lambdaCodeScanning: true,
            alarmTopicKey: "own",
            redisCapacity: "nodes",
        });
    });

    it("fargateOnDemandBase: a whole number, on ecs, and only where Fargate Spot runs", () => {
        assert.strictEqual(parseWith("staging", { fargateOnDemandBase: "2" }).cost.fargateOnDemandBase, 2);
        assert.strictEqual(parseWith("dev", { fargateOnDemandBase: "1" }).cost.fargateOnDemandBase, 1);
        assertProblem("staging", { fargateOnDemandBase: "one" }, "fargateOnDemandBase", '"one"', "whole number");
        assertProblem("staging", { fargateOnDemandBase: "-1" }, "fargateOnDemandBase", "whole number");
        assertProblem("staging", { fargateOnDemandBase: "100001" }, "fargateOnDemandBase", "between 0 and 100000");
        assertProblem(
            "staging",
            { fargateSpot: "false", fargateOnDemandBase: "1" },
            "fargateOnDemandBase",
            "has no effect without Fargate Spot",
            "voteapp:fargateSpot is false",
        );
        assertProblem(
            "prod",
            { fargateOnDemandBase: "1" },
            "fargateOnDemandBase",
            "voteapp:fargateSpot is false (the prod default)",
        );
        assertProblem(
            "staging",
            { platform: "lambda", fargateOnDemandBase: "1" },
            "fargateOnDemandBase",
            "has no effect on platform lambda",
        );
    });

    it("lets a stack choose otherwise", () => {
        const dev = parseWith("dev", {
            containerInsights: "enhanced",
            dashboard: "true",
            fargateSpot: "false",
            ecrScanning: "enhanced",
        });
        assert.deepStrictEqual(
            [dev.cost.containerInsights, dev.cost.dashboard, dev.cost.fargateSpot, dev.cost.ecrScanning],
            ["enhanced", true, false, "enhanced"],
        );
        assert.strictEqual(parseWith("staging", { fargateSpot: "true" }).cost.fargateSpot, true);
    });

    it("refuses values outside each key's set, naming what is allowed", () => {
        assertProblem("dev", { containerInsights: "on" }, "containerInsights", '"on"', "disabled, enabled, enhanced");
        assertProblem("dev", { ecrScanning: "full" }, "ecrScanning", '"full"', "basic, enhanced");
        assertProblem("dev", { dashboard: "maybe" }, "dashboard");
    });

    it("refuses in prod what would weaken prod: no Container Insights, no dashboard, Spot, basic scanning", () => {
        assertProblem(
            "prod",
            { containerInsights: "disabled" },
            "containerInsights",
            "must be enabled or enhanced in prod",
        );
        assertProblem("prod", { dashboard: "false" }, "dashboard", "must be true in prod");
        assertProblem("prod", { fargateSpot: "true" }, "fargateSpot", "must be false in prod");
        assertProblem("prod", { ecrScanning: "basic" }, "ecrScanning", "must be enhanced in prod");
        assertProblem("prod", { lambdaCodeScanning: "false" }, "lambdaCodeScanning", "must be true in prod");
        assertProblem("prod", { alarmTopicKey: "stack" }, "alarmTopicKey", "must be own in prod");
        assertProblem("prod", { redisCapacity: "serverless" }, "redisCapacity", "must be nodes in prod");
        assertProblem("dev", { redisCapacity: "cluster" }, "redisCapacity", '"cluster"', "nodes, serverless");
        assertProblem("dev", { alarmTopicKey: "shared" }, "alarmTopicKey", '"shared"', "own, stack");
    });

    it("refuses a key set on a platform it does nothing on", () => {
        assertProblem(
            "dev",
            { platform: "lambda", fargateSpot: "true" },
            "fargateSpot",
            "has no effect on platform lambda",
            "applies to ecs",
        );
        assertProblem(
            "dev",
            { platform: "eks", containerInsights: "enabled" },
            "containerInsights",
            "has no effect on platform eks",
        );
        assertProblem(
            "dev",
            { apiDetailedMetrics: "true" },
            "apiDetailedMetrics",
            "has no effect on platform ecs",
            "applies to lambda",
        );
    });
});
