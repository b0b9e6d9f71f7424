import type * as pulumi from "@pulumi/pulumi";
import { serviceAlarmName } from "./alarmNames";
import {
    type AlarmSpec,
    type DashboardSection,
    type GraphSpec,
    type LogMetricSpec,
    mergeSignalSets,
    type MetricSpec,
    type SignalSet,
} from "./metrics";

/**
 * Golden signals per platform, as plain data: which metrics the dashboard graphs and which alarms page and
 * roll deployments back. `fargateSignals` is wired on ECS; `lambdaSignals` and `eksSignals` are ready for
 * those platforms (their composition passes its resources' names in).
 */

type Input = pulumi.Input<string>;

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

/** The app's JSON log lines (app/src/core/log.ts) at level error. */
export const APP_ERROR_PATTERN = '{ $.level = "error" }';
/** Metric the error lines count into, per service. */
export const APP_ERRORS_METRIC = "AppErrors";

const GIB = 1024 ** 3;
const ALB = "AWS/ApplicationELB";
const metric = (
    namespace: string,
    metricName: string,
    dimensions: Record<string, Input>,
    stat: MetricSpec["stat"],
    label?: string,
): MetricSpec => ({ namespace, metricName, dimensions, stat, label });
const graph = (
    title: string,
    metrics: MetricSpec[],
    unit?: string,
    thresholds?: GraphSpec["thresholds"],
): GraphSpec => ({ title, metrics, unit, thresholds });

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
            name: `${inputs.namePrefix}-alb-5xx`,
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

export interface EcsServiceSignalInputs {
    readonly namePrefix: string;
    readonly clusterName: Input;
    /** ECS service names (the app service names on our clusters). */
    readonly services: readonly string[];
}

