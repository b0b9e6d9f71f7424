import * as assert from "assert";
import {
    allocateSubnets,
    largestVpcPrefixFor,
    networkSubnetRequests,
    SubnetAllocationError,
} from "../../shared/subnetLayout";
import { CONFIG_KEYS } from "../../stacks/config/keys";
import { checkVpcCidr, PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX } from "../../stacks/config/rules";
import { assertProblem, parseWith } from "../support/config";
import { single, stackRun } from "../support/stacks";

const SPECS = networkSubnetRequests(PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX);
const cidrs = (vpc: string, azCount: number) =>
    allocateSubnets("network", vpc, azCount, SPECS).subnets.map((s) => `${s.name} ${s.cidrBlock}`);

/**
 * The VPC layout awsx's "Auto" allocator computes (pulumi/pulumi-awsx@e60adf3c,
 * awsx/ec2/subnetDistributorNew.ts allocateSubnetCidrBlocks), worked by hand from its arithmetic: the VPC
 * splits into 2^ceil(log2 azCount) blocks; each block holds its AZ's subnets in spec order, aligned.
 */
describe("VPC sizing: awsx's subnet allocator arithmetic (shared/subnetLayout.ts)", () => {
    it("a /16 over 2 AZs: /17 blocks, the private /22 at each block's start and the public /24 after it", () => {
        assert.deepStrictEqual(cidrs("10.10.0.0/16", 2), [
            "network-private-1 10.10.0.0/22",
            "network-public-1 10.10.4.0/24",
            "network-private-2 10.10.128.0/22",
            "network-public-2 10.10.132.0/24",
        ]);
    });

    it("a /16 over 3 AZs: four /18 blocks, the fourth unused", () => {
        assert.deepStrictEqual(cidrs("10.30.0.0/16", 3), [
            "network-private-1 10.30.0.0/22",
            "network-public-1 10.30.4.0/24",
            "network-private-2 10.30.64.0/22",
            "network-public-2 10.30.68.0/24",
            "network-private-3 10.30.128.0/22",
            "network-public-3 10.30.132.0/24",
        ]);
    });

    it("a /20 over 3 AZs fails as awsx fails: /22 blocks of 1024 addresses, 1280 needed", () => {
        assert.throws(
            () => allocateSubnets("network", "10.0.0.0/20", 3, SPECS),
            (err: unknown) =>
                err instanceof SubnetAllocationError &&
                err.message ===
                    "Subnets are too large for VPC. VPC has 1024 addresses, but subnets require 1280 addresses." &&
                err.azBitmask === 22,
        );
    });

    it("boundaries: the smallest VPC that fits is /21 for 1 AZ, /20 for 2, /19 for 3; one bit less fails", () => {
        const smallest = { 1: 21, 2: 20, 3: 19 } as const;
        for (const azCount of [1, 2, 3] as const) {
            assert.strictEqual(largestVpcPrefixFor(azCount, SPECS), smallest[azCount], `${azCount} AZs`);
            const fits = allocateSubnets("network", `10.0.0.0/${smallest[azCount]}`, azCount, SPECS);
            assert.strictEqual(fits.subnets.length, 2 * azCount);
            assert.throws(
                () => allocateSubnets("network", `10.0.0.0/${smallest[azCount] + 1}`, azCount, SPECS),
                SubnetAllocationError,
            );
        }
        // The smallest for 2 AZs: /21 blocks, the second starting at 10.0.8.0.
        assert.deepStrictEqual(cidrs("10.0.0.0/20", 2), [
            "network-private-1 10.0.0.0/22",
            "network-public-1 10.0.4.0/24",
            "network-private-2 10.0.8.0/22",
            "network-public-2 10.0.12.0/24",
        ]);
    });

    it("config validation accepts exactly what the allocator accepts, for every prefix /16–/28 and 1–3 AZs", () => {
        for (let prefix = 16; prefix <= 28; prefix++) {
            for (const azCount of [1, 2, 3]) {
                let allocates = true;
                try {
                    allocateSubnets("network", `10.0.0.0/${prefix}`, azCount, SPECS);
                } catch {
                    allocates = false;
                }
                assert.strictEqual(
                    checkVpcCidr(`10.0.0.0/${prefix}`, azCount).ok,
                    allocates,
                    `/${prefix} × ${azCount}`,
                );
            }
        }
    });

    it("config refuses a /20 with 3 AZs (the sum check used to accept it), naming the arithmetic and the size to use", () => {
        assertProblem(
            "prod",
            { vpcCidr: "10.30.0.0/20" },
            "vpcCidr",
            "too small for 3 AZs",
            "4 equal blocks",
            "/22 of 1024 addresses",
            "need 1280",
            "use a /19 or larger",
        );
        assert.strictEqual(parseWith("prod", { vpcCidr: "10.30.0.0/19" }).network.cidr, "10.30.0.0/19");
        assert.strictEqual(parseWith("dev", { vpcCidr: "10.10.0.0/20" }).network.azCount, 2);
    });

    it("Pulumi.yaml's vpcCidr description states the allocator's minimum sizes", () => {
        const description = CONFIG_KEYS.vpcCidr.description;
        for (const fragment of [
            "2^ceil(log2 azCount)",
            "/21 or larger for 1 AZ",
            "/20 for 2",
            "/19 for 3",
            "replaces every subnet",
        ])
            assert.ok(description.includes(fragment), `vpcCidr description lacks "${fragment}": ${description}`);
        assert.ok(CONFIG_KEYS.azCount.description.includes("move subnets"), CONFIG_KEYS.azCount.description);
    });

    it("the Network component asks awsx for the subnet specs config validation checks", async () => {
        const vpc = single(await stackRun("prod"), "awsx:ec2:Vpc");
        assert.deepStrictEqual(
            vpc.inputs.subnetSpecs,
            SPECS.map((s) => ({ type: s.type, cidrMask: s.cidrMask, name: s.name })),
        );
        assert.strictEqual(vpc.inputs.subnetStrategy, "Auto");
    });

    it("the mocked awsx VPC reports the subnets the allocator lays out", async () => {
        const run = await stackRun("prod");
        const subnets = run.remoteChildren
            .filter((c) => c.type === "aws:ec2/subnet:Subnet")
            .map((c) => `${c.urn.split("::").pop()} ${String(c.state.cidrBlock)}`);
        assert.deepStrictEqual(subnets, cidrs("10.30.0.0/16", 3));
    });
});
