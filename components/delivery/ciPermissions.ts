import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatementInput } from "../iamPolicy";
import { GLOBAL_SERVICES, qualifiedActions, REGIONAL_SERVICES } from "./managedServices";

/**
 * The permissions of the two CI roles in one account, as IAM statements (serialised and validated by
 * `policyDocument`). What the deploy role may change is bounded three ways: the services the program
 * manages (managedServices.ts) in the stack's region, IAM only on roles and policies tagged with the
 * program's project (the provider's default tags put it on every resource), and explicit denies on
 * creating long-lived identities and on touching the CI roles and OIDC provider themselves.
 */
export interface CiPermissionsScope {
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
    /** The main program's project name: the `project` tag on everything it creates. */
    readonly project: string;
    /** Environment name: ECR repositories are `<project>-<environment>/<service>`. */
    readonly environment: string;
    /** ARNs of the CI roles themselves (preview and deploy): no CI role may change them. */
    readonly ciRoleArns: readonly string[];
    /** ARN of the GitHub OIDC provider: no CI role may change it. */
    readonly oidcProviderArn: pulumi.Input<string>;
    /** Pulumi state bucket and its KMS key, when the account hosts the stack's state. */
    readonly state?: { readonly bucketArn: pulumi.Input<string>; readonly keyArn: pulumi.Input<string> };
}

/** Services whose resources the deploy role may pass roles to (ECS tasks, Lambda, EKS, flow logs...). */
export const PASS_ROLE_SERVICES = [
    "ecs-tasks.amazonaws.com",
    "lambda.amazonaws.com",
    "eks.amazonaws.com",
    "pods.eks.amazonaws.com",
    "ec2.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "application-autoscaling.amazonaws.com",
    "apigateway.amazonaws.com",
    "codedeploy.amazonaws.com",
];

/** Service-linked roles AWS creates on first use of these services in an account. */
export const SERVICE_LINKED_ROLE_SERVICES = [
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    "autoscaling.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "guardduty.amazonaws.com",
    "inspector2.amazonaws.com",
    "servicediscovery.amazonaws.com",
];

/** AWS managed policies too broad to attach to any role the program creates. */
export const FORBIDDEN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/** IAM actions creating long-lived credentials or identities outside roles: CI never needs them. */
export const LONG_LIVED_IDENTITY_ACTIONS = [
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AddUserToGroup",
    "iam:CreateGroup",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:CreateServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "iam:CreateSAMLProvider",
    "iam:CreateOpenIDConnectProvider",
];

/** IAM actions that would let a CI role rewrite its own (or the other CI role's) trust or permissions. */
const ROLE_MUTATIONS = [
    "iam:Update*",
    "iam:Put*",
    "iam:Delete*",
    "iam:Attach*",
    "iam:Detach*",
    "iam:Tag*",
    "iam:Untag*",
];
const OIDC_PROVIDER_MUTATIONS = [
    "iam:DeleteOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
];

const iamArn = (scope: CiPermissionsScope, resource: string) =>
    `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;

/**
 * Statements both roles carry, as one managed policy attached to both: never a long-lived identity, never
 * a change to the CI plumbing. (Kept out of the inline policies, which share a 10240-character budget per role.)
 */
export function guardrailStatements(scope: CiPermissionsScope): PolicyStatementInput[] {
    return [
        { Sid: "DenyLongLivedIdentities", Effect: "Deny", Action: LONG_LIVED_IDENTITY_ACTIONS, Resource: "*" },
        { Sid: "DenyChangingCiRoles", Effect: "Deny", Action: ROLE_MUTATIONS, Resource: [...scope.ciRoleArns] },
        {
            Sid: "DenyChangingGitHubTrust",
            Effect: "Deny",
            Action: OIDC_PROVIDER_MUTATIONS,
            Resource: scope.oidcProviderArn,
        },
    ];
}

function stateAccess(scope: CiPermissionsScope, write: boolean): PolicyStatementInput[] {
    if (!scope.state) return [];
    const objects = pulumi.interpolate`${scope.state.bucketArn}/*`;
    return [
        {
            Sid: "ListStateBucket",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
            Resource: scope.state.bucketArn,
        },
        // Preview reads checkpoints and takes the backend's lock; only deploys write checkpoints and history.
        write
            ? {
                  Sid: "ReadWriteState",
                  Effect: "Allow",
                  Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  Resource: objects,
              }
            : { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects },
        ...(write
            ? []
            : [
                  {
                      Sid: "PreviewLocks",
                      Effect: "Allow" as const,
                      Action: ["s3:PutObject", "s3:DeleteObject"],
                      Resource: pulumi.interpolate`${scope.state.bucketArn}/.pulumi/locks/*`,
                  },
              ]),
        {
            Sid: "StateKey",
            Effect: "Allow",
            Action: write
                ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
                : ["kms:Decrypt", "kms:DescribeKey"],
            Resource: scope.state.keyArn,
        },
    ];
}

/**
 * The deploy role: create, change and delete what the program manages, nothing else. The provider
 * re-assumes the deploy role from the CI session (stacks/accountProvider.ts), hence `sts:AssumeRole` on itself.
 */
