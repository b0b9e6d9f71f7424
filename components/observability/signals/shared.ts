import type * as pulumi from "@pulumi/pulumi";
import { ERROR_LOG_LEVEL } from "../../../shared/appContract";
import { alarmName, serviceAlarmName } from "../alarmNames";
import type { AlarmSpec, DashboardSection, GraphSpec, LogMetricSpec, MetricSpec, SignalSet } from "../metrics";

/**
 * Golden signals, as plain data: which metrics the dashboard graphs and which alarms page and roll
 * deployments back. This module holds what several platforms share (thresholds, the load balancer, the
 * data layer, the app's error lines); fargate.ts, eks.ts and lambda.ts compose each platform's set.
 */

export type Input = pulumi.Input<string>;

/** Alarm thresholds; the defaults suit the voting app, a platform can override any. */
export interface AlarmThresholds {
    /** 5xx responses per minute from a service's targets. */
    readonly target5xxPerMinute: number;
    /** p95 response time of a service, seconds. */
    readonly p95LatencySeconds: number;
    /** Average CPU / memory utilisation of a service or node, percent. */
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    /** RDS CPU percent, and free storage as a fraction of allocated storage. */
    readonly databaseCpuPercent: number;
    readonly databaseFreeStorageFraction: number;
    /** Redis engine CPU and memory used, percent. */
    readonly cacheCpuPercent: number;
    readonly cacheMemoryPercent: number;
    /** Lambda errors per minute per function, and throttles per minute. */
    readonly functionErrorsPerMinute: number;
    readonly functionThrottlesPerMinute: number;
    /** Seconds the oldest queued vote may wait before the worker is considered stuck. */
    readonly queueOldestMessageSeconds: number;
    /** Error lines a service may log in 5 minutes. */
    readonly appErrorsPerFiveMinutes: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
    target5xxPerMinute: 5,
    p95LatencySeconds: 1,
    cpuPercent: 85,
    memoryPercent: 85,
    databaseCpuPercent: 80,
    databaseFreeStorageFraction: 0.1,
    cacheCpuPercent: 80,
    cacheMemoryPercent: 80,
    functionErrorsPerMinute: 1,
    functionThrottlesPerMinute: 1,
    queueOldestMessageSeconds: 300,
    appErrorsPerFiveMinutes: 5,
};

/**
 * The app's JSON log lines (app/src/core/log.ts) at its error level (the app contract's). test/stacks/appLogSignals.test.ts
 * runs the logger's own lines through the filters the stacks plan.
 */
export const APP_ERROR_PATTERN = `{ $.level = "${ERROR_LOG_LEVEL}" }`;
/** Metric the error lines count into, per service. */
export const APP_ERRORS_METRIC = "AppErrors";

export const GIB = 1024 ** 3;
const ALB = "AWS/ApplicationELB";
export const metric = (
    namespace: string,
    metricName: string,
    dimensions: Record<string, Input>,
    stat: MetricSpec["stat"],
    label?: string,
): MetricSpec => ({ namespace, metricName, dimensions, stat, label });
export const graph = (
    title: string,
    metrics: MetricSpec[],
    unit?: string,
    thresholds?: GraphSpec["thresholds"],
): GraphSpec => ({ title, metrics, unit, thresholds });

/** A workload's CPU or memory utilisation, in percent: what both container platforms alarm and graph on. */
export type Utilisation = "cpu" | "memory";

/** The workloads (ECS services, Kubernetes workloads) whose CPU and memory utilisation a platform watches. */
export interface UtilisationSignalInputs {
    readonly namePrefix: string;
    readonly workloads: readonly string[];
    /** The platform's utilisation metric of one workload (percent), labelled for a graph when a label is given. */
    readonly metric: (utilisation: Utilisation, workload: string, label?: string) => MetricSpec;
    /** What the alarm says to check when a workload's utilisation is above the threshold. */
    readonly description: (utilisation: Utilisation, workload: string, thresholdPercent: number) => string;
}

const UTILISATIONS: readonly Utilisation[] = ["cpu", "memory"];
const utilisationThreshold = (utilisation: Utilisation, thresholds: AlarmThresholds) =>
    utilisation === "cpu" ? thresholds.cpuPercent : thresholds.memoryPercent;

