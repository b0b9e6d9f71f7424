import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { type KubernetesVersion, SUPPORTED_KUBERNETES_VERSIONS } from "../../components/eks/addonVersions";
import { intBetween, matching, oneOf, type Tier } from "../../shared/config/values";
import { type AccountFlatConfig, deployRoleArnOf } from "./accounts";
import type { IntOrPercent } from "../../components/vocabulary";
import { arnPartitionProblem, ec2InstanceTypeProblem } from "./catalogues";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { commaList, isWholeInternet, publicCidrFormProblem } from "./rules";
import type { EksBlueGreenConfig } from "./eksSlots";
import type { StackFlatConfig } from "./stack";
import { EXAMPLE_INSTANCE_TYPES, instanceTypeArchitecture } from "../../shared/cpuArchitecture";

/**
 * The `eks*` keys (platform eks): Kubernetes version, worker capacity, node sizes, API endpoint exposure,
 * admin access and rolling-update settings. Validated whatever the platform, so a stack file switched to
 * eks later does not discover its mistakes then.
 */

/**
 * The one capacity mode the stack accepts. The data layer admits only the app's pod security groups (security
 * groups for pods), which EKS Auto Mode assigns only from Kubernetes 1.36 (AUTO_MODE_POD_SECURITY_GROUPS_DOC):
 * on Auto Mode every pod of every namespace would carry the group Redis and PostgreSQL admit.
 */
export type EksCapacityMode = "managedNodeGroup";
/** First Kubernetes version on which EKS Auto Mode honours SecurityGroupPolicy (the AWS page below). */
export const AUTO_MODE_POD_SECURITY_GROUPS_FROM = "1.36";
export const AUTO_MODE_POD_SECURITY_GROUPS_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/auto-sgp.html";

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

/** An EC2 instance type a node group can use: a family (e.g. t4g, m7i, c7gn) and a size of medium or larger. */
export const NODE_INSTANCE_TYPE = /^[a-z]+\d+[a-z-]*\.(medium|large|xlarge|\d{1,2}xlarge|metal)$/;

export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;
const INT_OR_PERCENT = /^(\d{1,3})(%?)$/;
/** Managed node groups accept up to 450 nodes by default; far above anything this app needs. */
const NODE_COUNT = { min: 0, max: 100 } as const;
/** EKS accepts at most 40 public access CIDRs (people's and the CI runner's together). */
export const MAX_PUBLIC_CIDRS = 40;

function parseIntOrPercent(value: string): IntOrPercent | undefined {
    const match = INT_OR_PERCENT.exec(value.trim());
    if (!match) return undefined;
    const amount = Number(match[1]);
    if (match[2] === "%") return amount <= 100 ? (`${amount}%` as const) : undefined;
    return amount;
}

const isZero = (value: IntOrPercent): boolean => value === 0 || value === "0%";

/**
 * The widest range the public API endpoint may be opened to: a /16 (65,536 addresses), a large company
 * network. Anything wider (a /8 is 16.7 million addresses) is "the internet" in all but name.
 */
export const WIDEST_PUBLIC_ACCESS_PREFIX = 16;

const nodeCount = intBetween(NODE_COUNT.min, NODE_COUNT.max);

const intOrPercent = z.string().transform((raw, ctx): IntOrPercent => {
    const parsed = parseIntOrPercent(raw);
    if (parsed === undefined)
        ctx.addIssue({
            code: "custom",
            message: "must be a pod count (0–999) or a percentage (0%–100%), e.g. 1 or 25%",
        });
    return parsed ?? 0;
});