/** CPU and memory per ECS service, and running tasks. */
export function ecsServiceSignals(
    inputs: EcsServiceSignalInputs,
    thresholds: AlarmThresholds = DEFAULT_THRESHOLDS,
): SignalSet {
    const dims = (service: string) => ({ ClusterName: inputs.clusterName, ServiceName: service });
    const alarms = inputs.services.flatMap((service): AlarmSpec[] => [
        {
            name: serviceAlarmName(inputs.namePrefix, service, "cpu"),
            description: `${service} tasks average above ${thresholds.cpuPercent}% CPU although autoscaling should add tasks: check the max count and for a hot loop. Rolls back a deployment in progress.`,
            signal: { metric: metric("AWS/ECS", "CPUUtilization", dims(service), "Average") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.cpuPercent,
            evaluationPeriods: 5,
        },
        {
            name: serviceAlarmName(inputs.namePrefix, service, "memory"),
            description: `${service} tasks average above ${thresholds.memoryPercent}% memory: tasks are near being killed; check for a leak or raise the memory size. Rolls back a deployment in progress.`,
            signal: { metric: metric("AWS/ECS", "MemoryUtilization", dims(service), "Average") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.memoryPercent,
            evaluationPeriods: 5,
        },
    ]);
    return {
        sections: [
            {
                title: "Services (ECS)",
                graphs: [
                    graph(
                        "CPU per service",
                        inputs.services.map((s) => metric("AWS/ECS", "CPUUtilization", dims(s), "Average", s)),
                        "Percent",
                        [{ label: "alarm", value: thresholds.cpuPercent }],
                    ),
                    graph(
                        "Memory per service",
                        inputs.services.map((s) => metric("AWS/ECS", "MemoryUtilization", dims(s), "Average", s)),
                        "Percent",
                        [{ label: "alarm", value: thresholds.memoryPercent }],
                    ),
                    graph(
                        "Running tasks",
                        inputs.services.map((s) =>
                            metric("ECS/ContainerInsights", "RunningTaskCount", dims(s), "Average", s),
                        ),
                        "Count",
                    ),
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
    /** Redis member clusters (`<replication group>-001`, …): ElastiCache publishes per node. */
    readonly redis?: { readonly cacheClusterIds: readonly Input[] };
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
                name: `${inputs.namePrefix}-postgres-cpu`,
                description: `PostgreSQL above ${thresholds.databaseCpuPercent}% CPU for 10 minutes: check Performance Insights for the queries, or size the instance up.`,
                signal: { metric: metric("AWS/RDS", "CPUUtilization", dims, "Average") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.databaseCpuPercent,
                periodSeconds: 300,
                evaluationPeriods: 2,
            },
            {
                name: `${inputs.namePrefix}-postgres-free-storage`,
                description: `PostgreSQL has less than ${thresholds.databaseFreeStorageFraction * 100}% of its ${pg.allocatedStorageGb} GiB free: raise postgresAllocatedStorageGb before writes fail.`,
                signal: { metric: metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum") },
                comparison: "LessThanThreshold",
                threshold: freeBytes,
                periodSeconds: 300,
                evaluationPeriods: 1,
                treatMissingData: "breaching",
            },
            {
                name: `${inputs.namePrefix}-postgres-connections`,
                description: `PostgreSQL above ${connections} connections (80% of ${pg.maxConnections}): check for connection leaks in result/worker, or size up.`,
                signal: { metric: metric("AWS/RDS", "DatabaseConnections", dims, "Maximum") },
                comparison: "GreaterThanThreshold",
                threshold: connections,
                evaluationPeriods: 5,
            },
        );
    }
    if (inputs.redis && inputs.redis.cacheClusterIds.length > 0) {
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
                name: `${inputs.namePrefix}-redis-cpu`,
                description: `A Redis node's engine above ${thresholds.cacheCpuPercent}% CPU: votes queue up; size redisNodeType up.`,
                signal: { combine: "MAX", metrics: perNode("EngineCPUUtilization"), label: "redis engine CPU" },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.cacheCpuPercent,
                evaluationPeriods: 5,
            },
            {
                name: `${inputs.namePrefix}-redis-memory`,
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

export interface AppLogSignalInputs {
    readonly namePrefix: string;
    /** Log group of each service's containers (JSON lines with `level` and `service`). */
    readonly logGroups: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Error lines per service counted from the app's JSON logs: a dashboard graph and an alarm per service (the worker's rolls it back). */
export function appLogSignals(inputs: AppLogSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const namespace = `VoteApp/${inputs.namePrefix}`;
    const services = Object.keys(inputs.logGroups);
    const errors = (service: string, label?: string) =>
        metric(namespace, APP_ERRORS_METRIC, { Service: service }, "Sum", label);
    const logMetrics = services.map((service): LogMetricSpec => ({
        name: `${inputs.namePrefix}-${service}-errors`,
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
            description: `${service} logs errors (level "error" in its log group): read the lines for the cause.${service === "worker" ? " Rolls back a worker deployment in progress." : ""}`,
            signal: { metric: errors(service) },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.appErrorsPerFiveMinutes,
            periodSeconds: 300,
            evaluationPeriods: 1,
        })),
        logMetrics,
    };
}

export interface FargateSignalInputs extends AlbSignalInputs, DataSignalInputs, AppLogSignalInputs {
    readonly clusterName: Input;
    /** Every ECS service, load-balanced or not (the worker). */
    readonly ecsServices: readonly string[];
}

/** platform ecs: ALB traffic per service, ECS CPU/memory per service, error lines per service (the worker's errors), RDS and ElastiCache. */
export function fargateSignals(
    inputs: FargateSignalInputs,
    thresholds: AlarmThresholds = DEFAULT_THRESHOLDS,
): SignalSet {
    return mergeSignalSets(
        albSignals(inputs, thresholds),
        ecsServiceSignals(
            { namePrefix: inputs.namePrefix, clusterName: inputs.clusterName, services: inputs.ecsServices },
            thresholds,
        ),
        appLogSignals(inputs, thresholds),
        dataSignals(inputs, thresholds),
    );
}

/**
 * The ALB is optional on EKS: the AWS Load Balancer Controller creates it (and its target groups) from
 * the Ingress after the program ran, so its ARN suffix is unknown when the stack is planned.
 */
export interface EksSignalInputs
    extends Pick<AlbSignalInputs, "namePrefix">, Partial<Omit<AlbSignalInputs, "namePrefix">>, DataSignalInputs {
    readonly clusterName: Input;
    /** Kubernetes namespace of the app's workloads. */
    readonly namespace: Input;
    /** Kubernetes Service names of the app's workloads (Container Insights' `Service` dimension). */
    readonly workloads: readonly string[];
}

/** platform eks: ALB traffic per service, Container Insights pod CPU/memory per workload and node health, RDS and ElastiCache. */
export function eksSignals(inputs: EksSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const CI = "ContainerInsights";
    const dims = (workload: string) => ({
        ClusterName: inputs.clusterName,
        Namespace: inputs.namespace,
        Service: workload,
    });
    const workloadAlarms = inputs.workloads.flatMap((w): AlarmSpec[] => [
        {
            name: serviceAlarmName(inputs.namePrefix, w, "cpu"),
            description: `${w} pods average above ${thresholds.cpuPercent}% of their CPU limit. Rolls back a deployment in progress.`,
            signal: { metric: metric(CI, "pod_cpu_utilization_over_pod_limit", dims(w), "Average") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.cpuPercent,
            evaluationPeriods: 5,
        },
        {
            name: serviceAlarmName(inputs.namePrefix, w, "memory"),
            description: `${w} pods average above ${thresholds.memoryPercent}% of their memory limit: near OOM kills. Rolls back a deployment in progress.`,
            signal: { metric: metric(CI, "pod_memory_utilization_over_pod_limit", dims(w), "Average") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.memoryPercent,
            evaluationPeriods: 5,
        },
    ]);
    const cluster = { ClusterName: inputs.clusterName };
    const pods: SignalSet = {
        sections: [
            {
                title: "Workloads (EKS, Container Insights)",
                graphs: [
                    graph(
                        "Pod CPU (% of limit)",
                        inputs.workloads.map((w) =>
                            metric(CI, "pod_cpu_utilization_over_pod_limit", dims(w), "Average", w),
                        ),
                        "Percent",
                        [{ label: "alarm", value: thresholds.cpuPercent }],
                    ),
                    graph(
                        "Pod memory (% of limit)",
                        inputs.workloads.map((w) =>
                            metric(CI, "pod_memory_utilization_over_pod_limit", dims(w), "Average", w),
                        ),
                        "Percent",
                        [{ label: "alarm", value: thresholds.memoryPercent }],
                    ),
                    graph(
                        "Pod restarts",
                        inputs.workloads.map((w) => metric(CI, "pod_number_of_container_restarts", dims(w), "Sum", w)),
                        "Count",
                    ),
                    graph(
                        "Nodes",
                        [
                            metric(CI, "cluster_node_count", cluster, "Average", "nodes"),
                            metric(CI, "cluster_failed_node_count", cluster, "Maximum", "failed"),
                        ],
                        "Count",
                    ),
                    graph(
                        "Node CPU / memory",
                        [
                            metric(CI, "node_cpu_utilization", cluster, "Average", "CPU"),
                            metric(CI, "node_memory_utilization", cluster, "Average", "memory"),
                        ],
                        "Percent",
                    ),
                ],
            },
        ],
        alarms: [
            ...workloadAlarms,
            {
                name: `${inputs.namePrefix}-eks-failed-nodes`,
                description: "EKS nodes failing: check the node group's instances and kubelet logs.",
                signal: { metric: metric(CI, "cluster_failed_node_count", cluster, "Maximum") },
                comparison: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: 3,
            },
        ],
    };
    const { loadBalancerArnSuffix, services } = inputs;
    const alb =
        loadBalancerArnSuffix !== undefined && services !== undefined
            ? [albSignals({ namePrefix: inputs.namePrefix, loadBalancerArnSuffix, services }, thresholds)]
            : [];
    return mergeSignalSets(...alb, pods, dataSignals(inputs, thresholds));
}

export interface LambdaSignalInputs {
    readonly namePrefix: string;
    /** HTTP API (API Gateway v2) and its stage. */
    readonly api: { readonly apiId: Input; readonly stage: Input };
    /** Function names by role, e.g. { vote: ..., result: ..., worker: ... }. */
    readonly functions: Readonly<Record<string, Input>>;
    /** The vote queue the worker consumes. */
    readonly queueName: Input;
    /** Its dead-letter queue: any ballot there is a vote not counted. */
    readonly deadLetterQueueName?: Input;
    /** DynamoDB tables. */
    readonly tableNames: readonly Input[];
}

/** platform lambda: API 5xx/latency, function errors/duration/throttles, queue depth and oldest message, DynamoDB throttles. */
export function lambdaSignals(inputs: LambdaSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const api = { ApiId: inputs.api.apiId, Stage: inputs.api.stage };
    const fn = (name: Input) => ({ FunctionName: name });
    const queue = { QueueName: inputs.queueName };
    const functions = Object.entries(inputs.functions);
    const alarms: AlarmSpec[] = [
        {
            name: `${inputs.namePrefix}-api-5xx`,
            description: "The HTTP API answers 5xx: check the functions' errors and logs.",
            signal: { metric: metric("AWS/ApiGateway", "5xx", api, "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.target5xxPerMinute,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        },
        {
            name: `${inputs.namePrefix}-api-latency-p95`,
            description: `The HTTP API's p95 latency is above ${thresholds.p95LatencySeconds}s: check cold starts, DynamoDB throttles.`,
            signal: { metric: metric("AWS/ApiGateway", "Latency", api, "p95") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.p95LatencySeconds * 1000,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
        },
        {
            name: `${inputs.namePrefix}-queue-oldest-message`,
            description: `Votes wait more than ${thresholds.queueOldestMessageSeconds}s in the queue: the worker function is failing or throttled.`,
            signal: { metric: metric("AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.queueOldestMessageSeconds,
            evaluationPeriods: 3,
        },
        ...(inputs.deadLetterQueueName !== undefined
            ? [
                  {
                      name: `${inputs.namePrefix}-dead-letter-queue`,
                      description:
                          "Ballots reached the dead-letter queue: votes the worker could not record. Inspect them, fix the cause, then redrive them to the votes queue.",
                      signal: {
                          metric: metric(
                              "AWS/SQS",
                              "ApproximateNumberOfMessagesVisible",
                              { QueueName: inputs.deadLetterQueueName },
                              "Maximum",
                          ),
                      },
                      comparison: "GreaterThanThreshold",
                      threshold: 0,
                      evaluationPeriods: 1,
                  } satisfies AlarmSpec,
              ]
            : []),
        ...functions.flatMap(([role, name]): AlarmSpec[] => [
            {
                name: serviceAlarmName(inputs.namePrefix, role, "errors"),
                description: `The ${role} function raises errors: check its logs. Rolls back a deployment in progress.`,
                signal: { metric: metric("AWS/Lambda", "Errors", fn(name), "Sum") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.functionErrorsPerMinute,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
            },
            {
                name: `${inputs.namePrefix}-${role}-throttles`,
                description: `The ${role} function is throttled: raise its reserved concurrency or the account limit.`,
                signal: { metric: metric("AWS/Lambda", "Throttles", fn(name), "Sum") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.functionThrottlesPerMinute,
                evaluationPeriods: 3,
            },
        ]),
        ...inputs.tableNames.map((table, i): AlarmSpec => ({
            name: `${inputs.namePrefix}-dynamodb-throttles-${i + 1}`,
            description: "DynamoDB throttles requests: check the table's capacity mode and hot keys.",
            signal: {
                combine: "SUM",
                metrics: [
                    metric("AWS/DynamoDB", "ReadThrottleEvents", { TableName: table }, "Sum"),
                    metric("AWS/DynamoDB", "WriteThrottleEvents", { TableName: table }, "Sum"),
                ],
                label: "throttle events",
            },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 3,
        })),
    ];
    return {
        sections: [
            {
                title: "API (API Gateway)",
                graphs: [
                    graph("Requests", [metric("AWS/ApiGateway", "Count", api, "Sum", "requests")], "Count"),
                    graph(
                        "5xx / 4xx",
                        [
                            metric("AWS/ApiGateway", "5xx", api, "Sum", "5xx"),
                            metric("AWS/ApiGateway", "4xx", api, "Sum", "4xx"),
                        ],
                        "Count",
                        [{ label: "alarm", value: thresholds.target5xxPerMinute }],
                    ),
                    graph("p95 latency", [metric("AWS/ApiGateway", "Latency", api, "p95", "p95")], "Milliseconds", [
                        { label: "alarm", value: thresholds.p95LatencySeconds * 1000 },
                    ]),
                ],
            },
            {
                title: "Functions (Lambda)",
                graphs: [
                    graph(
                        "Errors",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Errors", fn(name), "Sum", role)),
                        "Count",
                    ),
                    graph(
                        "p95 duration",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Duration", fn(name), "p95", role)),
                        "Milliseconds",
                    ),
                    graph(
                        "Throttles",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Throttles", fn(name), "Sum", role)),
                        "Count",
                    ),
                ],
            },
            {
                title: "Queue and tables",
                graphs: [
                    graph(
                        "Queue depth",
                        [
                            metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, "Maximum", "visible"),
                            ...(inputs.deadLetterQueueName !== undefined
                                ? [
                                      metric(
                                          "AWS/SQS",
                                          "ApproximateNumberOfMessagesVisible",
                                          { QueueName: inputs.deadLetterQueueName },
                                          "Maximum",
                                          "dead-letter",
                                      ),
                                  ]
                                : []),
                        ],
                        "Count",
                    ),
                    graph(
                        "Age of oldest message",
                        [metric("AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum", "oldest")],
                        "Seconds",
                        [{ label: "alarm", value: thresholds.queueOldestMessageSeconds }],
                    ),
                    graph(
                        "DynamoDB throttles",
                        inputs.tableNames.flatMap((t, i) => [
                            metric(
                                "AWS/DynamoDB",
                                "ReadThrottleEvents",
                                { TableName: t },
                                "Sum",
                                `table ${i + 1} read`,
                            ),
                            metric(
                                "AWS/DynamoDB",
                                "WriteThrottleEvents",
                                { TableName: t },
                                "Sum",
                                `table ${i + 1} write`,
                            ),
                        ]),
                        "Count",
                    ),
                ],
            },
        ],
        alarms,
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
