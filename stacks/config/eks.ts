import * as ipaddr from "ipaddr.js";
import {
    isSupportedKubernetesVersion,
    type KubernetesVersion,
    SUPPORTED_KUBERNETES_VERSIONS,
} from "../../components/eks/addonVersions";
import type { EksBlueGreenConfig } from "./eksSlots";
import { qualifiedKey } from "./keys";
import type { ConfigProblem } from "./load";
import type { Tier } from "./types";

/**
 * Validation of the `eks*` keys (platform eks): Kubernetes version, worker capacity, node sizes, API
 * endpoint exposure, admin access and rolling-update settings. Values arrive typed (strings and integers,
 * defaults applied) from the loader; every problem names the key, the value and what is allowed.
 */

export const EKS_CAPACITY_MODES = ["managedNodeGroup", "autoMode"] as const;
export type EksCapacityMode = (typeof EKS_CAPACITY_MODES)[number];

/** A Kubernetes IntOrString: a pod count, or a percentage such as "25%". */
export type IntOrPercent = number | `${number}%`;

export interface EksConfig {
    readonly kubernetesVersion: KubernetesVersion;
    readonly capacity: EksCapacityMode;
    /** Managed node group sizing (used when capacity is managedNodeGroup). */
    readonly nodes: {
        readonly instanceTypes: readonly string[];
        readonly minSize: number;
        readonly desiredSize: number;
        readonly maxSize: number;
    };
    /** Public CIDRs allowed to the API endpoint; empty = private endpoint only. */
    readonly publicAccessCidrs: readonly string[];
    /** Role granted cluster admin through an access entry, besides the deploy role. */
    readonly adminRoleArn?: string;
    readonly rollingUpdate: { readonly maxSurge: IntOrPercent; readonly maxUnavailable: IntOrPercent };
    /** Blue/green slots of vote and result (deploymentStrategy blueGreen); undefined = rolling updates. */
    readonly blueGreen?: EksBlueGreenConfig;
}

/** What the EKS rules need from the rest of the config. */
export interface EksConfigContext {
    readonly tier: Tier;
    readonly accountId: string;
    readonly deployRoleArn: string;
}

/** Graviton instance types (family with a `g` after the generation, e.g. t4g, m7g, c7gn, r8gd): the images are ARM64. */
export const GRAVITON_INSTANCE_TYPE = /^[a-z]+\d+g[a-z]*\.(medium|large|xlarge|\d{1,2}xlarge|metal)$/;
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;
const INT_OR_PERCENT = /^(\d{1,3})(%?)$/;
/** Managed node groups accept up to 450 nodes by default; far above anything this app needs. */
const NODE_COUNT = { min: 0, max: 100 } as const;
/** EKS accepts at most 40 public access CIDRs. */
const MAX_PUBLIC_CIDRS = 40;

const list = (value: string | undefined): string[] =>
    (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0);

function parseIntOrPercent(value: string): IntOrPercent | undefined {
    const match = INT_OR_PERCENT.exec(value.trim());
    if (!match) return undefined;
    const amount = Number(match[1]);
    if (match[2] === "%") return amount <= 100 ? (`${amount}%` as const) : undefined;
    return amount;
}

const isZero = (value: IntOrPercent): boolean => value === 0 || value === "0%";

/** Why a public access CIDR is not acceptable, or undefined when it is. */
function publicCidrProblem(cidr: string, tier: Tier): string | undefined {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr) || !ipaddr.isValidCIDR(cidr))
        return `"${cidr}" is not an IPv4 CIDR (a.b.c.d/n)`;
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
    if (network !== address.toString())
        return `"${cidr}" has host bits set; the network address is ${network}/${prefix}`;
    if (prefix === 0) {
        return tier === "prod"
            ? `"${cidr}" opens the Kubernetes API to the whole internet, which prod refuses; list your office/VPN CIDRs or leave the key unset (private endpoint)`
            : `"${cidr}" opens the Kubernetes API to the whole internet; list your office/VPN CIDRs or leave the key unset (private endpoint)`;
    }
    if (address.range() !== "unicast")
        return `"${cidr}" is a ${address.range()} range; the public endpoint only sees public source addresses (private clients use the private endpoint)`;
    return undefined;
}

/**
 * Reads and validates the EKS keys from the typed config values. Pushes every problem; returns the EKS
 * config (meaningful only when no problem was pushed).
 */
