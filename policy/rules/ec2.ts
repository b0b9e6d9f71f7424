import * as aws from "@pulumi/aws";
import { type PolicyResource } from "@pulumi/policy";
import {
    asArray,
    asStrings,
    isRecord,
    isTrue,
    ofType,
    plainCopy,
    prop,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    tagsOf,
    validateResourceOfType,
} from "./util";

/** Security groups, their rules, VPC flow logs and the default security group (FSBP EC2.*). */

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

/** The tag marking the internet-facing load balancer's security group, the only group that may be open to the world. */
export const LOAD_BALANCER_ROLE_TAG_KEY = "voteapp:role";
export const LOAD_BALANCER_ROLE_TAG_VALUE = "load-balancer";

const PUBLIC_CIDRS = ["0.0.0.0/0", "::/0"];
const PUBLIC_PORTS = [80, 443];
const ADMIN_PORTS = [22, 3389];

/** One ingress permission, whatever resource declared it. */
export interface IngressPermission {
    readonly protocol: string;
    readonly fromPort: number | undefined;
    readonly toPort: number | undefined;
    readonly cidrs: string[];
    readonly description?: string;
}

function allPorts(p: IngressPermission): boolean {
    return (
        p.protocol === "-1" ||
        p.protocol === "all" ||
        (p.fromPort === undefined && p.toPort === undefined) ||
        (p.fromPort === 0 && (p.toPort === 65535 || p.toPort === 0) && p.protocol !== "icmp")
    );
}

function covers(p: IngressPermission, port: number): boolean {
    if (allPorts(p)) return true;
    const from = p.fromPort ?? 0;
    const to = p.toPort ?? from;
    return from <= port && port <= to;
}

function describePermission(p: IngressPermission): string {
    const ports = allPorts(p)
        ? "all ports"
        : p.fromPort === p.toPort
          ? `port ${p.fromPort}`
          : `ports ${p.fromPort}-${p.toPort}`;
    return `${ports} (${p.protocol}) from ${p.cidrs.join(", ") || "a security group or prefix list"}`;
}

function toNumber(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
    return undefined;
}

/** Ingress permissions of a security group (inline `ingress`), an ingress rule or a legacy SecurityGroupRule. */
export function ingressPermissions(type: string, props: Record<string, unknown>): IngressPermission[] {
    if (type === SECURITY_GROUP || type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup") {
        return asArray(props.ingress)
            .filter(isRecord)
            .map((i) => ({
                protocol: String(i.protocol ?? "-1"),
                fromPort: toNumber(i.fromPort),
                toPort: toNumber(i.toPort),
                cidrs: [...asStrings(i.cidrBlocks), ...asStrings(i.ipv6CidrBlocks)],
                description: typeof i.description === "string" ? i.description : undefined,
            }));
    }
    if (type === INGRESS_RULE) {
        return [
            {
                protocol: String(props.ipProtocol ?? "-1"),
                fromPort: toNumber(props.fromPort),
                toPort: toNumber(props.toPort),
                cidrs: [...asStrings(props.cidrIpv4), ...asStrings(props.cidrIpv6)],
            },
        ];
    }
    if (type === LEGACY_RULE && props.type === "ingress") {
        return [
            {
                protocol: String(props.protocol ?? "-1"),
                fromPort: toNumber(props.fromPort),
                toPort: toNumber(props.toPort),
                cidrs: [...asStrings(props.cidrBlocks), ...asStrings(props.ipv6CidrBlocks)],
            },
        ];
    }
    return [];
}

function isLoadBalancerGroup(tags: unknown): boolean {
    return tagsOf(tags)[LOAD_BALANCER_ROLE_TAG_KEY] === LOAD_BALANCER_ROLE_TAG_VALUE;
}

/** The known props of a stack resource, plain (values unknown during preview are left out: they cannot be checked yet). */
function plainProps(r: PolicyResource): Record<string, unknown> {
    const copy = plainCopy(r.props);
    return isRecord(copy) ? copy : {};
}

