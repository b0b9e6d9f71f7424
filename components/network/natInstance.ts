import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iamPolicy";
import { partitionOf } from "../partition";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";
import { IMDS_V2_ONE_HOP } from "../instanceMetadata";

/**
 * The AMI: Amazon Linux 2023 for arm64, named by AWS's public SSM parameter and resolved by EC2 when each
 * instance launches (`resolve:ssm:` in a launch template's ImageId: "The Systems Manager parameter will resolve
 * to the ID of the AMI at instance launch", EC2 API reference, ResponseLaunchTemplateData.ImageId; EC2 Auto
 * Scaling user guide, using-systems-manager-parameters.html). Nothing is looked up when planning, and a
 * replaced instance boots the newest image.
 */
export const NAT_INSTANCE_IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
export const NAT_INSTANCE_IMAGE_ID = `resolve:ssm:${NAT_INSTANCE_IMAGE_PARAMETER}`;

/** The tag marking the NAT's instances and the interfaces they launch with (the instance role acts only on these). */
export const NAT_INSTANCE_TAG_KEY = "voteapp:nat-instance";

/** The AL2023 image's root device and the size of its snapshot (GiB): the smallest root volume it boots from. */
const ROOT_DEVICE = "/dev/xvda";
export const ROOT_VOLUME_GB = 8;

export interface NatInstanceArgs {
    /** The VPC the NAT serves. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: the only source the NAT's security group admits. */
    readonly vpcCidr: string;
    /**
     * The public subnet the instance and its static network interface live in (one AZ: the interface cannot
     * move between AZs, so the auto-scaling group launches only there).
     */
    readonly publicSubnetId: pulumi.Input<string>;
    /**
     * Route tables of the private subnets: each gets its default route (0.0.0.0/0) through the NAT's static
     * network interface. Their number must be known when planning (one per AZ).
     */
    readonly privateRouteTableIds: pulumi.Input<string[]>;
    readonly privateRouteTableCount: number;
    /**
     * A Graviton instance type (the image is arm64).
     * @default "t4g.nano"
     */
    readonly instanceType?: string;
    /** Region, for ARNs. */
    readonly region: string;
    /** Where the instance role lives and the boundary it carries. @default none */
    readonly roleScope?: WorkloadRoleScope;
    /**
     * The stack's cost allocation tags (its provider's default tags), for what the auto-scaling group launches (the
     * instance, its root volume, its network interface: launch template `tagSpecifications`) and for the group
     * itself. The provider's default tags reach none of them: @pulumi/aws's getDefaultTags exists for "the instances
     * underneath an Auto Scaling group or the volumes created for an EC2 instance" (node_modules/@pulumi/aws/
     * getDefaultTags.d.ts), and `aws.autoscaling.Group` has no `tagsAll`.
     * @default none
     * @example { environment: "dev", project: "voteapp", owner: "platform-team", "cost-centre": "cc-1234" }
     */
    readonly launchedResourceTags?: Readonly<Record<string, string>>;
}

/**
 * The boot script: the fck-nat approach (AndrewGuenther/fck-nat@193c58c, service/fck-nat.sh), reduced to what
 * this NAT needs and run by a systemd unit on every boot. It turns off the source/destination check of the
 * instance's own (public) interface, attaches the static interface the private route tables target (retrying
 * while a replaced instance still holds it), enables forwarding without reverse-path filtering, and masquerades
 * what leaves through the public interface. It needs the AWS CLI, curl and iproute of the AL2023 image and
 * iptables-nft from the AL2023 repositories; nothing else is downloaded.
 */
