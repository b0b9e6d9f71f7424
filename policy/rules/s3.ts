import type { PolicyResource } from "@pulumi/policy";
import { isRecord, isTrue, ofType, plainCopy, prop, relatesTo, reportOn, stackRule, statementsOf } from "./util";

/** S3 buckets and their companion resources (FSBP S3.*): stack rules, since v7 splits a bucket's settings over several resources. */

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const SSE = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

/** Companion resources of a bucket: depending on it, or naming it in `bucket`. */
function companions(resources: readonly PolicyResource[], bucket: PolicyResource, types: string[]): PolicyResource[] {
    const bucketName = prop(bucket, "bucket");
    return ofType(resources, ...types).filter((r) => {
        if (relatesTo(r, bucket)) return true;
        const target = prop(r, "bucket");
        return typeof target === "string" && (target === bucketName || target === bucket.name);
    });
}

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3BlockPublic = stackRule(
    {
        name: "s3-block-public",
        control: "S3.8",
        description:
            "Every S3 bucket has a public access block with all four flags true (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets): a public bucket is refused in every environment (S3.1/S3.8).",
        remediation: "Add an aws.s3.BucketPublicAccessBlock for the bucket with the four flags true.",
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        for (const bucket of buckets) {
            const blocks = companions(args.resources, bucket, [PUBLIC_ACCESS_BLOCK]);
            if (blocks.length === 0) {
                reportOn(report, bucket, "has no public access block.");
                continue;
            }
            for (const block of blocks) {
                const props = plainCopy(block.props);
                const off = FLAGS.filter((f) => !(isRecord(props) && isTrue(props[f])));
                if (off.length) reportOn(report, block, `leaves ${off.join(", ")} off for bucket "${bucket.name}".`);
            }
        }
    },
);

function deniesInsecureTransport(policy: unknown): boolean {
    return (statementsOf(policy) ?? []).some((s) => {
        if (s.effect !== "Deny" || !isRecord(s.condition)) return false;
        const bool = s.condition.Bool;
        return isRecord(bool) && String(bool["aws:SecureTransport"]) === "false";
    });
}

export const s3TlsOnly = stackRule(
    {
        name: "s3-tls-only",
        control: "S3.5",
        description:
            "Every S3 bucket's policy denies requests made without TLS (a Deny statement with condition Bool aws:SecureTransport = false).",
        remediation:
            'Add to the bucket policy: { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, bucket/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        for (const bucket of buckets) {
            const policies = [
                prop(bucket, "policy"),
                ...companions(args.resources, bucket, [BUCKET_POLICY]).map((p) => prop(p, "policy")),
            ];
            if (!policies.some(deniesInsecureTransport))
                reportOn(report, bucket, "has no policy denying aws:SecureTransport=false.");
        }
    },
);

export const s3Encryption = stackRule(
    {
        name: "s3-encryption",
        control: "S3.17",
        description:
            "Every S3 bucket declares default server-side encryption (an aws.s3.BucketServerSideEncryptionConfiguration, or the bucket's inline serverSideEncryptionConfiguration): unencrypted data stores are refused.",
        remediation: "Add an aws.s3.BucketServerSideEncryptionConfiguration (aws:kms or AES256).",
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        for (const bucket of buckets) {
            if (prop(bucket, "serverSideEncryptionConfiguration") !== undefined) continue;
            if (companions(args.resources, bucket, SSE).length === 0)
                reportOn(report, bucket, "has no server-side encryption configuration.");
        }
    },
);

export const DEFAULT_VERSIONED_BUCKET_PATTERN = "log|state|trail";

export const s3Versioning = stackRule(
    {
        name: "s3-versioning",
        control: "S3.14",
        description:
            "Buckets holding logs or state (bucket or logical name matching `bucketPattern`) have versioning Enabled, so evidence and state survive overwrites and deletes.",
        remediation: 'Add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled".',
        configSchema: {
            properties: {
                bucketPattern: {
                    type: "string",
                    default: DEFAULT_VERSIONED_BUCKET_PATTERN,
                    description: "Case-insensitive regular expression over bucket names marking log/state buckets.",
                },
            },
        },
    },
    (args, report) => {
        const pattern = new RegExp(
            args.getConfig<{ bucketPattern?: string }>().bucketPattern ?? DEFAULT_VERSIONED_BUCKET_PATTERN,
            "i",
        );
        const buckets = ofType(args.resources, ...BUCKETS).filter(
            (b) => pattern.test(b.name) || pattern.test(String(prop(b, "bucket") ?? "")),
        );
        if (buckets.length === 0) args.notApplicable("No log or state bucket in the stack.");
        for (const bucket of buckets) {
            if (isTrue(prop(bucket, "versioning", "enabled"))) continue;
            const enabled = companions(args.resources, bucket, VERSIONING).some(
                (v) => prop(v, "versioningConfiguration", "status") === "Enabled",
            );
            if (!enabled) reportOn(report, bucket, "holds logs or state without versioning Enabled.");
        }
    },
);

export const s3Policies = [s3BlockPublic, s3TlsOnly, s3Encryption, s3Versioning];
