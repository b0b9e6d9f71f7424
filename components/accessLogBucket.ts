import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureS3Transport, policyDocument } from "./iamPolicy";

/**
 * The tag stating why a bucket has no S3 server access logging (FSBP S3.9's documented exception, which the
 * pack's s3-access-logging rule reads): log-delivery buckets would otherwise log their own deliveries, or
 * need a second log bucket. Tag values allow letters, digits, spaces and _ . : / = + - @ only.
 */
export const ACCESS_LOGGING_EXEMPTION_TAG_KEY = "voteapp:access-logging-exemption";

/** Key prefix ALB access logs are written under. */
export const ACCESS_LOG_PREFIX = "alb";

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
    const bucket = new aws.s3.Bucket(
        `${name}-access-logs`,
        {
            forceDestroy: false,
            ...(bucketPrefix ? { bucketPrefix } : {}),
            tags: { [ACCESS_LOGGING_EXEMPTION_TAG_KEY]: "log bucket: receives ELB access log deliveries only" },
        },
        { parent },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-access-logs`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        { parent },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-access-logs`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        { parent },
    );
    new aws.s3.BucketOwnershipControls(
        `${name}-access-logs`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    new aws.s3.BucketVersioning(
        `${name}-access-logs`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-access-logs`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-access-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: retentionDays },
                    noncurrentVersionExpiration: { noncurrentDays: 7 },
                },
            ],
        },
        { parent },
    );
    const elbAccount = aws.elb.getServiceAccountOutput({}, { parent });
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const region = aws.getRegionOutput({}, { parent }).region;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    // ALB writes under <prefix>/AWSLogs/<account>/: scoping both writers to this account's prefix (and the
    // delivery service to this account's load balancers) keeps another account's ALB from writing here.
    const logObjects = pulumi.interpolate`${bucket.arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`;
    const policy = new aws.s3.BucketPolicy(
        `${name}-access-logs`,
        {
            bucket: bucket.id,
            policy: policyDocument("access log bucket policy", [
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
                denyInsecureS3Transport(bucket.arn),
            ]),
        },
        { parent, dependsOn: [publicAccessBlock] },
    );
    return { bucket, policy };
}
