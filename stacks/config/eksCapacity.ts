import { ENI_LIMITS } from "../../components/eks/eniLimits";
import { INSTANCE_SIZES } from "../../components/eks/instanceSizes";
import {
    clusterSystemPods,
    PER_NODE_SYSTEM_PODS,
    type PodRequests,
    type SystemPod,
} from "../../components/eks/systemPods";
import { FULL_PROTECTION, NO_PROTECTION } from "../../components/vocabulary";
import { APP_SERVICES, type AppService, specOf } from "../../shared/appContract";
import type { Tier } from "../../shared/config/values";
import type { ConfigCheck } from "./check";
import type { EksCapacityMode } from "./eks";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";
import type { VoteAppConfig } from "./types";
import { DEFAULT_DEPLOYMENT_STRATEGY } from "./safety";

/**
 * Do the pods fit the nodes (platform eks, managed node group)? Nothing adds nodes to the group (no cluster
 * autoscaler, no Karpenter): it runs `eksNodeDesiredSize` nodes, so the app's minimum pods (both blue/green
 * slots) and the cluster's system pods must fit those nodes, or they stay Pending and `pulumi up` times out
 * waiting for the Deployments. Node capacity is what the EKS AMI's kubelet leaves allocatable:
 *   - pods per node: network interfaces × (IPv4 addresses per interface − 1) + 2, from the VPC resource
 *     controller's table (components/eks/eniLimits.ts), the formula of awslabs/amazon-eks-ami's max pods;
 *   - memory: the instance's memory − kube-reserved (11 MiB × max pods + 255 MiB) − the 100 MiB hard
 *     eviction threshold; CPU: vCPUs − kube-reserved (6% of the first core, 1% of the second, 0.5% of the
 *     third and fourth, 0.25% of the rest): awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go
 *     (getMemoryMebibytesToReserve, getCPUMillicoresToReserve).
 * The instance's vCPUs and memory come from components/eks/instanceSizes.ts, which sizes every type the ENI table
 * (and so the config) accepts; the memory is the nominal size (the OS sees slightly less), so the check errs
 * towards "fits".
 */

/** vCPUs and memory (MiB) of a node instance type (components/eks/instanceSizes.ts), or undefined when not tabled. */
export function instanceSize(type: string): { readonly vcpus: number; readonly memoryMiB: number } | undefined {
    const row = INSTANCE_SIZES[type];
    return row ? { vcpus: row[0], memoryMiB: row[1] } : undefined;
}

/** Pods the kubelet admits on a node of this type (VPC CNI, no prefix delegation), or undefined if not in the ENI table. */
export function maxPodsOf(type: string): number | undefined {
    const limits = ENI_LIMITS[type];
    return limits ? limits[0] * (limits[1] - 1) + 2 : undefined;
}

/** The EKS AMI's CPU reservation: percentages (in hundredths of a percent) per range of millicores. */
function reservedCpuMillis(totalMillis: number): number {
    const ranges: [number, number, number][] = [
        [0, 1000, 600],
        [1000, 2000, 100],
        [2000, 4000, 50],
        [4000, Number.MAX_SAFE_INTEGER, 25],
    ];
    return ranges.reduce(
        (sum, [start, end, hundredths]) =>
            totalMillis <= start ? sum : sum + ((Math.min(totalMillis, end) - start) * hundredths) / 10000,
        0,
    );
}

/** The hard eviction threshold the kubelet keeps free (memory.available < 100Mi). */
export const EVICTION_HARD_MIB = 100;

