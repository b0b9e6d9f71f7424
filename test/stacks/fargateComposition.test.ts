import * as assert from "assert";
import type { DashboardBody } from "../../components/observability/dashboard";
import { rollbackAlarmNames } from "../../components/observability/alarmNames";
import { ECS_STRATEGIES } from "../../components/fargate/strategies";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { input, named, ofType, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of the ECS platform's components (VoteAppOnFargate, StackObservability),
 * and how the stack joins them. What a component does with its args is test/components/fargate and
 * test/components/observability, on components mounted alone.
 */
describe("stacks on ecs: config reaches the Fargate components, and they are joined", function () {
    this.timeout(180_000);

    it("Container Insights: enhanced in staging and prod, disabled in dev; voteapp:containerInsights chooses", async () => {
        for (const stack of ["staging", "prod"]) {
            const cluster = single(await stackRun(stack), "aws:ecs/cluster:Cluster");
            assert.deepStrictEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enhanced" }], stack);
        }
        const dev = single(await stackRun("dev"), "aws:ecs/cluster:Cluster");
        assert.deepStrictEqual(dev.inputs.settings, [{ name: "containerInsights", value: "disabled" }]);
        const chosen = single(
            await stackRun("dev", { overrides: { "voteapp:containerInsights": "enabled" } }),
            "aws:ecs/cluster:Cluster",
        );
        assert.deepStrictEqual(chosen.inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    });

    it("capacity: dev's services on Fargate Spot, staging's and prod's on Fargate", async () => {
        const dev = await stackRun("dev");
        assert.deepStrictEqual(
            single(dev, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.capacityProviders,
            ["FARGATE", "FARGATE_SPOT"],
        );
        for (const service of ofType(dev, "aws:ecs/service:Service"))
            assert.deepStrictEqual(
                service.inputs.capacityProviderStrategies,
                [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
                service.name,
            );
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            assert.strictEqual(ofType(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").length, 0);
            for (const service of ofType(run, "aws:ecs/service:Service"))
                assert.strictEqual(service.inputs.launchType, "FARGATE", `${stack} ${service.name}`);
        }
    });

    it("prod's task sizes, scaling bounds and log retention reach the services", async () => {
        const run = await stackRun("prod");
        for (const [service, cpu, memory] of [
            ["vote", "512", "1024"],
            ["result", "512", "1024"],
            ["worker", "256", "512"],
        ]) {
            const td = named(run, "aws:ecs/taskDefinition:TaskDefinition", `vote-app-${service}`);
            assert.deepStrictEqual([td.inputs.cpu, td.inputs.memory], [cpu, memory], service);
            const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `vote-app-${service}`);
            assert.strictEqual(group.inputs.retentionInDays, 365, service);
            assert.ok(String(group.inputs.kmsKeyId).startsWith("arn:aws:kms:"), service);
        }
        const targets = ofType(run, "aws:appautoscaling/target:Target");
        assert.deepStrictEqual(targets.map((t) => [t.name, t.inputs.minCapacity, t.inputs.maxCapacity]).sort(), [
            ["vote-app-result", 3, 12],
            ["vote-app-vote", 3, 12],
        ]);
    });

    it("prod serves HTTPS on its own account's certificate, with access logs and deletion protection; dev on its ALB serves HTTP, keeps no access logs", async () => {
        const prod = await stackRun("prod");
        const https = named(prod, "aws:lb/listener:Listener", "vote-app-alb-https");
        assert.ok(String(https.inputs.certificateArn).startsWith("arn:aws:acm:eu-west-1:333333333333:"));
        const alb = single(prod, "aws:lb/loadBalancer:LoadBalancer");
        assert.deepStrictEqual(
            [alb.inputs.enableDeletionProtection, input(alb, "accessLogs", "enabled")],
            [true, true],
        );
        const open = ofType(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.cidrIpv4 === "0.0.0.0/0",
        );
        assert.deepStrictEqual(open.map((r) => r.inputs.fromPort).sort(), [443, 80]);
        // dev's default ingress is the HTTP API (HTTPS on execute-api: test/stacks/ecsIngress.test.ts); with the ALB:
        const dev = await stackRun("dev", { overrides: { "voteapp:ecsIngress": "loadBalancer" } });
        assert.deepStrictEqual(
            ofType(dev, "aws:lb/listener:Listener").map((l) => [l.inputs.port, l.inputs.protocol]),
            [[80, "HTTP"]],
        );
        assert.strictEqual(
            ofType(dev, "aws:s3/bucket:Bucket").filter((b) => b.name.includes("access-logs")).length,
            0,
            "dev needs no access log bucket",
        );
    });

    it("test route: none in staging and prod without voteapp:testTrafficCidrs; with them, prod's test listener admits exactly those", async () => {
        const testRules = (run: Awaited<ReturnType<typeof stackRun>>) =>
            ofType(run, "aws:lb/listenerRule:ListenerRule")
                .map((r) => r.name)
                .filter((n) => n.endsWith("-test"));
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            assert.deepStrictEqual(testRules(run), [], stack);
            assert.strictEqual(ofType(run, "aws:lb/listener:Listener").length, 2, `${stack}: listeners`);
        }
        const open = await stackRun("prod", { overrides: { "voteapp:testTrafficCidrs": "52.94.76.0/22" } });
        assert.deepStrictEqual(testRules(open).sort(), ["vote-app-alb-result-test", "vote-app-alb-vote-test"]);
        assert.deepStrictEqual(
            ofType(open, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => r.inputs.fromPort === 8443)
                .map((r) => r.inputs.cidrIpv4),
            ["52.94.76.0/22"],
        );
    });

    for (const strategy of ECS_STRATEGIES) {
        it(`${strategy} passes prod's policy enforcement (no mandatory violation)`, async () => {
            const run = await stackRun("prod", { overrides: { "voteapp:deploymentStrategy": strategy } });
            const report = evaluatePolicies(run.resources, { config: packConfigFor("prod") });
            assert.deepStrictEqual(
                report.violations.filter((v) => v.level === "mandatory"),
                [],
                formatReport(report),
            );
        });
    }

    it("observability watches the stack's own app: prod (blue/green) graphs both target groups of each service, its clusters and log groups", async () => {
        const run = await stackRun("prod");
        const body = JSON.parse(
            String(single(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody),
        ) as DashboardBody;
        const p95 = body.widgets.find((w) => w.type === "metric" && w.properties.title === "p95 latency");
        assert.ok(p95 && p95.type === "metric");
        assert.deepStrictEqual(
            p95.properties.metrics.map((r) => (r[r.length - 1] as { label?: string }).label),
            ["vote (blue)", "vote (green)", "result (blue)", "result (green)"],
        );
        const fiveXx = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "voteapp-prod-vote-target-5xx");
        assert.deepStrictEqual(
            (fiveXx.inputs.metricQueries as { metric?: { dimensions: Record<string, string> } }[]).map(
                (q) => q.metric?.dimensions.TargetGroup.split("/")[1],
            ),
            ["vote-app-alb-vote", "vote-app-alb-vote-alt", undefined],
        );
        const cpu = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "voteapp-prod-worker-cpu");
        assert.deepStrictEqual(cpu.inputs.dimensions, { ClusterName: "voteapp-prod", ServiceName: "worker" });
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter")
                .map((f) => f.inputs.logGroupName)
                .sort(),
            ["/voteapp/voteapp-prod/result", "/voteapp/voteapp-prod/vote", "/voteapp/voteapp-prod/worker"],
        );
        assert.strictEqual(
            named(run, "aws:rds/instance:Instance", "data-postgres").inputs.manageMasterUserPassword,
            true,
        );
    });

    it("deployments roll back on the service's alarms: ECS alarms block (native), CodeDeploy alarm configuration", async () => {
        const prod = await stackRun("prod");
        const alarmNames = new Set(
            ofType(prod, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => String(a.inputs.name)),
        );
        for (const service of ["vote", "result", "worker"] as const) {
            const s = named(prod, "aws:ecs/service:Service", `vote-app-${service}`);
            const expected = rollbackAlarmNames("voteapp-prod", service, service !== "worker");
            assert.deepStrictEqual(s.inputs.alarms, { alarmNames: expected, enable: true, rollback: true }, service);
            for (const name of expected)
                assert.ok(alarmNames.has(name), `${service} rolls back on ${name}, which no alarm is`);
        }
        assert.ok(
            (
                input(named(prod, "aws:ecs/service:Service", "vote-app-worker"), "alarms", "alarmNames") as string[]
            ).includes("voteapp-prod-worker-errors"),
            "the worker's error lines roll its deployment back",
        );
        const codeDeploy = await stackRun("prod", {
            overrides: { "voteapp:deploymentStrategy": "codeDeployCanary" },
        });
        const group = named(codeDeploy, "aws:codedeploy/deploymentGroup:DeploymentGroup", "vote-app-codedeploy-vote");
        assert.deepStrictEqual(group.inputs.alarmConfiguration, {
            enabled: true,
            alarms: rollbackAlarmNames("voteapp-prod", "vote", true),
        });
        assert.strictEqual(
            named(codeDeploy, "aws:ecs/service:Service", "vote-app-vote").inputs.alarms,
            undefined,
            "CodeDeploy, not ECS, watches the alarms",
        );
    });

    it("alarm email subscribed in prod only; the stack outputs the dashboard URL and the alarm topic", async () => {
        const prod = await stackRun("prod");
        const subscription = single(prod, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepStrictEqual(
            [subscription.inputs.protocol, subscription.inputs.endpoint],
            ["email", "oncall@example.com"],
        );
        assert.strictEqual(ofType(await stackRun("dev"), "aws:sns/topicSubscription:TopicSubscription").length, 0);
        assert.strictEqual(
            prod.outputs.dashboardUrl,
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/voteapp-prod",
        );
        assert.strictEqual(prod.outputs.alarmTopicArn, "arn:aws:sns:eu-west-1:333333333333:topic/observability-alarms");
    });
});
