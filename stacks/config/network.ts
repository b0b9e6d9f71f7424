import { z } from "zod";
import { intBetween, matching, oneOf, type Tier } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import {
    checkVpcCidr,
    GRAVITON_INSTANCE_TYPE,
    LOAD_BALANCED_PLATFORMS,
    NAT_STRATEGIES,
    type NatStrategy,
    type Platform,
} from "./rules";

/** The VPC: address range, AZs, NAT and interface endpoints. */
export const networkKeys = {
    vpcCidr: z.string(),
    azCount: intBetween(1, 3),
    natGateways: oneOf(NAT_STRATEGIES).optional(),
    natInstanceType: matching(GRAVITON_INSTANCE_TYPE, "a Graviton (arm64) instance type such as t4g.nano"),
    vpcInterfaceEndpoints: z.boolean(),
};

/**
 * NAT per tier when `natGateways` is unset: dev and staging egress through one NAT instance (about a tenth of
 * a NAT gateway's hourly price, no per-GB processing charge); prod keeps one managed NAT gateway per AZ.
 */
export const NAT_DEFAULTS: Readonly<Record<Tier, NatStrategy>> = {
    dev: "instance",
    staging: "instance",
    prod: "onePerAz",
};

export type NetworkFlatConfig = FlatOf<typeof networkKeys> & { readonly platform: Platform };

export interface NetworkConfig {
    readonly cidr: string;
    readonly azCount: number;
    readonly natGateways: NatStrategy;
    /** Instance type of the NAT instance (natGateways instance). */
    readonly natInstanceType: string;
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
    if (prodContainers && flat.natGateways !== undefined && flat.natGateways !== "onePerAz")
        report(
            "natGateways",
            flat.natGateways,
            flat.natGateways === "instance"
                ? "must be onePerAz in prod: a NAT instance is one machine in one AZ, for dev and staging only (allowed in prod: onePerAz)"
                : "must be onePerAz in prod, so losing one AZ does not cut the others off",
        );
    if (flat.natGateways === "none" && flat.platform === "eks") {
        report(
            "natGateways",
            flat.natGateways,
            `is not supported on platform eks: the cluster's add-ons pull their images from public registries (metrics-server from registry.k8s.io, the AWS Load Balancer Controller from public.ecr.aws) and its pods get credentials from EKS Auth, none of which interface endpoints alone reach (allowed on eks: instance, single, onePerAz)`,
        );
    } else if (flat.natGateways === "none" && !flat.vpcInterfaceEndpoints) {
        report(
            "natGateways",
            flat.natGateways,
            `needs ${qualifiedKey("vpcInterfaceEndpoints")} = true: without NAT, private tasks reach ECR, logs and Secrets Manager only through interface endpoints`,
        );
    }
};

export function resolveNetwork(flat: NetworkFlatConfig, tier: Tier): NetworkConfig {
    return {
        cidr: flat.vpcCidr,
        azCount: flat.azCount,
        natGateways: flat.natGateways ?? NAT_DEFAULTS[tier],
        natInstanceType: flat.natInstanceType,
        interfaceEndpoints: flat.vpcInterfaceEndpoints,
    };
}
