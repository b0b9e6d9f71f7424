import * as assert from "assert";
import type { CapturedResource } from "../../../shared/capturedResource";
import type { ContainerDefinition } from "../../../components/fargate/containerDefinition";
import { TLS_POLICY } from "../../../components/fargate/loadBalancer";
import { input, named, ofType, single, stackRun } from "../../support/stacks";

const containerOf = (taskDefinition: CapturedResource): ContainerDefinition =>
    (JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as ContainerDefinition[])[0];
const policyOf = (resource: CapturedResource) =>
    JSON.parse(String(resource.inputs.policy)) as {
        Statement: { Sid?: string; Action: string | string[]; Resource: string | string[] }[];
    };

describe("VoteAppOnFargate", () => {
    it("runs a cluster with enhanced Container Insights in staging and prod, none in dev (voteapp:containerInsights)", async () => {
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

    it("runs dev's services on Fargate Spot (the cluster offers it) and staging's and prod's on Fargate", async () => {
        const dev = await stackRun("dev");
        const providers = single(dev, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
        assert.deepStrictEqual(providers.inputs.capacityProviders, ["FARGATE", "FARGATE_SPOT"]);
        for (const service of ofType(dev, "aws:ecs/service:Service")) {
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
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            assert.strictEqual(ofType(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").length, 0);
            for (const service of ofType(run, "aws:ecs/service:Service"))
                assert.strictEqual(service.inputs.launchType, "FARGATE", `${stack} ${service.name}`);
        }
    });

    it("defines each service as an awsvpc Fargate task with the configured size", async () => {
        const run = await stackRun("prod");
        for (const [service, cpu, memory] of [
            ["vote", "512", "1024"],
            ["result", "512", "1024"],
            ["worker", "256", "512"],
        ]) {
            const td = named(run, "aws:ecs/taskDefinition:TaskDefinition", `vote-app-${service}`);
            assert.deepStrictEqual(
                [td.inputs.networkMode, td.inputs.requiresCompatibilities, td.inputs.cpu, td.inputs.memory],
                ["awsvpc", ["FARGATE"], cpu, memory],
                service,
            );
        }
    });

    it("runs containers non-root, non-privileged, read-only, with all capabilities dropped and logs to CloudWatch", async () => {
        for (const td of ofType(await stackRun("dev"), "aws:ecs/taskDefinition:TaskDefinition")) {
            const c = containerOf(td);
            assert.deepStrictEqual([c.user, c.privileged, c.readonlyRootFilesystem], ["10001", false, true], td.name);
            assert.deepStrictEqual(c.linuxParameters.capabilities.drop, ["ALL"]);
            assert.strictEqual(c.logConfiguration.logDriver, "awslogs");
            assert.strictEqual(c.logConfiguration.options["awslogs-group"], `/voteapp/voteapp-dev/${c.name}`);
        }
    });

    it("gives each service exactly the app contract it needs, and no secret", async () => {
        const run = await stackRun("dev");
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
        // Redis and Postgres clients sign IAM tokens with their task roles (databaseAccess.test.ts, redisAccess.test.ts).
        for (const service of ["vote", "result", "worker"]) assert.deepStrictEqual(env(service).secrets, [], service);
        assert.strictEqual(env("vote").environment.find((e) => e.name === "REDIS_TLS")?.value, "true");
        assert.strictEqual(env("worker").environment.find((e) => e.name === "REDIS_AUTH")?.value, "iam");
    });

    it("runs services in private subnets without public IPs, with a rolling-back circuit breaker", async () => {
        const run = await stackRun("dev");
        for (const service of ofType(run, "aws:ecs/service:Service")) {
            assert.strictEqual(input(service, "networkConfiguration", "assignPublicIp"), false, service.name);
            assert.ok((input(service, "networkConfiguration", "subnets") as string[]).every((s) => s.includes("priv")));
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

    it("scales vote and result on CPU between the configured bounds, not the worker", async () => {
        const run = await stackRun("prod");
        const targets = ofType(run, "aws:appautoscaling/target:Target");
        assert.deepStrictEqual(targets.map((t) => [t.name, t.inputs.minCapacity, t.inputs.maxCapacity]).sort(), [
            ["vote-app-result", 3, 12],
            ["vote-app-vote", 3, 12],
        ]);
        for (const policy of ofType(run, "aws:appautoscaling/policy:Policy")) {
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
        const run = await stackRun("dev");
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
        const run = await stackRun("prod");
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

    it("keeps a log group per service with the stack's retention, KMS-encrypted", async () => {
        const run = await stackRun("prod");
        for (const service of ["vote", "result", "worker"]) {
            const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `vote-app-${service}`);
            assert.strictEqual(group.inputs.retentionInDays, 365);
            assert.ok(String(group.inputs.kmsKeyId).startsWith("arn:aws:kms:"));
        }
    });

    describe("load balancer", () => {
        it("serves HTTPS with a TLS 1.2+ policy in prod and only redirects HTTP", async () => {
            const run = await stackRun("prod");
            const https = named(run, "aws:lb/listener:Listener", "vote-app-alb-https");
            assert.deepStrictEqual(
                [https.inputs.port, https.inputs.protocol, https.inputs.sslPolicy],
                [443, "HTTPS", TLS_POLICY],
            );
            assert.ok(String(https.inputs.certificateArn).startsWith("arn:aws:acm:eu-west-1:333333333333:"));
            const http = named(run, "aws:lb/listener:Listener", "vote-app-alb-http-redirect");
            assert.deepStrictEqual(input(http, "defaultActions", 0, "redirect"), {
                protocol: "HTTPS",
                port: "443",
                statusCode: "HTTP_301",
            });
        });

        it("serves plain HTTP only in dev without a domain", async () => {
            const listeners = ofType(await stackRun("dev"), "aws:lb/listener:Listener");
            assert.deepStrictEqual(
                listeners.map((l) => [l.inputs.port, l.inputs.protocol]),
                [[80, "HTTP"]],
            );
        });

        it("routes /result to result and everything else to vote", async () => {
            const run = await stackRun("dev");
            const rule = single(run, "aws:lb/listenerRule:ListenerRule");
            assert.deepStrictEqual(input(rule, "conditions", 0, "pathPattern", "values"), ["/result", "/result/*"]);
            const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
            assert.ok(
                groups.every((g) => g.inputs.targetType === "ip" && input(g, "healthCheck", "path") === "/healthz"),
            );
        });

        it("drops invalid headers, mitigates desync, keeps connections open for server-sent events", async () => {
            const alb = single(await stackRun("dev"), "aws:lb/loadBalancer:LoadBalancer");
            assert.deepStrictEqual(
                [
                    alb.inputs.dropInvalidHeaderFields,
                    alb.inputs.desyncMitigationMode,
                    alb.inputs.internal,
                    alb.inputs.idleTimeout,
                ],
                [true, "defensive", false, 120],
            );
            assert.strictEqual((alb.inputs.subnets as string[]).length, 2);
        });

        it("writes access logs to a private, TLS-only bucket and protects the ALB in prod", async () => {
            const run = await stackRun("prod");
            const alb = single(run, "aws:lb/loadBalancer:LoadBalancer");
            assert.strictEqual(alb.inputs.enableDeletionProtection, true);
            assert.strictEqual(input(alb, "accessLogs", "enabled"), true);
            const block = single(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "alb-access-logs");
            assert.deepStrictEqual(
                [
                    block.inputs.blockPublicAcls,
                    block.inputs.blockPublicPolicy,
                    block.inputs.ignorePublicAcls,
                    block.inputs.restrictPublicBuckets,
                ],
                [true, true, true, true],
            );
            const policy = policyOf(single(run, "aws:s3/bucketPolicy:BucketPolicy", "alb-access-logs"));
            assert.ok(policy.Statement.some((s) => s.Sid === "DenyInsecureTransport"));
            assert.strictEqual(
                ofType(await stackRun("dev"), "aws:s3/bucket:Bucket").filter((b) => b.name.includes("access-logs"))
                    .length,
                0,
                "dev needs no access log bucket",
            );
        });

        it("opens only 80/443 to the internet, on the load balancer's tagged group", async () => {
            const run = await stackRun("prod");
            const open = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.cidrIpv4 === "0.0.0.0/0",
            );
            assert.deepStrictEqual(open.map((r) => r.inputs.fromPort).sort(), [443, 80]);
            const albGroup = named(run, "aws:ec2/securityGroup:SecurityGroup", "fargate-security-groups-alb");
            assert.deepStrictEqual(albGroup.inputs.tags, { "voteapp:role": "load-balancer" });
        });
    });
});
