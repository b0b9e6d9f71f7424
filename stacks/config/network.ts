import { z } from "zod";
import { intBetween, oneOf } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { checkVpcCidr, LOAD_BALANCED_PLATFORMS, NAT_STRATEGIES, type NatStrategy, type Platform } from "./rules";

/** The VPC: address range, AZs, NAT and interface endpoints. */
export const networkKeys = {
    vpcCidr: z.string(),
    azCount: intBetween(1, 3),
    natGateways: oneOf(NAT_STRATEGIES),
    vpcInterfaceEndpoints: z.boolean(),
};

export type NetworkFlatConfig = FlatOf<typeof networkKeys> & { readonly platform: Platform };

export interface NetworkConfig {
    readonly cidr: string;
    readonly azCount: number;
    readonly natGateways: NatStrategy;
    readonly interfaceEndpoints: boolean;
}

export const checkNetwork: ConfigCheck<NetworkFlatConfig> = (flat, tier, report) => {
    // Prod's network rules apply where the VPC exists: lambda builds none.
    const prodContainers = tier === "prod" && flat.platform !== "lambda";
    if (flat.azCount < 2 && tier !== "dev")
        report("azCount", flat.azCount, "must be 2 or 3 outside dev (1 is allowed in dev only)");
    else if (flat.azCount < 2 && LOAD_BALANCED_PLATFORMS.includes(flat.platform)) {
        report(
            "azCount",
            flat.azCount,
            `must be 2 or 3 on platform ${flat.platform}: its Application Load Balancer needs subnets in at least two Availability Zones, and AWS rejects one`,
        );
    }
    const cidr = checkVpcCidr(flat.vpcCidr, flat.azCount);
    if (!cidr.ok) report("vpcCidr", flat.vpcCidr, cidr.problem ?? "is invalid");
    if (prodContainers && flat.natGateways !== "onePerAz")
        report(
            "natGateways",
            flat.natGateways,
            "must be onePerAz in prod, so losing one AZ does not cut the others off",
        );
    if (flat.natGateways === "none" && !flat.vpcInterfaceEndpoints) {
        report(
            "natGateways",
            flat.natGateways,
            `needs ${qualifiedKey("vpcInterfaceEndpoints")} = true: without NAT, private tasks reach ECR, logs and Secrets Manager only through interface endpoints`,
        );
    }
};

export function resolveNetwork(flat: NetworkFlatConfig): NetworkConfig {
    return {
        cidr: flat.vpcCidr,
        azCount: flat.azCount,
        natGateways: flat.natGateways,
        interfaceEndpoints: flat.vpcInterfaceEndpoints,
    };
}
