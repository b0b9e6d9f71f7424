import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "./iamPolicy";
import { inheritedAwsProvider } from "./providers";
import { roleScopeArgs, type WorkloadRoleScope } from "./delivery/workloadRoles";
import { networkSubnetRequests } from "../shared/subnetLayout";
import { NatInstance } from "./network/natInstance";

export type NatGatewayChoice = "none" | "instance" | "single" | "onePerAz";

export interface NetworkArgs {
    /**
     * IPv4 CIDR of the VPC (validated by the stack: private range, room for the subnets).
     * @example "10.20.0.0/16"
     */
    readonly cidr: string;
    /** Number of availability zones to spread public and private subnets over. */
    readonly azCount: number;
    /**
     * How the private subnets reach the internet: one NAT instance (cheapest, dev and staging), one shared NAT
     * gateway, one NAT gateway per AZ (HA, prod) or none.
     */
    readonly natGateways: NatGatewayChoice;
    /** Instance type of the NAT instance (natGateways instance): a Graviton type. @default "t4g.nano" */
    readonly natInstanceType?: string;
    /** Prefix length of each private subnet. @default 22 */
    readonly privateSubnetPrefix?: number;
    /** Prefix length of each public subnet. @default 24 */
    readonly publicSubnetPrefix?: number;
    /** Region, for endpoint service names. */
    readonly region: string;
    /** Retention of the VPC flow log group, in days. */
    readonly flowLogRetentionDays: number;
    /** KMS key encrypting the flow log group. */
    readonly logsKmsKeyArn: pulumi.Input<string>;
    /**
     * Create interface endpoints (ECR API and Docker, CloudWatch Logs, Secrets Manager, STS) in the private
     * subnets, so tasks reach AWS without NAT.
     * @default false
     */
    readonly interfaceEndpoints?: boolean;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    /**
     * The stack's cost allocation tags, for what the NAT instance's auto-scaling group launches (the provider's
     * default tags do not reach it; see NatInstanceArgs). @default none
     */
    readonly launchedResourceTags?: Readonly<Record<string, string>>;
    readonly roleScope?: WorkloadRoleScope;
}

