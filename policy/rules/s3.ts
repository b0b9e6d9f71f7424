import type { PolicyResource } from "@pulumi/policy";
import { noPublicPolicyRule, principalsOf } from "./resourcePolicies";
import {
    asArray,
    isRecord,
    isTrue,
    ofType,
    plainCopy,
    prop,
    relatesTo,
    reportOn,
    stackRule,
    type Statement,
    statementsOf,
    tagsOf,
    UNKNOWN,
} from "./util";

/** S3 buckets and their companion resources (FSBP S3.*): stack rules, since v7 splits a bucket's settings over several resources. */

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const SSE = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const LOGGING = ["aws:s3/bucketLogging:BucketLogging"];
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
        passes: "every bucket has a BucketPublicAccessBlock (by dependency or bucket name) with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true",
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

/** The bucket's name when the program knows it: its `bucket` input, or the name a companion targets it by. */
function bucketNameOf(resources: readonly PolicyResource[], bucket: PolicyResource): string | undefined {
    const own = prop(bucket, "bucket");
    if (typeof own === "string" && own !== "") return own;
    for (const c of companions(resources, bucket, [
        BUCKET_POLICY,
        PUBLIC_ACCESS_BLOCK,
        ...SSE,
        ...VERSIONING,
        ...LOGGING,
    ])) {
        const target = prop(c, "bucket");
        if (typeof target === "string" && target !== "") return target;
    }
    return undefined;
}

