/**
 * The subnet layout `awsx.ec2.Vpc` computes with `subnetStrategy: "Auto"`, ported so config validation, the
 * offline plan's mocks and its warnings use the allocator's own arithmetic (its provider cannot run here).
 * Oracle: pulumi/pulumi-awsx at e60adf3cf01f3ac03cc6bc846cdd0df320afed23, awsx/ec2/subnetDistributorNew.ts:
 * `allocateSubnetCidrBlocks`, `newBits`, `nextNetmask` (and awsx/ec2/subnetNaming.ts for the names).
 *
 * - The VPC is split into 2^ceil(log2(azCount)) equal blocks, one per AZ from the first (a /16 with 3 AZs
 *   gives /18 blocks, the fourth unused): `azBitmask = vpcBitmask + newBits(azNames.length)`.
 * - If the subnets of one AZ need more addresses than a block holds, the allocator throws "Subnets are too
 *   large for VPC. VPC has <block size> addresses, but subnets require <sum> addresses."
 * - In each block the subnets follow in spec order, each aligned to its own size: the first at the block's
 *   base, the next one after the previous one's last address (`nextNetmask`).
 */

export type SubnetKind = "Private" | "Public";

export interface SubnetRequest {
    readonly type: SubnetKind;
    /** Prefix length of each subnet of this spec, e.g. 22. */
    readonly cidrMask: number;
    /** Spec name: awsx names the subnets `<vpc>-<name>-<az number>`. */
    readonly name: string;
}

export interface AllocatedSubnet {
    /** The awsx resource name, e.g. `network-private-1`. */
    readonly name: string;
    readonly type: SubnetKind;
    /** 0-based index of the AZ. */
    readonly azIndex: number;
    readonly cidrBlock: string;
}

export interface SubnetLayout {
    /** Prefix length of each AZ's block. */
    readonly azBitmask: number;
    /** Addresses in one AZ's block. */
    readonly azSize: number;
    /** Addresses one AZ's subnets need. */
    readonly requiredPerAz: number;
    readonly subnets: readonly AllocatedSubnet[];
}

/** The allocator's refusal, with its own message. */
export class SubnetAllocationError extends Error {
    constructor(
        message: string,
        readonly azBitmask: number,
        readonly azSize: number,
        readonly requiredPerAz: number,
    ) {
        super(message);
        this.name = "SubnetAllocationError";
    }
}

/** newBits: the bits needed to number `count` blocks. */
export function newBits(count: number): number {
    return count === 0 ? 0 : Math.ceil(Math.log2(count));
}

const size = (bitmask: number): number => 2 ** (32 - bitmask);
const alignDown = (address: number, bitmask: number): number => address - (address % size(bitmask));

/** netmask's `Netmask.last`: the last usable address (broadcast - 1) up to /30, the last address above. */
const lastAddress = (block: { base: number; bitmask: number }): number =>
    block.base + size(block.bitmask) - (block.bitmask <= 30 ? 2 : 1);

function parseIpv4Cidr(cidr: string): { base: number; bitmask: number } {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!match) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
    const octets = match.slice(1, 5).map(Number);
    const bitmask = Number(match[5]);
    if (octets.some((o) => o > 255) || bitmask > 32) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
    const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
    // netmask's Netmask keeps the network address: host bits are dropped.
    return { base: alignDown(address, bitmask), bitmask };
}

export function formatIpv4(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/**
 * The subnets awsx would create for a VPC, or the SubnetAllocationError awsx would throw. `vpcName` is the
 * awsx Vpc's resource name, used for subnet names only.
 */
export function allocateSubnets(
    vpcName: string,
    vpcCidr: string,
    azCount: number,
    specs: readonly SubnetRequest[],
): SubnetLayout {
    const vpc = parseIpv4Cidr(vpcCidr);
    const azBitmask = vpc.bitmask + newBits(azCount);
    const azSize = size(azBitmask);
    const requiredPerAz = specs.reduce((sum, spec) => sum + size(spec.cidrMask), 0);
    if (specs.length === 0) throw new Error("No subnets specified");
    if (requiredPerAz > azSize)
        throw new SubnetAllocationError(
            `Subnets are too large for VPC. VPC has ${azSize} addresses, but subnets require ${requiredPerAz} addresses.`,
            azBitmask,
            azSize,
            requiredPerAz,
        );
    const subnets: AllocatedSubnet[] = [];
    for (let azIndex = 0; azIndex < azCount; azIndex++) {
        const azBase = vpc.base + azIndex * azSize;
        let previous: { base: number; bitmask: number } | undefined;
        for (const spec of specs) {
            const base = previous
                ? alignDown(lastAddress(previous), spec.cidrMask) + size(spec.cidrMask)
                : alignDown(azBase, spec.cidrMask);
            previous = { base, bitmask: spec.cidrMask };
            subnets.push({
                name: `${vpcName}-${spec.name}-${azIndex + 1}`,
                type: spec.type,
                azIndex,
                cidrBlock: `${formatIpv4(base)}/${spec.cidrMask}`,
            });
        }
    }
    return { azBitmask, azSize, requiredPerAz, subnets };
}

/**
 * The largest VPC prefix (smallest VPC) whose AZ blocks hold the subnets: awsx needs
 * 2^(32 - prefix - newBits(azCount)) >= required addresses per AZ.
 */
export function largestVpcPrefixFor(azCount: number, specs: readonly SubnetRequest[]): number {
    const required = specs.reduce((sum, spec) => sum + size(spec.cidrMask), 0);
    return 32 - newBits(azCount) - Math.ceil(Math.log2(required));
}

/** The subnets whose CIDR differs between two layouts (AWS replaces a subnet whose CIDR changes), and those only in one. */
export function movedSubnets(
    before: SubnetLayout,
    after: SubnetLayout,
): { moved: { name: string; from: string; to: string }[]; added: string[]; removed: string[] } {
    const old = new Map(before.subnets.map((s) => [s.name, s.cidrBlock]));
    const now = new Map(after.subnets.map((s) => [s.name, s.cidrBlock]));
    return {
        moved: after.subnets
            .filter((s) => old.has(s.name) && old.get(s.name) !== s.cidrBlock)
            .map((s) => ({ name: s.name, from: old.get(s.name) ?? "", to: s.cidrBlock })),
        added: after.subnets.filter((s) => !old.has(s.name)).map((s) => s.name),
        removed: before.subnets.filter((s) => !now.has(s.name)).map((s) => s.name),
    };
}

/** The Network component's subnet specs, in awsx's allocation order: one private and one public subnet per AZ. */
export function networkSubnetRequests(privatePrefix: number, publicPrefix: number): SubnetRequest[] {
    return [
        { type: "Private", cidrMask: privatePrefix, name: "private" },
        { type: "Public", cidrMask: publicPrefix, name: "public" },
    ];
}
