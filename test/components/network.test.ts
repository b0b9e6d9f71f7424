import * as assert from "assert";
import { INTERFACE_ENDPOINT_SERVICES, Network, type NetworkArgs } from "../../components/network";
import type { MockedRun } from "../../plan/harness";
import { TEST_KMS_KEY_ARN } from "../support/fixtures";
import { MOUNT_ACCOUNT, mountComponent, mountShared } from "../support/mount";
import { input, named, ofType, privateRouteTables, single } from "../support/resources";

/**
 * Network mounted alone with the args each test chooses (issue 16.5); that each stack's config reaches these
 * args is test/stacks/networkComposition.test.ts.
 */
const TEST_NETWORK_ARGS: NetworkArgs = {
    cidr: "10.40.0.0/16",
    azCount: 2,
    natGateways: "single",
    region: MOUNT_ACCOUNT.region,
    flowLogRetentionDays: 30,
    logsKmsKeyArn: TEST_KMS_KEY_ARN,
};
/** The network with the args above, changed by `args`: one run per args (mountShared). */
const mountNetwork = (args: Partial<NetworkArgs> = {}) => {
    const networkArgs: NetworkArgs = { ...TEST_NETWORK_ARGS, ...args };
    return mountShared("Network", networkArgs, () =>
        mountComponent((opts) => new Network("network", networkArgs, opts)),
    );
};
/** The network with the args above alone: two AZs, one NAT gateway, no interface endpoints. */
const plainNetwork = () => mountNetwork();

describe("Network", () => {
    it("lays out public and private subnets over the AZs and the CIDR its args give", async () => {
        const vpc = single(await mountNetwork({ cidr: "10.77.0.0/16", azCount: 3 }), "awsx:ec2:Vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "10.77.0.0/16");
        assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, 3);
        const specs = (vpc.inputs.subnetSpecs as { type: string; cidrMask: number }[]).map(
            (s) => `${s.type}/${s.cidrMask}`,
        );
        assert.deepStrictEqual(specs, ["Private/22", "Public/24"]);
        // GuardDuty's guardduty-data endpoint and the interface endpoints are private-DNS: the VPC resolves names.
        assert.deepStrictEqual([vpc.inputs.enableDnsSupport, vpc.inputs.enableDnsHostnames], [true, true]);
    });

    it("adopts the VPC's default security group with no rules (FSBP EC2.2), depending on the VPC it closes", async () => {
        const run = await plainNetwork();
        const group = single(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        assert.deepStrictEqual([group.inputs.ingress, group.inputs.egress], [[], []]);
        assert.match(String(group.inputs.vpcId), /^vpc-/);
        assert.ok(group.dependencies.includes(single(run, "awsx:ec2:Vpc").urn), "not tied to the awsx VPC");
    });

    it("asks awsx for one NAT gateway, one per AZ or none, as natGateways says", async () => {
        for (const [natGateways, strategy] of [
            ["single", "Single"],
            ["onePerAz", "OnePerAz"],
            ["none", "None"],
        ] as const) {
            const vpc = single(await mountNetwork({ natGateways }), "awsx:ec2:Vpc");
            assert.strictEqual(input(vpc, "natGateways", "strategy"), strategy, natGateways);
        }
    });

    for (const azCount of [2, 3]) {
        it(`${azCount} AZs: the S3 gateway endpoint is attached to every private subnet's route table, and only those`, async () => {
            const run = azCount === 2 ? await plainNetwork() : await mountNetwork({ azCount });
            const endpoint = single(run, "aws:ec2/vpcEndpoint:VpcEndpoint", "-s3");
            assert.deepStrictEqual(
                [endpoint.inputs.serviceName, endpoint.inputs.vpcEndpointType],
                [`com.amazonaws.${MOUNT_ACCOUNT.region}.s3`, "Gateway"],
            );
            const expected = privateRouteTables(run);
            assert.strictEqual(expected.length, azCount);
            assert.ok(
                expected.every((id) => id?.startsWith("rtb-")),
                JSON.stringify(expected),
            );
            assert.deepStrictEqual(endpoint.inputs.routeTableIds, expected);
            assert.deepStrictEqual(
                [endpoint.inputs.vpcId],
                run.remoteChildren.filter((c) => c.type === "aws:ec2/vpc:Vpc").map((v) => v.id),
            );
        });
    }

    it("awsx creates no endpoint of its own (the plan sees every endpoint the network has)", async () => {
        for (const interfaceEndpoints of [false, true])
            assert.strictEqual(
                input(single(await mountNetwork({ interfaceEndpoints }), "awsx:ec2:Vpc"), "vpcEndpointSpecs"),
                undefined,
            );
    });

    it("passes the provider it is given to the remote awsx VPC explicitly", async () => {
        const run = await plainNetwork();
        const provider = single(run, "pulumi:providers:aws");
        assert.strictEqual(provider.name, "mount");
        assert.ok(
            single(run, "awsx:ec2:Vpc").provider?.startsWith(provider.urn),
            "awsx VPC would use the default provider",
        );
    });

    it("logs all VPC traffic to a log group encrypted with the key given, kept flowLogRetentionDays, through its own role", async () => {
        for (const days of [30, 365]) {
            const run = await mountNetwork({ flowLogRetentionDays: days });
            const flowLog = single(run, "aws:ec2/flowLog:FlowLog");
            assert.strictEqual(flowLog.inputs.trafficType, "ALL");
            assert.strictEqual(flowLog.inputs.logDestinationType, "cloud-watch-logs");
            const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
            assert.strictEqual(group.inputs.retentionInDays, days);
            assert.strictEqual(group.inputs.kmsKeyId, TEST_KMS_KEY_ARN, "flow log group is not KMS-encrypted");
            assert.strictEqual(flowLog.inputs.logDestination, group.inputs.arn ?? flowLog.inputs.logDestination);
            const trust = JSON.parse(
                String(named(run, "aws:iam/role:Role", "network-flow-logs").inputs.assumeRolePolicy),
            ) as { Statement: { Principal: unknown; Condition: Record<string, Record<string, string>> }[] };
            assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
            assert.strictEqual(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], MOUNT_ACCOUNT.accountId);
        }
    });

    it("creates interface endpoints only when asked, reachable on 443 from the network's CIDR", async () => {
        const interfaceEndpoints = (run: MockedRun) =>
            ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        const plain = await plainNetwork();
        assert.strictEqual(interfaceEndpoints(plain).length, 0);
        assert.strictEqual(ofType(plain, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length, 0);
        const run = await mountNetwork({ natGateways: "none", interfaceEndpoints: true });
        const endpoints = interfaceEndpoints(run);
        assert.deepStrictEqual(
            endpoints.map((e) => e.inputs.serviceName).sort(),
            INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.${MOUNT_ACCOUNT.region}.${s}`).sort(),
        );
        assert.ok(
            endpoints.every((e) => e.inputs.privateDnsEnabled === true && e.inputs.vpcEndpointType === "Interface"),
        );
        const https = named(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "network-endpoints-https",
        );
        assert.deepStrictEqual(
            [https.inputs.cidrIpv4, https.inputs.fromPort, https.inputs.toPort],
            [TEST_NETWORK_ARGS.cidr, 443, 443],
        );
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "None");
    });
});
