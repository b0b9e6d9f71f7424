import * as assert from "assert";
import { APP_SERVICE_TABLE, type AppServiceSpec, APP_HEALTH_PATH, type ServiceTable } from "../../shared/appContract";
import { input, named, ofType, stackRun } from "../support/stacks";

/**
 * Issue 16.2: adding a service is one row of the service table (shared/appContract.ts). A sixth service, an
 * HTTP "stats" service on /stats, is added to a copy of the table handed to the program, and each platform
 * plans it: its own task definition, ECS service, target group(s) and listener rule on ecs; its Deployment(s),
 * Service and Ingress path on eks; its function and routes on lambda; its alarms everywhere.
 */
const STATS: AppServiceSpec = {
    name: "stats",
    http: {
        pathPatterns: ["/stats", "/stats/*"],
        priority: 20,
        lambdaRoutes: ["GET /stats", `GET /stats${APP_HEALTH_PATH}`],
    },
    redis: false,
    postgres: false,
    singleReplica: false,
    lambda: {
        bundle: "result-lambda",
        description: "Vote statistics from DynamoDB",
        access: ["readTotals"],
        defaultSize: { memoryMb: 512, reservedConcurrency: 5 },
    },
    defaultSize: { cpu: 512, memory: 1024, maxCount: 3 },
};
const WITH_STATS: ServiceTable = [...APP_SERVICE_TABLE, STATS];

const alarmNames = (run: Awaited<ReturnType<typeof stackRun>>) =>
    ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => String(input(alarm, "name")));

