import * as assert from "assert";
import { Network, type NetworkArgs } from "../../../components/network";
import { NAT_INSTANCE_IMAGE_ID, NAT_INSTANCE_TAG_KEY, natBootScript } from "../../../components/network/natInstance";
import type { MockedRun } from "../../../plan/harness";
import { mockResourceOutputs } from "../../../plan/mockOutputs";
import type { StackRun } from "../../../plan/stackRun";
import type { CapturedResource } from "../../../shared/capturedResource";
import { decide, type PolicyDocumentJson, rolesOf } from "../../support/iamSimulation";
import { MOUNT_ACCOUNT, mountComponent, mountShared } from "../../support/mount";
import { input, ofType, single } from "../../support/resources";
import managed from "../../support/awsManagedPolicies.json";

/** Issue 13 §2: the NAT instance (the fck-nat approach), as the plan and the policy pack see it. */
/** The network with a NAT instance in 3 AZs, changed by `args`: one run per args (mountShared). */
const mountNetwork = (args: Partial<NetworkArgs>) => {
    const networkArgs: NetworkArgs = {
        cidr: "10.40.0.0/16",
        azCount: 3,
        natGateways: "instance",
        region: MOUNT_ACCOUNT.region,
        flowLogRetentionDays: 30,
        logsKmsKeyArn: `arn:aws:kms:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:key/test`,
        ...args,
    };
    return mountShared("Network", networkArgs, () =>
        mountComponent((opts) => new Network("network", networkArgs, opts)),
    );
};

type Run = MockedRun;

/** What the mocked engine answered for a resource: its id and outputs. */
const outputsOf = (r: CapturedResource) =>
    mockResourceOutputs(r.type, r.name, r.inputs, { region: MOUNT_ACCOUNT.region, accountId: MOUNT_ACCOUNT.accountId });
const idOf = (r: CapturedResource) => outputsOf(r).id;
const arnOf = (r: CapturedResource) => String(outputsOf(r).state.arn);

/** A mounted run as the IAM helpers read a stack run: the test account and region as its config. */
const asStackRun = (run: MockedRun): StackRun => ({
    ...run,
    stackConfig: {
        project: "voteapp",
        stack: "mount",
        secretKeys: [],
        config: { "voteapp:region": MOUNT_ACCOUNT.region, "voteapp:accountId": MOUNT_ACCOUNT.accountId },
    },
});

/** What awsx created inside the VPC, as its (mocked) outputs report it. */
function subnetsAndRouteTables(run: Run | StackRun) {
    const children = (type: string) => run.remoteChildren.filter((c) => c.type === type);
    const subnets = (kind: string) =>
        children("aws:ec2/subnet:Subnet")
            .filter((s) => (s.state.tags as Record<string, string>).SubnetType === kind)
            .map((s) => s.id);
    const routeTableOf = new Map(
        children("aws:ec2/routeTableAssociation:RouteTableAssociation").map((a) => [
            String(a.state.subnetId),
            String(a.state.routeTableId),
        ]),
    );
    return {
        publicSubnets: subnets("Public"),
        privateRouteTables: subnets("Private").map((id) => routeTableOf.get(id)),
        publicRouteTables: subnets("Public").map((id) => routeTableOf.get(id)),
    };
}

const bootScriptOf = (run: Run | StackRun) =>
    Buffer.from(String(single(run, "aws:ec2/launchTemplate:LaunchTemplate", "nat").inputs.userData), "base64").toString(
        "utf8",
    );