export const eksKeys = {
    eksKubernetesVersion: oneOf(
        SUPPORTED_KUBERNETES_VERSIONS as [KubernetesVersion, ...KubernetesVersion[]],
        " (versions with pinned EKS add-ons)",
    ),
    eksCapacity: z.string().transform((raw, ctx): EksCapacityMode => {
        if (raw === "managedNodeGroup") return raw;
        ctx.addIssue({
            code: "custom",
            message:
                raw === "autoMode"
                    ? `cannot keep other pods away from Redis and PostgreSQL: EKS Auto Mode gives pods security groups of their own only from Kubernetes ${AUTO_MODE_POD_SECURITY_GROUPS_FROM} (${AUTO_MODE_POD_SECURITY_GROUPS_DOC}) and the supported versions are ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}, so every pod of every namespace would reach the data stores; allowed: managedNodeGroup`
                    : "must be managedNodeGroup (the capacity whose pods get security groups of their own)",
        });
        return "managedNodeGroup";
    }),
    eksNodeInstanceTypes: z
        .string()
        .transform(commaList)
        .superRefine((types, ctx) => {
            if (types.length === 0)
                ctx.addIssue({ code: "custom", message: "must list at least one instance type, e.g. c7g.large" });
            for (const type of types) {
                if (!NODE_INSTANCE_TYPE.test(type))
                    ctx.addIssue({
                        code: "custom",
                        message: `"${type}" is not an EC2 instance type of size medium or larger, such as c7g.large or m7i.large`,
                    });
                else {
                    const problem = ec2InstanceTypeProblem(type);
                    if (problem) ctx.addIssue({ code: "custom", message: `"${type}" ${problem}` });
                }
            }
            if (new Set(types).size !== types.length)
                ctx.addIssue({ code: "custom", message: "lists an instance type twice" });
        }),
    eksNodeMinSize: nodeCount,
    eksNodeDesiredSize: nodeCount,
    eksNodeMaxSize: nodeCount,
    eksPublicAccessCidrs: z
        .string()
        .optional()
        .transform(commaList)
        .superRefine((cidrs, ctx) => {
            for (const cidr of cidrs) {
                const why = publicCidrFormProblem(cidr, "the public endpoint");
                // (private clients use the private endpoint)
                if (why) ctx.addIssue({ code: "custom", message: why });
            }
            if (cidrs.length > MAX_PUBLIC_CIDRS)
                ctx.addIssue({
                    code: "custom",
                    message: `lists ${cidrs.length} CIDRs; EKS allows at most ${MAX_PUBLIC_CIDRS}`,
                });
        }),
    eksAdminRoleArn: matching(IAM_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>").optional(),
    eksMaxSurge: intOrPercent,
    eksMaxUnavailable: intOrPercent,
};

export type EksFlatConfig = FlatOf<typeof eksKeys> &
    Pick<AccountFlatConfig, "region" | "accountId" | "deployRoleName"> &
    Pick<StackFlatConfig, "platform" | "cpuArchitecture">;

/** Relations of the eks keys to each other, to the tier, to the stack's account and (on eks) to its CPU architecture. */
export const checkEks: ConfigCheck<EksFlatConfig> = (flat, tier: Tier, report) => {
    // The nodes must run the images' architecture; on another platform the node group does not exist, so a
    // stack moved to x86_64 on ecs is not made to change eks keys it does not use.
    const architecture = flat.cpuArchitecture;
    if (flat.platform === "eks")
        for (const type of flat.eksNodeInstanceTypes.filter((t) => NODE_INSTANCE_TYPE.test(t))) {
            const other = instanceTypeArchitecture(type);
            if (other !== architecture)
                report(
                    "eksNodeInstanceTypes",
                    flat.eksNodeInstanceTypes.join(","),
                    `"${type}" is an ${other} instance type, but ${qualifiedKey("cpuArchitecture")} is ${architecture} (the images and pods are built for it): use ${architecture} types such as ${EXAMPLE_INSTANCE_TYPES[architecture]}, or set ${qualifiedKey("cpuArchitecture")} = ${other}`,
                );
        }
    if (flat.eksNodeMaxSize < 1) report("eksNodeMaxSize", flat.eksNodeMaxSize, "must be at least 1");
    if (flat.eksNodeMinSize > flat.eksNodeDesiredSize)
        report(
            "eksNodeMinSize",
            flat.eksNodeMinSize,
            `must not exceed ${qualifiedKey("eksNodeDesiredSize")} (${flat.eksNodeDesiredSize})`,
        );
    if (flat.eksNodeDesiredSize > flat.eksNodeMaxSize)
        report(
            "eksNodeDesiredSize",
            flat.eksNodeDesiredSize,
            `must not exceed ${qualifiedKey("eksNodeMaxSize")} (${flat.eksNodeMaxSize})`,
        );
    if (tier === "prod" && flat.eksNodeMinSize < 2)
        report(
            "eksNodeMinSize",
            flat.eksNodeMinSize,
            "must be at least 2 in prod so losing one node or AZ does not stop the app",
        );

    const cidrs = flat.eksPublicAccessCidrs;
    for (const cidr of cidrs.filter(isWholeInternet)) {
        report(
            "eksPublicAccessCidrs",
            cidrs.join(","),
            tier === "prod"
                ? `"${cidr}" opens the Kubernetes API to the whole internet, which prod refuses; list your office/VPN CIDRs or leave the key unset (private endpoint)`
                : `"${cidr}" opens the Kubernetes API to the whole internet; list your office/VPN CIDRs or leave the key unset (private endpoint)`,
        );
    }

    for (const cidr of cidrs.filter((c) => !isWholeInternet(c) && ipaddr.isValidCIDR(c))) {
        const prefix = ipaddr.IPv4.parseCIDR(cidr)[1];
        if (prefix < WIDEST_PUBLIC_ACCESS_PREFIX)
            report(
                "eksPublicAccessCidrs",
                cidrs.join(","),
                `"${cidr}" opens the Kubernetes API to ${(2 ** (32 - prefix)).toLocaleString("en-US")} addresses; each CIDR may be at most a /${WIDEST_PUBLIC_ACCESS_PREFIX} (${(2 ** (32 - WIDEST_PUBLIC_ACCESS_PREFIX)).toLocaleString("en-US")} addresses): list your office/VPN egress ranges`,
            );
    }

    const adminRoleArn = flat.eksAdminRoleArn;
    const adminPartition = adminRoleArn === undefined ? undefined : arnPartitionProblem(adminRoleArn, flat.region);
    if (adminPartition) report("eksAdminRoleArn", adminRoleArn, adminPartition);
    const adminAccount = adminRoleArn === undefined ? undefined : IAM_ROLE_ARN.exec(adminRoleArn)?.[1];
    if (adminAccount !== undefined && adminAccount !== flat.accountId)
        report(
            "eksAdminRoleArn",
            adminRoleArn,
            `belongs to account ${adminAccount}; EKS access entries take roles of the cluster's account ${flat.accountId}`,
        );
    else if (adminRoleArn !== undefined && adminRoleArn === deployRoleArnOf(flat))
        report(
            "eksAdminRoleArn",
            adminRoleArn,
            "is the deploy role, which gets its own access entry; name a separate admin role or leave the key unset",
        );

    if (isZero(flat.eksMaxSurge) && isZero(flat.eksMaxUnavailable))
        report(
            "eksMaxUnavailable",
            flat.eksMaxUnavailable,
            `must be above 0 when ${qualifiedKey("eksMaxSurge")} is 0, or a rollout can never progress`,
        );
};

/** The eks settings (blue/green slots are resolved by eksSlots.ts and added by the loader). */
export function resolveEks(flat: EksFlatConfig): Omit<EksConfig, "blueGreen"> {
    return {
        kubernetesVersion: flat.eksKubernetesVersion,
        capacity: flat.eksCapacity,
        nodes: {
            instanceTypes: flat.eksNodeInstanceTypes,
            minSize: flat.eksNodeMinSize,
            desiredSize: flat.eksNodeDesiredSize,
            maxSize: flat.eksNodeMaxSize,
        },
        publicAccessCidrs: flat.eksPublicAccessCidrs,
        adminRoleArn: flat.eksAdminRoleArn,
        rollingUpdate: { maxSurge: flat.eksMaxSurge, maxUnavailable: flat.eksMaxUnavailable },
    };
}
