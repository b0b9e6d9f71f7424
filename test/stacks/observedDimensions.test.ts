import * as assert from "assert";
import type { DashboardBody } from "../../components/observability/dashboard";
import type { CapturedResource } from "../../shared/capturedResource";
import type { StackRun } from "../../plan/stackRun";
import { input, ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * The seam between what the alarms and the dashboard watch and the resources that publish it: every dimension
 * value of every metric an alarm evaluates or the dashboard graphs names a resource the same stack plans (its name
 * as AWS publishes it under that dimension), on every platform; and every planned workload, queue, table, database
 * and API stage is watched. A metric under a dimension nobody here knows the producer of fails, so a new signal
 * comes with its join. ElastiCache's dimensions are joined in detail by redisSignals.test.ts, the app's own
 * metric (VoteApp/<stack>) by appLogSignals.test.ts.
 */

interface WatchedMetric {
    readonly by: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const names = (run: StackRun, type: string, ...path: string[]): string[] =>
    ofType(run, type).map((r) => String(input(r, ...path)));

/** Whose name AWS publishes under each namespace's dimension. */
const PRODUCERS: Readonly<Record<string, (run: StackRun) => readonly string[]>> = {
    "AWS/ECS ClusterName": (run) => names(run, "aws:ecs/cluster:Cluster", "name"),
    "AWS/ECS ServiceName": (run) => names(run, "aws:ecs/service:Service", "name"),
    "ECS/ContainerInsights ClusterName": (run) => names(run, "aws:ecs/cluster:Cluster", "name"),
    "ECS/ContainerInsights ServiceName": (run) => names(run, "aws:ecs/service:Service", "name"),
    "ContainerInsights ClusterName": (run) => names(run, "aws:eks/cluster:Cluster", "name"),
    "ContainerInsights Namespace": (run) => names(run, "kubernetes:core/v1:Namespace", "metadata", "name"),
    "ContainerInsights Service": (run) => names(run, "kubernetes:core/v1:Service", "metadata", "name"),
    "AWS/RDS DBInstanceIdentifier": (run) => names(run, "aws:rds/instance:Instance", "identifier"),
    "AWS/Lambda FunctionName": (run) => names(run, "aws:lambda/function:Function", "name"),
    "AWS/SQS QueueName": (run) => names(run, "aws:sqs/queue:Queue", "name"),
    "AWS/DynamoDB TableName": (run) => names(run, "aws:dynamodb/table:Table", "name"),
    "AWS/ApiGateway ApiId": (run) => names(run, "aws:apigatewayv2/stage:Stage", "apiId"),
    "AWS/ApiGateway Stage": (run) => names(run, "aws:apigatewayv2/stage:Stage", "name"),
    "AWS/ApiGateway Route": (run) => names(run, "aws:apigatewayv2/route:Route", "routeKey"),
    // ARN suffixes are outputs; the mocks make them `app|targetgroup/<resource name>/<hash>` (plan/mockOutputs.ts).
    "AWS/ApplicationELB LoadBalancer": (run) =>
        ofType(run, "aws:lb/loadBalancer:LoadBalancer").map((lb) => `app/${lb.name}`),
    "AWS/ApplicationELB TargetGroup": (run) =>
        ofType(run, "aws:lb/targetGroup:TargetGroup").map((group) => `targetgroup/${group.name}`),
    "AWS/ElastiCache CacheClusterId": (run) =>
        ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup").flatMap((group) =>
            Array.from(
                { length: Number(group.inputs.numCacheClusters) },
                (_, i) => `${String(group.inputs.replicationGroupId)}-${String(i + 1).padStart(3, "0")}`,
            ),
        ),
    "AWS/ElastiCache clusterId": (run) => names(run, "aws:elasticache/serverlessCache:ServerlessCache", "name"),
};

/** Each metric the stack's alarms evaluate and its dashboard graphs. */
function watchedMetrics(run: StackRun): WatchedMetric[] {
    const watched: WatchedMetric[] = [];
    for (const alarm of ofType(run, ALARM)) {
        const by = `alarm ${String(alarm.inputs.name)}`;
        if (alarm.inputs.namespace !== undefined)
            watched.push({
                by,
                namespace: String(alarm.inputs.namespace),
                metricName: String(alarm.inputs.metricName),
                dimensions: (alarm.inputs.dimensions ?? {}) as Record<string, string>,
            });
        for (const query of (alarm.inputs.metricQueries ?? []) as { metric?: Record<string, unknown> }[])
            if (query.metric)
                watched.push({
                    by,
                    namespace: String(query.metric.namespace),
                    metricName: String(query.metric.metricName),
                    dimensions: (query.metric.dimensions ?? {}) as Record<string, string>,
                });
    }
    for (const dashboard of ofType(run, "aws:cloudwatch/dashboard:Dashboard")) {
        const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as DashboardBody;
        for (const widget of body.widgets) {
            if (widget.type !== "metric") continue;
            for (const row of widget.properties.metrics) {
                const parts = row.slice(0, -1).map(String);
                const dimensions: Record<string, string> = {};
                for (let i = 2; i < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
                watched.push({
                    by: `graph ${widget.properties.title}`,
                    namespace: parts[0],
                    metricName: parts[1],
                    dimensions,
                });
            }
        }
    }
    return watched;
}

/** The value a producer publishes under, for comparison: ARN suffixes without the mocked hash. */
const comparable = (key: string, value: string): string =>
    key.startsWith("AWS/ApplicationELB ") ? value.split("/").slice(0, 2).join("/") : value;

/** What the stack plans that must be watched, by the dimension that watches it. */
const MUST_BE_WATCHED = [
    "AWS/ECS ServiceName",
    "AWS/RDS DBInstanceIdentifier",
    "AWS/SQS QueueName",
    "AWS/DynamoDB TableName",
    "AWS/ApiGateway Stage",
] as const;

interface Variant {
    readonly stack: string;
    readonly overrides: Readonly<Record<string, string>>;
}
/** Each shipped stack as shipped (ecs) and on the other platforms, with the overrides other tests plan too. */
const VARIANTS: readonly Variant[] = [
    ...SHIPPED_STACKS.flatMap((stack): Variant[] => [
        { stack, overrides: {} },
        { stack, overrides: { "voteapp:platform": "eks" } },
        { stack, overrides: { "voteapp:platform": "lambda" } },
    ]),
    { stack: "dev", overrides: { "voteapp:ecsIngress": "httpApi" } },
];

describe("what the alarms and the dashboard watch is what the stack's resources publish", function () {
    this.timeout(600_000);

    for (const { stack, overrides } of VARIANTS) {
        const title = `${stack}${Object.entries(overrides)
            .map(([k, v]) => ` ${k.replace("voteapp:", "")}=${v}`)
            .join("")}`;
        it(`${title}: every watched dimension value names a planned resource; every workload, queue, table, database and stage is watched`, async () => {
            const run = await stackRun(stack, { overrides });
            const watched = watchedMetrics(run);
            assert.ok(watched.length > 0, "nothing watched");
            const appNamespace = `VoteApp/voteapp-${stack}`;
            const logMetrics = new Set(
                ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter").map((f: CapturedResource) => {
                    const t = f.inputs.metricTransformation as { namespace: string; name: string };
                    return `${t.namespace} ${t.name}`;
                }),
            );
            const seen = new Map<string, Set<string>>();
            // What the run plans for each dimension, computed once per dimension (each scans the run's resources).
            const produced = new Map<string, readonly string[]>();
            const producedBy = (key: string): readonly string[] => {
                let names = produced.get(key);
                if (!names) produced.set(key, (names = PRODUCERS[key](run)));
                return names;
            };
            for (const metric of watched) {
                if (metric.namespace.startsWith("VoteApp/")) {
                    // The app's own metric: one a planned log metric filter emits (its dimension: appLogSignals.test.ts).
                    assert.strictEqual(metric.namespace, appNamespace, metric.by);
                    assert.ok(
                        logMetrics.has(`${metric.namespace} ${metric.metricName}`),
                        `${metric.by}: no filter emits it`,
                    );
                    continue;
                }
                assert.ok(
                    Object.keys(metric.dimensions).length > 0,
                    `${metric.by}: ${metric.metricName} undimensioned`,
                );
                for (const [dimension, value] of Object.entries(metric.dimensions)) {
                    const key = `${metric.namespace} ${dimension}`;
                    const producer = PRODUCERS[key];
                    assert.ok(producer, `${metric.by}: no producer known for ${key} (add it to PRODUCERS)`);
                    const planned = producedBy(key).map((name) => comparable(key, name));
                    assert.ok(
                        planned.includes(comparable(key, value)),
                        `${metric.by}: ${metric.metricName} ${dimension}=${value}, but the stack plans ${JSON.stringify(planned)}`,
                    );
                    seen.set(key, (seen.get(key) ?? new Set()).add(value));
                }
            }
            for (const key of MUST_BE_WATCHED)
                assert.deepStrictEqual(
                    [...(seen.get(key) ?? [])].sort(),
                    [...new Set(producedBy(key))].sort(),
                    `every planned ${key} is watched`,
                );
        });
    }
});
