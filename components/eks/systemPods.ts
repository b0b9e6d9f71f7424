import type { Protection } from "../vocabulary";

/**
 * The pods the cluster runs besides the app, as this program installs them: what node capacity must hold
 * before any app pod schedules (stacks/config/eksCapacity.ts). Requests are counted only where the add-on or
 * chart sets them by default (source per entry); the others count as a pod with no request, so the capacity
 * check under-counts demand rather than refusing a config that might fit.
 */

export interface PodRequests {
    /** CPU request in millicores. */
    readonly cpuMillis: number;
    /** Memory request in MiB. */
    readonly memoryMiB: number;
}

export interface SystemPod {
    readonly name: string;
    readonly replicas: number;
    readonly requests: PodRequests;
    /** Where the requests come from. */
    readonly source: string;
}

const NONE: PodRequests = { cpuMillis: 0, memoryMiB: 0 };

/** DaemonSets: one pod on every node (the GPU/Neuron DaemonSets of the CloudWatch add-on select no Graviton CPU node). */
export const PER_NODE_SYSTEM_PODS: readonly Omit<SystemPod, "replicas">[] = [
    {
        name: "aws-node",
        requests: { cpuMillis: 25, memoryMiB: 0 },
        source: "EKS vpc-cni add-on: aws-node requests cpu 25m",
    },
    {
        name: "kube-proxy",
        requests: { cpuMillis: 100, memoryMiB: 0 },
        source: "EKS kube-proxy add-on: requests cpu 100m",
    },
    { name: "eks-pod-identity-agent", requests: NONE, source: "no request counted" },
    { name: "cloudwatch-agent", requests: NONE, source: "amazon-cloudwatch-observability add-on; no request counted" },
    { name: "fluent-bit", requests: NONE, source: "amazon-cloudwatch-observability add-on; no request counted" },
];

/** metrics-server runs two replicas (with its PodDisruptionBudget) whenever there can be two nodes. */
export function metricsServerReplicas(nodeMinSize: number, autoMode: boolean): number {
    return nodeMinSize > 1 || autoMode ? 2 : 1;
}

/** The AWS Load Balancer Controller runs two replicas where the tier protects its controllers. */
export function loadBalancerControllerReplicas(protection: Pick<Protection, "redundantControllers">): number {
    return protection.redundantControllers ? 2 : 1;
}

/** The cluster's Deployments besides the app, with the replica counts this program gives them. */
export function clusterSystemPods(args: {
    readonly nodeMinSize: number;
    readonly autoMode: boolean;
    readonly protection: Pick<Protection, "redundantControllers">;
}): SystemPod[] {
    return [
        {
            name: "coredns",
            replicas: 2,
            requests: { cpuMillis: 100, memoryMiB: 70 },
            source: "EKS coredns add-on: 2 replicas requesting cpu 100m, memory 70Mi",
        },
        {
            name: "metrics-server",
            replicas: metricsServerReplicas(args.nodeMinSize, args.autoMode),
            requests: { cpuMillis: 100, memoryMiB: 200 },
            source: "kubernetes-sigs metrics-server chart values.yaml: requests cpu 100m, memory 200Mi",
        },
        {
            name: "aws-load-balancer-controller",
            replicas: loadBalancerControllerReplicas(args.protection),
            requests: NONE,
            source: "eks-charts aws-load-balancer-controller: resources {} (no request)",
        },
        {
            name: "amazon-cloudwatch-observability-controller-manager",
            replicas: 1,
            requests: NONE,
            source: "amazon-cloudwatch-observability add-on; no request counted",
        },
    ];
}
