import * as assert from "assert";
import { INTERFACE_ENDPOINT_SERVICES } from "../../components/network";
import { input, named, ofType, SHIPPED_STACKS, single, stackRun } from "../support/stacks";

describe("Network", () => {
    it("lays out public and private subnets over the configured AZs with the stack's CIDR", async () => {
        const vpc = single(await stackRun("prod"), "awsx:ec2:Vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "10.30.0.0/16");
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

    it("uses one NAT gateway in dev and one per AZ in prod", async () => {
        assert.strictEqual(input(single(await stackRun("dev"), "awsx:ec2:Vpc"), "natGateways", "strategy"), "Single");
        assert.strictEqual(
            input(single(await stackRun("prod"), "awsx:ec2:Vpc"), "natGateways", "strategy"),
            "OnePerAz",
        );
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the S3 gateway endpoint is attached to every private subnet's route table, and only those`, async () => {
            const run = await stackRun(stack);
            const endpoint = single(run, "aws:ec2/vpcEndpoint:VpcEndpoint", "-s3");
            assert.deepStrictEqual(
                [endpoint.inputs.serviceName, endpoint.inputs.vpcEndpointType],
                ["com.amazonaws.eu-west-1.s3", "Gateway"],
            );
            // What awsx created inside the VPC, as its (mocked) outputs report it: subnets, then route table associations.
            const children = (type: string) => run.remoteChildren.filter((c) => c.type === type);
            const privateSubnets = children("aws:ec2/subnet:Subnet")
                .filter((s) => (s.state.tags as Record<string, string>).SubnetType === "Private")
                .map((s) => s.id);
            const routeTableOf = new Map(
                children("aws:ec2/routeTableAssociation:RouteTableAssociation").map((a) => [
                    String(a.state.subnetId),
                    String(a.state.routeTableId),
                ]),
            );
            const azCount = single(run, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones;
            assert.strictEqual(privateSubnets.length, azCount);
            const expected = privateSubnets.map((id) => routeTableOf.get(id));
            assert.ok(
                expected.every((id) => id?.startsWith("rtb-")),
                JSON.stringify(expected),
            );
            assert.deepStrictEqual(endpoint.inputs.routeTableIds, expected);
            assert.deepStrictEqual(
                [endpoint.inputs.vpcId],
                children("aws:ec2/vpc:Vpc").map((v) => v.id),
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