export function readEksConfig(
    values: Readonly<Record<string, unknown>>,
    context: EksConfigContext,
    problems: ConfigProblem[],
): EksConfig {
    const problem = (key: string, value: unknown, message: string) =>
        problems.push({ key: qualifiedKey(key), value, message });
    const text = (key: string): string | undefined =>
        typeof values[key] === "string" ? (values[key] as string) : undefined;
    const count = (key: string): number => (typeof values[key] === "number" ? (values[key] as number) : NaN);

    const version = text("eksKubernetesVersion") ?? "";
    if (!isSupportedKubernetesVersion(version))
        problem(
            "eksKubernetesVersion",
            version,
            `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (versions with pinned EKS add-ons)`,
        );

    const capacity = text("eksCapacity") ?? "";
    const isCapacity = (v: string): v is EksCapacityMode => (EKS_CAPACITY_MODES as readonly string[]).includes(v);
    if (!isCapacity(capacity)) problem("eksCapacity", capacity, `must be one of ${EKS_CAPACITY_MODES.join(", ")}`);

    const instanceTypes = list(text("eksNodeInstanceTypes"));
    if (instanceTypes.length === 0)
        problem(
            "eksNodeInstanceTypes",
            text("eksNodeInstanceTypes"),
            "must list at least one instance type, e.g. t4g.medium",
        );
    for (const type of instanceTypes) {
        if (!GRAVITON_INSTANCE_TYPE.test(type)) {
            problem(
                "eksNodeInstanceTypes",
                text("eksNodeInstanceTypes"),
                `"${type}" is not a Graviton (ARM64) instance type such as t4g.medium, m7g.large or c7g.xlarge; the app images are built for ARM64`,
            );
        }
    }
    if (new Set(instanceTypes).size !== instanceTypes.length)
        problem("eksNodeInstanceTypes", text("eksNodeInstanceTypes"), "lists an instance type twice");

    const minSize = count("eksNodeMinSize");
    const desiredSize = count("eksNodeDesiredSize");
    const maxSize = count("eksNodeMaxSize");
    for (const [key, value] of [
        ["eksNodeMinSize", minSize],
        ["eksNodeDesiredSize", desiredSize],
        ["eksNodeMaxSize", maxSize],
    ] as const) {
        if (!Number.isInteger(value) || value < NODE_COUNT.min || value > NODE_COUNT.max)
            problem(key, value, `must be a whole number between ${NODE_COUNT.min} and ${NODE_COUNT.max}`);
    }
    if (maxSize < 1) problem("eksNodeMaxSize", maxSize, "must be at least 1");
    if (minSize > desiredSize)
        problem("eksNodeMinSize", minSize, `must not exceed ${qualifiedKey("eksNodeDesiredSize")} (${desiredSize})`);
    if (desiredSize > maxSize)
        problem("eksNodeDesiredSize", desiredSize, `must not exceed ${qualifiedKey("eksNodeMaxSize")} (${maxSize})`);
    if (context.tier === "prod" && capacity === "managedNodeGroup" && minSize < 2) {
        problem("eksNodeMinSize", minSize, "must be at least 2 in prod so losing one node or AZ does not stop the app");
    }

    const cidrText = text("eksPublicAccessCidrs");
    const publicAccessCidrs = list(cidrText);
    for (const cidr of publicAccessCidrs) {
        const why = publicCidrProblem(cidr, context.tier);
        if (why) problem("eksPublicAccessCidrs", cidrText, why);
    }
    if (publicAccessCidrs.length > MAX_PUBLIC_CIDRS)
        problem(
            "eksPublicAccessCidrs",
            cidrText,
            `lists ${publicAccessCidrs.length} CIDRs; EKS allows at most ${MAX_PUBLIC_CIDRS}`,
        );

    const adminRoleArn = text("eksAdminRoleArn");
    if (adminRoleArn !== undefined) {
        const match = IAM_ROLE_ARN.exec(adminRoleArn);
        if (!match)
            problem(
                "eksAdminRoleArn",
                adminRoleArn,
                "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>",
            );
        else if (match[1] !== context.accountId)
            problem(
                "eksAdminRoleArn",
                adminRoleArn,
                `belongs to account ${match[1]}; EKS access entries take roles of the cluster's account ${context.accountId}`,
            );
        else if (adminRoleArn === context.deployRoleArn)
            problem(
                "eksAdminRoleArn",
                adminRoleArn,
                "is the deploy role, which gets its own access entry; name a separate admin role or leave the key unset",
            );
    }

    const rolling = (key: "eksMaxSurge" | "eksMaxUnavailable"): IntOrPercent => {
        const raw = text(key) ?? "";
        const parsed = parseIntOrPercent(raw);
        if (parsed === undefined)
            problem(key, raw, "must be a pod count (0–999) or a percentage (0%–100%), e.g. 1 or 25%");
        return parsed ?? 0;
    };
    const maxSurge = rolling("eksMaxSurge");
    const maxUnavailable = rolling("eksMaxUnavailable");
    if (isZero(maxSurge) && isZero(maxUnavailable))
        problem(
            "eksMaxUnavailable",
            text("eksMaxUnavailable"),
            `must be above 0 when ${qualifiedKey("eksMaxSurge")} is 0, or a rollout can never progress`,
        );

    return {
        kubernetesVersion: version as KubernetesVersion,
        capacity: capacity as EksCapacityMode,
        nodes: { instanceTypes, minSize, desiredSize, maxSize },
        publicAccessCidrs,
        adminRoleArn,
        rollingUpdate: { maxSurge, maxUnavailable },
    };
}
