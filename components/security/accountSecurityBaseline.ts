import { createLogDeliveryBucket } from "../accessLogBucket";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKey } from "../encryptionKey";
import { cloudWatchLogsMayUseKey, policyDocument } from "../iamPolicy";
import { physicalName } from "../naming";
import { partitionOf } from "../partition";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";
import { NO_PROTECTION, type Protection } from "../vocabulary";

/** What the account runs: decides which GuardDuty protections and Inspector scans are worth paying for. */
export interface AccountWorkloads {
    /** ECS tasks on Fargate (GuardDuty runtime monitoring with the managed Fargate agent). */
    readonly ecsFargate?: boolean;
    /** An EKS cluster (audit logs, runtime monitoring with the managed add-on, EC2 nodes). */
    readonly eks?: boolean;
    /** Lambda functions (network activity logs, Inspector Lambda and Lambda code scans). */
    readonly lambda?: boolean;
    /** RDS databases (login activity monitoring). */
    readonly rds?: boolean;
    /** EC2 instances with EBS volumes (malware scans of volumes, Inspector EC2 scans). */
    readonly ec2?: boolean;
}

export type GuardDutyFindingFrequency = "FIFTEEN_MINUTES" | "ONE_HOUR" | "SIX_HOURS";

export interface AccountSecurityBaselineArgs {
    /** `<project>-<environment>`, used in physical names. @example "voteapp-prod" */
    readonly namePrefix: string;
    /** The account the stack deploys into: scanned by Inspector, administers the trail's key. */
    readonly accountId: string;
    /** Home region of the trail, its key, bucket and log group. @example "eu-west-1" */
    readonly region: string;
    /** What the account runs; enables the matching GuardDuty features and Inspector resource types. */
    readonly workloads: AccountWorkloads;
    /**
     * How often GuardDuty publishes updated findings to EventBridge/Security Hub.
     * @default "FIFTEEN_MINUTES"
     */
    readonly guardDutyFindingFrequency?: GuardDutyFindingFrequency;
    /** Days CloudTrail logs are kept in S3 and CloudWatch Logs (a CloudWatch retention value). @example 365 */
    readonly auditLogRetentionDays: number;
    /** Enable Security Hub with the AWS Foundational Security Best Practices standard. @default false */
    readonly securityHub?: boolean;
    /**
     * With `deletionProtection`: Pulumi `protect` and retain-on-delete for the audit trail's bucket and key
     * (audit evidence must outlive the stack).
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /**
     * How ECR images are scanned: `enhanced` (Inspector scans on push and again when new CVEs appear, OS and
     * language packages, priced per image) or `basic` (ECR's free scan on push, OS packages; Inspector then
     * scans no images).
     * @default "enhanced"
     */
    readonly ecrScanning?: "basic" | "enhanced";
    /**
     * Inspector's Lambda code scanning (LAMBDA_CODE) besides its standard Lambda scanning, which stays on
     * whenever the account runs functions. Off, the functions' packages are still scanned for CVEs; their own
     * code is scanned where another stage (staging) runs the same code.
     * @default true
     */
    readonly lambdaCodeScanning?: boolean;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/** One GuardDuty detector feature and its additional configuration (both must be ENABLED). */
export interface GuardDutyFeatureSpec {
    readonly name: string;
    readonly additional: readonly string[];
}

/**
 * The GuardDuty protection plans matching what the account runs: S3 data events always (the stack has
 * buckets), RDS login events with RDS, runtime monitoring with ECS on Fargate or EKS (with the agent AWS
 * manages for that platform), EKS audit logs with EKS, Lambda network logs with Lambda, EBS malware scans
 * with EC2 volumes.
 */
export function guardDutyFeaturesFor(workloads: AccountWorkloads): GuardDutyFeatureSpec[] {
    const features: GuardDutyFeatureSpec[] = [{ name: "S3_DATA_EVENTS", additional: [] }];
    if (workloads.rds) features.push({ name: "RDS_LOGIN_EVENTS", additional: [] });
    if (workloads.eks) features.push({ name: "EKS_AUDIT_LOGS", additional: [] });
    const agents = [
        ...(workloads.ecsFargate ? ["ECS_FARGATE_AGENT_MANAGEMENT"] : []),
        ...(workloads.eks ? ["EKS_ADDON_MANAGEMENT"] : []),
    ];
    if (agents.length > 0) features.push({ name: "RUNTIME_MONITORING", additional: agents });
    if (workloads.lambda) features.push({ name: "LAMBDA_NETWORK_LOGS", additional: [] });
    if (workloads.ec2 || workloads.eks) features.push({ name: "EBS_MALWARE_PROTECTION", additional: [] });
    return features;
}

/**
 * Inspector v2 resource types for what the account runs: ECR images always (the stack has a registry), Lambda
 * packages with functions (and their code unless `lambdaCode` is false), EC2 with instances.
 */
export function inspectorResourceTypesFor(
    workloads: AccountWorkloads,
    options: { lambdaCode?: boolean } = {},
): string[] {
    return [
        "ECR",
        ...(workloads.lambda ? ["LAMBDA", ...(options.lambdaCode === false ? [] : ["LAMBDA_CODE"])] : []),
        ...(workloads.ec2 || workloads.eks ? ["EC2"] : []),
    ];
}

/** The FSBP standard's ARN in a region (standards are regional; the account part is empty). */
export function foundationalBestPracticesArn(partition: string, region: string): string {
    return `arn:${partition}:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`;
}

/**
 * The account's security baseline, for accounts no central security account covers: GuardDuty with the
 * protections matching the workloads, Inspector v2 with ECR enhanced (continuous) scanning, a multi-region
 * CloudTrail trail with log file validation into a private, TLS-only, versioned, expiring, KMS-encrypted
 * bucket and into CloudWatch Logs, IAM Access Analyzer for the account, and optionally Security Hub with
 * the FSBP standard.
 *
 * GuardDuty, Inspector, Access Analyzer and Security Hub are one-per-account-and-region: an account whose
 * organisation already enables them from a delegated administrator must not create them here (use
 * `securityBaseline: central`).
 */
export class AccountSecurityBaseline extends pulumi.ComponentResource {
    readonly detector: aws.guardduty.Detector;
    readonly detectorFeatures: readonly aws.guardduty.DetectorFeature[];
    /** Undefined when nothing is left for Inspector to scan (basic ECR scanning on a platform without Lambda or EC2). */
    readonly inspector?: aws.inspector2.Enabler;
    readonly registryScanning: aws.ecr.RegistryScanningConfiguration;
    readonly trail: aws.cloudtrail.Trail;
    readonly trailBucket: aws.s3.Bucket;
    readonly trailKey: aws.kms.Key;
    readonly trailLogGroup: aws.cloudwatch.LogGroup;
    readonly accessAnalyzer: aws.accessanalyzer.Analyzer;
    readonly securityHub?: aws.securityhub.Account;

