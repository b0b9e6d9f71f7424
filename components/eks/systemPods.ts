import type { Protection } from "../vocabulary";
import type { EksAddonName } from "./addonVersions";

/**
 * The pods the cluster runs besides the app, as this program installs them: what node capacity must hold
 * before any app pod schedules (stacks/config/eksCapacity.ts). The scheduler places a pod by its requests, so
 * each pod counts with exactly the requests its add-on or chart gives it at the pinned version (source per
 * entry); a pod whose chart sets none requests nothing and counts as a pod only, as the scheduler counts it.
 * Every add-on and chart the stack installs is listed (`from`; test/stacks/config/eksCapacity.test.ts joins
 * them with the planned add-ons and Helm releases).
 */

export interface PodRequests {
    /** CPU request in millicores. */
    readonly cpuMillis: number;
    /** Memory request in MiB. */
    readonly memoryMiB: number;
}

/** What installs the pod: an EKS add-on of the cluster, or a Helm chart the stack releases. */
export type SystemPodSource = { readonly addon: EksAddonName } | { readonly chart: string };

export interface SystemPod {
    readonly name: string;
    readonly replicas: number;
    readonly requests: PodRequests;
    readonly from: SystemPodSource;
    /** Where the requests come from. */
    readonly source: string;
}

const NONE: PodRequests = { cpuMillis: 0, memoryMiB: 0 };

/** The amazon-cloudwatch-observability add-on's chart at the pinned add-on version (v4.5.0). */
const CLOUDWATCH_CHART =
    "aws-observability/helm-charts charts/amazon-cloudwatch-observability/values.yaml at amazon-cloudwatch-observability-4.5.0 (2c551a0c)";

/**
 * DaemonSets: one pod on every node. The CloudWatch add-on's GPU and Neuron DaemonSets (dcgm-exporter,
 * neuron-monitor) select only accelerated instance types, which the node table leaves out
 * (components/eks/eniLimits.ts), and its Windows DaemonSets only Windows nodes.
 */
export const PER_NODE_SYSTEM_PODS: readonly Omit<SystemPod, "replicas">[] = [
    {
        name: "aws-node",
        requests: { cpuMillis: 25, memoryMiB: 0 },
        from: { addon: "vpc-cni" },
        source: "aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml at v1.20.4: resources.requests cpu 25m; the network policy agent (nodeAgent) resources {}",
    },
    {
        name: "kube-proxy",
        requests: { cpuMillis: 100, memoryMiB: 0 },
        from: { addon: "kube-proxy" },
        source: "EKS kube-proxy add-on: requests cpu 100m",
    },
    {
        name: "eks-pod-identity-agent",
        requests: NONE,
        from: { addon: "eks-pod-identity-agent" },
        source: "aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml (d4dc0f3): resources {}",
    },
    {
        name: "cloudwatch-agent",
        requests: { cpuMillis: 250, memoryMiB: 128 },
        from: { addon: "amazon-cloudwatch-observability" },
        source: `${CLOUDWATCH_CHART}: agent.resources.requests cpu 250m, memory 128Mi (daemonset mode)`,
    },
    {
        name: "fluent-bit",
        requests: { cpuMillis: 50, memoryMiB: 25 },
        from: { addon: "amazon-cloudwatch-observability" },
        source: `${CLOUDWATCH_CHART}: containerLogs.fluentBit.resources.requests cpu 50m, memory 25Mi`,
    },
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
            from: { addon: "coredns" },
            source: "EKS coredns add-on: 2 replicas requesting cpu 100m, memory 70Mi",
        },
        {
            name: "metrics-server",
            replicas: metricsServerReplicas(args.nodeMinSize, args.autoMode),
            requests: { cpuMillis: 100, memoryMiB: 200 },
            from: { chart: "metrics-server" },
            source: "kubernetes-sigs metrics-server chart values.yaml: requests cpu 100m, memory 200Mi",
        },
        {
            name: "aws-load-balancer-controller",
            replicas: loadBalancerControllerReplicas(args.protection),
            requests: NONE,
            from: { chart: "aws-load-balancer-controller" },
            source: "aws/eks-charts stable/aws-load-balancer-controller/values.yaml (5239609): resources {} (left to the user)",
        },
        {
            name: "amazon-cloudwatch-observability-controller-manager",
            replicas: 1,
            requests: { cpuMillis: 100, memoryMiB: 64 },
            from: { addon: "amazon-cloudwatch-observability" },
            source: `${CLOUDWATCH_CHART}: manager.resources.requests cpu 100m, memory 64Mi`,
        },
    ];
}
