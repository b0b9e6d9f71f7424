import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import type { DashboardBody } from "../../components/observability/dashboard";
import { DEFAULT_THRESHOLDS, SERVERLESS_CACHE_DIMENSION } from "../../components/observability/signals";
import { estimateCost } from "../../plan/cost/estimate";
import { accountPlanFor } from "../../plan/cost/account";
import type { StackRun } from "../../plan/stackRun";
import { LOAD_BALANCED_PLATFORMS } from "../../stacks/config/rules";
import { input, ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * The seam between Data, which plans the cache (nodes or serverless), and observability, which watches it:
 * every alarm and graph on ElastiCache names the cache the same stack plans, whichever kind it is.
 */

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const SERVERLESS_ALARMS = ["redis-ecpu", "redis-data-stored", "redis-throttled", "redis-evictions"];
const NODE_ALARMS = ["redis-cpu", "redis-memory"];

/** Every stack × platform with Redis, as shipped, plus staging rehearsing serverless (the cost floor's variant). */
const VARIANTS: readonly { stack: string; overrides: Record<string, string> }[] = [
    ...SHIPPED_STACKS.flatMap((stack) =>
        LOAD_BALANCED_PLATFORMS.map((platform) => ({
            stack,
            // dev has no dashboard unless asked for; ask, to check what it would show.
            overrides: { "voteapp:platform": platform, ...(stack === "dev" ? { "voteapp:dashboard": "true" } : {}) },
        })),
    ),
    { stack: "staging", overrides: { "voteapp:platform": "ecs", "voteapp:redisCapacity": "serverless" } },
];

/** Each ElastiCache metric an alarm evaluates: its name, metric and dimensions (single metric or metric math). */
function elastiCacheMetricsOf(alarm: CapturedResource): { metricName: string; dimensions: Record<string, string> }[] {
    const single =
        alarm.inputs.namespace === "AWS/ElastiCache"
            ? [
                  {
                      metricName: String(alarm.inputs.metricName),
                      dimensions: alarm.inputs.dimensions as Record<string, string>,
                  },
              ]
            : [];
    const queries = ((alarm.inputs.metricQueries ?? []) as { metric?: Record<string, unknown> }[]).flatMap((q) =>
        q.metric && q.metric.namespace === "AWS/ElastiCache"
            ? [{ metricName: String(q.metric.metricName), dimensions: q.metric.dimensions as Record<string, string> }]
            : [],
    );
    return [...single, ...queries];
}

const alarmsOf = (run: StackRun) => ofType(run, ALARM);
const redisAlarms = (run: StackRun, prefix: string) =>
    alarmsOf(run).filter((a) => String(a.inputs.name).startsWith(`${prefix}-redis-`));

describe("Redis signals watch the cache the stack plans, nodes or serverless", function () {
    this.timeout(600_000);
    let serverlessVariants = 0;

    for (const { stack, overrides } of VARIANTS) {
        const title = `${stack} (${Object.entries(overrides)
            .map(([k, v]) => `${k.replace("voteapp:", "")}=${v}`)
            .join(", ")})`;
        it(`${title}: every ElastiCache alarm and dashboard graph names the planned cache`, async () => {
            const run = await stackRun(stack, { overrides });
            const prefix = `voteapp-${stack}`;
            const caches = ofType(run, SERVERLESS_CACHE);
            const groups = ofType(run, REPLICATION_GROUP);
            assert.strictEqual(caches.length + groups.length, 1, "one Redis cache of either kind");
            const alarms = redisAlarms(run, prefix);
            const metrics = alarms.flatMap(elastiCacheMetricsOf);
            assert.ok(metrics.length > 0, "no alarm on ElastiCache");
            // Every ElastiCache alarm is a Redis one (no other alarm reads the namespace).
            assert.deepStrictEqual(
                alarmsOf(run)
                    .filter((a) => elastiCacheMetricsOf(a).length > 0)
                    .map((a) => String(a.inputs.name))
                    .sort(),
                alarms.map((a) => String(a.inputs.name)).sort(),
            );
            const dashboard = ofType(run, "aws:cloudwatch/dashboard:Dashboard");
            assert.strictEqual(dashboard.length, 1, "the dashboard");
            const body = JSON.parse(String(dashboard[0].inputs.dashboardBody)) as DashboardBody;
            const rows = body.widgets.flatMap((w) =>
                w.type === "metric" ? w.properties.metrics.filter((r) => r[0] === "AWS/ElastiCache") : [],
            );
            assert.ok(rows.length > 0, "no ElastiCache graph on the dashboard");

            if (caches.length === 1) {
                serverlessVariants++;
                const cache = caches[0];
                const name = String(cache.inputs.name);
                const names = alarms.map((a) => String(a.inputs.name).slice(prefix.length + 1)).sort();
                assert.deepStrictEqual(names, [...SERVERLESS_ALARMS].sort());
                for (const m of metrics)
                    assert.deepStrictEqual(m.dimensions, { [SERVERLESS_CACHE_DIMENSION]: name }, m.metricName);
                for (const row of rows) assert.deepStrictEqual(row.slice(2, 4), [SERVERLESS_CACHE_DIMENSION, name]);
                // The thresholds are shares of the limits the cache itself declares.
                const ecpuLimit = Number(input(cache, "cacheUsageLimits", "ecpuPerSeconds", 0, "maximum"));
                const dataLimitGb = Number(input(cache, "cacheUsageLimits", "dataStorage", "maximum"));
                assert.strictEqual(input(cache, "cacheUsageLimits", "dataStorage", "unit"), "GB");
                const threshold = (suffix: string) =>
                    alarms.find((a) => a.inputs.name === `${prefix}-${suffix}`)?.inputs.threshold;
                assert.strictEqual(
                    threshold("redis-ecpu"),
                    Math.round((ecpuLimit * 60 * DEFAULT_THRESHOLDS.cacheCpuPercent) / 100),
                );
                // The one metric an idle cache always reports alarms on missing data, so an unverified dimension
                // (SERVERLESS_CACHE_DIMENSION) that matches nothing shows on the first deploy.
                assert.strictEqual(
                    alarms.find((a) => a.inputs.name === `${prefix}-redis-data-stored`)?.inputs.treatMissingData,
                    "breaching",
                );
                assert.strictEqual(
                    threshold("redis-data-stored"),
                    Math.round((dataLimitGb * 1e9 * DEFAULT_THRESHOLDS.cacheMemoryPercent) / 100),
                );
                for (const metricName of [
                    "ElastiCacheProcessingUnits",
                    "BytesUsedForCache",
                    "ThrottledCmds",
                    "Evictions",
                    "SuccessfulWriteRequestLatency",
                    "CurrConnections",
                ])
                    assert.ok(
                        rows.some((r) => r[1] === metricName),
                        `dashboard lacks ${metricName}`,
                    );
            } else {
                // Nodes: unchanged, each member cluster of the planned replication group by its id.
                const group = groups[0];
                const id = String(group.inputs.replicationGroupId);
                const members = Array.from(
                    { length: Number(group.inputs.numCacheClusters) },
                    (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`,
                );
                const names = alarms.map((a) => String(a.inputs.name).slice(prefix.length + 1)).sort();
                assert.deepStrictEqual(names, NODE_ALARMS);
                for (const a of alarms)
                    assert.deepStrictEqual(
                        elastiCacheMetricsOf(a).map((m) => m.dimensions),
                        members.map((member) => ({ CacheClusterId: member })),
                    );
                assert.ok(rows.every((r) => r[2] === "CacheClusterId" && members.includes(String(r[3]))));
            }
        });
    }

    it("at least dev on both container platforms and staging's serverless variant plan a serverless cache", () => {
        assert.ok(serverlessVariants >= 3, `only ${serverlessVariants} variants planned a serverless cache`);
    });

    it("the serverless cache's alarms are priced by the existing estimate, one line each", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:platform": "ecs" } });
        const account = await accountPlanFor(run);
        const estimate = estimateCost(run.resources, {
            region: run.stackConfig.config["voteapp:region"],
            account,
        });
        for (const suffix of SERVERLESS_ALARMS) {
            const alarm = alarmsOf(run).find((a) => a.inputs.name === `voteapp-dev-${suffix}`);
            assert.ok(alarm, `dev on ecs plans no ${suffix} alarm`);
            const lines = estimate.lines.filter((l) => l.name === alarm.name);
            assert.strictEqual(lines.length, 1, `${suffix}: ${lines.map((l) => l.item).join("; ")}`);
            assert.ok(lines[0].monthlyUsd > 0, `${suffix} is priced at 0`);
        }
    });
});