/** An alarm per workload on its CPU and on its memory utilisation (each rolls back a deployment in progress). */
export function utilisationAlarms(inputs: UtilisationSignalInputs, thresholds: AlarmThresholds): AlarmSpec[] {
    return inputs.workloads.flatMap((workload) =>
        UTILISATIONS.map((utilisation): AlarmSpec => ({
            name: serviceAlarmName(inputs.namePrefix, workload, utilisation),
            description: inputs.description(utilisation, workload, utilisationThreshold(utilisation, thresholds)),
            signal: { metric: inputs.metric(utilisation, workload) },
            comparison: "GreaterThanThreshold",
            threshold: utilisationThreshold(utilisation, thresholds),
            evaluationPeriods: 5,
        })),
    );
}

/** A graph of every workload's CPU and one of their memory utilisation, each with its alarm threshold. */
export function utilisationGraphs(
    inputs: UtilisationSignalInputs,
    thresholds: AlarmThresholds,
    titles: Readonly<Record<Utilisation, string>>,
): GraphSpec[] {
    return UTILISATIONS.map((utilisation) =>
        graph(
            titles[utilisation],
            inputs.workloads.map((w) => inputs.metric(utilisation, w, w)),
            "Percent",
            [{ label: "alarm", value: utilisationThreshold(utilisation, thresholds) }],
        ),
    );
}

/** A load-balanced HTTP service: its target groups (two during blue/green: traffic alternates between them). */
export interface AlbServiceTarget {
    readonly service: string;
    readonly targetGroupArnSuffixes: readonly Input[];
}

export interface AlbSignalInputs {
    readonly namePrefix: string;
    readonly loadBalancerArnSuffix: Input;
    readonly services: readonly AlbServiceTarget[];
}