export const sgNoPublicIngress = stackRule(
    {
        name: "sg-no-public-ingress",
        passes: "no ingress permission takes 0.0.0.0/0 or ::/0, except single-port TCP 80 or 443 permissions on a group (or rule) tagged voteapp:role=load-balancer; security-group and prefix-list sources always pass",
        control: "EC2.18",
        description: `Nothing is open to the internet (0.0.0.0/0 or ::/0) except TCP 80 and 443 on the internet-facing load balancer's security group, recognised by the tag \`${LOAD_BALANCER_ROLE_TAG_KEY}=${LOAD_BALANCER_ROLE_TAG_VALUE}\` on the group (or on the ingress rule itself). Checks inline \`ingress\` of aws.ec2.SecurityGroup, aws.vpc.SecurityGroupIngressRule (its group found through its dependency on the group) and aws.ec2.SecurityGroupRule (EC2.18/EC2.19).`,
        remediation:
            "Restrict the source to the VPC CIDR or a security group; only the load balancer's group (tagged voteapp:role=load-balancer) may take 80/443 from anywhere.",
    },
    (args, report) => {
        const groups = ofType(args.resources, SECURITY_GROUP);
        for (const r of ofType(args.resources, SECURITY_GROUP, INGRESS_RULE, LEGACY_RULE)) {
            const props = plainProps(r);
            const publicPermissions = ingressPermissions(r.type, props).filter((p) =>
                p.cidrs.some((c) => PUBLIC_CIDRS.includes(c)),
            );
            if (publicPermissions.length === 0) continue;
            const group = r.type === SECURITY_GROUP ? r : groups.find((g) => relatesTo(r, g));
            const lbGroup =
                isLoadBalancerGroup(props.tags) || (group !== undefined && isLoadBalancerGroup(plainProps(group).tags));
            for (const p of publicPermissions) {
                const webOnly =
                    (p.protocol === "tcp" || p.protocol === "6") &&
                    !allPorts(p) &&
                    p.fromPort === p.toPort &&
                    PUBLIC_PORTS.includes(p.fromPort ?? -1);
                if (!lbGroup)
                    reportOn(
                        report,
                        r,
                        `opens ${describePermission(p)}; only the load balancer's group (tag ${LOAD_BALANCER_ROLE_TAG_KEY}=${LOAD_BALANCER_ROLE_TAG_VALUE}) may be reached from the internet.`,
                    );
                else if (!webOnly)
                    reportOn(
                        report,
                        r,
                        `opens ${describePermission(p)} on the load balancer's group; only TCP 80 and 443 may be open to the internet.`,
                    );
            }
        }
    },
);

function adminPortViolations(type: string, props: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const p of ingressPermissions(type, props)) {
        const fromPublic = p.cidrs.some((c) => PUBLIC_CIDRS.includes(c));
        for (const port of ADMIN_PORTS) {
            // An explicit range over an admin port is refused from any source; "all traffic" only from the internet
            // (all-traffic rules between security groups, e.g. EKS nodes and control plane, are fine).
            if (covers(p, port) && (fromPublic || !allPorts(p))) {
                out.push(`allows ${describePermission(p)}, which includes admin port ${port}.`);
                break;
            }
        }
    }
    return out;
}

export const sgNoAdminPorts = resourceRule(
    {
        name: "sg-no-admin-ports",
        passes: "no ingress permission has an explicit port range including 22 or 3389, whatever its source (a security-group source too: a house rule stricter than EC2.53/54, which look at 0.0.0.0/0 and ::/0 only), and all-traffic permissions (protocol -1 or every port) come only from sources other than 0.0.0.0/0 and ::/0",
        control: "EC2.53",
        description:
            "No security group rule opens SSH (22) or RDP (3389): an explicit port range including them is refused from any source, and all-traffic rules are refused from 0.0.0.0/0 or ::/0 (EC2.53/EC2.54). Use SSM Session Manager / ECS Exec instead.",
        remediation: "Remove the rule; reach hosts and tasks through SSM Session Manager or ECS Exec.",
    },
    [
        validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) => {
            for (const m of adminPortViolations(SECURITY_GROUP, { ingress: sg.ingress })) report(m);
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
            const props = {
                ipProtocol: rule.ipProtocol,
                fromPort: rule.fromPort,
                toPort: rule.toPort,
                cidrIpv4: rule.cidrIpv4,
                cidrIpv6: rule.cidrIpv6,
            };
            for (const m of adminPortViolations(INGRESS_RULE, props)) report(m);
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
            const props = {
                type: rule.type,
                protocol: rule.protocol,
                fromPort: rule.fromPort,
                toPort: rule.toPort,
                cidrBlocks: rule.cidrBlocks,
                ipv6CidrBlocks: rule.ipv6CidrBlocks,
            };
            for (const m of adminPortViolations(LEGACY_RULE, props)) report(m);
        }),
    ],
);