export interface NodeCapacity {
    readonly type: string;
    readonly pods: number;
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

/** What one node of a type leaves allocatable to pods, or undefined when its size or ENI limits are not tabled. */
export function allocatableOf(type: string): NodeCapacity | undefined {
    const size = instanceSize(type);
    const pods = maxPodsOf(type);
    if (!size || pods === undefined) return undefined;
    const cpu = size.vcpus * 1000;
    return {
        type,
        pods,
        cpuMillis: cpu - reservedCpuMillis(cpu),
        memoryMiB: size.memoryMiB - (11 * pods + 255) - EVICTION_HARD_MIB,
    };
}

/** The size keys of every service the check sizes pods from (voteCpu, voteMemory, voteMinCount, voteMaxCount, ...). */
type ServiceCapacityKey = `${AppService}${"Cpu" | "Memory" | "MinCount" | "MaxCount"}`;

export interface EksCapacityFlatConfig extends Readonly<Record<ServiceCapacityKey, number>> {
    readonly platform: Platform;
    readonly deploymentStrategy?: string;
    readonly eksCapacity: EksCapacityMode;
    readonly eksNodeInstanceTypes: readonly string[];
    readonly eksNodeMinSize: number;
    readonly eksNodeDesiredSize: number;
    readonly eksNodeMaxSize: number;
}

export interface PodDemand {
    readonly name: string;
    readonly count: number;
    readonly requests: PodRequests;
}

/** The app's pods as the eks components request them: CPU units → millicores (workloadSpec.ts), memory in MiB. */
export function appPods(flat: EksCapacityFlatConfig, tier: Tier, counts: "min" | "max"): PodDemand[] {
    const blueGreen = (flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier].eks) === "blueGreen";
    const replicas = (service: AppService): number => {
        if (specOf(service).singleReplica) return flat[`${service}MinCount`]; // one replica, no HPA
        const count = counts === "min" ? flat[`${service}MinCount`] : flat[`${service}MaxCount`];
        return (blueGreen && specOf(service).http ? 2 : 1) * count;
    };
    return APP_SERVICES.map((service) => ({
        name: service,
        count: replicas(service),
        requests: {
            cpuMillis: Math.round((flat[`${service}Cpu`] * 1000) / 1024),
            memoryMiB: flat[`${service}Memory`],
        },
    }));
}

export function systemPods(flat: EksCapacityFlatConfig, tier: Tier): PodDemand[] {
    return clusterSystemPods({
        nodeMinSize: flat.eksNodeMinSize,
        autoMode: false,
        protection: tier === "dev" ? NO_PROTECTION : FULL_PROTECTION,
    }).map((pod: SystemPod) => ({ name: pod.name, count: pod.replicas, requests: pod.requests }));
}

export interface CapacityFit {
    /** The smallest node of the group's types, after the per-node DaemonSets. */
    readonly perNode: NodeCapacity;
    readonly nodes: number;
    readonly demand: { readonly pods: number; readonly cpuMillis: number; readonly memoryMiB: number };
    /** Fewest nodes of that size the demand needs (by totals; every single pod also fits one node). */
    readonly nodesNeeded: number;
    /** A pod larger than one node's free capacity, if any. */
    readonly oversized?: PodDemand;
}

/**
 * The fit of the minimum (or, for the autoscaling warning, maximum) pods into the node group's desired nodes,
 * or undefined when not applicable (another platform, Auto Mode) or a type's capacity is not tabled.
 */
export function eksCapacityFit(
    flat: EksCapacityFlatConfig,
    tier: Tier,
    counts: "min" | "max",
): CapacityFit | undefined {
    if (flat.platform !== "eks" || flat.eksCapacity !== "managedNodeGroup") return undefined;
    const capacities = flat.eksNodeInstanceTypes.map(allocatableOf);
    if (capacities.length === 0 || capacities.some((c) => c === undefined)) return undefined;
    const known = capacities as NodeCapacity[];
    const daemons = PER_NODE_SYSTEM_PODS.reduce(
        (sum, pod) => ({
            cpuMillis: sum.cpuMillis + pod.requests.cpuMillis,
            memoryMiB: sum.memoryMiB + pod.requests.memoryMiB,
        }),
        { cpuMillis: 0, memoryMiB: 0 },
    );
    // The group may launch any of its types: count the smallest in each dimension.
    const perNode: NodeCapacity = {
        type: flat.eksNodeInstanceTypes.join(","),
        pods: Math.min(...known.map((c) => c.pods)) - PER_NODE_SYSTEM_PODS.length,
        cpuMillis: Math.min(...known.map((c) => c.cpuMillis)) - daemons.cpuMillis,
        memoryMiB: Math.min(...known.map((c) => c.memoryMiB)) - daemons.memoryMiB,
    };
    const pods = [...systemPods(flat, tier), ...appPods(flat, tier, counts)].filter((p) => p.count > 0);
    const demand = pods.reduce(
        (sum, pod) => ({
            pods: sum.pods + pod.count,
            cpuMillis: sum.cpuMillis + pod.count * pod.requests.cpuMillis,
            memoryMiB: sum.memoryMiB + pod.count * pod.requests.memoryMiB,
        }),
        { pods: 0, cpuMillis: 0, memoryMiB: 0 },
    );
    const nodesNeeded = Math.max(
        1,
        Math.ceil(demand.pods / perNode.pods),
        Math.ceil(demand.cpuMillis / perNode.cpuMillis),
        Math.ceil(demand.memoryMiB / perNode.memoryMiB),
    );
    const oversized = pods.find(
        (p) => p.requests.cpuMillis > perNode.cpuMillis || p.requests.memoryMiB > perNode.memoryMiB,
    );
    return { perNode, nodes: flat.eksNodeDesiredSize, demand, nodesNeeded, ...(oversized ? { oversized } : {}) };
}

