import * as assert from "assert";
import { rollbackAlarmNames } from "../../../components/observability/alarmNames";
import {
    type DashboardBody,
    dashboardBody,
    GRID_COLUMNS,
    type ResolvedSection,
} from "../../../components/observability/dashboard";
import { combineExpression, type SignalSet } from "../../../components/observability/metrics";
import {
    eksSignals,
    estimatedPostgresMaxConnections,
    fargateSignals,
    type FargateSignalInputs,
    lambdaSignals,
} from "../../../components/observability/signals";
import {
    alarmMetricArgs,
    StackObservability,
    type StackObservabilityArgs,
} from "../../../components/observability/stackObservability";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import type { MockedRun } from "../../../plan/harness";
import { APP_SERVICES } from "../../../shared/appContract";
import { recordOf } from "../../../shared/record";
import { TEST_NAME_PREFIX } from "../../support/fixtures";
import { MOUNT_ACCOUNT, mountComponent } from "../../support/mount";
import { named, ofType, single } from "../../support/resources";

/** Checks a dashboard body against CloudWatch's Dashboard Body Structure as we use it. */
function assertValidDashboardBody(body: DashboardBody, region: string): void {
    assert.ok(Array.isArray(body.widgets) && body.widgets.length > 0, "widgets");
    const cells = new Set<string>();
    for (const w of body.widgets) {
        for (const k of ["x", "y", "width", "height"] as const)
            assert.ok(Number.isInteger(w[k]) && w[k] >= 0, `${k} of ${JSON.stringify(w)}`);
        assert.ok(w.x + w.width <= GRID_COLUMNS, `widget beyond the 24-column grid: ${JSON.stringify(w)}`);
        for (let x = w.x; x < w.x + w.width; x++) {
            for (let y = w.y; y < w.y + w.height; y++) {
                assert.ok(!cells.has(`${x},${y}`), `widgets overlap at ${x},${y}`);
                cells.add(`${x},${y}`);
            }
        }
        if (w.type === "text") {
            assert.ok(w.properties.markdown.length > 0);
            continue;
        }
        assert.strictEqual(w.type, "metric");
        assert.strictEqual(w.properties.region, region);
        assert.strictEqual(w.properties.view, "timeSeries");
        assert.ok(w.properties.title.length > 0);
        assert.ok(w.properties.metrics.length > 0, `${w.properties.title} has no metrics`);
        for (const row of w.properties.metrics) {
            const options = row[row.length - 1];
            const names = row.slice(0, -1);
            assert.ok(
                typeof options === "object" && typeof options.stat === "string",
                `${w.properties.title}: last element must be the options object`,
            );
            assert.ok(
                names.length >= 2 && names.length % 2 === 0,
                `${w.properties.title}: [namespace, metric, (dimension, value)*]: ${JSON.stringify(row)}`,
            );
            for (const part of names)
                assert.ok(
                    typeof part === "string" &&
                        part.length > 0 &&
                        !part.includes("[object") &&
                        !part.includes("undefined"),
                    `${w.properties.title}: bad value ${JSON.stringify(part)}`,
                );
        }
    }
}

const metricsOf = (body: DashboardBody) =>
    body.widgets.flatMap((w) =>
        w.type === "metric" ? w.properties.metrics.map((r) => `${String(r[0])}/${String(r[1])}`) : [],
    );
const titlesOf = (body: DashboardBody) =>
    body.widgets.flatMap((w) => (w.type === "text" ? [w.properties.markdown] : []));

/**
 * StackObservability mounted over the Fargate signals of a blue/green app whose parts the test names (a load
 * balancer with two target groups per HTTP service, a cluster, log groups, RDS and a two-node Redis). That each
 * stack wires its own app into these signals, and that the services roll back on these alarms, is
 * test/stacks/fargateComposition.test.ts.
 */
const P = TEST_NAME_PREFIX;
const FARGATE_SIGNALS: FargateSignalInputs = {
    namePrefix: P,
    loadBalancerArnSuffix: "app/vote-app-alb/1",
    services: (["vote", "result"] as const).map((service) => ({
        service,
        targetGroupArnSuffixes: [`targetgroup/vote-app-alb-${service}/1`, `targetgroup/vote-app-alb-${service}-alt/2`],
    })),
    clusterName: P,
    ecsServices: [...APP_SERVICES],
    logGroups: recordOf(APP_SERVICES, (service) => `/voteapp/${P}/${service}`),
    postgres: {
        instanceIdentifier: `${P}-postgres`,
        allocatedStorageGb: 100,
        maxConnections: estimatedPostgresMaxConnections("db.m7g.large"),
    },
    redis: { cacheClusterIds: [`${P}-redis-001`, `${P}-redis-002`] },
};
const mountObservability = (args: Partial<StackObservabilityArgs> = {}): Promise<MockedRun> =>
    mountComponent(
        (opts) =>
            new StackObservability(
                "observability",
                {
                    namePrefix: P,
                    region: MOUNT_ACCOUNT.region,
                    accountId: MOUNT_ACCOUNT.accountId,
                    signals: fargateSignals(FARGATE_SIGNALS),
                    alarmEmail: "oncall@example.com",
                    protection: FULL_PROTECTION,
                    ...args,
                },
                opts,
            ),
    );
