import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_HTTP_PORT, APP_SERVICE_TABLE, checkedServiceTable, type ServiceTable } from "../../shared/appContract";
import { POSTGRES_PORT, REDIS_PORT } from "../data";
import { LOAD_BALANCER_ROLE_TAG } from "../loadBalancerRole";
import { POD_IDENTITY_AGENT } from "./appPodIdentity";

export interface EksPodSecurityGroupsArgs {
    readonly vpcId: pulumi.Input<string>;
    /** The VPC CIDR: Redis and PostgreSQL live in it (their own groups admit exactly the app's pod groups). */
    readonly vpcCidr: string;
    /** The cluster security group EKS puts on the nodes, CoreDNS and every pod without a SecurityGroupPolicy. */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    /** The load balancer serves HTTPS (443) besides HTTP (80, then only a redirect). */
    readonly https: boolean;
    /** The app's services: a pod group per row. @default APP_SERVICE_TABLE */
    readonly services?: ServiceTable;
}

/**
 * Security groups for the app's pods on EKS (security groups for pods: each pod of a service gets its own branch
 * network interface carrying only its service's group, through a SecurityGroupPolicy), created before the data
 * layer so Redis and PostgreSQL admit exactly these groups instead of the cluster security group that every pod
 * of every namespace shares. Also the load balancer's group, which the AWS Load Balancer Controller is told to use
 * (so the rules from the internet and to the pods are ours, visible to the plan and the policy pack).
 *
 * Each pod group: in, the app port from the load balancer (vote, result) and from the nodes (kubelet probes);
 * out, DNS to CoreDNS (cluster group), the Pod Identity agent on its node (Postgres clients sign IAM tokens with
 * its credentials) and the backing stores' ports inside the VPC. No other egress: the pods call no AWS API
 * (images are pulled by the node).
 */
export class EksPodSecurityGroups extends pulumi.ComponentResource {
    readonly loadBalancer: aws.ec2.SecurityGroup;
    /** Each service's pod group, by service name. */
    readonly services: Readonly<Record<string, aws.ec2.SecurityGroup>>;
    private readonly table: ServiceTable;

    constructor(name: string, args: EksPodSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:eks:PodSecurityGroups", name, {}, opts);
        const parent = this;
        this.table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const ingress = (ruleName: string, spec: aws.vpc.SecurityGroupIngressRuleArgs) =>
            new aws.vpc.SecurityGroupIngressRule(`${name}-${ruleName}`, spec, { parent });
        const egress = (ruleName: string, spec: aws.vpc.SecurityGroupEgressRuleArgs) =>
            new aws.vpc.SecurityGroupEgressRule(`${name}-${ruleName}`, spec, { parent });

        this.loadBalancer = new aws.ec2.SecurityGroup(
            `${name}-alb`,
            {
                vpcId: args.vpcId,
                description: "Internet-facing load balancer of the app (AWS Load Balancer Controller)",
                tags: { ...LOAD_BALANCER_ROLE_TAG },
            },
            { parent },
        );
        for (const port of args.https ? [80, 443] : [80]) {
            ingress(`alb-in-${port}-ipv4`, {
                securityGroupId: this.loadBalancer.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `HTTP${port === 443 ? "S" : ""} from the internet`,
            });
        }

        const services: Record<string, aws.ec2.SecurityGroup> = {};
        for (const needs of this.table) {
            const service = needs.name;
            const group = new aws.ec2.SecurityGroup(
                `${name}-${service}`,
                { vpcId: args.vpcId, description: `${service} pods (security groups for pods)` },
                { parent },
            );
            services[service] = group;
            const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
            if (needs.http) {
                ingress(`${service}-from-alb`, {
                    securityGroupId: group.id,
                    referencedSecurityGroupId: this.loadBalancer.id,
                    ...tcp(APP_HTTP_PORT),
                    description: "From the load balancer (target type ip)",
                });
                egress(`alb-to-${service}`, {
                    securityGroupId: this.loadBalancer.id,
                    referencedSecurityGroupId: group.id,
                    ...tcp(APP_HTTP_PORT),
                    description: `To ${service} pods`,
                });
                ingress(`${service}-from-nodes`, {
                    securityGroupId: group.id,
                    referencedSecurityGroupId: args.clusterSecurityGroupId,
                    ...tcp(APP_HTTP_PORT),
                    description: "Kubelet probes from the nodes",
                });
            }
            for (const protocol of ["udp", "tcp"] as const) {
                egress(`${service}-dns-${protocol}`, {
                    securityGroupId: group.id,
                    referencedSecurityGroupId: args.clusterSecurityGroupId,
                    ipProtocol: protocol,
                    fromPort: 53,
                    toPort: 53,
                    description: `DNS (${protocol.toUpperCase()}) to CoreDNS`,
                });
                // CoreDNS runs with the cluster group, which admits only itself: let this service's pods in.
                ingress(`dns-${protocol}-from-${service}`, {
                    securityGroupId: args.clusterSecurityGroupId,
                    referencedSecurityGroupId: group.id,
                    ipProtocol: protocol,
                    fromPort: 53,
                    toPort: 53,
                    description: `DNS (${protocol.toUpperCase()}) from ${service} pods`,
                });
            }
            if (needs.redis || needs.postgres)
                egress(`${service}-pod-identity`, {
                    securityGroupId: group.id,
                    cidrIpv4: POD_IDENTITY_AGENT.cidr,
                    ...tcp(POD_IDENTITY_AGENT.port),
                    description: "EKS Pod Identity agent on the node (credentials to sign Redis and RDS IAM tokens)",
                });
            if (needs.redis)
                egress(`${service}-redis`, {
                    securityGroupId: group.id,
                    cidrIpv4: args.vpcCidr,
                    ...tcp(REDIS_PORT),
                    description: "Redis in the VPC",
                });
            if (needs.postgres)
                egress(`${service}-postgres`, {
                    securityGroupId: group.id,
                    cidrIpv4: args.vpcCidr,
                    ...tcp(POSTGRES_PORT),
                    description: "PostgreSQL in the VPC",
                });
        }
        this.services = services;
        this.registerOutputs({ loadBalancerSecurityGroupId: this.loadBalancer.id });
    }

    /** Ids of the pod groups that need a backing store: the data layer admits exactly these. */
    clientsOf(store: "redis" | "postgres"): pulumi.Output<string>[] {
        return this.table.filter((s) => s[store]).map((s) => this.services[s.name].id);
    }
}
