import * as assert from "assert";
import {
    ECS_STRATEGIES,
    ecsDeploymentPlan,
    type EcsStrategy,
    serviceDeploymentSettings,
} from "../../../components/fargate/strategies";
import type { MockedRun } from "../../../plan/harness";
import { MOUNT_ACCOUNT } from "../../support/mount";
import { mountFargateApp, TEST_CERTIFICATE_ARN, TEST_NAME_PREFIX } from "../../support/fixtures";
import { input, named, ofType } from "../../support/resources";

/**
 * The deployment strategies of VoteAppOnFargate, mounted with the strategy, bake time and certificate each test
 * chooses (test/support/fixtures.ts). That every strategy passes prod's policy enforcement is a property of the
 * prod stack: test/stacks/fargateComposition.test.ts.
 */
const withStrategy = (strategy: EcsStrategy, bakeMinutes = 0, https = true) =>
    mountFargateApp({
        deployment: { strategy, bakeMinutes },
        ...(https ? { certificateArn: TEST_CERTIFICATE_ARN } : {}),
    });
const service = (run: MockedRun, name: "vote" | "result" | "worker") =>
    named(run, "aws:ecs/service:Service", `vote-app-${name}`);

describe("ECS deployment strategies", function () {
    this.timeout(180_000);
    it("maps every strategy to ECS native or CodeDeploy, with AWS's deployment config names", () => {
        assert.deepStrictEqual(
            ECS_STRATEGIES.map((s) => [s, ecsDeploymentPlan(s)]),
            [
                ["rolling", { kind: "rolling" }],
                ["blueGreen", { kind: "ecsNative", strategy: "BLUE_GREEN" }],
                ["canary", { kind: "ecsNative", strategy: "CANARY" }],
                ["linear", { kind: "ecsNative", strategy: "LINEAR" }],
                ["codeDeployAllAtOnce", { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" }],
                [
                    "codeDeployCanary",
                    { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes" },
                ],
                [
                    "codeDeployLinear",
                    { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes" },
                ],
            ],
        );
    });

    it("passes lifecycle hooks to ECS native strategies only, and rolls back on the given alarms", () => {
        const hook = {
            hookTargetArn: "arn:aws:lambda:eu-west-1:111111111111:function:smoke",
            roleArn: "arn:aws:iam::111111111111:role/hooks",
            lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
        };
        const native = serviceDeploymentSettings(ecsDeploymentPlan("blueGreen"), {
            bakeMinutes: 5,
            alarmNames: ["a"],
            lifecycleHooks: [hook],
        });
        assert.deepStrictEqual((native.deploymentConfiguration as { lifecycleHooks: unknown }).lifecycleHooks, [hook]);
        assert.deepStrictEqual(native.alarms, { alarmNames: ["a"], enable: true, rollback: true });
        const rolling = serviceDeploymentSettings(ecsDeploymentPlan("rolling"), {
            bakeMinutes: 5,
            alarmNames: [],
            lifecycleHooks: [hook],
        });
        assert.deepStrictEqual(rolling.deploymentConfiguration, { strategy: "ROLLING" });
        assert.strictEqual(rolling.alarms, undefined, "no alarms block without alarms");
        const codeDeploy = serviceDeploymentSettings(ecsDeploymentPlan("codeDeployCanary"), {
            bakeMinutes: 5,
            alarmNames: ["a"],
            lifecycleHooks: [hook],
        });
        assert.deepStrictEqual(
            [codeDeploy.deploymentConfiguration, codeDeploy.alarms, codeDeploy.deploymentCircuitBreaker],
            [undefined, undefined, undefined],
        );
    });

    it("rolling (the default): circuit breaker with rollback, 100–200% healthy (the worker 0–100%: stop before start), one target group per service, nothing to shift", async () => {
        const run = await mountFargateApp();
        for (const name of ["vote", "result", "worker"] as const) {
            const s = service(run, name);
            assert.deepStrictEqual(s.inputs.deploymentController, { type: "ECS" }, name);
            assert.deepStrictEqual(s.inputs.deploymentCircuitBreaker, { enable: true, rollback: true }, name);
            assert.deepStrictEqual(s.inputs.deploymentConfiguration, { strategy: "ROLLING" }, name);
            // The worker must never run twice (shared processing list): its new task starts after the old one stops.
            assert.deepStrictEqual(
                [s.inputs.deploymentMinimumHealthyPercent, s.inputs.deploymentMaximumPercent],
                name === "worker" ? [0, 100] : [100, 200],
                name,
            );
        }
        assert.strictEqual(ofType(run, "aws:lb/targetGroup:TargetGroup").length, 2);
        assert.strictEqual(input(service(run, "vote"), "loadBalancers", 0, "advancedConfiguration"), undefined);
        assert.strictEqual(ofType(run, "aws:codedeploy/application:Application").length, 0);
    });

    for (const [strategy, ecsName] of [
        ["blueGreen", "BLUE_GREEN"],
        ["canary", "CANARY"],
        ["linear", "LINEAR"],
    ] as const) {
        it(`${strategy}: vote and result use ECS's ${ecsName} strategy with the bake time, alternate target group, production and test rules and ECS's ALB role; worker rolls`, async () => {
            const run = await withStrategy(strategy, 15);
            const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
            assert.deepStrictEqual(groups.map((g) => g.name).sort(), [
                "vote-app-alb-result",
                "vote-app-alb-result-alt",
                "vote-app-alb-vote",
                "vote-app-alb-vote-alt",
            ]);
            const role = named(run, "aws:iam/role:Role", "vote-app-ecs-alb");
            assert.deepStrictEqual(
                (JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: unknown }[] })
                    .Statement[0].Principal,
                { Service: "ecs.amazonaws.com" },
            );
            assert.strictEqual(
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "vote-app-ecs-alb").inputs.policyArn,
                "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
            );
            for (const name of ["vote", "result"] as const) {
                const s = service(run, name);
                const config = s.inputs.deploymentConfiguration as Record<string, unknown>;
                assert.strictEqual(config.strategy, ecsName, name);
                assert.strictEqual(config.bakeTimeInMinutes, "15", name);
                assert.deepStrictEqual(s.inputs.deploymentCircuitBreaker, { enable: true, rollback: true }, name);
                const advanced = input(s, "loadBalancers", 0, "advancedConfiguration") as Record<string, string>;
                assert.ok(advanced, `${name} has no advancedConfiguration`);
                assert.strictEqual(advanced.roleArn, `arn:aws:iam::${MOUNT_ACCOUNT.accountId}:role/vote-app-ecs-alb`);
                assert.ok(
                    advanced.alternateTargetGroupArn.endsWith(`vote-app-alb-${name}-alt`),
                    advanced.alternateTargetGroupArn,
                );
                assert.ok(
                    advanced.productionListenerRule.endsWith(`/vote-app-alb-${name}`),
                    advanced.productionListenerRule,
                );
                // No test route unless testTrafficCidrs names who may use it (test/components/fargate/testRoute.test.ts).
                assert.strictEqual(advanced.testListenerRule, undefined, name);
                assert.ok(
                    s.dependencies.includes(named(run, "aws:lb/listenerRule:ListenerRule", `vote-app-alb-${name}`).urn),
                    `${name} waits for its production rule`,
                );
            }
            const canary = input(service(run, "vote"), "deploymentConfiguration", "canaryConfiguration");
            const linear = input(service(run, "vote"), "deploymentConfiguration", "linearConfiguration");
            assert.deepStrictEqual(
                canary,
                strategy === "canary" ? { canaryPercent: 10, canaryBakeTimeInMinutes: "15" } : undefined,
            );
            assert.deepStrictEqual(
                linear,
                strategy === "linear" ? { stepPercent: 10, stepBakeTimeInMinutes: "1" } : undefined,
            );
            assert.deepStrictEqual(service(run, "worker").inputs.deploymentConfiguration, { strategy: "ROLLING" });
            assert.strictEqual(ofType(run, "aws:codedeploy/deploymentGroup:DeploymentGroup").length, 0);
        });
    }

    it("ECS native: production rules forward to both groups, all weight on the primary; no test rules by default; the listener only forwards", async () => {
        const run = await withStrategy("blueGreen", 10);
        const rule = (name: string) => named(run, "aws:lb/listenerRule:ListenerRule", name);
        const weights = (name: string) =>
            (input(rule(name), "actions", 0, "forward", "targetGroups") as { arn: string; weight: number }[]).map(
                (t) => [t.arn.split("/").pop(), t.weight],
            );
        assert.deepStrictEqual(weights("vote-app-alb-vote"), [
            ["vote-app-alb-vote", 100],
            ["vote-app-alb-vote-alt", 0],
        ]);
        assert.deepStrictEqual(weights("vote-app-alb-result"), [
            ["vote-app-alb-result", 100],
            ["vote-app-alb-result-alt", 0],
        ]);
        assert.deepStrictEqual(input(rule("vote-app-alb-vote"), "conditions"), [{ pathPattern: { values: ["/*"] } }]);
        assert.ok(
            (rule("vote-app-alb-result").inputs.priority as number) <
                (rule("vote-app-alb-vote").inputs.priority as number),
            "result paths are matched before the catch-all",
        );
        assert.deepStrictEqual(
            ofType(run, "aws:lb/listenerRule:ListenerRule")
                .map((r) => r.name)
                .filter((n) => n.endsWith("-test")),
            [],
            "no test rules without testTrafficCidrs",
        );
        const listener = named(run, "aws:lb/listener:Listener", "vote-app-alb-https");
        assert.deepStrictEqual(
            (listener.inputs.defaultActions as { type: string }[]).map((a) => a.type),
            ["forward"],
            "ECS refuses listeners mixing forward and non-forward actions",
        );
    });

    for (const [strategy, configName] of [
        ["codeDeployAllAtOnce", "CodeDeployDefault.ECSAllAtOnce"],
        ["codeDeployCanary", "CodeDeployDefault.ECSCanary10Percent5Minutes"],
        ["codeDeployLinear", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"],
    ] as const) {
        it(`${strategy}: CODE_DEPLOY controller, two target groups, production + test listener, a deployment group per service with ${configName}`, async () => {
            const run = await withStrategy(strategy, 20);
            for (const name of ["vote", "result"] as const) {
                const s = service(run, name);
                assert.deepStrictEqual(s.inputs.deploymentController, { type: "CODE_DEPLOY" }, name);
                assert.strictEqual(
                    s.inputs.deploymentCircuitBreaker,
                    undefined,
                    `${name}: ECS refuses the circuit breaker on CODE_DEPLOY services`,
                );
                assert.strictEqual(s.inputs.deploymentConfiguration, undefined, name);
                assert.strictEqual(
                    s.inputs.serviceConnectConfiguration,
                    undefined,
                    `${name}: ECS supports Service Connect only on ECS-controlled services`,
                );
            }
            assert.strictEqual(input(service(run, "worker"), "serviceConnectConfiguration", "enabled"), true);
            assert.deepStrictEqual(service(run, "worker").inputs.deploymentController, { type: "ECS" });
            const app = ofType(run, "aws:codedeploy/application:Application");
            assert.deepStrictEqual(
                app.map((a) => [a.inputs.name, a.inputs.computePlatform]),
                [[TEST_NAME_PREFIX, "ECS"]],
            );
            const testListener = named(run, "aws:lb/listener:Listener", "vote-app-alb-test");
            assert.deepStrictEqual(
                [testListener.inputs.port, testListener.inputs.protocol, testListener.inputs.sslPolicy],
                [8443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
            );
            assert.deepStrictEqual(
                ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                    (r) => r.inputs.fromPort === 8443,
                ),
                [],
                "the test listener is not opened to the internet",
            );
            for (const name of ["vote", "result"] as const) {
                const group = named(
                    run,
                    "aws:codedeploy/deploymentGroup:DeploymentGroup",
                    `vote-app-codedeploy-${name}`,
                );
                assert.strictEqual(group.inputs.deploymentGroupName, `${TEST_NAME_PREFIX}-${name}`);
                assert.strictEqual(group.inputs.deploymentConfigName, configName);
                assert.deepStrictEqual(group.inputs.deploymentStyle, {
                    deploymentType: "BLUE_GREEN",
                    deploymentOption: "WITH_TRAFFIC_CONTROL",
                });
                assert.deepStrictEqual(
                    input(group, "blueGreenDeploymentConfig", "terminateBlueInstancesOnDeploymentSuccess"),
                    { action: "TERMINATE", terminationWaitTimeInMinutes: 20 },
                );
                assert.deepStrictEqual(group.inputs.ecsService, { clusterName: TEST_NAME_PREFIX, serviceName: name });
                const pair = input(group, "loadBalancerInfo", "targetGroupPairInfo") as {
                    prodTrafficRoute: { listenerArns: string[] };
                    testTrafficRoute: { listenerArns: string[] };
                    targetGroups: { name: string }[];
                };
                assert.deepStrictEqual(pair.targetGroups, [
                    { name: `vote-app-alb-${name}` },
                    { name: `vote-app-alb-${name}-alt` },
                ]);
                assert.ok(pair.prodTrafficRoute.listenerArns[0].endsWith("/vote-app-alb-https"));
                assert.ok(pair.testTrafficRoute.listenerArns[0].endsWith("/vote-app-alb-test"));
                assert.deepStrictEqual(group.inputs.autoRollbackConfiguration, {
                    enabled: true,
                    events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                });
            }
            const role = named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "vote-app-codedeploy-service");
            assert.strictEqual(role.inputs.policyArn, "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS");
        });
    }

    it("CodeDeploy without a certificate puts the test listener on HTTP 8080", async () => {
        const run = await withStrategy("codeDeployCanary", 0, false);
        const testListener = named(run, "aws:lb/listener:Listener", "vote-app-alb-test");
        assert.deepStrictEqual([testListener.inputs.port, testListener.inputs.protocol], [8080, "HTTP"]);
        assert.strictEqual(ofType(run, "aws:lb/targetGroup:TargetGroup").length, 4);
    });
});