describe("a sixth service added to the service table", function () {
    this.timeout(300_000);

    for (const stack of ["dev", "staging"] as const) {
        describe(`${stack} on ecs`, () => {
            // The ALB path (dev's default ingress is the HTTP API: tested below).
            const run = () =>
                stackRun(stack, {
                    overrides: { "voteapp:platform": "ecs", "voteapp:ecsIngress": "loadBalancer" },
                    services: WITH_STATS,
                });

            if (stack === "dev")
                it("behind the HTTP API (dev's default): a Cloud Map service, its registry, an integration and routes on its paths", async () => {
                    const r = await stackRun(stack, { overrides: { "voteapp:platform": "ecs" }, services: WITH_STATS });
                    const discovery = named(r, "aws:servicediscovery/service:Service", "vote-app-api-stats");
                    const service = named(r, "aws:ecs/service:Service", "vote-app-stats");
                    assert.strictEqual(input(service, "serviceRegistries", "containerName"), "stats");
                    assert.ok(
                        String(input(service, "serviceRegistries", "registryArn")).endsWith(`/${discovery.name}`),
                    );
                    const integration = named(r, "aws:apigatewayv2/integration:Integration", "vote-app-api-stats");
                    const routes = ofType(r, "aws:apigatewayv2/route:Route")
                        .filter((route) => input(route, "target") === `integrations/${integration.name}-id`)
                        .map((route) => String(input(route, "routeKey")))
                        .sort();
                    assert.deepStrictEqual(routes, ["ANY /stats", "ANY /stats/{proxy+}"]);
                    named(
                        r,
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                        "fargate-security-groups-stats-from-vpc-link",
                    );
                });

            it("gets its own task definition, sized by the row's defaults, and an ECS service behind its target group", async () => {
                const r = await run();
                const task = named(r, "aws:ecs/taskDefinition:TaskDefinition", "vote-app-stats");
                assert.strictEqual(input(task, "family"), `voteapp-${stack}-stats`);
                assert.strictEqual(input(task, "cpu"), "512");
                assert.strictEqual(input(task, "memory"), "1024");
                const service = named(r, "aws:ecs/service:Service", "vote-app-stats");
                assert.strictEqual(input(service, "name"), "stats");
                const balancers = input(service, "loadBalancers") as { containerName: string }[];
                assert.deepStrictEqual(
                    balancers.map((lb) => lb.containerName),
                    ["stats"],
                );
                named(r, "aws:ec2/securityGroup:SecurityGroup", "fargate-security-groups-stats");
                named(
                    r,
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "fargate-security-groups-stats-from-alb",
                );
            });

            it("is routed on its path patterns at its priority, with a target group (and an alternate under blue/green)", async () => {
                const r = await run();
                named(r, "aws:lb/targetGroup:TargetGroup", "vote-app-alb-stats");
                const blueGreen = stack !== "dev";
                assert.strictEqual(
                    ofType(r, "aws:lb/targetGroup:TargetGroup").some((tg) => tg.name === "vote-app-alb-stats-alt"),
                    blueGreen,
                );
                const rule = named(r, "aws:lb/listenerRule:ListenerRule", "vote-app-alb-stats");
                assert.strictEqual(input(rule, "priority"), 20);
                assert.deepStrictEqual(input(rule, "conditions", 0, "pathPattern", "values"), ["/stats", "/stats/*"]);
            });

            it("has its own alarms (errors, CPU, target 5xx); only the worker's error alarm says it rolls back", async () => {
                const r = await run();
                const names = alarmNames(r);
                const description = (alarm: string) =>
                    String(input(named(r, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm), "alarmDescription"));
                assert.match(description(`voteapp-${stack}-worker-errors`), /Rolls back a worker deployment/);
                assert.doesNotMatch(description(`voteapp-${stack}-stats-errors`), /Rolls back/);
                for (const signal of ["errors", "cpu", "target-5xx"])
                    assert.ok(
                        names.includes(`voteapp-${stack}-stats-${signal}`),
                        `no ${signal} alarm for stats: ${names.join(", ")}`,
                    );
            });
        });

        describe(`${stack} on eks`, () => {
            const run = () => stackRun(stack, { overrides: { "voteapp:platform": "eks" }, services: WITH_STATS });

            it("gets its Deployment(s) (both slots under blue/green), a Service, and an Ingress path before the default route", async () => {
                const r = await run();
                const deployments = ofType(r, "kubernetes:apps/v1:Deployment").map((d) =>
                    String(input(d, "metadata", "name")),
                );
                const expected = stack === "dev" ? ["stats"] : ["stats-blue", "stats-green"];
                for (const name of expected)
                    assert.ok(deployments.includes(name), `no Deployment ${name}: ${deployments.join(", ")}`);
                named(r, "kubernetes:core/v1:Service", "vote-app-stats");
                const ingress = ofType(r, "kubernetes:networking.k8s.io/v1:Ingress")[0];
                const paths = (
                    input(ingress, "spec", "rules", 0, "http", "paths") as {
                        path: string;
                        backend: { service: { name: string } };
                    }[]
                ).map((p) => `${p.path}->${p.backend.service.name}`);
                assert.deepStrictEqual(paths, ["/result->result", "/stats->stats", "/->vote"]);
            });
        });
    }

    describe("dev on lambda", () => {
        const run = () => stackRun("dev", { overrides: { "voteapp:platform": "lambda" }, services: WITH_STATS });

        it("gets its own function, reading the table only, behind its API routes, with its alarms and deployment group", async () => {
            const r = await run();
            const fn = ofType(r, "aws:lambda/function:Function").find((f) => input(f, "name") === "voteapp-dev-stats");
            assert.ok(fn, "no function voteapp-dev-stats");
            assert.strictEqual(input(fn, "memorySize"), 512);
            assert.deepStrictEqual(Object.keys(input(fn, "environment", "variables") as object).sort(), [
                "OPTION_A",
                "OPTION_B",
                "VOTES_TABLE_NAME",
            ]);
            const routes = ofType(r, "aws:apigatewayv2/route:Route").map((route) => String(input(route, "routeKey")));
            for (const key of ["GET /stats", `GET /stats${APP_HEALTH_PATH}`])
                assert.ok(routes.includes(key), `no route ${key}: ${routes.join(", ")}`);
            const policy = JSON.stringify(input(named(r, "aws:iam/rolePolicy:RolePolicy", "vote-app-stats"), "policy"));
            assert.match(policy, /ReadTotals/);
            assert.doesNotMatch(policy, /SendBallots|RecordBallots|ReceiveBallots/);
            const names = alarmNames(r);
            for (const signal of ["errors", "throttles"])
                assert.ok(
                    names.includes(`voteapp-dev-stats-${signal}`),
                    `no ${signal} alarm for stats: ${names.join(", ")}`,
                );
            named(r, "aws:codedeploy/deploymentGroup:DeploymentGroup", "vote-app-codedeploy-stats");
        });
    });
});
