import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_HTTP_PORT, APP_SERVICE_TABLE, checkedServiceTable, type ServiceTable } from "../../shared/appContract";
import { POSTGRES_PORT, REDIS_PORT } from "../data";
import { type ResourceTransform, transformed } from "../transform";
import { LOAD_BALANCER_ROLE_TAG } from "../loadBalancerRole";
import { testListenerPort } from "./loadBalancer";

export interface FargateSecurityGroupsArgs {
    readonly vpcId: pulumi.Input<string>;
    /** VPC CIDR: tasks reach Redis and PostgreSQL only inside it. */
    readonly vpcCidr: string;
    /** Serve HTTPS (443) on the load balancer; HTTP (80) is then only a redirect. */
    readonly https: boolean;
    /**
     * What reaches the HTTP services: `loadBalancer` (a group for the internet-facing ALB, open on 80/443) or
     * `httpApi` (a group for the API Gateway VPC link: no inbound rule at all, out only to the HTTP services'
     * port; nothing in the VPC is open to the internet).
     * @default "loadBalancer"
     */
    readonly ingress?: "loadBalancer" | "httpApi";
    /**
     * Who may reach the blue/green test listener (its port: `testListenerPort(https)`): public CIDRs, e.g. the
     * office or VPN egress. Never the internet; empty (the default) opens the port to nobody.
     * @default []
     * @example ["203.0.113.0/24"]
     */
    readonly testTrafficCidrs?: readonly string[];
    /** Last-word adjustments of the underlying resources (see {@link ResourceTransform}). */
    readonly transform?: { readonly serviceSecurityGroup?: ResourceTransform<aws.ec2.SecurityGroupArgs> };
    /**
     * The app's services: a group per row, admitted from the load balancer when it serves HTTP, out to the
     * stores it connects to.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
}

export { LOAD_BALANCER_ROLE_TAG } from "../loadBalancerRole";

/**
 * Security groups of the ECS platform, created before the data layer so it can admit exactly these:
 * the load balancer's (80/443 from the internet, out only to vote and result) or the HTTP API's VPC link's
 * (no inbound, out only to vote and result), and one per service.
 */
export class FargateSecurityGroups extends pulumi.ComponentResource {
    /** The ALB's group (ingress loadBalancer). */
    readonly loadBalancer?: aws.ec2.SecurityGroup;
    /** The API Gateway VPC link's group (ingress httpApi). */
    readonly vpcLink?: aws.ec2.SecurityGroup;
    /** Each service's group, by service name. */
    readonly services: Readonly<Record<string, aws.ec2.SecurityGroup>>;
    private readonly table: ServiceTable;

    constructor(name: string, args: FargateSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:fargate:SecurityGroups", name, {}, opts);
        const parent = this;
        this.table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const rule = (
            ruleName: string,
            direction: "in" | "out",
            groupId: pulumi.Input<string>,
            spec: Omit<aws.vpc.SecurityGroupIngressRuleArgs, "securityGroupId">,
        ) =>
            direction === "in"
                ? new aws.vpc.SecurityGroupIngressRule(
                      `${name}-${ruleName}`,
                      { securityGroupId: groupId, ...spec },
                      { parent },
                  )
                : new aws.vpc.SecurityGroupEgressRule(
                      `${name}-${ruleName}`,
                      { securityGroupId: groupId, ...spec },
                      { parent },
                  );

        const ingress = args.ingress ?? "loadBalancer";
        if (ingress === "httpApi" && (args.testTrafficCidrs ?? []).length > 0)
            throw new Error(
                "FargateSecurityGroups: testTrafficCidrs need the load balancer's test listener; an HTTP API has none",
            );
        // The group whose members reach the HTTP services' port.
        let front: aws.ec2.SecurityGroup;
        if (ingress === "httpApi") {
            // API Gateway opens the VPC link's connections from its interfaces: the group needs no inbound rule.
            front = this.vpcLink = new aws.ec2.SecurityGroup(
                `${name}-vpc-link`,
                { vpcId: args.vpcId, description: "API Gateway VPC link to the HTTP services" },
                { parent },
            );
        } else {
            const loadBalancer = new aws.ec2.SecurityGroup(
                `${name}-alb`,
                {
                    vpcId: args.vpcId,
                    description: "Internet-facing load balancer",
                    tags: { ...LOAD_BALANCER_ROLE_TAG },
                },
                { parent },
            );
            front = this.loadBalancer = loadBalancer;
            const publicPorts = args.https ? [80, 443] : [80];
            for (const port of publicPorts) {
                rule(`alb-in-${port}-ipv4`, "in", loadBalancer.id, {
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `HTTP${port === 443 ? "S" : ""} from the internet`,
                });
            }

            const testPort = testListenerPort(args.https);
            for (const [index, cidr] of (args.testTrafficCidrs ?? []).entries()) {
                rule(`alb-in-test-${index}`, "in", loadBalancer.id, {
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: testPort,
                    toPort: testPort,
                    description: `Blue/green test traffic from ${cidr}`,
                });
            }
        }

        const services: Record<string, aws.ec2.SecurityGroup> = {};
        for (const needs of this.table) {
            const service = needs.name;
            const groupName = `${name}-${service}`;
            const group = new aws.ec2.SecurityGroup(
                groupName,
                transformed(
                    args.transform?.serviceSecurityGroup,
                    { vpcId: args.vpcId, description: `${service} tasks` },
                    groupName,
                ),
                { parent },
            );
            services[service] = group;
            if (needs.http) {
                const via = ingress === "httpApi" ? "vpc-link" : "alb";
                rule(`${service}-from-${via}`, "in", group.id, {
                    referencedSecurityGroupId: front.id,
                    ipProtocol: "tcp",
                    fromPort: APP_HTTP_PORT,
                    toPort: APP_HTTP_PORT,
                    description: ingress === "httpApi" ? "From the HTTP API's VPC link" : "From the load balancer",
                });
                rule(`${via}-to-${service}`, "out", front.id, {
                    referencedSecurityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: APP_HTTP_PORT,
                    toPort: APP_HTTP_PORT,
                    description: `To ${service} tasks`,
                });
            }
            // AWS APIs (ECR, logs, Secrets Manager) over HTTPS, through NAT or interface endpoints.
            rule(`${service}-https-out`, "out", group.id, {
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "AWS APIs over HTTPS",
            });
            if (needs.redis)
                rule(`${service}-redis-out`, "out", group.id, {
                    cidrIpv4: args.vpcCidr,
                    ipProtocol: "tcp",
                    fromPort: REDIS_PORT,
                    toPort: REDIS_PORT,
                    description: "Redis in the VPC",
                });
            if (needs.postgres)
                rule(`${service}-postgres-out`, "out", group.id, {
                    cidrIpv4: args.vpcCidr,
                    ipProtocol: "tcp",
                    fromPort: POSTGRES_PORT,
                    toPort: POSTGRES_PORT,
                    description: "PostgreSQL in the VPC",
                });
        }
        this.services = services;
        this.registerOutputs(
            this.loadBalancer
                ? { loadBalancerSecurityGroupId: this.loadBalancer.id }
                : { vpcLinkSecurityGroupId: this.vpcLink?.id },
        );
    }

    /** Ids of the service groups that need a backing store: the data layer admits exactly these. */
    clientsOf(store: "redis" | "postgres"): pulumi.Output<string>[] {
        return this.table.filter((s) => s[store]).map((s) => this.services[s.name].id);
    }
}