export function deployStatements(scope: CiPermissionsScope, deployRoleArn: string): PolicyStatementInput[] {
    const role = iamArn(scope, "role/*");
    const policy = iamArn(scope, "policy/*");
    const tagged = { StringEquals: { "aws:ResourceTag/project": scope.project } };
    return [
        {
            Sid: "ManageAppServicesInRegion",
            Effect: "Allow",
            Action: REGIONAL_SERVICES.flatMap((s) => qualifiedActions(s, "deploy")),
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": scope.region } },
        },
        {
            Sid: "ManageDns",
            Effect: "Allow",
            Action: GLOBAL_SERVICES.flatMap((s) => qualifiedActions(s, "deploy")),
            Resource: "*",
        },
        { Sid: "PushImages", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
            Sid: "ReadIam",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListPolicyVersions",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRoleTags",
                "iam:ListPolicyTags",
                "iam:GetOpenIDConnectProvider",
                "iam:ListOpenIDConnectProviders",
            ],
            Resource: "*",
        },
        {
            Sid: "CreateProjectRoles",
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:CreatePolicy", "iam:TagRole", "iam:TagPolicy"],
            Resource: [role, policy],
            Condition: { StringEquals: { "aws:RequestTag/project": scope.project } },
        },
        {
            Sid: "ChangeProjectRoles",
            Effect: "Allow",
            Action: [
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:DeletePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:TagPolicy",
                "iam:UntagPolicy",
            ],
            Resource: [role, policy],
            Condition: tagged,
        },
        {
            Sid: "PassProjectRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: role,
            Condition: {
                StringEquals: { "iam:ResourceTag/project": scope.project, "iam:PassedToService": PASS_ROLE_SERVICES },
            },
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: iamArn(scope, "role/aws-service-role/*"),
            Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
        },
        {
            Sid: "ManageBucketsNotObjects",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:ListAllMyBuckets",
                "s3:GetBucket*",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:Get*Configuration",
                "s3:Put*Configuration",
                "s3:GetAccelerateConfiguration",
            ],
            Resource: "*",
        },
        { Sid: "ReassumeForProvider", Effect: "Allow", Action: "sts:AssumeRole", Resource: deployRoleArn },
        {
            Sid: "DenyAdminPolicies",
            Effect: "Deny",
            Action: ["iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: {
                ArnLike: {
                    "iam:PolicyARN": FORBIDDEN_MANAGED_POLICIES.map(
                        (p) => `arn:${scope.partition}:iam::aws:policy/${p}`,
                    ),
                },
            },
        },
        ...stateAccess(scope, true),
    ];
}

/**
 * The preview role: read configuration of what the program manages (never secret values, items or
 * log events), read the state, and pull images of this environment's registry, which is where the next
 * environment's promotion copies them from.
 */
export function previewStatements(scope: CiPermissionsScope, previewRoleArn: string): PolicyStatementInput[] {
    return [
        {
            Sid: "ReadAppServices",
            Effect: "Allow",
            Action: [...REGIONAL_SERVICES, ...GLOBAL_SERVICES].flatMap((s) => qualifiedActions(s, "preview")),
            Resource: "*",
        },
        {
            Sid: "ReadIam",
            Effect: "Allow",
            Action: [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListRoleTags",
            ],
            Resource: "*",
        },
        {
            Sid: "ReadBuckets",
            Effect: "Allow",
            Action: ["s3:ListAllMyBuckets", "s3:GetBucket*", "s3:Get*Configuration"],
            Resource: "*",
        },
        {
            Sid: "PullForPromotion",
            Effect: "Allow",
            Action: [
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability",
                "ecr:DescribeImages",
            ],
            Resource: `arn:${scope.partition}:ecr:${scope.region}:${scope.accountId}:repository/${scope.project}-${scope.environment}/*`,
        },
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "ReassumeForProvider", Effect: "Allow", Action: "sts:AssumeRole", Resource: previewRoleArn },
        {
            Sid: "DenyDataReads",
            Effect: "Deny",
            Action: [
                "secretsmanager:GetSecretValue",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "logs:GetLogEvents",
                "logs:FilterLogEvents",
                "logs:StartQuery",
                "sqs:ReceiveMessage",
            ],
            Resource: "*",
        },
        ...stateAccess(scope, false),
    ];
}
