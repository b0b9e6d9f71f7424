import * as assert from "assert";
import { input, ofType, privateRouteTables, SHIPPED_STACKS, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of the Network component. What the component does with its args is
 * test/components/network.test.ts, on the component mounted alone.
 */
describe("stacks: config reaches the Network", function () {
    this.timeout(180_000);

    it("every stack's S3 gateway endpoint covers one private route table per configured AZ", async () => {
        for (const stack of SHIPPED_STACKS) {
            const run = await stackRun(stack);
            const endpoint = single(run, "aws:ec2/vpcEndpoint:VpcEndpoint", "-s3");
            assert.strictEqual(endpoint.inputs.serviceName, "com.amazonaws.eu-west-1.s3", stack);
            const azCount = single(run, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones;
            const expected = privateRouteTables(run);
            assert.strictEqual(expected.length, azCount, stack);
            assert.deepStrictEqual(endpoint.inputs.routeTableIds, expected, stack);
        }
    });

    it("the network gets the stack's account provider, and awsx no endpoint of its own", async () => {
        const run = await stackRun("dev");
        const provider = single(run, "pulumi:providers:aws");
        assert.ok(
            single(run, "awsx:ec2:Vpc").provider?.startsWith(provider.urn),
            "awsx VPC would use the default provider",
        );
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "vpcEndpointSpecs"), undefined);
    });

    it("prod keeps flow logs logRetentionDays (365) in a group encrypted with the stack's key", async () => {
        const run = await stackRun("prod");
        const group = single(run, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
        assert.strictEqual(group.inputs.retentionInDays, 365);
        assert.ok(String(group.inputs.kmsKeyId).startsWith("arn:aws:kms:"), "flow log group is not KMS-encrypted");
        assert.strictEqual(single(run, "aws:ec2/flowLog:FlowLog").inputs.trafficType, "ALL");
    });

    it("vpcInterfaceEndpoints and natGateways none reach the network: endpoints open to the stack's CIDR, no NAT", async () => {
        const interfaceEndpoints = (run: Awaited<ReturnType<typeof stackRun>>) =>
            ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.strictEqual(interfaceEndpoints(await stackRun("dev")).length, 0);
        const run = await stackRun("dev", {
            overrides: { "voteapp:natGateways": "none", "voteapp:vpcInterfaceEndpoints": "true" },
        });
        assert.ok(interfaceEndpoints(run).length > 0);
        const https = single(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "network-endpoints-https",
        );
        assert.strictEqual(https.inputs.cidrIpv4, "10.10.0.0/16");
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "None");
    });
});
