import * as assert from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { smokeTest } from "../../scripts/smoke-test";
import { httpApiRouteKeys } from "../../components/fargate/httpApiIngress";
import { rollbackAlarmNames } from "../../components/observability/alarmNames";
import { resultEvents } from "../../app/src/core/config";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { AppEnv, APP_HTTP_PORT, APP_SERVICE_TABLE, httpServices, type ServiceTable } from "../../shared/appContract";
import { input, named, ofType, single, stackRun } from "../support/stacks";

/**
 * voteapp:ecsIngress httpApi on the ecs platform: the HTTP API, VPC link and Cloud Map replace the ALB, and every
 * consumer of the ALB is joined to them (security groups, ECS service registries, routes from the service table,
 * the URL output, the alarms the deployments roll back on, the policy pack).
 */
const HTTP_API = { overrides: { "voteapp:ecsIngress": "httpApi" } };
const SERVICE_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

describe("stacks on ecs with ecsIngress httpApi: the HTTP API replaces the ALB, joined to every consumer", function () {
    this.timeout(180_000);

    it("no load balancer, listener, target group or internet-open rule is planned", async () => {
        const run = await stackRun("dev", HTTP_API);
        for (const type of [
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:lb/listener:Listener",
            "aws:lb/listenerRule:ListenerRule",
            "aws:lb/targetGroup:TargetGroup",
        ])
            assert.strictEqual(ofType(run, type).length, 0, type);
        const open = ofType(run, INGRESS_RULE).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
        assert.deepStrictEqual(
            open.map((r) => r.name),
            [],
        );
    });

    it("the VPC link sits in the tasks' private subnets with its own group; tasks admit their port only from it", async () => {
        const run = await stackRun("dev", HTTP_API);
        const link = single(run, "aws:apigatewayv2/vpcLink:VpcLink");
        const linkGroup = named(run, SERVICE_GROUP, "fargate-security-groups-vpc-link");
        const vote = named(run, "aws:ecs/service:Service", "vote-app-vote");
        assert.deepStrictEqual(link.inputs.subnetIds, input(vote, "networkConfiguration", "subnets"));
        // The group's id as the mocked engine reports it: what the rules reference.
        const linkGroupId = input(
            named(run, EGRESS_RULE, "fargate-security-groups-vpc-link-to-vote"),
            "securityGroupId",
        );
        assert.deepStrictEqual(link.inputs.securityGroupIds, [linkGroupId]);
        assert.ok(String(linkGroupId).startsWith("sg-"), String(linkGroupId));
        assert.strictEqual(linkGroup.inputs.ingress, undefined, "the VPC link's group needs no inbound rule");
        assert.deepStrictEqual(
            ofType(run, INGRESS_RULE).filter((r) => r.inputs.securityGroupId === linkGroupId),
            [],
        );
        for (const spec of httpServices(APP_SERVICE_TABLE)) {
            const service = named(run, "aws:ecs/service:Service", `vote-app-${spec.name}`);
            const [taskGroupId] = input(service, "networkConfiguration", "securityGroups") as string[];
            const inbound = ofType(run, INGRESS_RULE).filter((r) => r.inputs.securityGroupId === taskGroupId);
            assert.deepStrictEqual(
                inbound.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
                [[linkGroupId, APP_HTTP_PORT, APP_HTTP_PORT]],
                `${spec.name} admits only the VPC link, on its port`,
            );
            const outbound = ofType(run, EGRESS_RULE).filter(
                (r) => r.inputs.securityGroupId === linkGroupId && r.inputs.referencedSecurityGroupId === taskGroupId,
            );
            assert.deepStrictEqual(
                outbound.map((r) => [r.inputs.fromPort, r.inputs.toPort]),
                [[APP_HTTP_PORT, APP_HTTP_PORT]],
                `the VPC link reaches ${spec.name} on its port only`,
            );
        }
    });

    it("each HTTP service registers its tasks in Cloud Map with SRV records, and its integration reaches that service through the VPC link", async () => {
        const run = await stackRun("dev", HTTP_API);
        const namespace = single(run, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace");
        const link = single(run, "aws:apigatewayv2/vpcLink:VpcLink");
        const integrations = ofType(run, "aws:apigatewayv2/integration:Integration");
        for (const spec of httpServices(APP_SERVICE_TABLE)) {
            const discovery = named(run, "aws:servicediscovery/service:Service", `vote-app-api-${spec.name}`);
            assert.deepStrictEqual(input(discovery, "dnsConfig", "dnsRecords"), [{ type: "SRV", ttl: 10 }]);
            assert.strictEqual(input(discovery, "dnsConfig", "namespaceId"), `${namespace.name}-id`);
            assert.deepStrictEqual(discovery.inputs.healthCheckCustomConfig, {}, "ECS reports task health");
            const discoveryArn = `arn:aws:servicediscovery:eu-west-1:111111111111:service/${discovery.name}`;
            const service = named(run, "aws:ecs/service:Service", `vote-app-${spec.name}`);
            assert.deepStrictEqual(service.inputs.serviceRegistries, {
                registryArn: discoveryArn,
                containerName: spec.name,
                containerPort: APP_HTTP_PORT,
            });
            assert.deepStrictEqual(service.inputs.loadBalancers, [], spec.name);
            const integration = integrations.filter((i) => i.inputs.integrationUri === discoveryArn);
            assert.strictEqual(integration.length, 1, `one integration reaches ${spec.name}`);
            assert.deepStrictEqual(
                [
                    integration[0].inputs.integrationType,
                    integration[0].inputs.connectionType,
                    integration[0].inputs.connectionId,
                    integration[0].inputs.timeoutMilliseconds,
                ],
                ["HTTP_PROXY", "VPC_LINK", `${link.name}-id`, 30_000],
            );
        }
        const worker = named(run, "aws:ecs/service:Service", "vote-app-worker");
        assert.strictEqual(worker.inputs.serviceRegistries, undefined, "the worker serves no HTTP");
    });

    it("routes come from the path patterns the ALB's listener rules match: every path the ALB sends to a service, the API does too", async () => {
        const [api, alb] = await Promise.all([
            stackRun("dev", HTTP_API),
            stackRun("dev", { overrides: { "voteapp:ecsIngress": "loadBalancer" } }),
        ]);
        const routes = ofType(api, "aws:apigatewayv2/route:Route");
        const integrationOf = new Map(
            ofType(api, "aws:apigatewayv2/integration:Integration").map((i) => [`integrations/${i.name}-id`, i]),
        );
        const routed: Record<string, string[]> = {};
        for (const route of routes) {
            const integration = integrationOf.get(String(route.inputs.target));
            assert.ok(integration, `${route.name} targets an integration`);
            const service = integration.name.replace("vote-app-api-", "");
            (routed[service] ??= []).push(String(route.inputs.routeKey));
        }
        // The ALB side: each listener rule's path patterns, and the listener's default action's service.
        const rules = ofType(alb, "aws:lb/listenerRule:ListenerRule");
        const targetGroupService = new Map(
            ofType(alb, "aws:lb/targetGroup:TargetGroup").map((tg) => [
                `arn:aws:lb:eu-west-1:111111111111:targetgroup/${tg.name}`,
                tg.name.replace("vote-app-alb-", ""),
            ]),
        );
        const expected: Record<string, string[]> = {};
        for (const rule of rules) {
            const arn = String(input(rule, "actions", 0, "targetGroupArn"));
            const service = targetGroupService.get(arn) ?? arn;
            const patterns = input(rule, "conditions", 0, "pathPattern", "values") as string[];
            (expected[service] ??= []).push(
                ...patterns.map((p) => (p.endsWith("/*") ? `ANY ${p.slice(0, -2)}/{proxy+}` : `ANY ${p}`)),
            );
        }
        const listener = single(alb, "aws:lb/listener:Listener");
        const defaultArn = String(input(listener, "defaultActions", 0, "targetGroupArn"));
        expected[targetGroupService.get(defaultArn) ?? defaultArn] = ["$default"];
        const sorted = (r: Record<string, string[]>) =>
            Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()]));
        assert.deepStrictEqual(sorted(routed), sorted(expected));
        for (const spec of httpServices(APP_SERVICE_TABLE))
            assert.deepStrictEqual(routed[spec.name].sort(), httpApiRouteKeys(spec, APP_SERVICE_TABLE).sort());
    });

    it("the stage keeps access logs (KMS, retention) and throttles the default route as voteapp:lambdaApiThrottle* say", async () => {
        const run = await stackRun("dev", {
            overrides: {
                ...HTTP_API.overrides,
                "voteapp:lambdaApiThrottleBurst": "50",
                "voteapp:lambdaApiThrottleRate": "25",
            },
        });
        const stage = single(run, "aws:apigatewayv2/stage:Stage");
        const logs = named(run, "aws:cloudwatch/logGroup:LogGroup", "vote-app-api-access");
        assert.ok(String(input(stage, "accessLogSettings", "destinationArn")).includes(String(logs.inputs.name)));
        assert.ok(String(logs.inputs.kmsKeyId).startsWith("arn:aws:kms:"));
        assert.strictEqual(logs.inputs.retentionInDays, 14);
        assert.deepStrictEqual(stage.inputs.defaultRouteSettings, {
            throttlingBurstLimit: 50,
            throttlingRateLimit: 25,
            detailedMetricsEnabled: true,
        });
    });

    it("the result page polls behind the HTTP API (RESULT_EVENTS=poll, as the app reads it) and streams behind the ALB", async () => {
        const environmentOf = (run: Awaited<ReturnType<typeof stackRun>>, service: string) => {
            const task = named(run, "aws:ecs/taskDefinition:TaskDefinition", `vote-app-${service}`);
            const [container] = JSON.parse(String(task.inputs.containerDefinitions)) as {
                environment: { name: string; value: string }[];
            }[];
            return Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
        };
        const api = await stackRun("dev", HTTP_API);
        const alb = await stackRun("dev", { overrides: { "voteapp:ecsIngress": "loadBalancer" } });
        assert.strictEqual(resultEvents(environmentOf(api, "result")), "poll");
        assert.strictEqual(resultEvents(environmentOf(alb, "result")), "stream");
        assert.strictEqual(environmentOf(alb, "result")[AppEnv.resultEvents], undefined);
    });

    it("the url output is the API's HTTPS endpoint (what the deploy workflow's smoke test reads); no load balancer output", async () => {
        const run = await stackRun("dev", HTTP_API);
        assert.match(String(run.outputs.url), /^https:\/\/[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        assert.strictEqual(run.outputs.apiEndpoint, run.outputs.url);
        assert.strictEqual(run.outputs.loadBalancerDnsName, undefined);
    });

    it("the deploy workflow's smoke test, sent through the planned routes, reaches vote for its ballot and result for the totals", async () => {
        const run = await stackRun("dev", HTTP_API);
        const serviceOf = new Map(
            ofType(run, "aws:apigatewayv2/integration:Integration").map((i) => [
                `integrations/${i.name}-id`,
                i.name.replace("vote-app-api-", ""),
            ]),
        );
        const routes = ofType(run, "aws:apigatewayv2/route:Route").map((r) => ({
            key: String(r.inputs.routeKey),
            service: serviceOf.get(String(r.inputs.target)) ?? "?",
        }));
        // HTTP API route selection: an exact path first, then the longest greedy {proxy+} prefix, then $default.
        const route = (path: string): string => {
            const exact = routes.find((r) => r.key === `ANY ${path}`);
            if (exact) return exact.service;
            const greedy = routes
                .filter((r) => r.key.endsWith("/{proxy+}"))
                .map((r) => ({ ...r, prefix: r.key.slice("ANY ".length, -"{proxy+}".length) }))
                .filter((r) => path.startsWith(r.prefix) && path.length > r.prefix.length)
                .sort((a, b) => b.prefix.length - a.prefix.length)[0];
            return greedy?.service ?? routes.find((r) => r.key === "$default")?.service ?? "none";
        };
        const counts = { a: 0, b: 0 };
        const reached: string[] = [];
        const server = http.createServer((request, response) => {
            const path = new URL(request.url ?? "/", "http://api").pathname;
            const service = route(path);
            reached.push(`${request.method} ${path} -> ${service}`);
            if (service === "result" && path === "/result/totals.json") {
                const votes = (n: number) => ({ votes: n, percent: 0 });
                response
                    .writeHead(200, { "content-type": "application/json" })
                    .end(JSON.stringify({ a: votes(counts.a), b: votes(counts.b), total: counts.a + counts.b }));
            } else if (service === "vote" && request.method === "POST" && path === "/") {
                counts.a++;
                response.writeHead(200).end("ok");
            } else response.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        try {
            const { port } = server.address() as AddressInfo;
            const { after } = await smokeTest({ url: `http://127.0.0.1:${port}`, attempts: 3, intervalMs: 10 });
            assert.strictEqual(after.a.votes, 1);
            assert.ok(reached.includes("POST / -> vote"), reached.join(", "));
            assert.ok(reached.includes("GET /result/totals.json -> result"), reached.join(", "));
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("working hours still scale every service behind the API to zero and back (the ALB's hours are gone with it)", async () => {
        const run = await stackRun("dev", HTTP_API);
        const actions = ofType(run, "aws:appautoscaling/scheduledAction:ScheduledAction").map((a) => a.name);
        for (const spec of APP_SERVICE_TABLE)
            for (const at of ["stop", "start"])
                assert.ok(actions.includes(`vote-app-${spec.name}-${at}`), `${spec.name} ${at}: ${actions.join(", ")}`);
    });

    it("with domainName and certificateArn the API serves the custom domain (TLS 1.2) and disables its execute-api endpoint", async () => {
        const run = await stackRun("dev", {
            overrides: {
                ...HTTP_API.overrides,
                "voteapp:domainName": "vote.dev.example.com",
                "voteapp:certificateArn":
                    "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001",
            },
        });
        const domain = single(run, "aws:apigatewayv2/domainName:DomainName");
        assert.deepStrictEqual(
            [
                input(domain, "domainNameConfiguration", "securityPolicy"),
                input(domain, "domainNameConfiguration", "endpointType"),
            ],
            ["TLS_1_2", "REGIONAL"],
        );
        assert.strictEqual(single(run, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, true);
        assert.strictEqual(run.outputs.url, "https://vote.dev.example.com");
        assert.strictEqual(ofType(run, INGRESS_RULE).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0").length, 0);
    });

    it("each service rolls back on alarms that exist: the HTTP services' on their routes' 5xx and latency", async () => {
        const run = await stackRun("dev", HTTP_API);
        const alarms = new Map(
            ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [String(a.inputs.name), a]),
        );
        for (const spec of APP_SERVICE_TABLE as ServiceTable) {
            const service = named(run, "aws:ecs/service:Service", `vote-app-${spec.name}`);
            const expected = rollbackAlarmNames("voteapp-dev", spec.name, spec.http !== undefined, "httpApi");
            assert.deepStrictEqual(input(service, "alarms", "alarmNames"), expected, spec.name);
            for (const name of expected)
                assert.ok(alarms.has(name), `${spec.name} rolls back on ${name}, which no alarm is`);
        }
        const api = single(run, "aws:apigatewayv2/api:Api");
        const resultErrors = alarms.get("voteapp-dev-result-target-5xx");
        const metrics = (
            resultErrors?.inputs.metricQueries as {
                metric?: { dimensions?: Record<string, string>; metricName?: string };
            }[]
        )
            .filter((q) => q.metric)
            .map((q) => [q.metric?.metricName, q.metric?.dimensions?.ApiId, q.metric?.dimensions?.Route]);
        assert.deepStrictEqual(
            metrics.sort(),
            httpApiRouteKeys(APP_SERVICE_TABLE[1], APP_SERVICE_TABLE)
                .map((route) => ["5xx", `${api.name}-id`, route])
                .sort(),
        );
        assert.ok(!alarms.has("voteapp-dev-alb-5xx"));
        assert.ok(alarms.has("voteapp-dev-api-5xx"));
    });

    it("passes dev's policy enforcement with no mandatory violation, and the API rules judge its stage", async () => {
        const run = await stackRun("dev", HTTP_API);
        const report = evaluatePolicies(run.resources, { config: packConfigFor("dev") });
        assert.deepStrictEqual(
            report.violations.filter((v) => v.level === "mandatory"),
            [],
            formatReport(report),
        );
        assert.deepStrictEqual(
            report.violations.filter((v) => v.policyName.startsWith("apigw-")),
            [],
            formatReport(report),
        );
    });
});