const VPC = "aws:ec2/vpc:Vpc";
const AWSX_VPC = "awsx:ec2:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";

export const vpcFlowLogs = stackRule(
    {
        name: "vpc-flow-logs",
        passes: "every VPC has a FlowLog depending on it (or on its awsx component), or enough flow logs naming a `vpcId` no dependency matched to cover the unmatched VPCs",
        control: "EC2.6",
        description:
            "Every VPC (aws.ec2.Vpc, or an awsx:ec2:Vpc component whose children mocks cannot see) has a VPC flow log, matched by the flow log's dependency on the VPC (or on the awsx component holding it); flow logs that name a VPC no dependency identifies count for any one unmatched VPC.",
        remediation: "Add an aws.ec2.FlowLog with vpcId = the VPC's id, trafficType ALL.",
    },
    (args, report) => {
        const flowLogs = ofType(args.resources, FLOW_LOG);
        const awsxVpcs = ofType(args.resources, AWSX_VPC);
        // A plain VPC that is the child of an awsx VPC is the same network: check the awsx one only.
        const vpcs = [
            ...awsxVpcs,
            ...ofType(args.resources, VPC).filter((v) => !(v.parent && v.parent.type === AWSX_VPC)),
        ];
        if (vpcs.length === 0) args.notApplicable("No VPC in the stack.");
        const childOf = (v: PolicyResource) => args.resources.filter((r) => r.type === VPC && r.parent?.urn === v.urn);
        const used = new Set<string>();
        const unmatched: PolicyResource[] = [];
        for (const vpc of vpcs) {
            const targets = [vpc, ...childOf(vpc)];
            const match = flowLogs.find((f) => targets.some((t) => relatesTo(f, t)));
            if (match) used.add(match.urn);
            else unmatched.push(vpc);
        }
        const spare = flowLogs.filter((f) => !used.has(f.urn) && prop(f, "vpcId") !== undefined);
        unmatched.forEach((vpc, i) => {
            if (i < spare.length) return;
            reportOn(report, vpc, "has no VPC flow log.");
        });
    },
);

const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

export const vpcDefaultSgClosed = stackRule(
    {
        name: "vpc-default-sg-closed",
        passes: "every VPC has a DefaultSecurityGroup depending on it and every DefaultSecurityGroup has empty (or unset) `ingress` and `egress`",
        control: "EC2.2",
        description:
            "Every VPC of the stack (aws.ec2.Vpc, or an awsx:ec2:Vpc component, whose own default group mocks cannot see) has its default security group managed by an aws.ec2.DefaultSecurityGroup depending on it, and every DefaultSecurityGroup has no ingress and no egress rule, so nothing placed in it by accident can talk to anything. A VPC without a managed default group fails (AWS's default group allows all traffic between its members and all egress).",
        remediation: "Declare aws.ec2.DefaultSecurityGroup({ vpcId, ingress: [], egress: [] }) for each VPC.",
    },
    (args, report) => {
        const groups = ofType(args.resources, DEFAULT_SECURITY_GROUP);
        for (const group of groups) {
            const props = plainProps(group);
            const ingress = asArray(props.ingress).length;
            const egress = asArray(props.egress).length;
            if (ingress + egress > 0)
                reportOn(
                    report,
                    group,
                    `has ${ingress} ingress and ${egress} egress rule(s); the default group must have none.`,
                );
        }
        const vpcs = [
            ...ofType(args.resources, AWSX_VPC),
            ...ofType(args.resources, VPC).filter((v) => !(v.parent && v.parent.type === AWSX_VPC)),
        ];
        if (vpcs.length === 0 && groups.length === 0) args.notApplicable("No VPC in the stack.");
        for (const vpc of vpcs) {
            const targets = [vpc, ...args.resources.filter((r) => r.type === VPC && r.parent?.urn === vpc.urn)];
            if (!groups.some((g) => targets.some((t) => relatesTo(g, t))))
                reportOn(
                    report,
                    vpc,
                    "leaves its default security group unmanaged (open: all traffic between members, all egress).",
                );
        }
    },
);

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";
const NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface";
const ROUTE = "aws:ec2/route:Route";

