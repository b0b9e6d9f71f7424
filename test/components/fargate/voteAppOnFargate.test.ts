import * as assert from "assert";
import type { CapturedResource } from "../../../shared/capturedResource";
import type { ContainerDefinition } from "../../../components/fargate/containerDefinition";
import { TLS_POLICY } from "../../../components/fargate/loadBalancer";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import { recordOf } from "../../../shared/record";
import { APP_SERVICES } from "../../../shared/appContract";
import {
    mountFargateApp,
    TEST_CERTIFICATE_ARN,
    TEST_FARGATE_ARGS,
    TEST_NAME_PREFIX,
    TEST_NETWORK,
} from "../../support/fixtures";
import { assertPrivateTlsOnlyBucket, input, named, ofType, single } from "../../support/resources";

/**
 * VoteAppOnFargate mounted with the args each test chooses (test/support/fixtures.ts); that each stack's config
 * reaches these args is test/stacks/fargateComposition.test.ts.
 */
const containerOf = (taskDefinition: CapturedResource): ContainerDefinition =>
    (JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as ContainerDefinition[])[0];
const policyOf = (resource: CapturedResource) =>
    JSON.parse(String(resource.inputs.policy)) as {
        Statement: { Sid?: string; Action: string | string[]; Resource: string | string[] }[];
    };

/** The app on HTTPS with every protection, as staging and prod run it. */
const protectedApp = () => mountFargateApp({ certificateArn: TEST_CERTIFICATE_ARN, protection: FULL_PROTECTION });
/** The app with the fixture's args alone: HTTP, no protection, on-demand, rolling. */
const plainApp = () => mountFargateApp();

