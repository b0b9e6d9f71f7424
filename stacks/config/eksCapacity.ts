import { ENI_LIMITS } from "../../components/eks/eniLimits";
import { INSTANCE_SIZES } from "../../components/eks/instanceSizes";
import {
    clusterSystemPods,
    PER_NODE_SYSTEM_PODS,
    type PodRequests,
    type SystemPod,
} from "../../components/eks/systemPods";
import { FULL_PROTECTION, NO_PROTECTION, type ServiceSize } from "../../components/vocabulary";
import { APP_SERVICE_TABLE, type AppServiceSpec, type ServiceTable } from "../../shared/appContract";
import { entryOf } from "../../shared/record";
import type { Tier } from "../../shared/config/values";
import type { ConfigCheck } from "./check";
import type { EksCapacityMode } from "./eks";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";
import { type ConfiguredService, runningServices, serviceKeyName } from "./serviceKeys";
import { serviceSize } from "./services";
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

/** The EKS AMI's kube-reserved memory: this much per pod the node admits, plus a base (getMemoryMebibytesToReserve). */
export const KUBE_RESERVED_MEMORY_MIB = { perPod: 11, base: 255 } as const;

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
        memoryMiB:
            size.memoryMiB -
            (KUBE_RESERVED_MEMORY_MIB.perPod * pods + KUBE_RESERVED_MEMORY_MIB.base) -
            EVICTION_HARD_MIB,
    };
}

/** A service the stack runs, as its pods are sized: its row and the values of its size keys. */
export interface SizedService {
    readonly spec: AppServiceSpec;
    readonly size: Pick<ServiceSize, "cpu" | "memory" | "minCount" | "maxCount">;
}

export interface EksCapacityFlatConfig {
    readonly platform: Platform;
    readonly deploymentStrategy?: string;
    readonly eksCapacity: EksCapacityMode;
    readonly eksNodeInstanceTypes: readonly string[];
    readonly eksNodeMinSize: number;
    readonly eksNodeDesiredSize: number;
    readonly eksNodeMaxSize: number;
}

/** What the capacity arithmetic reads: the node group's keys and every service the stack runs (its table's rows). */
export interface EksCapacityInputs extends EksCapacityFlatConfig {
    readonly services: readonly SizedService[];
}

export interface PodDemand {
    readonly name: string;
    readonly count: number;
    readonly requests: PodRequests;
}

/** True when the eks stack deploys blue/green: the configured strategy, else the tier's default. */
export function eksBlueGreen(flat: { readonly deploymentStrategy?: string }, tier: Tier): boolean {
    return (flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier].eks) === "blueGreen";
}

/**
 * Pods of one service at its minimum (or the HPA's maximum): an HTTP service runs both slots under blue/green,
 * a single-replica service its one replica (no HPA), the others their count.
 */
export function replicasOf({ spec, size }: SizedService, blueGreen: boolean, counts: "min" | "max"): number {
    if (spec.singleReplica) return size.minCount;
    return (blueGreen && spec.http ? 2 : 1) * (counts === "min" ? size.minCount : size.maxCount);
}

/** The services the stack runs, sized by their keys' values (the rows a check is handed, serviceKeys.ts). */
export function sizedServices(services: readonly ConfiguredService[]): SizedService[] {
    return runningServices(services).map((configured) => ({ spec: configured.spec, size: serviceSize(configured) }));
}