/** The tag on the NAT instance's launch template (components/network/natInstance.ts, NAT_INSTANCE_TAG_KEY). */
export const NAT_INSTANCE_TAG = "voteapp:nat-instance";

/**
 * Why a tagged launch template is (not) the NAT instance the exemption is for: it must be the shape a NAT has,
 * not only carry the tag. Undefined when it is.
 */
function notANatInstance(template: PolicyResource, resources: readonly PolicyResource[]): string | undefined {
    const props = plainProps(template);
    if (!tagsOf(props.tags)[NAT_INSTANCE_TAG]) return `is not tagged ${NAT_INSTANCE_TAG}`;
    const metadata = isRecord(props.metadataOptions) ? props.metadataOptions : {};
    if (metadata.httpTokens !== "required") return "does not require IMDSv2";
    if (props.keyName !== undefined) return "has a key pair (SSH)";
    // The NAT's static interface: source/destination check off, the target of a default route of the stack,
    // and what the template's boot script attaches (the template depends on it).
    const natInterface = ofType(resources, NETWORK_INTERFACE).find(
        (eni) =>
            plainProps(eni).sourceDestCheck === false &&
            relatesTo(template, eni) &&
            ofType(resources, ROUTE).some(
                (route) => plainProps(route).destinationCidrBlock === "0.0.0.0/0" && relatesTo(route, eni),
            ),
    );
    if (!natInterface)
        return "attaches no network interface with the source/destination check off that a 0.0.0.0/0 route targets";
    return undefined;
}

export const ec2NoPublicIp = stackRule(
    {
        name: "ec2-no-public-ip",
        passes: `no launch template network interface and no aws.ec2.Instance has \`associatePublicIpAddress\` true, except the NAT instance's launch template (tagged ${NAT_INSTANCE_TAG}, IMDSv2 required, no key pair, attaching a source/destination-check-off interface that a 0.0.0.0/0 route targets)`,
        control: "EC2.25",
        description: `EC2 launch templates do not give network interfaces public IPv4 addresses, nor do instances (EC2.25, EC2.9): workloads run in private subnets behind the load balancer. The one exemption is the NAT instance (natGateways instance): forwarding the private subnets' traffic to the internet through its own public address is what a NAT is for. It is recognised by its shape, not by its tag alone: tagged \`${NAT_INSTANCE_TAG}\`, IMDSv2 required, no key pair, and attaching a network interface with the source/destination check off that a 0.0.0.0/0 route of the stack targets.`,
        remediation:
            "Set associatePublicIpAddress false and run the instances in private subnets (or use a managed NAT gateway).",
    },
    (args, report) => {
        const templates = ofType(args.resources, LAUNCH_TEMPLATE);
        const instances = ofType(args.resources, INSTANCE);
        if (templates.length + instances.length === 0) args.notApplicable("No launch template or EC2 instance.");
        for (const template of templates) {
            const interfaces = asArray(plainProps(template).networkInterfaces).filter(isRecord);
            if (!interfaces.some((i) => isTrue(i.associatePublicIpAddress))) continue;
            const why = notANatInstance(template, args.resources);
            if (why)
                reportOn(
                    report,
                    template,
                    `assigns a public IPv4 address to its network interface and ${why}, so it is not the NAT instance the rule exempts.`,
                );
        }
        for (const instance of instances)
            if (isTrue(plainProps(instance).associatePublicIpAddress))
                reportOn(report, instance, "has a public IPv4 address (associatePublicIpAddress true).");
    },
);

export const ec2Policies = [sgNoPublicIngress, sgNoAdminPorts, vpcFlowLogs, vpcDefaultSgClosed, ec2NoPublicIp];
