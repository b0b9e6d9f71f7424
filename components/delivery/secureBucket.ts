import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureS3Transport, policyDocument, type PolicyStatementInput } from "../iamPolicy";
import type { Protection } from "../vocabulary";

export interface SecureBucketArgs {
    /**
     * Physical bucket name; auto-named from the logical name when unset.
     * @example "voteapp-pulumi-state-111111111111"
     */
    readonly bucketName?: string;
    /** KMS key encrypting every object by default (SSE-KMS with an S3 bucket key). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /**
     * Days a replaced or deleted object version is kept, so an overwritten state file or artifact can be
     * restored.
     * @default 90
     */
    readonly noncurrentVersionDays?: number;
    /** More bucket policy statements (the TLS-only deny is always there). @default [] */
    readonly extraPolicyStatements?: (bucketArn: pulumi.Output<string>) => PolicyStatementInput[];
    /**
     * With `deletionProtection`, Pulumi refuses to delete the bucket and keeps it if removed from the program.
     * @default unset: the bucket inherits its parent's protection
     */
    readonly protection?: Protection;
    /**
     * Days the bucket's S3 server access logs (FSBP S3.9: who read or wrote which object) are kept in their
     * own log bucket, `<name>-access-logs`.
     * @default 365
     */
    readonly accessLogRetentionDays?: number;
}

/**
 * A private S3 bucket for state or build artifacts: SSE-KMS by default, versioned, public access blocked,
 * owner-enforced (no ACLs), TLS-only by policy, old versions expiring after a retention period, and server
 * access logging into a companion log bucket (SSE-S3: the only encryption S3 log delivery writes to).
 */
export class SecureBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly arn: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    /** Where the bucket's server access logs go. */
    readonly accessLogBucket: aws.s3.Bucket;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:delivery:SecureBucket", name, {}, opts);
        const parent = this;
        // Unset: the bucket inherits its parent's protection like the rest of the component's children.
        const protect = args.protection?.deletionProtection;
        const keep = protect === undefined ? {} : { protect, retainOnDelete: protect };
        this.bucket = new aws.s3.Bucket(
            name,
            { ...(args.bucketName ? { bucket: args.bucketName } : {}), forceDestroy: false },
            { parent, ...keep },
        );
        this.arn = this.bucket.arn;
        this.name = this.bucket.bucket;
        const bucket = this.bucket.id;
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            name,
            {
                bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent },
        );
        new aws.s3.BucketOwnershipControls(
            name,
            { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            {
                bucket,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            { parent },
        );
        new aws.s3.BucketVersioning(
            name,
            { bucket, versioningConfiguration: { status: "Enabled" } },
            { parent, ...keep },
        );
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket,
                rules: [
                    {
                        id: "expire-old-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { parent },
        );
        new aws.s3.BucketPolicy(
            name,
            {
                bucket,
                policy: policyDocument(`${name} bucket policy`, [
                    denyInsecureS3Transport(this.arn),
                    ...(args.extraPolicyStatements?.(this.arn) ?? []),
                ]),
            },
            // The account's block must exist before a policy is attached, or S3 may evaluate it as public.
            { parent, dependsOn: [publicAccessBlock] },
        );
        this.accessLogBucket = this.createAccessLogBucket(name, args, keep);
        new aws.s3.BucketLogging(
            name,
            { bucket, targetBucket: this.accessLogBucket.id, targetPrefix: "access/" },
            { parent },
        );
        this.registerOutputs({ arn: this.arn, name: this.name });
    }

    /** The server access log bucket: private, TLS-only, written only by S3 log delivery for this bucket. */
    private createAccessLogBucket(
        name: string,
        args: SecureBucketArgs,
        keep: pulumi.CustomResourceOptions,
    ): aws.s3.Bucket {
        const parent = this;
        const logName = `${name}-access-logs`;
        const logs = new aws.s3.Bucket(logName, { forceDestroy: false }, { parent, ...keep });
        const block = new aws.s3.BucketPublicAccessBlock(
            logName,
            {
                bucket: logs.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent },
        );
        new aws.s3.BucketOwnershipControls(
            logName,
            { bucket: logs.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            logName,
            { bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            { parent },
        );
        new aws.s3.BucketLifecycleConfiguration(
            logName,
            {
                bucket: logs.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.accessLogRetentionDays ?? 365 },
                    },
                ],
            },
            { parent },
        );
        const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
        new aws.s3.BucketPolicy(
            logName,
            {
                bucket: logs.id,
                policy: policyDocument(`${logName} bucket policy`, [
                    denyInsecureS3Transport(logs.arn),
                    {
                        Sid: "S3ServerAccessLogDelivery",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${logs.arn}/access/*`,
                        Condition: {
                            ArnLike: { "aws:SourceArn": this.arn },
                            StringEquals: { "aws:SourceAccount": account },
                        },
                    },
                ]),
            },
            { parent, dependsOn: [block] },
        );
        return logs;
    }
}
