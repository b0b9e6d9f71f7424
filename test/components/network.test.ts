import * as assert from "assert";
import { INTERFACE_ENDPOINT_SERVICES, Network, type NetworkArgs } from "../../components/network";
import { MOUNT_ACCOUNT, mountComponent } from "../support/mount";
import { input, named, ofType, privateRouteTables, SHIPPED_STACKS, single, stackRun } from "../support/stacks";

/** Network alone, with args a test chooses (issue 16.5). */
const mountNetwork = (args: Partial<NetworkArgs>) =>
    mountComponent(
        (opts) =>
            new Network(
                "network",
                {
                    cidr: "10.40.0.0/16",
                    azCount: 2,
                    natGateways: "single",
                    region: MOUNT_ACCOUNT.region,
                    flowLogRetentionDays: 30,
                    logsKmsKeyArn: `arn:aws:kms:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:key/test`,
                    ...args,
                },
                opts,
            ),
    );

describe("Network", () => {
    it("lays out public and private subnets over the AZs and the CIDR its args give", async () => {
        const vpc = single(await mountNetwork({ cidr: "10.77.0.0/16", azCount: 3 }), "awsx:ec2:Vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "10.77.0.0/16");
        assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, 3);
        const specs = (vpc.inputs.subnetSpecs as { type: string; cidrMask: number }[]).map(
            (s) => `${s.type}/${s.cidrMask}`,
        );
        assert.deepStrictEqual(specs, ["Private/22", "Public/24"]);
    });

    it("adopts the VPC's default security group with no rules (FSBP EC2.2), depending on the VPC it closes", async () => {
        const run = await stackRun("dev");
        const group = single(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        assert.deepStrictEqual([group.inputs.ingress, group.inputs.egress], [[], []]);
        assert.match(String(group.inputs.vpcId), /^vpc-/);
        assert.ok(group.dependencies.includes(single(run, "awsx:ec2:Vpc").urn), "not tied to the awsx VPC");
    });

    it("asks awsx for one NAT gateway, or one per AZ, as natGateways says", async () => {
        for (const [natGateways, strategy] of [
            ["single", "Single"],
            ["onePerAz", "OnePerAz"],
        ] as const) {
            const vpc = single(await mountNetwork({ natGateways }), "awsx:ec2:Vpc");
            assert.strictEqual(input(vpc, "natGateways", "strategy"), strategy, natGateways);
        }
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the S3 gateway endpoint is attached to every private subnet's route table, and only those`, async () => {
            const run = await stackRun(stack);
            const endpoint = single(run, "aws:ec2/vpcEndpoint:VpcEndpoint", "-s3");
            assert.deepStrictEqual(
                [endpoint.inputs.serviceName, endpoint.inputs.vpcEndpointType],
                ["com.amazonaws.eu-west-1.s3", "Gateway"],
            );
            const azCount = single(run, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones;
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

    it("awsx creates no endpoint of its own (the plan sees every endpoint the stack has)", async () => {
        assert.strictEqual(input(single(await stackRun("dev"), "awsx:ec2:Vpc"), "vpcEndpointSpecs"), undefined);
    });

    it("passes the stack's provider to the remote awsx VPC explicitly", async () => {
        const run = await stackRun("dev");
        const provider = single(run, "pulumi:providers:aws");
        assert.ok(
            single(run, "awsx:ec2:Vpc").provider?.startsWith(provider.urn),
            "awsx VPC would use the default provider",
        );
    });

    it("logs all VPC traffic to an encrypted log group with retention", async () => {
        const run = await stackRun("prod");
        const flowLog = single(run, "aws:ec2/flowLog:FlowLog");
        assert.strictEqual(flowLog.inputs.trafficType, "ALL");
        assert.strictEqual(flowLog.inputs.logDestinationType, "cloud-watch-logs");
        const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
        assert.strictEqual(group.inputs.retentionInDays, 365);
        assert.ok(String(group.inputs.kmsKeyId).startsWith("arn:aws:kms:"), "flow log group is not KMS-encrypted");
        assert.strictEqual(flowLog.inputs.logDestination, group.inputs.arn ?? flowLog.inputs.logDestination);
    });

    it("creates interface endpoints only when asked, reachable on 443 from the VPC", async () => {
        const interfaceEndpoints = (run: Awaited<ReturnType<typeof stackRun>>) =>
            ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.strictEqual(interfaceEndpoints(await stackRun("dev")).length, 0);
        const run = await stackRun("dev", {
            overrides: { "voteapp:natGateways": "none", "voteapp:vpcInterfaceEndpoints": "true" },
        });
        const endpoints = interfaceEndpoints(run);
        assert.deepStrictEqual(
            endpoints.map((e) => e.inputs.serviceName).sort(),
            INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.eu-west-1.${s}`).sort(),
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
            ["10.10.0.0/16", 443, 443],
        );
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "None");
    });
});