const describe = (d: CapacityFit["demand"]) => `${d.pods} pods, ${d.cpuMillis} m CPU, ${d.memoryMiB} MiB`;

/** Refuses a node group that cannot hold the pods that must run: they would stay Pending and `pulumi up` time out. */
export const checkEksCapacity: ConfigCheck<EksCapacityFlatConfig> = (flat, tier, report) => {
    const fit = eksCapacityFit(flat, tier, "min");
    if (!fit) return;
    const node = fit.perNode;
    if (fit.oversized) {
        const service = APP_SERVICES.find((s) => s === fit.oversized?.name);
        report(
            service ? `${service}Memory` : "eksNodeInstanceTypes",
            service ? flat[`${service}Memory`] : flat.eksNodeInstanceTypes.join(","),
            `makes a ${fit.oversized.name} pod request ${fit.oversized.requests.cpuMillis} m CPU and ${fit.oversized.requests.memoryMiB} MiB, more than one ${node.type} node leaves for pods (${node.cpuMillis} m CPU, ${node.memoryMiB} MiB after kubelet reservations and the per-node DaemonSets); choose larger ${qualifiedKey("eksNodeInstanceTypes")}`,
        );
        return;
    }
    if (fit.nodesNeeded > fit.nodes)
        report(
            "eksNodeDesiredSize",
            flat.eksNodeDesiredSize,
            `gives ${fit.nodes} × ${node.type}, which leave ${describe({ pods: fit.nodes * node.pods, cpuMillis: fit.nodes * node.cpuMillis, memoryMiB: fit.nodes * node.memoryMiB })} to pods (after kubelet reservations and the per-node DaemonSets), but the app's minimum pods${(flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier].eks) === "blueGreen" ? " (both blue/green slots)" : ""} and the cluster's system pods request ${describe(fit.demand)}. Nothing adds nodes to the group, so pods would stay Pending and pulumi up time out: set ${qualifiedKey("eksNodeDesiredSize")} to at least ${fit.nodesNeeded}${fit.nodesNeeded > flat.eksNodeMaxSize ? ` (and ${qualifiedKey("eksNodeMaxSize")} with it)` : ""}, choose larger ${qualifiedKey("eksNodeInstanceTypes")}, or lower the services' minimum counts`,
        );
};

/** The resolved config in the shape of the eks capacity check (stacks/config/eksCapacity.ts). */
export function capacityInputs(config: VoteAppConfig): EksCapacityFlatConfig {
    const { nodes } = config.eks;
    const sizes = Object.fromEntries(
        APP_SERVICES.flatMap((service) => {
            const size = config.services[service];
            return [
                [`${service}Cpu`, size.cpu],
                [`${service}Memory`, size.memory],
                [`${service}MinCount`, size.minCount],
                [`${service}MaxCount`, size.maxCount],
            ];
        }),
    ) as Record<ServiceCapacityKey, number>;
    return {
        platform: config.platform,
        deploymentStrategy: config.safety.deployment.strategy,
        eksCapacity: config.eks.capacity,
        eksNodeInstanceTypes: nodes.instanceTypes,
        eksNodeMinSize: nodes.minSize,
        eksNodeDesiredSize: nodes.desiredSize,
        eksNodeMaxSize: nodes.maxSize,
        ...sizes,
    };
}
