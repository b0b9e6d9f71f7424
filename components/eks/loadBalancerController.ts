import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type PolicyStatementInput } from "../iamPolicy";
import { podIdentityTrustPolicy } from "./podIdentity";
import { partitionOf } from "../partition";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";

/** Chart of the AWS Load Balancer Controller (eks-charts), pinned: 1.14.0 ships controller v2.14.0. */
export const LOAD_BALANCER_CONTROLLER_CHART = {
    chart: "aws-load-balancer-controller",
    version: "1.14.0",
    repo: "https://aws.github.io/eks-charts",
} as const;
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
const NAMESPACE = "kube-system";
/** The tag the controller puts on everything it creates; its write permissions are scoped to it. */
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export interface LoadBalancerControllerArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    /** Replicas of the controller (2 keeps Ingress reconciliation through a node loss). @default 2 */
    readonly replicas?: number;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * The permissions the controller needs (its published iam_policy.json), narrowed: reads on `*` (describe
 * calls take no resource), writes only on load balancers, target groups and security groups carrying
 * the controller's cluster tag, in this account and region, security group changes only in this VPC.
 */
export function loadBalancerControllerStatements(args: {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
}): PolicyStatementInput[] {
    const elb = (resource: string) =>
        `arn:${args.partition}:elasticloadbalancing:${args.region}:${args.accountId}:${resource}`;
    const securityGroups = `arn:${args.partition}:ec2:${args.region}:${args.accountId}:security-group/*`;
    const vpcArn = pulumi.interpolate`arn:${args.partition}:ec2:${args.region}:${args.accountId}:vpc/${args.vpcId}`;
    const taggedByController = { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } };
    const balancersAndGroups = [elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
    return [
        {
            Sid: "CreateElbServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: "*",
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeRouteTables",
                "ec2:DescribeIpamPools",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeCapacityReservation",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
            ],
            Resource: "*",
        },
        {
            Sid: "CreateSecurityGroupsInThisVpc",
            Effect: "Allow",
            Action: "ec2:CreateSecurityGroup",
            Resource: [securityGroups, vpcArn],
        },
        {
            Sid: "SecurityGroupRulesInThisVpc",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: securityGroups,
            Condition: { ArnEquals: { "ec2:Vpc": vpcArn } },
        },
        {
            Sid: "TagSecurityGroupsOnCreate",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: securityGroups,
            Condition: {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
            },
        },
        {
            Sid: "ManageOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags", "ec2:DeleteSecurityGroup"],
            Resource: securityGroups,
            Condition: taggedByController,
        },
        {
            Sid: "CreateTaggedBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: balancersAndGroups,
            Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" } },
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: "elasticloadbalancing:AddTags",
            Resource: balancersAndGroups,
            Condition: {
                StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
            },
        },
        {
            Sid: "ManageOwnBalancers",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyCapacityReservation",
            ],
            Resource: balancersAndGroups,
            Condition: taggedByController,
        },
        {
            Sid: "ListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            Resource: [
                elb("loadbalancer/app/*/*"),
                elb("listener/app/*/*/*"),
                elb("listener-rule/app/*/*/*"),
                elb("loadbalancer/net/*/*"),
                elb("listener/net/*/*/*"),
                elb("listener-rule/net/*/*/*"),
            ],
        },
        {
            Sid: "Targets",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: elb("targetgroup/*/*"),
        },
        {
            Sid: "WebAcl",
            Effect: "Allow",
            Action: ["elasticloadbalancing:SetWebAcl", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
            Resource: [
                elb("loadbalancer/app/*/*"),
                `arn:${args.partition}:wafv2:${args.region}:${args.accountId}:regional/webacl/*/*`,
            ],
        },
    ];
}

/**
 * The AWS Load Balancer Controller, installed by Helm into kube-system with its own IAM role reached through
 * EKS Pod Identity (no node credentials, no IRSA OIDC provider). It turns the app's Ingress into an ALB.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:eks:LoadBalancerController", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);

        this.role = new aws.iam.Role(
            name,
            {
                ...roleScopeArgs(args.roleScope),
                description: "AWS Load Balancer Controller (EKS Pod Identity)",
                assumeRolePolicy: podIdentityTrustPolicy(args.accountId, args.clusterArn),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            name,
            {
                role: this.role.id,
                policy: policyDocument(
                    "AWS Load Balancer Controller",
                    loadBalancerControllerStatements({
                        partition,
                        region: args.region,
                        accountId: args.accountId,
                        vpcId: args.vpcId,
                    }),
                ),
            },
            { parent },
        );
        const association = new aws.eks.PodIdentityAssociation(
            name,
            {
                clusterName: args.clusterName,
                namespace: NAMESPACE,
                serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
                roleArn: this.role.arn,
            },
            { parent },
        );
        const replicas = args.replicas ?? 2;
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: "aws-load-balancer-controller",
                chart: LOAD_BALANCER_CONTROLLER_CHART.chart,
                version: LOAD_BALANCER_CONTROLLER_CHART.version,
                repositoryOpts: { repo: LOAD_BALANCER_CONTROLLER_CHART.repo },
                namespace: NAMESPACE,
                atomic: true,
                cleanupOnFail: true,
                values: {
                    clusterName: args.clusterName,
                    region: args.region,
                    vpcId: args.vpcId,
                    replicaCount: replicas,
                    serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
                    podDisruptionBudget: replicas > 1 ? { maxUnavailable: 1 } : {},
                    // Only Ingresses are its job: it must not take over every `type: LoadBalancer` Service in the cluster.
                    enableServiceMutatorWebhook: false,
                    nodeSelector: { "kubernetes.io/os": "linux" },
                },
            },
            { parent, dependsOn: [association] },
        );
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
