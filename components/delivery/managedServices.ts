/**
 * The AWS services the voteapp program manages on its three platforms (ECS Fargate, EKS, Lambda) and the
 * account-wide services the policy pack expects (GuardDuty, Inspector, CloudTrail). The bootstrap's deploy
 * and preview roles are granted exactly these, so a service the program starts using must be added here:
 * `pulumi up` then fails with AccessDenied naming the action until it is.
 */
export interface ManagedService {
    /** IAM service prefix, e.g. `ecs`. */
    readonly prefix: string;
    /** Action patterns the deploy role needs on it (verbs with wildcards, never the whole service). */
    readonly deployActions: readonly string[];
    /**
     * Read actions the preview role gets. Defaults to `Describe*` and `List*`; services whose `Get*`
     * actions read data rather than configuration (secret values, items, log events) list what is safe.
     */
    readonly previewActions?: readonly string[];
}

const CRUD = ["Create*", "Delete*", "Describe*", "List*", "Get*", "Update*", "Tag*", "Untag*"];

/** Regional services: the deploy role may act on them only in the stack's region. */
export const REGIONAL_SERVICES: readonly ManagedService[] = [
    {
        prefix: "ec2",
        deployActions: [
            "Describe*",
            "Create*",
            "Delete*",
            "Modify*",
            "Associate*",
            "Disassociate*",
            "Attach*",
            "Detach*",
            "Authorize*",
            "Revoke*",
            "Allocate*",
            "Release*",
            "Replace*",
            "Enable*",
            "Disable*",
            "Get*",
        ],
        previewActions: ["Describe*", "Get*"],
    },
    {
        prefix: "elasticloadbalancing",
        deployActions: [
            "Describe*",
            "Create*",
            "Delete*",
            "Modify*",
            "Add*",
            "Remove*",
            "Set*",
            "Register*",
            "Deregister*",
        ],
        previewActions: ["Describe*"],
    },
    { prefix: "ecs", deployActions: [...CRUD, "Register*", "Deregister*", "Put*"] },
    {
        prefix: "ecr",
        deployActions: [
            ...CRUD,
            "Put*",
            "Set*",
            "BatchCheckLayerAvailability",
            "BatchGetImage",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
        ],
        previewActions: ["Describe*", "List*", "GetLifecyclePolicy", "GetRepositoryPolicy"],
    },
    // RDS and ElastiCache tag with AddTagsToResource/RemoveTagsFromResource and change with Modify*.
    { prefix: "rds", deployActions: ["Create*", "Delete*", "Describe*", "List*", "Modify*", "Add*", "Remove*"] },
    {
        prefix: "elasticache",
        deployActions: [
            "Create*",
            "Delete*",
            "Describe*",
            "List*",
            "Modify*",
            "Add*",
            "Remove*",
            "Increase*",
            "Decrease*",
        ],
    },
    {
        prefix: "secretsmanager",
        deployActions: [
            "CreateSecret",
            "DeleteSecret",
            "DescribeSecret",
            "ListSecrets",
            "GetResourcePolicy",
            "PutResourcePolicy",
            "DeleteResourcePolicy",
            "PutSecretValue",
            "GetSecretValue",
            "UpdateSecret",
            "TagResource",
            "UntagResource",
            "RotateSecret",
        ],
        previewActions: ["DescribeSecret", "ListSecrets", "GetResourcePolicy"],
    },
    {
        prefix: "kms",
        deployActions: [
            "CreateKey",
            "CreateAlias",
            "DeleteAlias",
            "UpdateAlias",
            "Describe*",
            "List*",
            "GetKeyPolicy",
            "GetKeyRotationStatus",
            "PutKeyPolicy",
            "EnableKeyRotation",
            "ScheduleKeyDeletion",
            "TagResource",
            "UntagResource",
            "CreateGrant",
            "Encrypt",
            "Decrypt",
            "GenerateDataKey*",
        ],
        previewActions: ["Describe*", "List*", "GetKeyPolicy", "GetKeyRotationStatus"],
    },
    {
        prefix: "logs",
        deployActions: [
            "CreateLogGroup",
            "DeleteLogGroup",
            "Describe*",
            "List*",
            "PutRetentionPolicy",
            "DeleteRetentionPolicy",
            "AssociateKmsKey",
            "DisassociateKmsKey",
            "TagResource",
            "UntagResource",
            "TagLogGroup",
            "PutResourcePolicy",
            "DeleteResourcePolicy",
            "CreateLogDelivery",
            "DeleteLogDelivery",
        ],
        previewActions: ["Describe*", "List*"],
    },
    {
        prefix: "cloudwatch",
        deployActions: [
            "PutMetricAlarm",
            "DeleteAlarms",
            "Describe*",
            "List*",
            "Get*",
            "PutDashboard",
            "DeleteDashboards",
            "TagResource",
            "UntagResource",
        ],
    },
    {
        prefix: "application-autoscaling",
        deployActions: [
            "Describe*",
            "Register*",
            "Deregister*",
            "Put*",
            "Delete*",
            "List*",
            "TagResource",
            "UntagResource",
        ],
    },
    {
        prefix: "servicediscovery",
        deployActions: ["Create*", "Delete*", "Get*", "List*", "Update*", "TagResource", "UntagResource"],
        previewActions: ["Get*", "List*"],
    },
    { prefix: "acm", deployActions: ["Describe*", "List*", "Get*"] },
    {
        prefix: "sqs",
        deployActions: [
            "CreateQueue",
            "DeleteQueue",
            "GetQueueAttributes",
            "GetQueueUrl",
            "SetQueueAttributes",
            "ListQueues",
            "ListQueueTags",
            "TagQueue",
            "UntagQueue",
        ],
        previewActions: ["GetQueueAttributes", "GetQueueUrl", "ListQueues", "ListQueueTags"],
    },
    {
        prefix: "dynamodb",
        deployActions: [
            "CreateTable",
            "DeleteTable",
            "DescribeTable",
            "DescribeContinuousBackups",
            "DescribeTimeToLive",
            "ListTables",
            "ListTagsOfResource",
            "UpdateTable",
            "UpdateContinuousBackups",
            "UpdateTimeToLive",
            "TagResource",
            "UntagResource",
        ],
        previewActions: ["Describe*", "ListTables", "ListTagsOfResource"],
    },
    {
        prefix: "lambda",
        deployActions: [
            "Create*",
            "Delete*",
            "List*",
            "Get*",
            "Update*",
            "TagResource",
            "UntagResource",
            "Add*",
            "Remove*",
            "Put*",
            "Publish*",
        ],
        previewActions: [
            "List*",
            "GetFunctionConfiguration",
            "GetPolicy",
            "GetFunctionUrlConfig",
            "GetEventSourceMapping",
        ],
    },
    {
        prefix: "apigateway",
        // API Gateway's IAM actions are its HTTP verbs; tags are PUT/DELETE on /tags.
        deployActions: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        previewActions: ["GET"],
    },
    // CodeDeploy: ECS codeDeploy* strategies and Lambda alias shifting (scripts/shift-lambda-traffic.ts creates and waits on deployments).
    {
        prefix: "codedeploy",
        deployActions: [
            "Create*",
            "Delete*",
            "List*",
            "Get*",
            "Update*",
            "TagResource",
            "UntagResource",
            "BatchGet*",
            "StopDeployment",
            "ContinueDeployment",
        ],
        previewActions: ["Get*", "List*", "BatchGet*"],
    },
    {
        prefix: "eks",
        deployActions: [
            "Create*",
            "Delete*",
            "Describe*",
            "List*",
            "Update*",
            "TagResource",
            "UntagResource",
            "Associate*",
            "Disassociate*",
            "AccessKubernetesApi",
        ],
    },
    { prefix: "ssm", deployActions: ["GetParameter"], previewActions: ["DescribeParameters"] },
    { prefix: "guardduty", deployActions: [...CRUD] },
    {
        prefix: "inspector2",
        deployActions: [
            "Enable",
            "Disable",
            "BatchGetAccountStatus",
            "List*",
            "Get*",
            "Describe*",
            "UpdateConfiguration",
        ],
        previewActions: ["BatchGetAccountStatus", "List*", "GetConfiguration"],
    },
    {
        prefix: "cloudtrail",
        deployActions: [
            "Create*",
            "Delete*",
            "Describe*",
            "List*",
            "Get*",
            "Update*",
            "AddTags",
            "RemoveTags",
            "StartLogging",
            "PutEventSelectors",
            "GetTrailStatus",
        ],
        previewActions: ["Describe*", "List*", "GetTrailStatus", "GetEventSelectors"],
    },
    {
        prefix: "sns",
        deployActions: [
            "CreateTopic",
            "DeleteTopic",
            "GetTopicAttributes",
            "SetTopicAttributes",
            "ListTopics",
            "Subscribe",
            "Unsubscribe",
            "ListSubscriptionsByTopic",
            "TagResource",
            "UntagResource",
            "ListTagsForResource",
        ],
        previewActions: ["GetTopicAttributes", "ListTopics", "ListSubscriptionsByTopic", "ListTagsForResource"],
    },
];

/** Global services (their API is answered in us-east-1), granted without the region condition. */
export const GLOBAL_SERVICES: readonly ManagedService[] = [
    {
        prefix: "route53",
        deployActions: [
            "ChangeResourceRecordSets",
            "GetChange",
            "GetHostedZone",
            "ListHostedZones*",
            "ListResourceRecordSets",
            "ListTagsForResource",
            "CreateHostedZone",
            "DeleteHostedZone",
            "ChangeTagsForResource",
            "GetHostedZoneCount",
        ],
        previewActions: [
            "GetChange",
            "GetHostedZone",
            "ListHostedZones*",
            "ListResourceRecordSets",
            "ListTagsForResource",
        ],
    },
];

/** `prefix:Action` for each of a service's patterns. */
export function qualifiedActions(service: ManagedService, which: "deploy" | "preview"): string[] {
    const actions = which === "deploy" ? service.deployActions : (service.previewActions ?? ["Describe*", "List*"]);
    return actions.map((action) => `${service.prefix}:${action}`);
}