const S3_ARN = /^arn:aws[a-z-]*:s3:::([^/*]+)(\/.*)?$/;

/**
 * Why a statement is not the TLS-only deny AWS's s3-bucket-ssl-requests-only check accepts, or undefined
 * when it is: Deny, Principal "*", Action s3:* (or *), on the bucket and every object
 * (arn:...:s3:::<bucket> and arn:...:s3:::<bucket>/*), condition Bool (or BoolIfExists) aws:SecureTransport false.
 */
export function tlsDenyProblem(s: Statement, bucketName: string | undefined): string | undefined {
    if (s.effect !== "Deny") return "is not a Deny";
    if (!isRecord(s.condition)) return "has no condition";
    const secure = Object.entries(s.condition).some(
        ([op, block]) =>
            /^Bool(IfExists)?$/.test(op) &&
            isRecord(block) &&
            Object.entries(block).some(
                ([k, v]) => k.toLowerCase() === "aws:securetransport" && asArray(v).map(String).includes("false"),
            ),
    );
    if (!secure) return "does not test aws:SecureTransport = false";
    if (!principalsOf(s.principal).aws.includes("*")) return 'does not apply to Principal "*"';
    if (!s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*"))
        return `denies only ${s.actions.join(", ") || "no action"} instead of s3:*`;
    if (s.resources.includes("*")) return undefined;
    const targets = s.resources.map((r) => S3_ARN.exec(r)).filter((m): m is RegExpExecArray => m !== null);
    const names = [...new Set(targets.map((m) => m[1]))];
    const onBucket = (name: string) => targets.some((m) => m[1] === name && m[2] === undefined);
    const onAllObjects = (name: string) => targets.some((m) => m[1] === name && m[2] === "/*");
    if (bucketName !== undefined) {
        if (!names.includes(bucketName)) return `covers ${s.resources.join(", ")}, not bucket ${bucketName}`;
        if (!onBucket(bucketName)) return `does not cover the bucket itself (arn:...:s3:::${bucketName})`;
        if (!onAllObjects(bucketName))
            return `covers only part of the objects (${s.resources.join(", ")}) instead of ${bucketName}/*`;
        return undefined;
    }
    if (!names.some((n) => onBucket(n) && onAllObjects(n)))
        return `does not cover a bucket and all its objects (${s.resources.join(", ")})`;
    return undefined;
}

const TLS_DENY_SHAPE = ["is not a Deny", "has no condition", "does not test aws:SecureTransport = false"];

export const s3TlsOnly = stackRule(
    {
        name: "s3-tls-only",
        control: "S3.5",
        description:
            'Every S3 bucket\'s policy (its BucketPolicy or inline `policy`) has the TLS-only deny AWS Config\'s s3-bucket-ssl-requests-only accepts: Effect Deny, Principal "*", Action "s3:*" (or "*"), Resource both the bucket (arn:aws:s3:::<bucket>) and all its objects (arn:aws:s3:::<bucket>/*), of the bucket the policy is attached to when its name is known, and condition Bool (or BoolIfExists) aws:SecureTransport = false. Passes only with such a statement; a deny on some actions, on another bucket or on a prefix fails.',
        remediation:
            'Add to the bucket policy: { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, bucket/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        for (const bucket of buckets) {
            const documents = [
                prop(bucket, "policy"),
                ...companions(args.resources, bucket, [BUCKET_POLICY]).map((p) => prop(p, "policy")),
            ];
            if (documents.includes(UNKNOWN)) continue;
            const name = bucketNameOf(args.resources, bucket);
            const problems = documents.flatMap((d) => statementsOf(d) ?? []).map((st) => tlsDenyProblem(st, name));
            if (problems.includes(undefined)) continue;
            const nearMiss = problems.find((p) => p !== undefined && !TLS_DENY_SHAPE.includes(p));
            reportOn(
                report,
                bucket,
                nearMiss
                    ? `has no complete TLS-only deny: its aws:SecureTransport deny ${nearMiss}.`
                    : "has no policy denying aws:SecureTransport=false.",
            );
        }
    },
);

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"];

/** Buckets an ELB writes access logs to (by name, or by the load balancer's dependency on the bucket): AWS lets those use SSE-S3 only. */
function loadBalancerLogBuckets(resources: readonly PolicyResource[]): Set<string> {
    const out = new Set<string>();
    const buckets = ofType(resources, ...BUCKETS);
    // ALBs the AWS Load Balancer Controller creates from an Ingress: access_logs.s3.bucket=<name> in its attributes.
    for (const ingress of ofType(resources, INGRESS)) {
        const attributes = prop(
            ingress,
            "metadata",
            "annotations",
            "alb.ingress.kubernetes.io/load-balancer-attributes",
        );
        const named =
            typeof attributes === "string" ? /access_logs\.s3\.bucket=([^,\s]+)/.exec(attributes)?.[1] : undefined;
        for (const b of buckets) if (named !== undefined && named === bucketNameOf(resources, b)) out.add(b.urn);
    }
    for (const lb of ofType(resources, ...LOAD_BALANCERS)) {
        const target = prop(lb, "accessLogs", "bucket");
        if (target === undefined) continue;
        for (const b of buckets) {
            const byName = typeof target === "string" && (target === bucketNameOf(resources, b) || target === b.name);
            if (byName || relatesTo(lb, b)) out.add(b.urn);
        }
    }
    return out;
}

/**
 * The server access logging of a bucket: a BucketLogging whose `bucket` names it (or, with the name unknown,
 * that depends on it and does not name it as its target: a logging resource depends on both buckets).
 */
function loggingsOf(resources: readonly PolicyResource[], bucket: PolicyResource): PolicyResource[] {
    const name = bucketNameOf(resources, bucket);
    return ofType(resources, ...LOGGING).filter((l) => {
        const source = prop(l, "bucket");
        if (typeof source === "string") return source === name || source === bucket.name;
        const target = prop(l, "targetBucket");
        return relatesTo(l, bucket) && !(typeof target === "string" && (target === name || target === bucket.name));
    });
}

/** Buckets another bucket's server access logging writes to (S3 log delivery supports SSE-S3 targets only). */
function accessLogTargetBuckets(resources: readonly PolicyResource[]): Set<string> {
    const out = new Set<string>();
    const loggings = ofType(resources, ...LOGGING);
    for (const b of ofType(resources, ...BUCKETS)) {
        const name = bucketNameOf(resources, b);
        const own = loggingsOf(resources, b);
        if (
            loggings.some((l) => {
                if (own.includes(l)) return false;
                const target = prop(l, "targetBucket");
                return typeof target === "string" && (target === name || target === b.name);
            })
        )
            out.add(b.urn);
    }
    return out;
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Each rule's default algorithm of an SSE configuration (resource `rules` or inline `rule`); "" for a rule without one. */
function sseAlgorithms(config: unknown): string[] {
    if (!isRecord(config)) return [];
    return [...asArray(config.rules), ...asArray(config.rule)].map((r) => {
        const d = isRecord(r) ? r.applyServerSideEncryptionByDefault : undefined;
        return isRecord(d) && typeof d.sseAlgorithm === "string" ? d.sseAlgorithm : "";
    });
}

export const s3Encryption = stackRule(
    {
        name: "s3-encryption",
        passes: "every bucket has at least one SSE configuration, each with at least one rule, and every rule's `sseAlgorithm` is aws:kms or aws:kms:dsse (AES256 too for ELB and S3 access-log target buckets)",
        control: "S3.17",
        description:
            "Every S3 bucket is encrypted at rest with AWS KMS (FSBP S3.17): a BucketServerSideEncryptionConfiguration (or the bucket's inline serverSideEncryptionConfiguration) with at least one rule, every rule setting applyServerSideEncryptionByDefault.sseAlgorithm aws:kms or aws:kms:dsse. No configuration, a configuration without rules, a rule without a default algorithm, and AES256 fail. Documented exception: a bucket an ELB load balancer writes its access logs to (its `accessLogs.bucket`, or `access_logs.s3.bucket` in a Kubernetes Ingress's alb.ingress.kubernetes.io/load-balancer-attributes) may use AES256 (SSE-S3), the only encryption ELB log delivery supports, and so may the `targetBucket` of another bucket's S3 server access logging, for the same reason.",
        remediation:
            'Add an aws.s3.BucketServerSideEncryptionConfiguration with rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId } }].',
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        const elbLogBuckets = loadBalancerLogBuckets(args.resources);
        const accessLogTargets = accessLogTargetBuckets(args.resources);
        for (const bucket of buckets) {
            const inline = prop(bucket, "serverSideEncryptionConfiguration");
            const configs = [
                ...(inline !== undefined && inline !== UNKNOWN ? [plainCopy(inline)] : []),
                ...companions(args.resources, bucket, SSE).map((c) => plainCopy(c.props)),
            ];
            if (configs.length === 0) {
                if (inline !== UNKNOWN) reportOn(report, bucket, "has no server-side encryption configuration.");
                continue;
            }
            const elbLogs = elbLogBuckets.has(bucket.urn) || accessLogTargets.has(bucket.urn);
            const allowed = elbLogs ? [...KMS_ALGORITHMS, "AES256"] : KMS_ALGORITHMS;
            for (const config of configs) {
                const algorithms = sseAlgorithms(config);
                if (algorithms.length === 0 || algorithms.includes(""))
                    reportOn(
                        report,
                        bucket,
                        "has a server-side encryption configuration with an empty rule (no default algorithm).",
                    );
                else if (!algorithms.every((a) => allowed.includes(a)))
                    reportOn(
                        report,
                        bucket,
                        `is encrypted with ${algorithms.join(", ")}; S3.17 needs aws:kms${elbLogs ? "" : " (AES256 is accepted only for ELB and S3 access-log buckets)"}.`,
                    );
            }
        }
    },
);

/** The tag a bucket carries to state why it has no server access logging (S3.9's documented exception). */
export const ACCESS_LOGGING_EXEMPTION_TAG = "voteapp:access-logging-exemption";

export const s3AccessLogging = stackRule(
    {
        name: "s3-access-logging",
        control: "S3.9",
        description: `Every S3 bucket has server access logging: an aws.s3.BucketLogging for it (by dependency or bucket name) with a \`targetBucket\`, or the bucket's inline \`logging.targetBucket\`. Exceptions, so log buckets do not log into themselves: a bucket that another bucket's BucketLogging names as \`targetBucket\` passes, and so does a bucket tagged \`${ACCESS_LOGGING_EXEMPTION_TAG}\` with a non-empty reason (e.g. it only receives ALB or CloudTrail log deliveries). Any other bucket fails.`,
        remediation: `Add an aws.s3.BucketLogging with targetBucket = a log bucket, or tag a log-only bucket ${ACCESS_LOGGING_EXEMPTION_TAG}=<reason>.`,
    },
    (args, report) => {
        const buckets = ofType(args.resources, ...BUCKETS);
        if (buckets.length === 0) args.notApplicable("No S3 bucket in the stack.");
        const targets = accessLogTargetBuckets(args.resources);
        for (const bucket of buckets) {
            const inline = prop(bucket, "logging");
            if (inline === UNKNOWN || (isRecord(inline) && inline.targetBucket)) continue;
            if (loggingsOf(args.resources, bucket).some((l) => prop(l, "targetBucket") !== undefined)) continue;
            if (targets.has(bucket.urn)) continue;
            const tags = prop(bucket, "tags");
            if (tags === UNKNOWN || (tagsOf(tags)[ACCESS_LOGGING_EXEMPTION_TAG] ?? "").trim() !== "") continue;
            reportOn(
                report,
                bucket,
                `has no server access logging and no ${ACCESS_LOGGING_EXEMPTION_TAG} tag stating why.`,
            );
        }
    },
);

export const s3NoPublicPolicy = noPublicPolicyRule({
    name: "s3-no-public-policy",
    service: "s3",
    what: "S3 bucket policies",
});

export const DEFAULT_VERSIONED_BUCKET_PATTERN = "log|state|trail";

export const s3Versioning = stackRule(
    {
        name: "s3-versioning",
        passes: "buckets whose name or logical name matches `bucketPattern` have `versioning.enabled` or a BucketVersioning with status Enabled; other buckets pass",
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

export const s3Policies = [s3BlockPublic, s3TlsOnly, s3Encryption, s3Versioning, s3AccessLogging, s3NoPublicPolicy];