/** Interface endpoint services private workloads need when they cannot use NAT. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"] as const;

const NAT_STRATEGY: Record<NatGatewayChoice, awsx.types.enums.ec2.NatGatewayStrategy> = {
    none: awsx.ec2.NatGatewayStrategy.None,
    // Our own NAT instance routes the private subnets: awsx adds no gateway and no default route of its own
    // (pulumi/pulumi-awsx awsx/ec2/vpc.ts: private subnets get a route only when the strategy is not None).
    instance: awsx.ec2.NatGatewayStrategy.None,
    single: awsx.ec2.NatGatewayStrategy.Single,
    onePerAz: awsx.ec2.NatGatewayStrategy.OnePerAz,
};

/**
 * The VPC: public subnets for the load balancer and NAT, private subnets for everything else, over the
 * configured AZs; flow logs of all traffic to an encrypted CloudWatch log group (EC2.6); an S3 gateway
 * endpoint on the private route tables (free, keeps ECR layer downloads off NAT); and optional interface
 * endpoints.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpc: awsx.ec2.Vpc;
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly cidr: string;
    readonly flowLog: aws.ec2.FlowLog;
    readonly flowLogGroup: aws.cloudwatch.LogGroup;
    /** Route tables of the private subnets, one per subnet, in the order of privateSubnetIds. */
    readonly privateRouteTableIds: pulumi.Output<string[]>;
    /** The S3 gateway endpoint, routed from every private subnet. */
    readonly s3Endpoint: aws.ec2.VpcEndpoint;
    /** The VPC's default security group, adopted with no rules (FSBP EC2.2). */
    readonly defaultSecurityGroup: aws.ec2.DefaultSecurityGroup;
    readonly endpointSecurityGroup?: aws.ec2.SecurityGroup;
    readonly interfaceEndpoints: aws.ec2.VpcEndpoint[] = [];
    /** The NAT instance, when natGateways is instance. */
    readonly natInstance?: NatInstance;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:network:Network", name, {}, opts);
        const parent = this;
        this.cidr = args.cidr;

        this.vpc = new awsx.ec2.Vpc(
            name,
            {
                cidrBlock: args.cidr,
                numberOfAvailabilityZones: args.azCount,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                // The layout config validation checks with awsx's own arithmetic (shared/subnetLayout.ts).
                subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
                subnetSpecs: networkSubnetRequests(args.privateSubnetPrefix ?? 22, args.publicSubnetPrefix ?? 24).map(
                    (spec) => ({ type: awsx.ec2.SubnetType[spec.type], cidrMask: spec.cidrMask, name: spec.name }),
                ),
                natGateways: { strategy: NAT_STRATEGY[args.natGateways] },
            },
            { parent, providers: [inheritedAwsProvider(this, `Network ${name}`)] },
        );
        this.vpcId = this.vpc.vpcId;
        this.privateSubnetIds = this.vpc.privateSubnetIds;
        this.publicSubnetIds = this.vpc.publicSubnetIds;

        // S3 gateway endpoint: free, and keeps S3 traffic (ECR image layers, which ECR serves from S3) off NAT,
        // or working at all with natGateways none. A gateway endpoint only takes effect in the route tables it
        // is attached to, and awsx's default (Legacy) endpoint strategy attaches none: attach each private
        // subnet's route table (awsx creates one per subnet; its association says which), visible to the plan.
        this.privateRouteTableIds = pulumi
            .all([this.vpc.privateSubnetIds, this.vpc.routeTableAssociations])
            .apply(([subnetIds, associations]) =>
                pulumi
                    .all(associations.map((a) => ({ subnetId: a.subnetId, routeTableId: a.routeTableId })))
                    .apply((pairs) =>
                        subnetIds.map((subnetId) => {
                            const association = pairs.find((p) => p.subnetId === subnetId);
                            if (!association)
                                throw new Error(`awsx reported no route table for private subnet ${subnetId}`);
                            return association.routeTableId;
                        }),
                    ),
            );
        this.s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: this.vpcId,
                serviceName: `com.amazonaws.${args.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: this.privateRouteTableIds,
            },
            { parent },
        );

        if (args.natGateways === "instance") {
            // In the first AZ's public subnet (awsx's Single strategy puts its gateway there too).
            this.natInstance = new NatInstance(
                `${name}-nat`,
                {
                    vpcId: this.vpcId,
                    vpcCidr: args.cidr,
                    publicSubnetId: this.publicSubnetIds.apply((ids) => {
                        if (ids.length === 0) throw new Error("awsx reported no public subnet for the NAT instance");
                        return ids[0];
                    }),
                    privateRouteTableIds: this.privateRouteTableIds,
                    privateRouteTableCount: args.azCount,
                    instanceType: args.natInstanceType,
                    region: args.region,
                    roleScope: args.roleScope,
                    launchedResourceTags: args.launchedResourceTags,
                },
                { parent },
            );
        }

        this.flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { retentionInDays: args.flowLogRetentionDays, kmsKeyId: args.logsKmsKeyArn },
            { parent },
        );
        // Confused deputy: the flow-logs service may assume the role only for this account's flow logs.
        const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
        const partition = aws.getPartitionOutput({}, { parent }).partition;
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                ...roleScopeArgs(args.roleScope),
                assumeRolePolicy: policyDocument("flow logs trust", [
                    {
                        Effect: "Allow",
                        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": account },
                            ArnLike: {
                                "aws:SourceArn": pulumi.interpolate`arn:${partition}:ec2:${args.region}:${account}:vpc-flow-log/*`,
                            },
                        },
                    },
                ]),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: flowLogRole.id,
                policy: policyDocument("flow log delivery", [
                    {
                        Sid: "DeliverFlowLogsToOneGroup",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [this.flowLogGroup.arn, pulumi.interpolate`${this.flowLogGroup.arn}:*`],
                    },
                ]),
            },
            { parent },
        );
        this.flowLog = new aws.ec2.FlowLog(
            name,
            {
                vpcId: this.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: this.flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                maxAggregationInterval: 60,
            },
            { parent },
        );

        // FSBP EC2.2: awsx leaves the VPC's default group open (all traffic from its members, all egress).
        // Adopting it with no rules removes them, so anything launched without a group gets no network.
        this.defaultSecurityGroup = new aws.ec2.DefaultSecurityGroup(
            `${name}-default`,
            { vpcId: this.vpcId, ingress: [], egress: [] },
            { parent },
        );

        if (args.interfaceEndpoints) {
            this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
                `${name}-endpoints`,
                { vpcId: this.vpcId, description: "HTTPS from inside the VPC to AWS interface endpoints" },
                { parent },
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-endpoints-https`,
                {
                    securityGroupId: this.endpointSecurityGroup.id,
                    cidrIpv4: args.cidr,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: "HTTPS from the VPC",
                },
                { parent },
            );
            for (const service of INTERFACE_ENDPOINT_SERVICES) {
                this.interfaceEndpoints.push(
                    new aws.ec2.VpcEndpoint(
                        `${name}-${service.replace(".", "-")}`,
                        {
                            vpcId: this.vpcId,
                            serviceName: `com.amazonaws.${args.region}.${service}`,
                            vpcEndpointType: "Interface",
                            privateDnsEnabled: true,
                            subnetIds: this.privateSubnetIds,
                            securityGroupIds: [this.endpointSecurityGroup.id],
                        },
                        { parent },
                    ),
                );
            }
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
        });
    }
}
