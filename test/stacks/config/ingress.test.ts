import * as assert from "assert";
import { ECS_INGRESS_DEFAULTS } from "../../../stacks/config/ingress";
import { assertProblem, parseWith } from "../../support/config";

/** voteapp:ecsIngress (stacks/config/ingress.ts): the ALB or an API Gateway HTTP API in front of the ECS services. */
describe("ECS ingress (stacks/config/ingress.ts)", () => {
    it("resolves the tier's default, and the key where it is allowed", () => {
        assert.strictEqual(ECS_INGRESS_DEFAULTS.dev, "httpApi");
        assert.strictEqual(parseWith("dev").ecsIngress, "httpApi");
        // dev choosing a strategy that shifts target groups keeps the load balancer it needs.
        assert.strictEqual(parseWith("dev", { deploymentStrategy: "blueGreen" }).ecsIngress, "loadBalancer");
        for (const stack of ["staging", "prod"]) assert.strictEqual(parseWith(stack).ecsIngress, "loadBalancer", stack);
        assert.strictEqual(parseWith("dev", { ecsIngress: "httpApi" }).ecsIngress, "httpApi");
        assert.strictEqual(parseWith("dev", { ecsIngress: "loadBalancer" }).ecsIngress, "loadBalancer");
        assert.strictEqual(
            parseWith("staging", { ecsIngress: "httpApi", deploymentStrategy: "rolling" }).ecsIngress,
            "httpApi",
        );
    });

    it("refuses an unknown value, naming what is allowed", () => {
        assertProblem("dev", { ecsIngress: "alb" }, "ecsIngress", "loadBalancer, httpApi");
    });

    it("refuses httpApi in prod: AWS WAF cannot protect an HTTP API", () => {
        assertProblem("prod", { ecsIngress: "httpApi", deploymentStrategy: "rolling" }, "ecsIngress", "WAF");
    });

    it("refuses httpApi with a strategy that shifts target groups, naming the strategy and the tier default", () => {
        assertProblem("staging", { ecsIngress: "httpApi" }, "ecsIngress", "rolling", "blueGreen", "staging default");
        for (const strategy of ["canary", "codeDeployLinear"])
            assertProblem("dev", { ecsIngress: "httpApi", deploymentStrategy: strategy }, "ecsIngress", strategy);
    });

    it("the blue/green test route is the ALB's: test traffic CIDRs are refused behind the HTTP API", () => {
        assertProblem(
            "dev",
            { ecsIngress: "httpApi", testTrafficCidrs: "52.94.76.0/22" },
            "testTrafficCidrs",
            "no test route",
        );
    });

    it("refuses the key on platforms other than ecs, where it would do nothing", () => {
        for (const platform of ["eks", "lambda"])
            assertProblem("dev", { ecsIngress: "httpApi", platform }, "ecsIngress", `platform ${platform}`, "ecs");
    });
});
