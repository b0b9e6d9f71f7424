import { mergeSignalSets, type SignalSet } from "../metrics";
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
    utilisationAlarms,
    utilisationGraphs,
    type UtilisationSignalInputs,
} from "./shared";
import { httpApiSignals, type HttpApiSignalInputs } from "./httpApi";

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
    const utilisation: UtilisationSignalInputs = {
        namePrefix: inputs.namePrefix,
        workloads: inputs.services,
        metric: (kind, service, label) =>
            metric("AWS/ECS", kind === "cpu" ? "CPUUtilization" : "MemoryUtilization", dims(service), "Average", label),
        description: (kind, service, threshold) =>
            kind === "cpu"
                ? `${service} tasks average above ${threshold}% CPU although autoscaling should add tasks: check the max count and for a hot loop. Rolls back a deployment in progress.`
                : `${service} tasks average above ${threshold}% memory: tasks are near being killed; check for a leak or raise the memory size. Rolls back a deployment in progress.`,
    };
    return {
        sections: [
            {
                title: "Services (ECS)",
                graphs: [
                    ...utilisationGraphs(utilisation, thresholds, {
                        cpu: "CPU per service",
                        memory: "Memory per service",
                    }),
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
        alarms: utilisationAlarms(utilisation, thresholds),
    };
}

interface FargateCommonSignalInputs extends DataSignalInputs, AppLogSignalInputs {
    readonly namePrefix: string;
    readonly clusterName: Input;
    /** Every ECS service, load-balanced or not (the worker). */
    readonly ecsServices: readonly string[];
}

/** The entry point of ecsIngress httpApi: the HTTP API's stage and each HTTP service's routes. */
export interface HttpApiFrontSignalInputs {
    readonly httpApi: Omit<HttpApiSignalInputs, "namePrefix">;
}

/** The ALB's target groups per service (ecsIngress loadBalancer), or the HTTP API's routes per service. */
export type FargateSignalInputs = FargateCommonSignalInputs & (AlbSignalInputs | HttpApiFrontSignalInputs);

/** platform ecs: traffic per service at its entry point (ALB or HTTP API), ECS CPU/memory per service, error lines per service (the worker's errors), RDS and ElastiCache. */
export function fargateSignals(
    inputs: FargateSignalInputs,
    thresholds: AlarmThresholds = DEFAULT_THRESHOLDS,
): SignalSet {
    return mergeSignalSets(
        "httpApi" in inputs
            ? httpApiSignals({ namePrefix: inputs.namePrefix, ...inputs.httpApi }, thresholds)
            : albSignals(inputs, thresholds),
        ecsServiceSignals(
            { namePrefix: inputs.namePrefix, clusterName: inputs.clusterName, services: inputs.ecsServices },
            thresholds,
        ),
        appLogSignals(inputs, thresholds),
        dataSignals(inputs, thresholds),
    );
}
