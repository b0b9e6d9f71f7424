import { mergeSignalSets, type SignalSet } from "../metrics";
import { alarmName } from "../alarmNames";
import {
    type AlarmThresholds,
    albSignals,
    type AlbSignalInputs,
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

/** platform eks: Container Insights pod and node signals, the controller's ALB when known, the data layer. */

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
    const utilisation: UtilisationSignalInputs = {
        namePrefix: inputs.namePrefix,
        workloads: inputs.workloads,
        metric: (kind, w, label) =>
            metric(
                CI,
                kind === "cpu" ? "pod_cpu_utilization_over_pod_limit" : "pod_memory_utilization_over_pod_limit",
                dims(w),
                "Average",
                label,
            ),
        description: (kind, w, threshold) =>
            kind === "cpu"
                ? `${w} pods average above ${threshold}% of their CPU limit. Rolls back a deployment in progress.`
                : `${w} pods average above ${threshold}% of their memory limit: near OOM kills. Rolls back a deployment in progress.`,
    };
    const cluster = { ClusterName: inputs.clusterName };
    const pods: SignalSet = {
        sections: [
            {
                title: "Workloads (EKS, Container Insights)",
                graphs: [
                    ...utilisationGraphs(utilisation, thresholds, {
                        cpu: "Pod CPU (% of limit)",
                        memory: "Pod memory (% of limit)",
                    }),
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
            ...utilisationAlarms(utilisation, thresholds),
            {
                name: alarmName(inputs.namePrefix, "eks", "failed-nodes"),
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
