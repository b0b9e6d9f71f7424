import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatementInput } from "../iamPolicy";
import { GLOBAL_SERVICES, qualifiedActions, REGIONAL_SERVICES } from "./managedServices";
import {
    ciGuardrailsArn,
    deployIamPolicyArn,
    stackBucketPrefix,
    workloadBoundaryArn,
    workloadRolesArn,
} from "./workloadRoles";

/**
 * The permissions of the two CI roles in one account, as IAM statements (serialised and validated by
 * `policyDocument`). What the deploy role may change is bounded four ways: the services the program
 * manages (managedServices.ts) in the stack's region; IAM only on roles under the program's path
 * (`/<project>/`) that carry the workload boundary, which it can neither change nor remove; no grant
 * keyed on a tag the caller could set; and guardrails (denies by ARN) on the CI roles, the boundary, the
 * guardrails, the GitHub trust, the audit services and the state backend. Proven by simulation in
 * test/bootstrap/escalationAttempts.test.ts.
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
    /** Pulumi state bucket, its KMS key and the key's alias ARN, when the account hosts the stack's state. */
    readonly state?: {
        readonly bucketArn: pulumi.Input<string>;
        readonly keyArn: pulumi.Input<string>;
        readonly keyAliasArn?: string;
    };
    /**
     * The environment's image registry, when the bootstrap creates it (bootstrap/registry.ts): the KMS key
     * its repositories are encrypted with and that key's alias ARN. Its repositories are
     * `<project>-<environment>/*`; the deploy role pushes images into them and changes nothing else.
     */
    readonly registry?: {
        readonly keyArn: pulumi.Input<string>;
        readonly keyAliasArn: string;
    };
}

/** Services whose resources the deploy role may pass roles to (ECS tasks, Lambda, EKS, flow logs...). */
export const PASS_ROLE_SERVICES = [
    "ecs-tasks.amazonaws.com",
    "ecs.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "lambda.amazonaws.com",
    "eks.amazonaws.com",
    "pods.eks.amazonaws.com",
    "ec2.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "application-autoscaling.amazonaws.com",
    "apigateway.amazonaws.com",
    "codedeploy.amazonaws.com",
    "scheduler.amazonaws.com",
];