describe("NAT instance (natGateways instance)", function () {
    this.timeout(120_000);

    it("asks awsx for no NAT gateway (so no default route of its own) and routes every private subnet through the static interface", async () => {
        const run = await mountNetwork({});
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "None");
        const eni = single(run, "aws:ec2/networkInterface:NetworkInterface");
        const { privateRouteTables, publicRouteTables } = subnetsAndRouteTables(run);
        const routes = ofType(run, "aws:ec2/route:Route");
        assert.deepStrictEqual(
            routes.map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.networkInterfaceId]),
            privateRouteTables.map((rtb) => [rtb, "0.0.0.0/0", idOf(eni)]),
        );
        assert.ok(
            routes.every((r) => !publicRouteTables.includes(String(r.inputs.routeTableId))),
            "a public subnet routed through the NAT",
        );
    });

    it("puts the static interface, source/destination check off, and the group of one in the first public subnet", async () => {
        const run = await mountNetwork({});
        const eni = single(run, "aws:ec2/networkInterface:NetworkInterface");
        const group = single(run, "aws:autoscaling/group:Group");
        const { publicSubnets } = subnetsAndRouteTables(run);
        assert.strictEqual(eni.inputs.sourceDestCheck, false);
        assert.strictEqual(eni.inputs.subnetId, publicSubnets[0]);
        assert.deepStrictEqual(group.inputs.vpcZoneIdentifiers, [publicSubnets[0]]);
        assert.deepStrictEqual([group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity], [1, 1, 1]);
        assert.strictEqual(input(group, "instanceRefresh", "strategy"), "Rolling");
    });

    it("launches a Graviton AL2023 image resolved by EC2 at launch, IMDSv2 only, encrypted root, no key pair", async () => {
        const run = await mountNetwork({ natInstanceType: "t4g.micro" });
        const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate", "nat");
        assert.strictEqual(template.inputs.imageId, NAT_INSTANCE_IMAGE_ID);
        assert.strictEqual(
            NAT_INSTANCE_IMAGE_ID,
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
        assert.strictEqual(template.inputs.instanceType, "t4g.micro");
        assert.deepStrictEqual(template.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
        assert.strictEqual(template.inputs.keyName, undefined, "a key pair (SSH) on the NAT instance");
        assert.deepStrictEqual(input(template, "blockDeviceMappings", 0, "ebs"), {
            volumeSize: 8,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
        });
        const profile = single(run, "aws:iam/instanceProfile:InstanceProfile");
        assert.strictEqual(input(template, "iamInstanceProfile", "arn"), arnOf(profile));
        const [primary] = template.inputs.networkInterfaces as Record<string, unknown>[];
        assert.deepStrictEqual(
            [primary.deviceIndex, primary.associatePublicIpAddress, primary.securityGroups],
            [0, "true", [idOf(single(run, "aws:ec2/securityGroup:SecurityGroup", "nat"))]],
        );
        const tagged = (template.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[])
            .filter((t) => t.tags[NAT_INSTANCE_TAG_KEY] === "network-nat")
            .map((t) => t.resourceType);
        assert.deepStrictEqual(tagged, ["instance", "volume", "network-interface"]);
    });

    it("admits only the VPC's CIDR and lets everything out", async () => {
        const run = await mountNetwork({ cidr: "10.41.0.0/16" });
        const group = single(run, "aws:ec2/securityGroup:SecurityGroup", "nat");
        const rules = (type: string) => ofType(run, type).filter((r) => r.inputs.securityGroupId === idOf(group));
        assert.deepStrictEqual(
            rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [
                r.inputs.cidrIpv4,
                r.inputs.ipProtocol,
            ]),
            [["10.41.0.0/16", "-1"]],
        );
        assert.deepStrictEqual(
            rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => [
                r.inputs.cidrIpv4,
                r.inputs.ipProtocol,
            ]),
            [["0.0.0.0/0", "-1"]],
        );
        assert.strictEqual(group.inputs.ingress, undefined, "inline rules besides the separate ones");
    });

    it("boots the fck-nat way: attaches its own interface, forwards and masquerades, downloads nothing but AL2023 packages", async () => {
        const run = await mountNetwork({});
        const eni = single(run, "aws:ec2/networkInterface:NetworkInterface");
        const script = bootScriptOf(run);
        assert.strictEqual(script, natBootScript(idOf(eni)));
        assert.match(script, new RegExp(`ExecStart=/usr/local/sbin/voteapp-nat ${idOf(eni)}\\n`));
        for (const step of [
            '--device-index 1 --network-interface-id "$eni_id"',
            '--network-interface-id "$public_eni" --no-source-dest-check',
            "net.ipv4.ip_forward=1",
            '-o "$public_if" -j MASQUERADE',
            "X-aws-ec2-metadata-token: $token", // IMDSv2 calls only
            "systemctl enable --now voteapp-nat.service", // and again on every boot
        ])
            assert.ok(script.includes(step), `boot script lacks ${step}`);
        // Only the instance metadata service is fetched by URL; packages come from the AL2023 repositories.
        const urls = [...script.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]);
        assert.ok(
            urls.every((u) => u.startsWith("http://169.254.169.254/latest/")),
            `downloads: ${urls.join(", ")}`,
        );
        assert.ok(
            !/\bwget\b|\bpip3? install\b|\bnpm\b|curl[^\n|]* -(o|O) /.test(script),
            "boot script downloads something",
        );
        assert.deepStrictEqual(
            [...script.matchAll(/dnf install -y (.+)/g)].map((m) => m[1]),
            ["iptables-nft"],
        );
    });

    it("its role may attach only its interface, only to an instance with its profile, and change only its own interfaces", async () => {
        const run = await mountNetwork({});
        const managedPolicies = Object.fromEntries(
            Object.entries(managed.policies).map(([arn, p]) => [arn, p.document as PolicyDocumentJson]),
        );
        const role = rolesOf(asStackRun(run), managedPolicies).find((r) => r.logicalName === "network-nat");
        assert.ok(role);
        assert.deepStrictEqual(role.unresolvedPolicyArns, []);
        assert.deepStrictEqual(
            role.identityPolicies.map((p) => p.name).filter((n) => n.startsWith("arn:")),
            ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        );
        const trusted = role.trust.Statement.flatMap((s) => [(s.Principal as { Service?: string }).Service]);
        assert.deepStrictEqual(trusted, ["ec2.amazonaws.com"]);
        const eni = single(run, "aws:ec2/networkInterface:NetworkInterface");
        const profileArn = String(arnOf(single(run, "aws:iam/instanceProfile:InstanceProfile")));
        const { publicSubnets } = subnetsAndRouteTables(run);
        const arn = (resource: string) => `arn:aws:ec2:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:${resource}`;
        const attempt = (action: string, resource: string, context: Record<string, string> = {}) =>
            decide(role, { action, resource, context: { "aws:RequestedRegion": MOUNT_ACCOUNT.region, ...context } });
        const attach = "ec2:AttachNetworkInterface";
        const modify = "ec2:ModifyNetworkInterfaceAttribute";
        assert.strictEqual(await attempt(attach, arn(`network-interface/${idOf(eni)}`)), "Allowed");
        assert.notStrictEqual(await attempt(attach, arn("network-interface/eni-0123456789abcdef0")), "Allowed");
        const instance = arn("instance/i-0123456789abcdef0");
        assert.strictEqual(await attempt(attach, instance, { "ec2:InstanceProfile": profileArn }), "Allowed");
        assert.notStrictEqual(
            await attempt(attach, instance, { "ec2:InstanceProfile": `${profileArn}-other` }),
            "Allowed",
        );
        const ownInterface = {
            [`aws:ResourceTag/${NAT_INSTANCE_TAG_KEY}`]: "network-nat",
            "ec2:Subnet": arn(`subnet/${publicSubnets[0]}`),
        };
        assert.strictEqual(
            await attempt(modify, arn("network-interface/eni-0aaaaaaaaaaaaaaaa"), ownInterface),
            "Allowed",
        );
        assert.notStrictEqual(
            await attempt(modify, arn("network-interface/eni-0aaaaaaaaaaaaaaaa"), {
                ...ownInterface,
                [`aws:ResourceTag/${NAT_INSTANCE_TAG_KEY}`]: "someone-else",
            }),
            "Allowed",
        );
        for (const action of ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DetachNetworkInterface"])
            assert.notStrictEqual(await attempt(action, arn(`network-interface/${idOf(eni)}`)), "Allowed", action);
    });

    it("with managed NAT gateways, creates no instance and no route of its own", async () => {
        const run = await mountNetwork({ natGateways: "single" });
        assert.strictEqual(input(single(run, "awsx:ec2:Vpc"), "natGateways", "strategy"), "Single");
        assert.deepStrictEqual(
            [
                ofType(run, "aws:ec2/route:Route").length,
                ofType(run, "aws:ec2/networkInterface:NetworkInterface").length,
            ],
            [0, 0],
        );
    });
});