export function natBootScript(eniId: string): string {
    return `#!/bin/bash
# NAT instance for the VPC's private subnets (voteapp components/network/natInstance.ts; after fck-nat).
set -euo pipefail
dnf install -y iptables-nft
cat > /usr/local/sbin/voteapp-nat <<'SCRIPT'
#!/bin/bash
set -euo pipefail
eni_id="$1"
token="$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)"
imds() { curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"; }
interface_of_mac() { ip -o link | awk -v mac="$1" 'tolower($0) ~ "link/ether " tolower(mac) { sub(":", "", $2); print $2 }'; }
instance_id="$(imds instance-id)"
region="$(imds placement/region)"
public_mac="$(imds mac)"
public_eni="$(imds "network/interfaces/macs/$public_mac/interface-id")"
public_if="$(interface_of_mac "$public_mac")"
retry() { until "$@"; do echo "retrying: $*"; sleep 5; done; }
# Forwarded traffic leaves and returns through the public interface with the private hosts' addresses.
retry aws ec2 modify-network-interface-attribute --region "$region" --network-interface-id "$public_eni" --no-source-dest-check
static_mac() {
    for mac in $(imds network/interfaces/macs/ | tr -d /); do
        [ "$(imds "network/interfaces/macs/$mac/interface-id")" = "$eni_id" ] && echo "$mac" && return 0
    done
    return 1
}
if ! static_mac >/dev/null; then
    # A replaced instance may still hold it for a moment.
    retry aws ec2 attach-network-interface --region "$region" --instance-id "$instance_id" --device-index 1 --network-interface-id "$eni_id"
    until static_mac >/dev/null && [ -n "$(interface_of_mac "$(static_mac)")" ]; do sleep 1; done
fi
sysctl -q -w net.ipv4.ip_forward=1
for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > "$f"; done
iptables -t nat -F POSTROUTING
iptables -t nat -A POSTROUTING -o "$public_if" -j MASQUERADE -m comment --comment "voteapp NAT"
echo "NAT through $public_if for $eni_id"
SCRIPT
chmod 0755 /usr/local/sbin/voteapp-nat
cat > /etc/systemd/system/voteapp-nat.service <<UNIT
[Unit]
Description=NAT for the VPC's private subnets through ${eniId}
Wants=network-online.target
After=network-online.target
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/voteapp-nat ${eniId}
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now voteapp-nat.service
`;
}

/**
 * A NAT instance for dev and staging, the fck-nat way: a static network interface with the source/destination
 * check off, which every private route table's default route targets, and one small Graviton instance in an
 * auto-scaling group of one that attaches it at boot. A replaced instance re-attaches the same interface, so
 * the routes stay valid. IMDSv2 only, an encrypted root volume, no key pair (SSM Session Manager instead), a
 * security group admitting only the VPC, and a role that may only attach this interface and turn off the
 * source/destination check of the instance's own.
 */
export class NatInstance extends pulumi.ComponentResource {
    readonly securityGroup: aws.ec2.SecurityGroup;
    /** The interface the private route tables target; it outlives every instance. */
    readonly networkInterface: aws.ec2.NetworkInterface;
    readonly role: aws.iam.Role;
    readonly instanceProfile: aws.iam.InstanceProfile;
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly autoScalingGroup: aws.autoscaling.Group;
    readonly routes: aws.ec2.Route[];

