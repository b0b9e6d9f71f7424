import { mergeSignalSets, type AlarmSpec, type SignalSet } from "../metrics";
import { serviceAlarmName } from "../alarmNames";
import {
    type AlarmThresholds,
    albSignals,
    type AlbSignalInputs,
    appLogSignals,
    type AppLogSignalInputs,
    dataSignals,
    type DataSignalInputs,
    DEFAULT_THRESHOLDS,
    graph,
    type Input,
    metric,
} from "./shared";

/** platform ecs: the ECS services' own signals, and the set the Fargate composition watches. */

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