/** Service-linked roles AWS creates on first use of these services in an account. */
export const SERVICE_LINKED_ROLE_SERVICES = [
    "access-analyzer.amazonaws.com",
    "securityhub.amazonaws.com",
    "malware-protection.guardduty.amazonaws.com",
    "ops.apigateway.amazonaws.com",
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
    "iam:PassRole",
];
/** What would rewrite a managed policy: the boundary and the guardrails must stay as the bootstrap wrote them. */
const POLICY_MUTATIONS = [
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:DeletePolicy",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];
const OIDC_PROVIDER_MUTATIONS = [
    "iam:DeleteOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
];

/** Switching off the account's audit and detection, which no deploy needs (tearing them down is an administrator's job). */
export const AUDIT_SHUTDOWN_ACTIONS = [
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount",
    "securityhub:DisableSecurityHub",
    "access-analyzer:DeleteAnalyzer",
    "inspector2:Disable",
    "s3:PutAccountPublicAccessBlock",
    "organizations:LeaveOrganization",
];

/** What would lose or expose the state: bucket-level changes of the state bucket. */
const STATE_BUCKET_MUTATIONS = [
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutReplicationConfiguration",
];
/** What would lose the data a key encrypts (the state's secrets, the images) or hand the key to someone else. */
const KEY_MUTATIONS = [
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:DisableKeyRotation",
    "kms:DeleteAlias",
    "kms:UpdateAlias",
];

/**
 * What would lose or expose the release record: the bootstrap's repositories (deleted, opened to other
 * accounts, images expired or deleted, tags made mutable). Pushing images stays allowed.
 */
const REGISTRY_MUTATIONS = [
    "ecr:DeleteRepository",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:PutImageTagMutability",
    "ecr:PutImageScanningConfiguration",
    "ecr:BatchDeleteImage",
];

/** The environment's repositories (`<project>-<environment>/<service>`): the bootstrap's registry. */
export const registryRepositoriesArn = (scope: CiPermissionsScope): string =>
    `arn:${scope.partition}:ecr:${scope.region}:${scope.accountId}:repository/${scope.project}-${scope.environment}/*`;

const iamArn = (scope: CiPermissionsScope, resource: string) =>
    `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;
const boundaryArn = (scope: CiPermissionsScope) => workloadBoundaryArn(scope.partition, scope.accountId, scope.project);
const workloadRoles = (scope: CiPermissionsScope) => workloadRolesArn(scope.partition, scope.accountId, scope.project);

/**
 * Denies shared by the CI roles' guardrails and the workload boundary: audit stays on, the state and the
 * image registry (the bootstrap's, not the stacks') stay put.
 */
function auditAndStateDenies(scope: CiPermissionsScope): PolicyStatementInput[] {
    return [
        { Sid: "DenyAuditShutdown", Effect: "Deny", Action: AUDIT_SHUTDOWN_ACTIONS, Resource: "*" },
        ...(scope.registry
            ? [
                  {
                      Sid: "DenyRegistryChanges",
                      Effect: "Deny" as const,
                      Action: REGISTRY_MUTATIONS,
                      Resource: registryRepositoriesArn(scope),
                  },
                  {
                      Sid: "DenyRegistryKeyChanges",
                      Effect: "Deny" as const,
                      Action: KEY_MUTATIONS,
                      Resource: [scope.registry.keyArn, scope.registry.keyAliasArn],
                  },
              ]
            : []),
        ...(scope.state
            ? [
                  {
                      Sid: "DenyStateBucketChanges",
                      Effect: "Deny" as const,
                      Action: STATE_BUCKET_MUTATIONS,
                      Resource: scope.state.bucketArn,
                  },
                  {
                      Sid: "DenyStateKeyChanges",
                      Effect: "Deny" as const,
                      Action: KEY_MUTATIONS,
                      Resource: [scope.state.keyArn, ...(scope.state.keyAliasArn ? [scope.state.keyAliasArn] : [])],
                  },
              ]
            : []),
    ];
}

/**
 * Statements both CI roles carry, as one managed policy attached to both: never a long-lived identity, never
 * a change to the CI plumbing (roles, boundary, guardrails, GitHub trust: denied by ARN, so no tag can
 * reopen them), never a role without the boundary, never audit switched off or the state touched.
 * (Kept out of the inline policies, which share a 10240-character budget per role.)
 */
export function guardrailStatements(scope: CiPermissionsScope): PolicyStatementInput[] {
    const boundary = boundaryArn(scope);
    return [
        { Sid: "DenyLongLivedIdentities", Effect: "Deny", Action: LONG_LIVED_IDENTITY_ACTIONS, Resource: "*" },
        { Sid: "DenyChangingCiRoles", Effect: "Deny", Action: ROLE_MUTATIONS, Resource: [...scope.ciRoleArns] },
        // No CI session chains into a CI role (itself or the other), whatever a later trust edit admits.
        { Sid: "DenyAssumingCiRoles", Effect: "Deny", Action: "sts:AssumeRole", Resource: [...scope.ciRoleArns] },
        {
            Sid: "DenyChangingGuardrails",
            Effect: "Deny",
            Action: POLICY_MUTATIONS,
            Resource: [
                boundary,
                ciGuardrailsArn(scope.partition, scope.accountId, scope.project),
                deployIamPolicyArn(scope.partition, scope.accountId, scope.project),
            ],
        },
        // iam:PermissionsBoundary is the key these actions carry (iam:PolicyARN does not apply to them).
        {
            Sid: "DenyRolesWithoutTheBoundary",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
        },
        { Sid: "DenyRemovingBoundaries", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        {
            Sid: "DenyChangingGitHubTrust",
            Effect: "Deny",
            Action: OIDC_PROVIDER_MUTATIONS,
            Resource: scope.oidcProviderArn,
        },
        ...auditAndStateDenies(scope),
    ];
}

/**
 * The permissions boundary of every role the deploy role creates: the most any app role can ever do. It
 * grants nothing by itself; it caps. Any non-IAM action on this account's resources, the actions AWS
 * authorises only on `*` that the app's roles use, passing the program's own task roles to ECS (CodeDeploy
 * blue/green) and creating service-linked roles; never IAM or STS otherwise, never the guardrails' targets.
 */
export function workloadBoundaryStatements(scope: CiPermissionsScope): PolicyStatementInput[] {
    return [
        {
            Sid: "ThisAccountsResources",
            Effect: "Allow",
            NotAction: ["iam:*", "sts:*", "organizations:*", "account:*"],
            Resource: `arn:${scope.partition}:*:*:${scope.accountId}:*`,
        },
        { Sid: "AccountWideActions", Effect: "Allow", Action: WORKLOAD_WILDCARD_ONLY_ACTIONS, Resource: "*" },
        {
            Sid: "PullGuardDutyAgent",
            Effect: "Allow",
            Action: IMAGE_PULL_ACTIONS,
            Resource: `arn:${scope.partition}:ecr:${scope.region}:*:repository/${GUARDDUTY_AGENT_REPOSITORY_NAME}`,
        },
        {
            Sid: "PassTaskRolesToEcs",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: workloadRoles(scope),
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: iamArn(scope, "role/aws-service-role/*"),
            Condition: { StringEquals: { "iam:AWSServiceName": WORKLOAD_SERVICE_LINKED_ROLES } },
        },
        ...auditAndStateDenies(scope),
    ];
}

/**
 * Actions the app's roles (their inline policies and the AWS managed policies attached to them) use that
 * IAM authorises only on Resource "*": the boundary must allow them there. Checked against every app role
 * of every stack by test/stacks/workloadBoundary.test.ts.
 */
export const WORKLOAD_WILDCARD_ONLY_ACTIONS = [
    "ec2:Describe*",
    "ec2:Get*",
    "ec2:CreateTags",
    "elasticloadbalancing:Describe*",
    "elasticloadbalancing:SetWebAcl",
    "autoscaling:Describe*",
    "ecr:GetAuthorizationToken",
    "logs:Describe*",
    "cloudwatch:PutMetricData",
    "cloudwatch:Describe*",
    "cloudwatch:Get*",
    "cloudwatch:List*",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSampling*",
    "ssm:Describe*",
    "kms:Describe*",
    "kms:List*",
    "acm:Describe*",
    "acm:List*",
    "wafv2:Get*",
    "shield:Get*",
    "shield:Describe*",
    "eks:Describe*",
    "eks:List*",
    // Session Manager's agent on the NAT instance (AmazonSSMManagedInstanceCore): its calls that IAM
    // authorises only on "*".
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetManifest",
    "ssm:ListAssociations",
    "ssm:PutInventory",
    "ssm:PutConfigurePackageResult",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
];

/**
 * GuardDuty's Fargate runtime agent: ECS adds it as a sidecar to every task and the task's execution role
 * pulls it from an AWS-owned repository of this name in the task's region (one account per region, Amazon
 * GuardDuty User Guide, "ECR repository for GuardDuty agent on AWS Fargate"). The boundary's "this account's
 * resources" would refuse that pull, so it allows exactly these reads of exactly that repository name.
 */
export const GUARDDUTY_AGENT_REPOSITORY_NAME = "aws-guardduty-agent-fargate";
const IMAGE_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];

/** Service-linked roles the app's roles may create (the EKS cluster and the load balancer controller do). */
const WORKLOAD_SERVICE_LINKED_ROLES = [
    "elasticloadbalancing.amazonaws.com",
    "autoscaling.amazonaws.com",
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
];

function stateAccess(scope: CiPermissionsScope, access: "readWrite" | "readLock"): PolicyStatementInput[] {
    if (!scope.state) return [];
    const write = access === "readWrite";
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

/** The services the program manages, in its region (the deploy role's inline policy: the larger budget). */
export function deployServiceStatements(scope: CiPermissionsScope): PolicyStatementInput[] {
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
    ];
}

/** IAM (bounded roles on the path), buckets and the state (a managed policy: inline policies share 10,240 characters). */
export function deployIamAndStateStatements(scope: CiPermissionsScope): PolicyStatementInput[] {
    const roles = workloadRoles(scope);
    const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundaryArn(scope) } };
    return [
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
                "iam:ListRoles",
                "iam:GetInstanceProfile",
                "iam:ListInstanceProfiles",
            ],
            Resource: "*",
        },
        {
            Sid: "BoundedRoles",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
            ],
            Resource: roles,
            Condition: withBoundary,
        },
        {
            Sid: "AttachAwsManagedPolicies",
            Effect: "Allow",
            Action: "iam:AttachRolePolicy",
            Resource: roles,
            Condition: {
                ...withBoundary,
                ArnLike: { "iam:PolicyARN": `arn:${scope.partition}:iam::aws:policy/*` },
            },
        },
        {
            Sid: "ChangeRolesOnThePath",
            Effect: "Allow",
            Action: [
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
            ],
            Resource: roles,
        },
        // EKS Auto Mode's nodes run on instance profiles of the node role.
        {
            Sid: "InstanceProfilesOnThePath",
            Effect: "Allow",
            Action: [
                "iam:CreateInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:TagInstanceProfile",
            ],
            Resource: iamArn(scope, `instance-profile/${scope.project}/*`),
        },
        {
            Sid: "PassRolesOnThePath",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roles,
            Condition: { StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES } },
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: iamArn(scope, "role/aws-service-role/*"),
            Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
        },
        {
            Sid: "ReadBuckets",
            Effect: "Allow",
            Action: [
                "s3:ListBucket",
                "s3:ListAllMyBuckets",
                "s3:GetBucket*",
                "s3:Get*Configuration",
                "s3:ListTagsForResource",
            ],
            Resource: "*",
        },
        // Bucket settings (policy, public access, encryption...) only on the stack's own buckets, never objects.
        {
            Sid: "ManageStackBucketsNotObjects",
            Effect: "Allow",
            Action: [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:DeleteBucketWebsite",
                "s3:TagResource",
                "s3:UntagResource",
                "s3:Put*Configuration",
            ],
            Resource: `arn:${scope.partition}:s3:::${stackBucketPrefix(scope.project, scope.environment)}*`,
        },
        {
            Sid: "DenyAdminPolicies",
            Effect: "Deny",
            Action: "iam:AttachRolePolicy",
            Resource: "*",
            Condition: {
                ArnLike: {
                    "iam:PolicyARN": FORBIDDEN_MANAGED_POLICIES.map(
                        (p) => `arn:${scope.partition}:iam::aws:policy/${p}`,
                    ),
                },
            },
        },
        ...stateAccess(scope, "readWrite"),
    ];
}

/**
 * The preview role: read configuration of what the program manages (never secret values, items or
 * log events) and pull images of this environment's registry, which is where the next environment's
 * promotion copies them from. Where pull requests preview (dev), it also reads the state and decrypts
 * with the state key (a preview of a stack with secrets needs both); elsewhere it cannot touch the state.
 */
export function previewStatements(
    scope: CiPermissionsScope,
    options: { readonly readsState: boolean },
): PolicyStatementInput[] {
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
            Resource: registryRepositoriesArn(scope),
        },
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
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
        ...(options.readsState ? stateAccess(scope, "readLock") : []),
    ];
}
