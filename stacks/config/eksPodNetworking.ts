import { ENI_LIMITS } from "../../components/eks/eniLimits";
import { type CpuArchitecture, EXAMPLE_INSTANCE_TYPES } from "../../shared/cpuArchitecture";
import type { Tier } from "../../shared/config/values";
import type { ConfigCheck } from "./check";
import { appPods, describePods, type PodDemand, type SizedService, sizedServices } from "./eksCapacity";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";

/**
 * Security groups for pods on a managed node group (platform eks): every app pod gets its own branch network
 * interface, so the nodes must be able to trunk interfaces, and must have enough branch interfaces for the
 * app's minimum pods. Both come from the VPC resource controller's own table (components/eks/eniLimits.ts).
 */

export interface EksPodNetworkingFlatConfig {
    readonly platform: Platform;
    readonly deploymentStrategy?: string;
    readonly cpuArchitecture: CpuArchitecture;
    readonly eksNodeInstanceTypes: readonly string[];
    readonly eksNodeMaxSize: number;
}

/** Branch network interfaces of an instance type (0: cannot trunk), or undefined when the controller does not list it. */
export function branchInterfacesOf(instanceType: string): number | undefined {
    return ENI_LIMITS[instanceType]?.[2];
}

/**
 * App pods that exist at the least (each needs a branch interface), per service the stack runs (its table's rows,
 * a row added to the table included): both blue/green slots of an HTTP service count.
 */
export function minimumAppPods(
    flat: EksPodNetworkingFlatConfig,
    tier: Tier,
    services: readonly SizedService[],
): PodDemand[] {
    return appPods({ ...flat, services }, tier, "min");
}

export const checkEksPodNetworking: ConfigCheck<EksPodNetworkingFlatConfig> = (flat, tier, report, configured) => {
    if (flat.platform !== "eks") return;
    const shown = flat.eksNodeInstanceTypes.join(",");
    const examples = EXAMPLE_INSTANCE_TYPES[flat.cpuArchitecture];
    const branches: number[] = [];
    for (const type of flat.eksNodeInstanceTypes) {
        const count = branchInterfacesOf(type);
        if (count === undefined)
            report(
                "eksNodeInstanceTypes",
                shown,
                `"${type}" is not in the node instance table (components/eks/eniLimits.ts: the VPC resource controller's pkg/aws/vpc/limits.go, less the types the cluster autoscaler's list cannot size, A1 and Mac), so neither the pods' security groups nor the capacity could be checked; use e.g. ${examples}`,
            );
        else if (count === 0)
            report(
                "eksNodeInstanceTypes",
                shown,
                `"${type}" cannot trunk network interfaces (no t-family type can, nor most previous-generation ones), which security groups for pods need: they keep other pods away from Redis and PostgreSQL; use e.g. ${examples}`,
            );
        else branches.push(count);
    }
    if (branches.length !== flat.eksNodeInstanceTypes.length || branches.length === 0) return;
    const perNode = Math.min(...branches);
    const demand = minimumAppPods(flat, tier, sizedServices(configured));
    const pods = demand.reduce((sum, pod) => sum + pod.count, 0);
    if (pods > flat.eksNodeMaxSize * perNode)
        report(
            "eksNodeMaxSize",
            flat.eksNodeMaxSize,
            `gives at most ${flat.eksNodeMaxSize * perNode} pods with their own security groups (${perNode} branch interfaces per node of ${shown}), but the app runs at least ${pods} (${describePods(demand)}); raise ${qualifiedKey("eksNodeMaxSize")} to at least ${Math.ceil(pods / perNode)} or choose larger types`,
        );
};
