import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureS3Transport, policyDocument, type PolicyStatementInput } from "./iamPolicy";
import type { Protection } from "./vocabulary";

/**
 * The tag stating why a bucket has no S3 server access logging (FSBP S3.9's documented exception, which the
 * pack's s3-access-logging rule reads): log-delivery buckets would otherwise log their own deliveries, or
 * need a second log bucket. Tag values allow letters, digits, spaces and _ . : / = + - @ only.
 */
export const ACCESS_LOGGING_EXEMPTION_TAG_KEY = "voteapp:access-logging-exemption";

/** Key prefix ALB access logs are written under. */
export const ACCESS_LOG_PREFIX = "alb";

/** What {@link createLogDeliveryBucket} makes a log bucket of. */
export interface LogDeliveryBucketArgs {
    /** Why the bucket has no server access logging of its own: the {@link ACCESS_LOGGING_EXEMPTION_TAG_KEY} value. */
    readonly exemption: string;
    /** Prefix of the bucket's generated name (the deploy role manages only the stack's own buckets). */
    readonly bucketPrefix?: string;
    /** Default encryption: SSE-S3 (all ELB log delivery supports), or SSE-KMS with an S3 bucket key. */
    readonly encryption: { readonly kmsKeyArn: pulumi.Input<string> } | "AES256";
    /** The one lifecycle rule: current objects expire after `days`, replaced versions after `noncurrentDays`. */
    readonly expiry: {
        readonly id: string;
        readonly days: pulumi.Input<number>;
        readonly noncurrentDays: number;
        /** Abort incomplete multipart uploads after this many days. @default never */
        readonly abortIncompleteMultipartDays?: number;
    };
    /**
     * The bucket policy's statements, given the bucket and the TLS-only deny every log bucket carries (place it
     * where the policy wants it: it must be there).
     */
    readonly policy: (bucket: aws.s3.Bucket, tlsOnly: PolicyStatementInput) => PolicyStatementInput[];
    /** Attach the policy only once the public access block exists. @default true */
    readonly policyAfterPublicAccessBlock?: boolean;
    /**
     * With `deletionProtection`, Pulumi `protect` and retain-on-delete for the bucket (log evidence outliving the
     * stack; see {@link Protection}).
     * @default unset: the bucket inherits its parent's protection
     */
    readonly protection?: Protection;
}

/**
 * A private bucket that an AWS service delivers logs into (ALB access logs, CloudTrail): public access blocked,
 * owner-enforced, encrypted, versioned, TLS only, expiring, exempt from server access logging by tag. One writer
 * for every log bucket, so the private-bucket settings and the TLS-only policy are written once. Resources are
 * named `name` and parented to `parent`.
 */
export function createLogDeliveryBucket(
    name: string,
    args: LogDeliveryBucketArgs,
    parent: pulumi.Resource,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const protect = args.protection?.deletionProtection;
    const bucket = new aws.s3.Bucket(
        name,
        {
            forceDestroy: false,
            ...(args.bucketPrefix ? { bucketPrefix: args.bucketPrefix } : {}),
            tags: { [ACCESS_LOGGING_EXEMPTION_TAG_KEY]: args.exemption },
        },
        { parent, ...(protect === undefined ? {} : { protect, retainOnDelete: protect }) },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        name,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        { parent },
    );
    new aws.s3.BucketOwnershipControls(
        name,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        {
            bucket: bucket.id,
            rules: [
                args.encryption === "AES256"
                    ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                    : {
                          applyServerSideEncryptionByDefault: {
                              sseAlgorithm: "aws:kms",
                              kmsMasterKeyId: args.encryption.kmsKeyArn,
                          },
                          bucketKeyEnabled: true,
                      },
            ],
        },
        { parent },
    );
    new aws.s3.BucketVersioning(
        name,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent },
    );
    const { expiry } = args;
    new aws.s3.BucketLifecycleConfiguration(
        name,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: expiry.id,
                    status: "Enabled",
                    filter: {},
                    expiration: { days: expiry.days },
                    noncurrentVersionExpiration: { noncurrentDays: expiry.noncurrentDays },
                    ...(expiry.abortIncompleteMultipartDays === undefined
                        ? {}
                        : {
                              abortIncompleteMultipartUpload: {
                                  daysAfterInitiation: expiry.abortIncompleteMultipartDays,
                              },
                          }),
                },
            ],
        },
        { parent },
    );
    const tlsOnly = denyInsecureS3Transport(bucket.arn);
    const statements = args.policy(bucket, tlsOnly);
    if (!statements.includes(tlsOnly)) throw new Error(`${name}: a log bucket's policy must keep the TLS-only deny`);
    const policy = new aws.s3.BucketPolicy(
        name,
        { bucket: bucket.id, policy: policyDocument(`${name} bucket policy`, statements) },
        { parent, ...((args.policyAfterPublicAccessBlock ?? true) ? { dependsOn: [publicAccessBlock] } : {}) },
    );
    return { bucket, policy };
}

/**
 * A private bucket for ALB access logs (ELB.5): SSE-S3 (the only encryption ALB log delivery supports),
 * public access blocked, owner-enforced, versioned, TLS only, expiring; ELB may write under `alb/` only.
 * Resources are named `<name>-access-logs` and parented to `parent`, as AppLoadBalancer's own bucket is
 * (which can move onto this function without changing a URN).
 */
export function createAccessLogBucket(
    name: string,
    retentionDays: number,
    parent: pulumi.Resource,
    /** Prefix of the bucket's generated name (the deploy role manages only the stack's own buckets). */
    bucketPrefix?: string,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const elbAccount = aws.elb.getServiceAccountOutput({}, { parent });
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const region = aws.getRegionOutput({}, { parent }).region;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    return createLogDeliveryBucket(
        `${name}-access-logs`,
        {
            exemption: "log bucket: receives ELB access log deliveries only",
            bucketPrefix,
            encryption: "AES256",
            expiry: { id: "expire-access-logs", days: retentionDays, noncurrentDays: 7 },
            policy: (bucket, tlsOnly) => {
                // ALB writes under <prefix>/AWSLogs/<account>/: scoping both writers to this account's prefix (and the
                // delivery service to this account's load balancers) keeps another account's ALB from writing here.
                const logObjects = pulumi.interpolate`${bucket.arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`;
                return [
                    {
                        Sid: "ElbLogDelivery",
                        Effect: "Allow",
                        Principal: { AWS: elbAccount.arn },
                        Action: "s3:PutObject",
                        Resource: logObjects,
                    },
                    {
                        Sid: "ElbLogDeliveryService",
                        Effect: "Allow",
                        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: logObjects,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": account },
                            ArnLike: {
                                "aws:SourceArn": pulumi.interpolate`arn:${partition}:elasticloadbalancing:${region}:${account}:loadbalancer/*`,
                            },
                        },
                    },
                    tlsOnly,
                ];
            },
        },
        parent,
    );
}