describe("VoteAppOnFargate", function () {
    this.timeout(180_000);

    it("runs a cluster with enhanced Container Insights by default, or the level chosen", async () => {
        assert.deepStrictEqual(single(await plainApp(), "aws:ecs/cluster:Cluster").inputs.settings, [
            { name: "containerInsights", value: "enhanced" },
        ]);
        for (const level of ["enabled", "disabled"] as const) {
            const cluster = single(await mountFargateApp({ containerInsights: level }), "aws:ecs/cluster:Cluster");
            assert.deepStrictEqual(cluster.inputs.settings, [{ name: "containerInsights", value: level }], level);
        }
    });

    it("runs services on Fargate Spot when asked (the cluster offers it first), on Fargate otherwise", async () => {
        const spot = await mountFargateApp({ capacity: "spot" });
        const providers = single(spot, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
        assert.deepStrictEqual(providers.inputs.capacityProviders, ["FARGATE", "FARGATE_SPOT"]);
        for (const service of ofType(spot, "aws:ecs/service:Service")) {
            assert.strictEqual(service.inputs.launchType, undefined, service.name);
            assert.deepStrictEqual(
                service.inputs.capacityProviderStrategies,
                [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
                service.name,
            );
            assert.ok(
                service.dependencies.includes(providers.urn),
                `${service.name} is created before Spot is offered`,
            );
        }
        const onDemand = await plainApp();
        assert.strictEqual(ofType(onDemand, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").length, 0);
        for (const service of ofType(onDemand, "aws:ecs/service:Service"))
            assert.strictEqual(service.inputs.launchType, "FARGATE", service.name);
    });

    it("with an on-demand base on Spot, places that many tasks of each load-balanced service on Fargate first; the worker on Spot only", async () => {
        const app = await mountFargateApp({ capacity: "spot", spotOnDemandBase: 2 });
        const strategies = Object.fromEntries(
            ofType(app, "aws:ecs/service:Service").map((s) => [s.inputs.name, s.inputs.capacityProviderStrategies]),
        );
        const based = [
            { capacityProvider: "FARGATE", base: 2, weight: 0 },
            { capacityProvider: "FARGATE_SPOT", weight: 1 },
        ];
        assert.deepStrictEqual(strategies, {
            vote: based,
            result: based,
            worker: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        });
        const onDemand = await mountFargateApp({ capacity: "onDemand", spotOnDemandBase: 2 });
        for (const service of ofType(onDemand, "aws:ecs/service:Service"))
            assert.strictEqual(
                service.inputs.launchType,
                "FARGATE",
                `${service.name}: a base needs Spot to mean anything`,
            );
    });

    it("defines each service as an awsvpc Fargate task with the size given", async () => {
        const sizes = {
            vote: { cpu: 512, memory: 1024 },
            result: { cpu: 1024, memory: 2048 },
            worker: { cpu: 256, memory: 512 },
        } as const;
        const run = await mountFargateApp({
            sizes: recordOf(APP_SERVICES, (s) => ({ ...TEST_FARGATE_ARGS.sizes[s], ...sizes[s] })),
        });
        for (const service of APP_SERVICES) {
            const td = named(run, "aws:ecs/taskDefinition:TaskDefinition", `vote-app-${service}`);
            assert.deepStrictEqual(
                [td.inputs.networkMode, td.inputs.requiresCompatibilities, td.inputs.cpu, td.inputs.memory],
                ["awsvpc", ["FARGATE"], String(sizes[service].cpu), String(sizes[service].memory)],
                service,
            );
        }
    });

    it("runs containers non-root, non-privileged, read-only, with all capabilities dropped and logs to CloudWatch", async () => {
        const tasks = ofType(await plainApp(), "aws:ecs/taskDefinition:TaskDefinition");
        assert.strictEqual(tasks.length, APP_SERVICES.length);
        for (const td of tasks) {
            const c = containerOf(td);
            assert.deepStrictEqual([c.user, c.privileged, c.readonlyRootFilesystem], ["10001", false, true], td.name);
            assert.deepStrictEqual(c.linuxParameters.capabilities.drop, ["ALL"]);
            assert.strictEqual(c.logConfiguration.logDriver, "awslogs");
            assert.strictEqual(c.logConfiguration.options["awslogs-group"], `/voteapp/${TEST_NAME_PREFIX}/${c.name}`);
        }
    });

    it("gives each service exactly the app contract it needs, and no secret", async () => {
        const run = await plainApp();
        const env = (service: string) =>
            containerOf(named(run, "aws:ecs/taskDefinition:TaskDefinition", `vote-app-${service}`));
        const names = (c: ContainerDefinition) => c.environment.map((e) => e.name).sort();
        assert.deepStrictEqual(names(env("vote")), [
            "AWS_REGION",
            "OPTION_A",
            "OPTION_B",
            "PORT",
            "REDIS_AUTH",
            "REDIS_CACHE_NAME",
            "REDIS_HOST",
            "REDIS_PORT",
            "REDIS_TLS",
            "REDIS_USER",
        ]);
        assert.deepStrictEqual(names(env("result")), [
            "AWS_REGION",
            "OPTION_A",
            "OPTION_B",
            "PGAUTH",
            "PGDATABASE",
            "PGHOST",
            "PGPORT",
            "PGSSLMODE",
            "PGUSER",
            "PORT",
        ]);
        // Redis and Postgres clients sign IAM tokens with their task roles (test/stacks/databaseAccess.test.ts, redisAccess.test.ts).
        for (const service of APP_SERVICES) assert.deepStrictEqual(env(service).secrets, [], service);
        assert.strictEqual(env("vote").environment.find((e) => e.name === "REDIS_TLS")?.value, "true");
        assert.strictEqual(env("worker").environment.find((e) => e.name === "REDIS_AUTH")?.value, "iam");
        assert.strictEqual(
            env("vote").environment.find((e) => e.name === "OPTION_A")?.value,
            TEST_FARGATE_ARGS.voteOptions.a,
        );
    });

    it("runs services in private subnets without public IPs, with a rolling-back circuit breaker", async () => {
        const run = await plainApp();
        for (const service of ofType(run, "aws:ecs/service:Service")) {
            assert.strictEqual(input(service, "networkConfiguration", "assignPublicIp"), false, service.name);
            assert.deepStrictEqual(input(service, "networkConfiguration", "subnets"), TEST_NETWORK.privateSubnetIds);
            assert.deepStrictEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
            assert.strictEqual(service.inputs.enableExecuteCommand, false);
            assert.strictEqual(input(service, "serviceConnectConfiguration", "enabled"), true);
        }
        assert.deepStrictEqual(input(named(run, "aws:ecs/service:Service", "vote-app-worker"), "loadBalancers"), []);
        assert.strictEqual(
            input(named(run, "aws:ecs/service:Service", "vote-app-vote"), "loadBalancers", 0, "containerPort"),
            8080,
        );
    });

    it("scales vote and result on CPU between the bounds given, not the worker", async () => {
        const run = await mountFargateApp({
            sizes: recordOf(APP_SERVICES, (s) => ({ ...TEST_FARGATE_ARGS.sizes[s], minCount: 3, maxCount: 12 })),
        });
        const targets = ofType(run, "aws:appautoscaling/target:Target");
        assert.deepStrictEqual(targets.map((t) => [t.name, t.inputs.minCapacity, t.inputs.maxCapacity]).sort(), [
            ["vote-app-result", 3, 12],
            ["vote-app-vote", 3, 12],
        ]);
        const policies = ofType(run, "aws:appautoscaling/policy:Policy");
        assert.ok(policies.length > 0, "no scaling policy");
        for (const policy of policies) {
            assert.strictEqual(
                input(
                    policy,
                    "targetTrackingScalingPolicyConfiguration",
                    "predefinedMetricSpecification",
                    "predefinedMetricType",
                ),
                "ECSServiceAverageCPUUtilization",
            );
        }
    });

    it("separates execution roles (pull, own logs, no secret) from task roles that may only connect to their stores", async () => {
        const run = await plainApp();
        const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.includes("execution"));
        assert.strictEqual(policies.length, 3);
        for (const policy of policies) {
            const statements = policyOf(policy).Statement;
            assert.deepStrictEqual(
                statements.map((s) => s.Sid),
                // GuardDuty's runtime agent is a sidecar ECS adds, pulled with this role (issue 11.13).
                ["EcrLogin", "PullAppImages", "PullGuardDutyRuntimeAgent", "WriteOwnLogs"],
                `${policy.name}: nothing but pull (the app's images and GuardDuty's agent) and logs (no secret to read)`,
            );
            const actions = statements.flatMap((s) => [s.Action].flat());
            assert.ok(!actions.some((a) => a.endsWith(":*") || a === "*"), `wildcard actions: ${actions.join(", ")}`);
        }
        const withoutAgent = await mountFargateApp({ guardDutyAgentRepositoryArn: undefined });
        for (const policy of ofType(withoutAgent, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
            p.name.includes("execution"),
        ))
            assert.ok(
                !policyOf(policy).Statement.some((s) => s.Sid === "PullGuardDutyRuntimeAgent"),
                `${policy.name} may pull an agent no one named`,
            );
        const taskRoles = ofType(run, "aws:iam/role:Role").filter((r) => r.name.endsWith("-task"));
        assert.strictEqual(taskRoles.length, 3);
        const attached = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-task"));
        assert.deepStrictEqual(attached.map((p) => p.name).sort(), [
            "vote-app-result-task",
            "vote-app-vote-task",
            "vote-app-worker-task",
        ]);
    });

    it("gives worker and result task roles only rds-db:connect (on the task role, not the execution role); RDS keeps managing the master password", async () => {
        const run = await plainApp();
        assert.strictEqual(
            named(run, "aws:rds/instance:Instance", "data-postgres").inputs.manageMasterUserPassword,
            true,
            "RDS manages (and rotates) the master password",
        );
        for (const service of ["worker", "result"]) {
            const taskPolicy = named(run, "aws:iam/rolePolicy:RolePolicy", `vote-app-${service}-task`);
            assert.strictEqual(
                taskPolicy.inputs.role,
                `vote-app-${service}-task-id`,
                "attached to the task role (the app's identity), not the execution role",
            );
            const statements = policyOf(taskPolicy).Statement as { Sid?: string; Action: string | string[] }[];
            assert.deepStrictEqual(
                statements.map((st) => [st.Sid, st.Action]),
                [
                    ...(service === "worker" ? [["ConnectToRedisAsOwnUser", "elasticache:Connect"]] : []),
                    ["ConnectAsOwnDatabaseUser", "rds-db:connect"],
                ],
            );
        }
        const vote = policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "vote-app-vote-task")).Statement as {
            Sid?: string;
            Action: string | string[];
        }[];
        assert.deepStrictEqual(
            vote.map((st) => [st.Sid, st.Action]),
            [["ConnectToRedisAsOwnUser", "elasticache:Connect"]],
            "vote's task role may only connect to Redis as its own user",
        );
    });

    it("keeps a log group per service with the retention given, encrypted with the key given", async () => {
        const run = await mountFargateApp({ logRetentionDays: 365 });
        for (const service of APP_SERVICES) {
            const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `vote-app-${service}`);
            assert.strictEqual(group.inputs.retentionInDays, 365);
            assert.strictEqual(group.inputs.kmsKeyId, TEST_FARGATE_ARGS.kmsKeyArn);
        }
    });

    describe("load balancer", () => {
        it("serves HTTPS on the certificate given with a TLS 1.2+ policy, and only redirects HTTP", async () => {
            const run = await protectedApp();
            const https = named(run, "aws:lb/listener:Listener", "vote-app-alb-https");
            assert.deepStrictEqual(
                [https.inputs.port, https.inputs.protocol, https.inputs.sslPolicy, https.inputs.certificateArn],
                [443, "HTTPS", TLS_POLICY, TEST_CERTIFICATE_ARN],
            );
            const http = named(run, "aws:lb/listener:Listener", "vote-app-alb-http-redirect");
            assert.deepStrictEqual(input(http, "defaultActions", 0, "redirect"), {
                protocol: "HTTPS",
                port: "443",
                statusCode: "HTTP_301",
            });
        });

        it("serves plain HTTP only without a certificate", async () => {
            const listeners = ofType(await plainApp(), "aws:lb/listener:Listener");
            assert.deepStrictEqual(
                listeners.map((l) => [l.inputs.port, l.inputs.protocol]),
                [[80, "HTTP"]],
            );
        });

        it("routes /result to result and everything else to vote", async () => {
            const run = await plainApp();
            const rule = single(run, "aws:lb/listenerRule:ListenerRule");
            assert.deepStrictEqual(input(rule, "conditions", 0, "pathPattern", "values"), ["/result", "/result/*"]);
            const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
            assert.ok(
                groups.every((g) => g.inputs.targetType === "ip" && input(g, "healthCheck", "path") === "/healthz"),
            );
        });

        it("drops invalid headers, mitigates desync, keeps connections open for server-sent events, in the public subnets", async () => {
            const alb = single(await plainApp(), "aws:lb/loadBalancer:LoadBalancer");
            assert.deepStrictEqual(
                [
                    alb.inputs.dropInvalidHeaderFields,
                    alb.inputs.desyncMitigationMode,
                    alb.inputs.internal,
                    alb.inputs.idleTimeout,
                ],
                [true, "defensive", false, 120],
            );
            assert.deepStrictEqual(alb.inputs.subnets, TEST_NETWORK.publicSubnetIds);
        });

        it("with protection: writes access logs to a private, TLS-only bucket and protects the ALB; without: no bucket", async () => {
            const run = await protectedApp();
            const alb = single(run, "aws:lb/loadBalancer:LoadBalancer");
            assert.strictEqual(alb.inputs.enableDeletionProtection, true);
            assert.strictEqual(input(alb, "accessLogs", "enabled"), true);
            assertPrivateTlsOnlyBucket(run, single(run, "aws:s3/bucket:Bucket", "alb-access-logs").name);
            assert.strictEqual(
                ofType(await plainApp(), "aws:s3/bucket:Bucket").filter((b) => b.name.includes("access-logs")).length,
                0,
                "no access log bucket without protection.accessLogs",
            );
        });

        it("opens only 80/443 to the internet, on the load balancer's tagged group", async () => {
            const run = await protectedApp();
            const open = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.cidrIpv4 === "0.0.0.0/0",
            );
            assert.deepStrictEqual(open.map((r) => r.inputs.fromPort).sort(), [443, 80]);
            const albGroup = named(run, "aws:ec2/securityGroup:SecurityGroup", "fargate-security-groups-alb");
            assert.deepStrictEqual(albGroup.inputs.tags, { "voteapp:role": "load-balancer" });
        });
    });

    it("every AWS resource goes through the provider it is given", async () => {
        const run = await plainApp();
        for (const r of run.resources.filter((r) => r.custom && r.type.startsWith("aws:")))
            assert.match(String(r.provider), /pulumi:providers:aws::mount::/, `${r.type} ${r.name}`);
    });
});