    constructor(name: string, args: NatInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:network:NatInstance", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
        const marker = { [NAT_INSTANCE_TAG_KEY]: name };
        const stackTags = args.launchedResourceTags ?? {};

        this.securityGroup = new aws.ec2.SecurityGroup(
            name,
            { vpcId: args.vpcId, description: "NAT instance: traffic from the VPC in, anything out" },
            { parent },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-vpc`,
            {
                securityGroupId: this.securityGroup.id,
                cidrIpv4: args.vpcCidr,
                ipProtocol: "-1",
                description: "Everything the private subnets send to the internet",
            },
            { parent },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-internet`,
            {
                securityGroupId: this.securityGroup.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "-1",
                description: "Forwarded traffic, and the instance's own (AL2023 repositories, SSM, EC2 API)",
            },
            { parent },
        );

        this.networkInterface = new aws.ec2.NetworkInterface(
            name,
            {
                subnetId: args.publicSubnetId,
                securityGroups: [this.securityGroup.id],
                // It forwards packets neither from nor to its own address.
                sourceDestCheck: false,
                description: "NAT for the private subnets: their default routes target this interface",
                tags: { Name: name },
            },
            { parent },
        );

        this.role = new aws.iam.Role(
            name,
            {
                ...roleScopeArgs(args.roleScope),
                description: "NAT instance: SSM management, attaching its network interface",
                assumeRolePolicy: policyDocument("NAT instance trust", [
                    {
                        Effect: "Allow",
                        Principal: { Service: "ec2.amazonaws.com" },
                        Action: "sts:AssumeRole",
                    },
                ]),
            },
            { parent },
        );
        // Session Manager instead of SSH: no key pair, no port 22.
        new aws.iam.RolePolicyAttachment(
            `${name}-ssm`,
            { role: this.role.name, policyArn: `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
            { parent },
        );
        this.instanceProfile = new aws.iam.InstanceProfile(
            name,
            { role: this.role.name, ...(args.roleScope ? { path: args.roleScope.path } : {}) },
            { parent },
        );
        const ec2Arn = (resource: pulumi.Input<string>) =>
            pulumi.interpolate`arn:${partition}:ec2:${args.region}:${account}:${resource}`;
        const interfacePolicy = new aws.iam.RolePolicy(
            `${name}-interface`,
            {
                role: this.role.id,
                policy: policyDocument("NAT instance interface", [
                    {
                        Sid: "AttachTheStaticInterface",
                        Effect: "Allow",
                        Action: "ec2:AttachNetworkInterface",
                        Resource: ec2Arn(pulumi.interpolate`network-interface/${this.networkInterface.id}`),
                    },
                    {
                        Sid: "ToTheNatInstanceOnly",
                        Effect: "Allow",
                        Action: "ec2:AttachNetworkInterface",
                        Resource: ec2Arn("instance/*"),
                        Condition: { ArnEquals: { "ec2:InstanceProfile": this.instanceProfile.arn } },
                    },
                    {
                        Sid: "ForwardThroughItsOwnInterface",
                        Effect: "Allow",
                        Action: "ec2:ModifyNetworkInterfaceAttribute",
                        Resource: ec2Arn("network-interface/*"),
                        Condition: {
                            StringEquals: { [`aws:ResourceTag/${NAT_INSTANCE_TAG_KEY}`]: name },
                            ArnEquals: { "ec2:Subnet": ec2Arn(pulumi.interpolate`subnet/${args.publicSubnetId}`) },
                        },
                    },
                ]),
            },
            { parent },
        );

        this.launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                description: "NAT instance (Amazon Linux 2023 arm64)",
                imageId: NAT_INSTANCE_IMAGE_ID,
                instanceType: args.instanceType ?? "t4g.nano",
                iamInstanceProfile: { arn: this.instanceProfile.arn },
                // IMDSv2 only; nothing on the instance runs in a container, so one hop.
                metadataOptions: IMDS_V2_ONE_HOP,
                blockDeviceMappings: [
                    {
                        deviceName: ROOT_DEVICE,
                        // The account's AWS managed EBS key: a customer key would need a grant to the EC2 Auto
                        // Scaling service-linked role in its key policy, or the group cannot launch.
                        ebs: {
                            volumeSize: ROOT_VOLUME_GB,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                // The instance's own interface is public: masqueraded traffic leaves through it to the internet
                // gateway, so it needs a public IPv4 address (the NAT's purpose; see the policy pack's exemption).
                networkInterfaces: [
                    {
                        deviceIndex: 0,
                        associatePublicIpAddress: "true",
                        deleteOnTermination: "true",
                        securityGroups: [this.securityGroup.id],
                    },
                ],
                userData: this.networkInterface.id.apply((id) => Buffer.from(natBootScript(id)).toString("base64")),
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: { ...stackTags, Name: name, ...marker },
                })),
                tags: { ...marker },
            },
            { parent },
        );

        this.autoScalingGroup = new aws.autoscaling.Group(
            name,
            {
                minSize: 1,
                maxSize: 1,
                desiredCapacity: 1,
                // The static interface's subnet: an instance elsewhere could not attach it.
                vpcZoneIdentifiers: [args.publicSubnetId],
                launchTemplate: {
                    id: this.launchTemplate.id,
                    version: pulumi.interpolate`${this.launchTemplate.latestVersion}`,
                },
                // The group's own tags (its instances take theirs from the template, which also tags volumes).
                tags: Object.entries(stackTags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
                healthCheckType: "EC2",
                healthCheckGracePeriod: 60,
                // A new template version (image, user data, type) replaces the one instance; the NAT is down until
                // the new one has attached the interface (a minute or two): dev and staging accept that.
                instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
            },
            // The first instance's boot script needs its grants.
            { parent, dependsOn: [interfacePolicy] },
        );

        this.routes = Array.from(
            { length: args.privateRouteTableCount },
            (_, i) =>
                new aws.ec2.Route(
                    `${name}-default-${i + 1}`,
                    {
                        routeTableId: pulumi.output(args.privateRouteTableIds).apply((ids) => {
                            if (ids.length !== args.privateRouteTableCount)
                                throw new Error(
                                    `NAT instance ${name}: ${ids.length} private route tables, ${args.privateRouteTableCount} expected`,
                                );
                            return ids[i];
                        }),
                        destinationCidrBlock: "0.0.0.0/0",
                        networkInterfaceId: this.networkInterface.id,
                    },
                    { parent },
                ),
        );

        this.registerOutputs({ networkInterfaceId: this.networkInterface.id });
    }
}
