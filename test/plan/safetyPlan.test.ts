import * as assert from "assert";
import { planCli } from "../support/plan";

describe("npm run plan: production safety", function () {
    this.timeout(180_000);

    it("prod shows the security baseline, blue/green deployment resources, alarms and the dashboard", async () => {
        const { code, out, err } = await planCli("--stack", "prod");
        assert.strictEqual(code, 0, err);
        for (const fragment of [
            "voteapp:security:AccountSecurityBaseline  account-security",
            "aws:guardduty/detector:Detector",
            "aws:inspector2/enabler:Enabler",
            "aws:cloudtrail/trail:Trail",
            "aws:accessanalyzer/analyzer:Analyzer",
            "aws:securityhub/account:Account",
            "aws:lb/listenerRule:ListenerRule  vote-app-alb-vote",
            "aws:iam/role:Role  vote-app-ecs-alb",
            "voteapp:observability:StackObservability  observability",
            "aws:cloudwatch/metricAlarm:MetricAlarm  voteapp-prod-vote-target-5xx",
            "aws:cloudwatch/dashboard:Dashboard",
            "dashboardUrl:",
        ]) {
            assert.ok(out.includes(fragment), `plan output lacks "${fragment}"`);
        }
        // No test route without voteapp:testTrafficCidrs: nothing on the internet reaches the green tasks early.
        assert.ok(!out.includes("vote-app-alb-vote-test"), "prod has a test route nobody asked for");
    });

    it("a CodeDeploy strategy shows the application and deployment groups; an unsupported strategy is refused before any resource", async () => {
        const codeDeploy = await planCli("--stack", "dev", "--set", "voteapp:deploymentStrategy=codeDeployLinear");
        assert.strictEqual(codeDeploy.code, 0, codeDeploy.err);
        assert.ok(
            codeDeploy.out.includes("aws:codedeploy/deploymentGroup:DeploymentGroup  vote-app-codedeploy-vote"),
            codeDeploy.out,
        );
        const refused = await planCli("--stack", "dev", "--set", "voteapp:deploymentStrategy=allAtOnce");
        assert.strictEqual(refused.code, 1);
        assert.ok(
            refused.err.includes(
                'voteapp:deploymentStrategy = "allAtOnce": is not supported on platform ecs; ecs supports rolling, blueGreen',
            ),
            refused.err,
        );
    });
});
