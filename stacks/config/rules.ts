import * as ipaddr from "ipaddr.js";
import {
    allocateSubnets,
    largestVpcPrefixFor,
    networkSubnetRequests,
    newBits,
    SubnetAllocationError,
} from "../../shared/subnetLayout";

/** Small, pure facts about AWS values that config validation checks; kept apart so tests can name them. */

export const PLATFORMS = ["ecs", "eks", "lambda"] as const;
export type Platform = (typeof PLATFORMS)[number];
/** Platforms serving the app through an Application Load Balancer, which AWS requires to span two AZs. */
export const LOAD_BALANCED_PLATFORMS: readonly Platform[] = ["ecs", "eks"];
/**
 * How the private subnets reach the internet: not at all (interface endpoints only), through one NAT
 * instance (dev and staging: components/network/natInstance.ts), or managed NAT gateways, one shared or one per AZ.
 */
export const NAT_STRATEGIES = ["none", "instance", "single", "onePerAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];
/**
 * Graviton (arm64) instance types, the only ones the NAT instance's AMI (Amazon Linux 2023 arm64) boots on:
 * the family's generation digit is followed by "g" (t4g, c7g, c7gn, m6gd, ...).
 */
export const GRAVITON_INSTANCE_TYPE = /^[a-z]+\d+g[a-z]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/;

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const SUPPORTED_POSTGRES_MAJORS = [14, 15, 16, 17] as const;

export const CACHE_NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;
export const DB_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const POSTGRES_VERSION = /^(\d{2})(\.\d{1,2})?$/;
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** registry/path[:tag][@sha256:digest] — the subset of the OCI reference grammar we accept. */
export const IMAGE_REFERENCE =
    /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Private subnet and public subnet sizes per AZ: private subnets are large because EKS pods take VPC IPs. */
export const PRIVATE_SUBNET_PREFIX = 22;
export const PUBLIC_SUBNET_PREFIX = 24;
/** AWS accepts VPC prefixes /16 to /28; the subnet layout decides how small is too small. */
export const VPC_PREFIX_RANGE = { min: 16, max: 28 } as const;

export interface CidrCheck {
    readonly ok: boolean;
    /** Why it is not acceptable, naming what is allowed. */
    readonly problem?: string;
}

/**
 * A VPC CIDR must be a well-formed IPv4 network address in an RFC 1918 range, and big enough for awsx to
 * lay out one private /22 and one public /24 in each AZ's block (awsx's allocator arithmetic, not a sum).
 */
export function checkVpcCidr(cidr: string, azCount: number): CidrCheck {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr) || !ipaddr.isValidCIDR(cidr)) {
        return { ok: false, problem: "is not an IPv4 CIDR; expected a.b.c.d/n, e.g. 10.20.0.0/16" };
    }
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr);
    if (network.toString() !== address.toString()) {
        return { ok: false, problem: `has host bits set; the network address is ${network.toString()}/${prefix}` };
    }
    if (address.range() !== "private") {
        return { ok: false, problem: "is not in a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" };
    }
    if (prefix < VPC_PREFIX_RANGE.min || prefix > VPC_PREFIX_RANGE.max) {
        return {
            ok: false,
            problem: `has prefix /${prefix}; allowed /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`,
        };
    }
    // awsx's own arithmetic (shared/subnetLayout.ts): each AZ gets 1/2^ceil(log2 azCount) of the VPC.
    const specs = networkSubnetRequests(PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX);
    try {
        allocateSubnets("network", cidr, azCount, specs);
    } catch (err) {
        if (!(err instanceof SubnetAllocationError)) throw err;
        const blocks = 2 ** newBits(azCount);
        return {
            ok: false,
            problem: `is too small for ${azCount} AZs: awsx splits the VPC into ${blocks} equal blocks (2^ceil(log2 ${azCount})), one per AZ, so each AZ gets a /${err.azBitmask} of ${err.azSize} addresses, but its /${PRIVATE_SUBNET_PREFIX} private and /${PUBLIC_SUBNET_PREFIX} public subnets need ${err.requiredPerAz}; use a /${largestVpcPrefixFor(azCount, specs)} or larger`,
        };
    }
    return { ok: true };
}

/** A comma-separated config list, trimmed, empty items dropped. */
export const commaList = (value: string | undefined): string[] =>
    (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0);

/**
 * Why a CIDR allowed to reach a public endpoint (`what`) is malformed or never seen by it, or undefined. The
 * whole internet (/0) passes here: whether that is refused depends on the key (isWholeInternet).
 */
export function publicCidrFormProblem(cidr: string, what: string): string | undefined {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr) || !ipaddr.isValidCIDR(cidr))
        return `"${cidr}" is not an IPv4 CIDR (a.b.c.d/n)`;
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
    if (network !== address.toString())
        return `"${cidr}" has host bits set; the network address is ${network}/${prefix}`;
    if (prefix === 0) return undefined;
    if (address.range() !== "unicast")
        return `"${cidr}" is a ${address.range()} range; ${what} only sees public source addresses`;
    return undefined;
}

/** True for a /0: every address. */
export const isWholeInternet = (cidr: string): boolean =>
    ipaddr.isValidCIDR(cidr) && ipaddr.IPv4.parseCIDR(cidr)[1] === 0;