/** Requests, 5xx, p95 latency and unhealthy targets, per service across its target groups; the ALB's own 5xx. */
export function albSignals(inputs: AlbSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const lb = inputs.loadBalancerArnSuffix;
    const perTarget = (s: AlbServiceTarget, metricName: string, stat: MetricSpec["stat"]) =>
        s.targetGroupArnSuffixes.map((tg, i) =>
            metric(
                ALB,
                metricName,
                { LoadBalancer: lb, TargetGroup: tg },
                stat,
                `${s.service}${s.targetGroupArnSuffixes.length > 1 ? ` (${i === 0 ? "blue" : "green"})` : ""}`,
            ),
        );
    const alarms: AlarmSpec[] = [
        {
            name: alarmName(inputs.namePrefix, "alb", "5xx"),
            description:
                "The load balancer itself answers 5xx (no healthy target, overload): check target health and the services' events.",
            signal: { metric: metric(ALB, "HTTPCode_ELB_5XX_Count", { LoadBalancer: lb }, "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.target5xxPerMinute,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        },
    ];
    for (const s of inputs.services) {
        alarms.push(
            {
                name: serviceAlarmName(inputs.namePrefix, s.service, "target-5xx"),
                description: `${s.service} answers 5xx: check its logs. Rolls back a deployment in progress.`,
                signal: {
                    combine: "SUM",
                    metrics: perTarget(s, "HTTPCode_Target_5XX_Count", "Sum"),
                    label: `${s.service} 5xx`,
                },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.target5xxPerMinute,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
            },
            {
                name: serviceAlarmName(inputs.namePrefix, s.service, "latency-p95"),
                description: `${s.service} p95 latency above ${thresholds.p95LatencySeconds}s: check its CPU, Redis and PostgreSQL. Rolls back a deployment in progress.`,
                signal: {
                    combine: "MAX",
                    metrics: perTarget(s, "TargetResponseTime", "p95"),
                    label: `${s.service} p95`,
                },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.p95LatencySeconds,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
            },
            {
                name: serviceAlarmName(inputs.namePrefix, s.service, "unhealthy-hosts"),
                description: `${s.service} has targets failing the /healthz check: check the tasks' logs and events. Rolls back a deployment in progress.`,
                signal: {
                    combine: "MAX",
                    metrics: perTarget(s, "UnHealthyHostCount", "Maximum"),
                    label: `${s.service} unhealthy`,
                },
                comparison: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: 3,
            },
        );
    }
    const all = (metricName: string, stat: MetricSpec["stat"]) =>
        inputs.services.flatMap((s) => perTarget(s, metricName, stat));
    return {
        sections: [
            {
                title: "Traffic (load balancer)",
                graphs: [
                    graph(
                        "Requests",
                        [
                            metric(ALB, "RequestCount", { LoadBalancer: lb }, "Sum", "all"),
                            ...all("RequestCount", "Sum"),
                        ],
                        "Count",
                    ),
                    graph(
                        "5xx",
                        [
                            metric(ALB, "HTTPCode_ELB_5XX_Count", { LoadBalancer: lb }, "Sum", "load balancer"),
                            ...all("HTTPCode_Target_5XX_Count", "Sum"),
                        ],
                        "Count",
                        [{ label: "alarm", value: thresholds.target5xxPerMinute }],
                    ),
                    graph("p95 latency", all("TargetResponseTime", "p95"), "Seconds", [
                        { label: "alarm", value: thresholds.p95LatencySeconds },
                    ]),
                    graph("Unhealthy targets", all("UnHealthyHostCount", "Maximum"), "Count"),
                ],
            },
        ],
        alarms,
    };
}

export interface DataSignalInputs {
    readonly namePrefix: string;
    readonly postgres?: {
        readonly instanceIdentifier: Input;
        readonly allocatedStorageGb: number;
        readonly maxConnections: number;
    };
    /** Redis: the node-based replication group's member clusters, or the serverless cache. */
    readonly redis?: NodeRedisSignalInputs | ServerlessRedisSignalInputs;
}

/** Redis member clusters (`<replication group>-001`, …): ElastiCache publishes per node. */
export interface NodeRedisSignalInputs {
    readonly cacheClusterIds: readonly Input[];
}

/** An ElastiCache Serverless cache: no nodes, one set of metrics for the cache. */
export interface ServerlessRedisSignalInputs {
    /** The cache's name (`aws.elasticache.ServerlessCache` `name`), the value of its metrics' dimension. */
    readonly serverlessCacheName: Input;
    /** Its usage limits (`cacheUsageLimits`), when set: the ECPU and data alarms fire at a share of them. */
    readonly limits?: { readonly dataStorageGb?: number; readonly ecpuPerSecond?: number };
}

/**
 * The dimension ElastiCache Serverless publishes its metrics under, whose value is the cache's name. AWS's
 * metric pages (serverless-metrics-events-redis.html) list the metrics but name no dimension, and sources
 * disagree: open-constructs/aws-cdk-library changed its ServerlessCache metrics from `CacheClusterId` to
 * `clusterId` in cc01543 ("fix(aws-elasticache): wrong dimensionsMap key for serverless cluster", #68,
 * src/aws-elasticache/serverless-cache.ts), with an integration test deployed to AWS that waits for alarms
 * on CacheHits and BytesUsedForCache to reach OK, i.e. to receive data (test/aws-elasticache/
 * integ.elasticache-serverless-cache.ts); aws/agent-toolkit-for-aws's generate_dashboards.py (2026) uses
 * `ServerlessCacheName`, with no test. We follow the one checked against AWS; not verified here (no AWS).
 */
export const SERVERLESS_CACHE_DIMENSION = "clusterId";
/** ElastiCache's GB in `cacheUsageLimits`, counted as 10^9 bytes: the lower reading, so alarms fire early either way. */
const CACHE_LIMIT_GB_BYTES = 1e9;

function isServerlessRedis(
    redis: NodeRedisSignalInputs | ServerlessRedisSignalInputs,
): redis is ServerlessRedisSignalInputs {
    return "serverlessCacheName" in redis;
}

/** RDS CPU, free storage and connections; ElastiCache engine CPU and memory. */
export function dataSignals(inputs: DataSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const sections: DashboardSection[] = [];
    const alarms: AlarmSpec[] = [];
    if (inputs.postgres) {
        const pg = inputs.postgres;
        const dims = { DBInstanceIdentifier: pg.instanceIdentifier };
        const freeBytes = Math.round(pg.allocatedStorageGb * GIB * thresholds.databaseFreeStorageFraction);
        const connections = Math.round(pg.maxConnections * 0.8);
        sections.push({
            title: "PostgreSQL (RDS)",
            graphs: [
                graph("CPU", [metric("AWS/RDS", "CPUUtilization", dims, "Average", "postgres")], "Percent", [
                    { label: "alarm", value: thresholds.databaseCpuPercent },
                ]),
                graph("Connections", [metric("AWS/RDS", "DatabaseConnections", dims, "Maximum", "postgres")], "Count", [
                    { label: "alarm", value: connections },
                ]),
                graph("Free storage", [metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum", "postgres")], "Bytes", [
                    { label: "alarm", value: freeBytes },
                ]),
            ],
        });
        alarms.push(
            {
                name: alarmName(inputs.namePrefix, "postgres", "cpu"),
                description: `PostgreSQL above ${thresholds.databaseCpuPercent}% CPU for 10 minutes: check Performance Insights for the queries, or size the instance up.`,
                signal: { metric: metric("AWS/RDS", "CPUUtilization", dims, "Average") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.databaseCpuPercent,
                periodSeconds: 300,
                evaluationPeriods: 2,
            },
            {
                name: alarmName(inputs.namePrefix, "postgres", "free-storage"),
                description: `PostgreSQL has less than ${thresholds.databaseFreeStorageFraction * 100}% of its ${pg.allocatedStorageGb} GiB free: raise postgresAllocatedStorageGb before writes fail.`,
                signal: { metric: metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum") },
                comparison: "LessThanThreshold",
                threshold: freeBytes,
                periodSeconds: 300,
                evaluationPeriods: 1,
                treatMissingData: "breaching",
            },
            {
                name: alarmName(inputs.namePrefix, "postgres", "connections"),
                description: `PostgreSQL above ${connections} connections (80% of ${pg.maxConnections}): check for connection leaks in result/worker, or size up.`,
                signal: { metric: metric("AWS/RDS", "DatabaseConnections", dims, "Maximum") },
                comparison: "GreaterThanThreshold",
                threshold: connections,
                evaluationPeriods: 5,
            },
        );
    }
    if (inputs.redis && isServerlessRedis(inputs.redis)) {
        const serverless = serverlessRedisSignals(inputs.namePrefix, inputs.redis, thresholds);
        sections.push(...serverless.sections);
        alarms.push(...serverless.alarms);
    } else if (inputs.redis && inputs.redis.cacheClusterIds.length > 0) {
        const nodes = inputs.redis.cacheClusterIds;
        const perNode = (metricName: string) =>
            nodes.map((id, i) =>
                metric("AWS/ElastiCache", metricName, { CacheClusterId: id }, "Average", `node ${i + 1}`),
            );
        sections.push({
            title: "Redis (ElastiCache)",
            graphs: [
                graph("Engine CPU", perNode("EngineCPUUtilization"), "Percent", [
                    { label: "alarm", value: thresholds.cacheCpuPercent },
                ]),
                graph("Memory used", perNode("DatabaseMemoryUsagePercentage"), "Percent", [
                    { label: "alarm", value: thresholds.cacheMemoryPercent },
                ]),
                graph("Connections", perNode("CurrConnections"), "Count"),
            ],
        });
        alarms.push(
            {
                name: alarmName(inputs.namePrefix, "redis", "cpu"),
                description: `A Redis node's engine above ${thresholds.cacheCpuPercent}% CPU: votes queue up; size redisNodeType up.`,
                signal: { combine: "MAX", metrics: perNode("EngineCPUUtilization"), label: "redis engine CPU" },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.cacheCpuPercent,
                evaluationPeriods: 5,
            },
            {
                name: alarmName(inputs.namePrefix, "redis", "memory"),
                description: `A Redis node above ${thresholds.cacheMemoryPercent}% memory: the vote queue is not drained (is the worker running?) or the node is too small.`,
                signal: { combine: "MAX", metrics: perNode("DatabaseMemoryUsagePercentage"), label: "redis memory" },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.cacheMemoryPercent,
                evaluationPeriods: 5,
            },
        );
    }
    return { sections, alarms };
}

/**
 * ElastiCache Serverless (metrics: docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html):
 * ECPUs against the ECPU limit, data stored against the data limit, throttled commands (the limit reached, or
 * load growing faster than ElastiCache scales) and evictions (a vote evicted from the queue is a vote lost).
 * Latency is graphed, not alarmed: the worker's BLMOVE blocks up to a second on an empty queue, and whether
 * SuccessfulWriteRequestLatency counts that wait is not documented; the services' own p95 alarms cover what
 * voters feel.
 */
function serverlessRedisSignals(
    namePrefix: string,
    redis: ServerlessRedisSignalInputs,
    thresholds: AlarmThresholds,
): SignalSet {
    const cache = (metricName: string, stat: MetricSpec["stat"], label?: string) =>
        metric("AWS/ElastiCache", metricName, { [SERVERLESS_CACHE_DIMENSION]: redis.serverlessCacheName }, stat, label);
    const ecpuLimit = redis.limits?.ecpuPerSecond;
    const dataLimitGb = redis.limits?.dataStorageGb;
    // ECPUs are counted per minute (Sum over the 60 s period): the per-second limit times 60.
    const ecpuThreshold =
        ecpuLimit !== undefined ? Math.round((ecpuLimit * 60 * thresholds.cacheCpuPercent) / 100) : undefined;
    const dataThreshold =
        dataLimitGb !== undefined
            ? Math.round((dataLimitGb * CACHE_LIMIT_GB_BYTES * thresholds.cacheMemoryPercent) / 100)
            : undefined;
    const alarms: AlarmSpec[] = [];
    if (ecpuThreshold !== undefined)
        alarms.push({
            name: alarmName(namePrefix, "redis", "ecpu"),
            description: `The Redis cache uses more than ${thresholds.cacheCpuPercent}% of its ${ecpuLimit} ECPUs a second for 5 minutes: commands are throttled at the limit; look for a client in a loop, or raise the limit (REDIS_SERVERLESS_LIMITS).`,
            signal: { metric: cache("ElastiCacheProcessingUnits", "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: ecpuThreshold,
            evaluationPeriods: 5,
        });
    if (dataThreshold !== undefined)
        alarms.push({
            name: alarmName(namePrefix, "redis", "data-stored"),
            description: `The Redis cache stores more than ${thresholds.cacheMemoryPercent}% of its ${dataLimitGb} GB limit: the vote queue is not drained (is the worker running?); at the limit writes fail.`,
            signal: { metric: cache("BytesUsedForCache", "Maximum") },
            comparison: "GreaterThanThreshold",
            threshold: dataThreshold,
            evaluationPeriods: 5,
            // An idle cache still reports BytesUsedForCache (the integration test cited at SERVERLESS_CACHE_DIMENSION
            // waits for this alarm to reach OK with no traffic), so no data means the dimension is wrong: make that
            // loud on the first deploy instead of leaving every serverless alarm silently without data.
            treatMissingData: "breaching",
        });
    alarms.push(
        {
            name: alarmName(namePrefix, "redis", "throttled"),
            description:
                "ElastiCache throttles Redis commands: the cache's ECPU limit is reached or load grows faster than it scales; votes are refused or delayed.",
            signal: { metric: cache("ThrottledCmds", "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        },
        {
            name: alarmName(namePrefix, "redis", "evictions"),
            description:
                "The Redis cache evicted keys: queued votes may be lost. Check data stored against the cache's limit and that the worker drains the queue.",
            signal: { metric: cache("Evictions", "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 1,
        },
    );
    return {
        sections: [
            {
                title: "Redis (ElastiCache Serverless)",
                graphs: [
                    graph(
                        "ECPUs per minute",
                        [cache("ElastiCacheProcessingUnits", "Sum", "ECPUs")],
                        "Count",
                        ecpuThreshold !== undefined ? [{ label: "alarm", value: ecpuThreshold }] : undefined,
                    ),
                    graph(
                        "Data stored",
                        [cache("BytesUsedForCache", "Maximum", "bytes")],
                        "Bytes",
                        dataThreshold !== undefined ? [{ label: "alarm", value: dataThreshold }] : undefined,
                    ),
                    graph(
                        "Throttled commands / evictions",
                        [cache("ThrottledCmds", "Sum", "throttled"), cache("Evictions", "Sum", "evicted")],
                        "Count",
                    ),
                    graph(
                        "Request latency",
                        [
                            cache("SuccessfulReadRequestLatency", "Average", "read"),
                            cache("SuccessfulWriteRequestLatency", "Average", "write"),
                        ],
                        "Microseconds",
                    ),
                    graph("Connections", [cache("CurrConnections", "Maximum", "connections")], "Count"),
                ],
            },
        ],
        alarms,
    };
}

export interface AppLogSignalInputs {
    readonly namePrefix: string;
    /** Log group of each service's containers (JSON lines with `level` and `service`). */
    readonly logGroups: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * The services whose error alarm rolls their deployment back (those without a load balancer's signals:
     * rollbackAlarmNames in alarmNames.ts), said in the alarm's description.
     * @default none
     */
    readonly rollbackOnErrors?: readonly string[];
}

/** Error lines per service counted from the app's JSON logs: a dashboard graph and an alarm per service (the worker's rolls it back). */
export function appLogSignals(inputs: AppLogSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const namespace = `VoteApp/${inputs.namePrefix}`;
    const services = Object.keys(inputs.logGroups);
    const errors = (service: string, label?: string) =>
        metric(namespace, APP_ERRORS_METRIC, { Service: service }, "Sum", label);
    const logMetrics = services.map((service): LogMetricSpec => ({
        name: serviceAlarmName(inputs.namePrefix, service, "errors"),
        logGroupName: inputs.logGroups[service],
        pattern: APP_ERROR_PATTERN,
        // The dimension value comes from the line's own `service` field, which the app's logger always writes.
        metric: { namespace, metricName: APP_ERRORS_METRIC, dimensions: { Service: "$.service" } },
    }));
    return {
        sections: [
            {
                title: "Application errors (logs)",
                graphs: [
                    graph(
                        "Error lines per service",
                        services.map((s) => errors(s, s)),
                        "Count",
                        [{ label: "alarm", value: thresholds.appErrorsPerFiveMinutes }],
                    ),
                ],
            },
        ],
        alarms: services.map((service): AlarmSpec => ({
            name: serviceAlarmName(inputs.namePrefix, service, "errors"),
            description: `${service} logs errors (level "error" in its log group): read the lines for the cause.${inputs.rollbackOnErrors?.includes(service) ? ` Rolls back a ${service} deployment in progress.` : ""}`,
            signal: { metric: errors(service) },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.appErrorsPerFiveMinutes,
            periodSeconds: 300,
            evaluationPeriods: 1,
        })),
        logMetrics,
    };
}

/** Memory (GiB) of an instance size in the general-purpose and burstable classes; memory-optimised (r*, x*) classes have twice as much. */
const SIZE_MEMORY_GIB: Readonly<Record<string, number>> = {
    micro: 1,
    small: 2,
    medium: 4,
    large: 8,
    xlarge: 16,
    "2xlarge": 32,
    "4xlarge": 64,
    "8xlarge": 128,
    "12xlarge": 192,
    "16xlarge": 256,
    "24xlarge": 384,
};

/**
 * RDS PostgreSQL's default max_connections, LEAST({DBInstanceClassMemory/9531392}, 5000), from the
 * instance class's memory (an estimate: RDS subtracts some memory for the OS). Unknown sizes count as 100.
 */
export function estimatedPostgresMaxConnections(instanceClass: string): number {
    const [, family = "", size = ""] = instanceClass.split(".");
    const gib = SIZE_MEMORY_GIB[size];
    if (gib === undefined) return 100;
    const memory = gib * (/^[rxz]/.test(family) ? 2 : 1) * GIB;
    return Math.min(Math.floor(memory / 9531392), 5000);
}