    constructor(name: string, args: AccountSecurityBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:security:AccountSecurityBaseline", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const protectAudit = (args.protection ?? NO_PROTECTION).deletionProtection;

        // --- GuardDuty ---
        this.detector = new aws.guardduty.Detector(
            name,
            { enable: true, findingPublishingFrequency: args.guardDutyFindingFrequency ?? "FIFTEEN_MINUTES" },
            { parent },
        );
        this.detectorFeatures = guardDutyFeaturesFor(args.workloads).map(
            (feature) =>
                new aws.guardduty.DetectorFeature(
                    `${name}-${feature.name.toLowerCase().replace(/_/g, "-")}`,
                    {
                        detectorId: this.detector.id,
                        name: feature.name,
                        status: "ENABLED",
                        additionalConfigurations: feature.additional.map((additional) => ({
                            name: additional,
                            status: "ENABLED",
                        })),
                    },
                    { parent },
                ),
        );

        // --- Inspector v2 and ECR enhanced scanning (which Inspector performs), or ECR's basic scan on push ---
        const enhancedEcr = (args.ecrScanning ?? "enhanced") === "enhanced";
        const inspectorTypes = inspectorResourceTypesFor(args.workloads, {
            lambdaCode: args.lambdaCodeScanning,
        }).filter((t) => enhancedEcr || t !== "ECR");
        this.inspector =
            inspectorTypes.length > 0
                ? new aws.inspector2.Enabler(
                      name,
                      { accountIds: [args.accountId], resourceTypes: inspectorTypes },
                      { parent },
                  )
                : undefined;
        this.registryScanning = new aws.ecr.RegistryScanningConfiguration(
            name,
            enhancedEcr
                ? {
                      scanType: "ENHANCED",
                      rules: [
                          {
                              scanFrequency: "CONTINUOUS_SCAN",
                              repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
                          },
                      ],
                  }
                : {
                      scanType: "BASIC",
                      rules: [
                          {
                              scanFrequency: "SCAN_ON_PUSH",
                              repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
                          },
                      ],
                  },
            { parent, dependsOn: this.inspector ? [this.inspector] : [] },
        );

        // --- CloudTrail ---
        const trailName = physicalName("cloudTrail", args.namePrefix, "audit");
        const trailArn = `arn:${partition}:cloudtrail:${args.region}:${args.accountId}:trail/${trailName}`;
        this.trailKey = this.createTrailKey(name, args, partition, trailArn, protectAudit);
        const { bucket: trailBucket, policy: bucketPolicy } = this.createTrailBucket(name, args, trailArn);
        this.trailBucket = trailBucket;
        this.trailLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-cloudtrail`,
            {
                name: `/voteapp/${args.namePrefix}/cloudtrail`,
                retentionInDays: args.auditLogRetentionDays,
                kmsKeyId: this.trailKey.arn,
            },
            { parent, protect: protectAudit, retainOnDelete: protectAudit },
        );
        const deliveryRole = this.logDeliveryRole(name, args, trailArn);
        this.trail = new aws.cloudtrail.Trail(
            name,
            {
                name: trailName,
                s3BucketName: this.trailBucket.bucket,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: this.trailKey.arn,
                cloudWatchLogsGroupArn: pulumi.interpolate`${this.trailLogGroup.arn}:*`,
                cloudWatchLogsRoleArn: deliveryRole.role.arn,
            },
            // CloudTrail checks bucket, key and role permissions when the trail is created.
            { parent, dependsOn: [bucketPolicy, deliveryRole.policy] },
        );

        // --- IAM Access Analyzer ---
        this.accessAnalyzer = new aws.accessanalyzer.Analyzer(
            name,
            { analyzerName: `${args.namePrefix}-account`, type: "ACCOUNT" },
            { parent },
        );

        // --- Security Hub (flag) ---
        if (args.securityHub) {
            this.securityHub = new aws.securityhub.Account(
                name,
                {
                    enableDefaultStandards: false,
                    controlFindingGenerator: "SECURITY_CONTROL",
                    autoEnableControls: true,
                },
                { parent },
            );
            new aws.securityhub.StandardsSubscription(
                `${name}-fsbp`,
                { standardsArn: foundationalBestPracticesArn(partition, args.region) },
                { parent, dependsOn: [this.securityHub] },
            );
        }

        this.registerOutputs({
            detectorId: this.detector.id,
            trailArn: this.trail.arn,
            trailBucket: this.trailBucket.bucket,
            accessAnalyzerArn: this.accessAnalyzer.arn,
        });
    }

    /** The trail's own key: CloudTrail encrypts with it for this trail only; the account reads through IAM; CloudWatch Logs for the trail's log group. */
    private createTrailKey(
        name: string,
        args: AccountSecurityBaselineArgs,
        partition: string,
        trailArn: string,
        protect: boolean,
    ): aws.kms.Key {
        const parent = this;
        const { key } = customerManagedKey(
            `${name}-trail`,
            {
                description: `${args.namePrefix}: CloudTrail audit logs`,
                partition,
                accountId: args.accountId,
                statements: [
                    {
                        Sid: "CloudTrailEncryptsThisTrail",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "kms:GenerateDataKey*",
                        Resource: "*",
                        Condition: {
                            StringEquals: { "aws:SourceArn": trailArn },
                            StringLike: {
                                "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${args.accountId}:trail/*`,
                            },
                        },
                    },
                    {
                        Sid: "CloudTrailDescribesKey",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "kms:DescribeKey",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    {
                        Sid: "AccountPrincipalsReadLogFiles",
                        Effect: "Allow",
                        Principal: { AWS: "*" },
                        Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
                        Resource: "*",
                        Condition: {
                            StringEquals: { "kms:CallerAccount": args.accountId },
                            StringLike: {
                                "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${args.accountId}:trail/*`,
                            },
                        },
                    },
                    cloudWatchLogsMayUseKey(partition, args.region, args.accountId),
                ],
                alias: `${args.namePrefix}-cloudtrail`,
                protect,
                retainOnDelete: protect,
            },
            parent,
        );
        return key;
    }

    /**
     * Private, versioned, KMS-encrypted bucket whose objects expire after the audit retention; TLS only, CloudTrail
     * may check the ACL and write this trail's files under AWSLogs/<account>/.
     */
    private createTrailBucket(
        name: string,
        args: AccountSecurityBaselineArgs,
        trailArn: string,
    ): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
        return createLogDeliveryBucket(
            `${name}-trail-logs`,
            {
                exemption: "log bucket: receives CloudTrail deliveries only - integrity checked by log file validation",
                // The stack's own prefix: the deploy role manages only buckets so named.
                bucketPrefix: `${args.namePrefix}-`,
                encryption: { kmsKeyArn: this.trailKey.arn },
                expiry: {
                    id: "expire-audit-logs",
                    days: args.auditLogRetentionDays,
                    // Versions replaced or deleted inside the retention window are kept a little longer as evidence.
                    noncurrentDays: 30,
                    abortIncompleteMultipartDays: 7,
                },
                policy: (bucket, tlsOnly) => [
                    tlsOnly,
                    {
                        Sid: "CloudTrailAclCheck",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:GetBucketAcl",
                        Resource: bucket.arn,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    {
                        Sid: "CloudTrailWrite",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${args.accountId}/*`,
                        Condition: {
                            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn },
                        },
                    },
                ],
                // As before this helper: the trail's policy waited for nothing but the bucket.
                policyAfterPublicAccessBlock: false,
                protection: args.protection ?? NO_PROTECTION,
            },
            this,
        );
    }

    /** The role CloudTrail assumes to deliver events into the trail's log group, and nowhere else. */
    private logDeliveryRole(
        name: string,
        args: AccountSecurityBaselineArgs,
        trailArn: string,
    ): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
        const parent = this;
        const role = new aws.iam.Role(
            `${name}-cloudtrail-logs`,
            {
                ...roleScopeArgs(args.roleScope),
                description: "CloudTrail delivers the audit trail to its CloudWatch log group",
                assumeRolePolicy: policyDocument("cloudtrail trust", [
                    {
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId, "aws:SourceArn": trailArn } },
                    },
                ]),
            },
            { parent },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-cloudtrail-logs`,
            {
                role: role.id,
                policy: policyDocument(`${name} cloudtrail delivery`, [
                    {
                        Sid: "WriteTrailLogGroup",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${this.trailLogGroup.arn}:log-stream:*`,
                    },
                ]),
            },
            { parent },
        );
        return { role, policy };
    }
}