/** The app's pods as the eks components request them: CPU units → millicores (workloadSpec.ts), memory in MiB. */
export function appPods(
    inputs: Pick<EksCapacityInputs, "deploymentStrategy" | "services">,
    tier: Tier,
    counts: "min" | "max",
): PodDemand[] {
    const blueGreen = eksBlueGreen(inputs, tier);
    return inputs.services.map((service) => ({
        name: service.spec.name,
        count: replicasOf(service, blueGreen, counts),
        requests: {
            cpuMillis: Math.round((service.size.cpu * 1000) / 1024),
            memoryMiB: service.size.memory,
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
    /** The app's part of the demand, per service the stack runs. */
    readonly appPods: readonly PodDemand[];
    /** Fewest nodes of that size the demand needs (by totals; every single pod also fits one node). */
    readonly nodesNeeded: number;
    /** A pod larger than one node's free capacity, if any. */
    readonly oversized?: PodDemand;
}

/**
 * The fit of the minimum (or, for the autoscaling warning, maximum) pods into the node group's desired nodes,
 * or undefined when not applicable (another platform, Auto Mode) or a type's capacity is not tabled.
 */
export function eksCapacityFit(flat: EksCapacityInputs, tier: Tier, counts: "min" | "max"): CapacityFit | undefined {
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
    const appDemand = appPods(flat, tier, counts).filter((p) => p.count > 0);
    const pods = [...systemPods(flat, tier), ...appDemand];
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
    return {
        perNode,
        nodes: flat.eksNodeDesiredSize,
        demand,
        appPods: appDemand,
        nodesNeeded,
        ...(oversized ? { oversized } : {}),
    };
}

const describe = (d: CapacityFit["demand"]) => `${d.pods} pods, ${d.cpuMillis} m CPU, ${d.memoryMiB} MiB`;

/** "vote 4, result 4, worker 1": the app's pods per service. */
export const describePods = (pods: readonly PodDemand[]) => pods.map((p) => `${p.name} ${p.count}`).join(", ");

/**
 * Refuses a node group that cannot hold the pods that must run: they would stay Pending and `pulumi up` time out.
 * Every service the stack runs counts (its table's rows, serviceKeys.ts), a row added to the table included.
 */
export const checkEksCapacity: ConfigCheck<EksCapacityFlatConfig> = (flat, tier, report, configured) => {
    const services = sizedServices(configured);
    const fit = eksCapacityFit({ ...flat, services }, tier, "min");
    if (!fit) return;
    const node = fit.perNode;
    if (fit.oversized) {
        const service = services.find((s) => s.spec.name === fit.oversized?.name);
        const request = `${fit.oversized.requests.cpuMillis} m CPU and ${fit.oversized.requests.memoryMiB} MiB`;
        const room = `${node.cpuMillis} m CPU, ${node.memoryMiB} MiB after kubelet reservations and the per-node DaemonSets`;
        report(
            service ? serviceKeyName(service.spec.name, "Memory") : "eksNodeInstanceTypes",
            service ? service.size.memory : flat.eksNodeInstanceTypes.join(","),
            `makes a ${fit.oversized.name} pod request ${request}, more than one ${node.type} node leaves for pods (${room}); choose larger ${qualifiedKey("eksNodeInstanceTypes")}`,
        );
        return;
    }
    if (fit.nodesNeeded > fit.nodes)
        report(
            "eksNodeDesiredSize",
            flat.eksNodeDesiredSize,
            `gives ${fit.nodes} × ${node.type}, which leave ${describe({ pods: fit.nodes * node.pods, cpuMillis: fit.nodes * node.cpuMillis, memoryMiB: fit.nodes * node.memoryMiB })} to pods (after kubelet reservations and the per-node DaemonSets), but the app's minimum pods${eksBlueGreen(flat, tier) ? " (both blue/green slots)" : ""} and the cluster's system pods request ${describe(fit.demand)} (app pods: ${describePods(fit.appPods)}). Nothing adds nodes to the group, so pods would stay Pending and pulumi up time out: set ${qualifiedKey("eksNodeDesiredSize")} to at least ${fit.nodesNeeded}${fit.nodesNeeded > flat.eksNodeMaxSize ? ` (and ${qualifiedKey("eksNodeMaxSize")} with it)` : ""}, choose larger ${qualifiedKey("eksNodeInstanceTypes")}, or lower the services' minimum counts`,
        );
};

/** The resolved config in the shape of the eks capacity check, for the services of the table the stack runs. */
export function capacityInputs(config: VoteAppConfig, table: ServiceTable = APP_SERVICE_TABLE): EksCapacityInputs {
    const { nodes } = config.eks;
    return {
        platform: config.platform,
        deploymentStrategy: config.safety.deployment.strategy,
        eksCapacity: config.eks.capacity,
        eksNodeInstanceTypes: nodes.instanceTypes,
        eksNodeMinSize: nodes.minSize,
        eksNodeDesiredSize: nodes.desiredSize,
        eksNodeMaxSize: nodes.maxSize,
        services: table.map((spec) => ({
            spec,
            size: entryOf(config.services, "the config's service sizes", spec.name),
        })),
    };
}