let observed: Promise<MockedRun> | undefined;
const observedApp = () => (observed ??= mountObservability());
const TOPIC_ARN = `arn:aws:sns:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:topic/observability-alarms`;

describe("observability", function () {
    this.timeout(180_000);

    describe("StackObservability over the Fargate signals", () => {
        it("one dashboard, named after the stack, whose body is a valid CloudWatch dashboard with the golden signals", async () => {
            const dashboard = single(await observedApp(), "aws:cloudwatch/dashboard:Dashboard");
            assert.strictEqual(dashboard.inputs.dashboardName, `${P}`);
            const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as DashboardBody;
            assertValidDashboardBody(body, MOUNT_ACCOUNT.region);
            assert.deepStrictEqual(titlesOf(body), [
                `# ${P}: golden signals`,
                "## Traffic (load balancer)",
                "## Services (ECS)",
                "## Application errors (logs)",
                "## PostgreSQL (RDS)",
                "## Redis (ElastiCache)",
            ]);
            const metrics = metricsOf(body);
            for (const m of [
                "AWS/ApplicationELB/RequestCount",
                "AWS/ApplicationELB/HTTPCode_Target_5XX_Count",
                "AWS/ApplicationELB/TargetResponseTime",
                "AWS/ECS/CPUUtilization",
                "AWS/ECS/MemoryUtilization",
                "AWS/RDS/CPUUtilization",
                "AWS/RDS/DatabaseConnections",
                "AWS/RDS/FreeStorageSpace",
                "AWS/ElastiCache/EngineCPUUtilization",
                "AWS/ElastiCache/DatabaseMemoryUsagePercentage",
            ]) {
                assert.ok(metrics.includes(m), `dashboard lacks ${m}`);
            }
            const p95 = body.widgets.find((w) => w.type === "metric" && w.properties.title === "p95 latency");
            assert.ok(p95 && p95.type === "metric");
            // blue/green: both target groups of each service are graphed.
            assert.deepStrictEqual(
                p95.properties.metrics.map((r) => (r[r.length - 1] as { label?: string }).label),
                ["vote (blue)", "vote (green)", "result (blue)", "result (green)"],
            );
            assert.ok(p95.properties.metrics.every((r) => (r[r.length - 1] as { stat: string }).stat === "p95"));
        });

        it("alarms on every golden signal publish to the topic, named as the deployments expect", async () => {
            const run = await observedApp();
            const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
            const names = alarms.map((a) => String(a.inputs.name)).sort();
            const expected = [
                `${P}-alb-5xx`,
                ...rollbackAlarmNames(P, "vote", true),
                ...rollbackAlarmNames(P, "result", true),
                ...rollbackAlarmNames(P, "worker", false),
                `${P}-vote-errors`,
                `${P}-result-errors`,
                `${P}-postgres-cpu`,
                `${P}-postgres-free-storage`,
                `${P}-postgres-connections`,
                `${P}-redis-cpu`,
                `${P}-redis-memory`,
            ].sort();
            assert.deepStrictEqual(names, expected);
            const topicArn = TOPIC_ARN;
            for (const a of alarms) {
                assert.deepStrictEqual(a.inputs.alarmActions, [topicArn], String(a.inputs.name));
                assert.deepStrictEqual(a.inputs.okActions, [topicArn], String(a.inputs.name));
                assert.ok(
                    String(a.inputs.alarmDescription).length > 20,
                    `${String(a.inputs.name)} needs a description saying what to check`,
                );
            }
            const storage = alarms.find((a) => a.inputs.name === `${P}-postgres-free-storage`);
            assert.deepStrictEqual(
                [storage?.inputs.comparisonOperator, storage?.inputs.threshold, storage?.inputs.treatMissingData],
                ["LessThanThreshold", Math.round(100 * 1024 ** 3 * 0.1), "breaching"],
            );
            assert.strictEqual(
                alarms.find((a) => a.inputs.name === `${P}-postgres-connections`)?.inputs.threshold,
                Math.round(estimatedPostgresMaxConnections("db.m7g.large") * 0.8),
            );
            assert.deepStrictEqual(
                (
                    alarms.find((a) => a.inputs.name === `${P}-redis-memory`)?.inputs.metricQueries as {
                        metric?: { dimensions: Record<string, string> };
                    }[]
                ).flatMap((q) => (q.metric ? [q.metric.dimensions.CacheClusterId] : [])),
                [`${P}-redis-001`, `${P}-redis-002`],
            );
        });

        it("counts the app's error lines per service from its JSON logs; an alarm per service", async () => {
            const run = await observedApp();
            const filters = ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
            assert.deepStrictEqual(filters.map((f) => f.inputs.logGroupName).sort(), [
                `/voteapp/${P}/result`,
                `/voteapp/${P}/vote`,
                `/voteapp/${P}/worker`,
            ]);
            for (const f of filters) {
                assert.strictEqual(f.inputs.pattern, '{ $.level = "error" }');
                assert.deepStrictEqual(f.inputs.metricTransformation, {
                    namespace: `VoteApp/${P}`,
                    name: "AppErrors",
                    dimensions: { Service: "$.service" },
                    value: "1",
                    unit: "Count",
                });
            }
            const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", `${P}-worker-errors`);
            assert.deepStrictEqual(
                [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions, alarm.inputs.period],
                [`VoteApp/${P}`, "AppErrors", { Service: "worker" }, 300],
            );
        });

        it("a blue/green service's 5xx alarm sums both target groups; p95 uses the extended statistic", async () => {
            const run = await observedApp();
            const fiveXx = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", `${P}-vote-target-5xx`);
            const queries = fiveXx.inputs.metricQueries as {
                id: string;
                expression?: string;
                returnData: boolean;
                metric?: { dimensions: Record<string, string>; metricName: string };
            }[];
            assert.deepStrictEqual(
                queries.map((q) => q.metric?.dimensions.TargetGroup.split("/")[1]),
                ["vote-app-alb-vote", "vote-app-alb-vote-alt", undefined],
            );
            assert.deepStrictEqual(queries[2], {
                id: "combined",
                expression: "SUM([FILL(m0, 0), FILL(m1, 0)])",
                label: "vote 5xx",
                returnData: true,
            });
            const cpu = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", `${P}-worker-cpu`);
            assert.deepStrictEqual(
                [cpu.inputs.namespace, cpu.inputs.metricName, cpu.inputs.statistic, cpu.inputs.dimensions],
                ["AWS/ECS", "CPUUtilization", "Average", { ClusterName: P, ServiceName: "worker" }],
            );
            const latency = alarmMetricArgs({
                name: "x",
                description: "x",
                signal: {
                    metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "TargetResponseTime",
                        dimensions: {},
                        stat: "p95",
                    },
                },
                comparison: "GreaterThanThreshold",
                threshold: 1,
                evaluationPeriods: 1,
            });
            assert.deepStrictEqual([latency.extendedStatistic, latency.statistic], ["p95", undefined]);
        });

        it("the alarm topic is KMS-encrypted with a key CloudWatch may use; only CloudWatch alarms of the account publish; email subscribed only when an address is given", async () => {
            const prod = await observedApp();
            const topic = single(prod, "aws:sns/topic:Topic");
            assert.ok(String(topic.inputs.kmsMasterKeyId).startsWith("arn:aws:kms:"), "kmsMasterKeyId");
            const key = named(prod, "aws:kms/key:Key", "observability-alarms");
            assert.strictEqual(key.inputs.enableKeyRotation, true);
            const keyStatements = (
                JSON.parse(String(key.inputs.policy)) as { Statement: { Sid: string; Principal: unknown }[] }
            ).Statement;
            assert.deepStrictEqual(keyStatements.find((s) => s.Sid === "CloudWatchPublishesAlarms")?.Principal, {
                Service: "cloudwatch.amazonaws.com",
            });
            const policy = JSON.parse(String(single(prod, "aws:sns/topicPolicy:TopicPolicy").inputs.policy)) as {
                Statement: { Sid: string; Condition?: Record<string, Record<string, string>> }[];
            };
            assert.strictEqual(
                policy.Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish")?.Condition?.ArnLike["aws:SourceArn"],
                `arn:aws:cloudwatch:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:alarm:*`,
            );
            assert.ok(policy.Statement.some((s) => s.Sid === "DenyInsecureTransport"));
            const subscription = single(prod, "aws:sns/topicSubscription:TopicSubscription");
            assert.deepStrictEqual(
                [subscription.inputs.protocol, subscription.inputs.endpoint],
                ["email", "oncall@example.com"],
            );
            assert.strictEqual(
                ofType(
                    await mountObservability({ alarmEmail: undefined }),
                    "aws:sns/topicSubscription:TopicSubscription",
                ).length,
                0,
            );
        });
    });

    describe("signal builders for the other platforms", () => {
        const asSections = (set: SignalSet) => set.sections as readonly ResolvedSection[];
        const unique = (set: SignalSet) => {
            const names = set.alarms.map((a) => a.name);
            assert.strictEqual(new Set(names).size, names.length, `duplicate alarm names: ${names.join(", ")}`);
        };

        it("lambdaSignals: API 5xx and latency, function errors/duration/throttles, queue depth and oldest message, DynamoDB throttles", () => {
            const set = lambdaSignals({
                namePrefix: "voteapp-dev",
                api: { apiId: "abc123", stage: "$default" },
                functions: { vote: "vote-fn", result: "result-fn", worker: "worker-fn" },
                queueName: "votes",
                tableNames: ["votes-table"],
            });
            unique(set);
            const body = dashboardBody("t", asSections(set), "eu-west-1");
            assertValidDashboardBody(body, "eu-west-1");
            const metrics = metricsOf(body);
            for (const m of [
                "AWS/ApiGateway/5xx",
                "AWS/ApiGateway/Latency",
                "AWS/Lambda/Errors",
                "AWS/Lambda/Duration",
                "AWS/Lambda/Throttles",
                "AWS/SQS/ApproximateNumberOfMessagesVisible",
                "AWS/SQS/ApproximateAgeOfOldestMessage",
                "AWS/DynamoDB/WriteThrottleEvents",
            ]) {
                assert.ok(metrics.includes(m), `lacks ${m}`);
            }
            const names = set.alarms.map((a) => a.name);
            for (const n of [
                "voteapp-dev-vote-errors",
                "voteapp-dev-worker-errors",
                "voteapp-dev-queue-oldest-message",
                "voteapp-dev-api-5xx",
                "voteapp-dev-dynamodb-throttles-1",
            ])
                assert.ok(names.includes(n), `lacks alarm ${n}`);
        });

        it("eksSignals: ALB per service, Container Insights pod CPU/memory per workload and node health, data stores", () => {
            const set = eksSignals({
                namePrefix: "voteapp-dev",
                loadBalancerArnSuffix: "app/lb/1",
                services: [{ service: "vote", targetGroupArnSuffixes: ["targetgroup/vote/1"] }],
                clusterName: "voteapp-dev",
                namespace: "voteapp",
                workloads: ["vote", "result", "worker"],
                postgres: { instanceIdentifier: "voteapp-dev-postgres", allocatedStorageGb: 20, maxConnections: 112 },
                redis: { cacheClusterIds: ["voteapp-dev-redis-001"] },
            });
            unique(set);
            const body = dashboardBody("t", asSections(set), "eu-west-1");
            assertValidDashboardBody(body, "eu-west-1");
            const metrics = metricsOf(body);
            for (const m of [
                "ContainerInsights/pod_cpu_utilization_over_pod_limit",
                "ContainerInsights/pod_memory_utilization_over_pod_limit",
                "ContainerInsights/cluster_failed_node_count",
                "AWS/ApplicationELB/TargetResponseTime",
                "AWS/RDS/FreeStorageSpace",
            ]) {
                assert.ok(metrics.includes(m), `lacks ${m}`);
            }
            assert.ok(set.alarms.some((a) => a.name === "voteapp-dev-worker-memory"));
        });

        it("lays graphs out three to a row without overlaps, under a header per section", () => {
            const graph = {
                title: "g",
                metrics: [{ namespace: "N", metricName: "M", dimensions: { D: "v" }, stat: "Sum" as const }],
            };
            const body = dashboardBody(
                "t",
                [
                    { title: "a", graphs: [graph, graph, graph, graph] },
                    { title: "b", graphs: [graph] },
                ],
                "eu-west-1",
            );
            assertValidDashboardBody(body, "eu-west-1");
            assert.deepStrictEqual(
                body.widgets.map((w) => [w.type, w.x, w.y]),
                [
                    ["text", 0, 0],
                    ["text", 0, 1],
                    ["metric", 0, 2],
                    ["metric", 8, 2],
                    ["metric", 16, 2],
                    ["metric", 0, 8],
                    ["text", 0, 14],
                    ["metric", 0, 15],
                ],
            );
        });

        it("metric math combines with FILL for sums and plain ids for maxima", () => {
            assert.strictEqual(combineExpression("SUM", 2), "SUM([FILL(m0, 0), FILL(m1, 0)])");
            assert.strictEqual(combineExpression("MAX", 3), "MAX([m0, m1, m2])");
        });

        it("estimates PostgreSQL's default max_connections from the instance class", () => {
            assert.strictEqual(estimatedPostgresMaxConnections("db.t4g.micro"), 112);
            assert.strictEqual(estimatedPostgresMaxConnections("db.m7g.large"), 901);
            assert.strictEqual(estimatedPostgresMaxConnections("db.r7g.large"), 1802);
            assert.strictEqual(estimatedPostgresMaxConnections("db.r7g.24xlarge"), 5000);
            assert.strictEqual(estimatedPostgresMaxConnections("db.x.unknown"), 100);
        });
    });
});
