import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    ACCESS_LOGGING_EXEMPTION_TAG_KEY,
    createAccessLogBucket,
    createLogDeliveryBucket,
    type LogDeliveryBucketArgs,
} from "../../components/accessLogBucket";
import { TEST_KMS_KEY_ARN } from "../support/fixtures";
import { mountComponent } from "../support/mount";
import { assertPrivateTlsOnlyBucket, assertRejectsWith, input, policyStatements, single } from "../support/resources";

/**
 * The one writer of log delivery buckets (ALB access logs, the CloudTrail bucket), mounted under a bare
 * component with the args each test chooses.
 */
const mountUnder = (create: (parent: pulumi.ComponentResource) => void) =>
    mountComponent((opts) => {
        const holder = new pulumi.ComponentResource("voteapp:test:Holder", "holder", {}, opts);
        create(holder);
        return holder;
    });
const ARGS: LogDeliveryBucketArgs = {
    exemption: "log bucket: test deliveries only",
    encryption: "AES256",
    expiry: { id: "expire-test", days: 30, noncurrentDays: 7 },
    policy: (_bucket, tlsOnly) => [tlsOnly],
};

describe("log delivery buckets (components/accessLogBucket.ts)", () => {
    it("private, TLS-only, versioned, exempt from access logging by tag; SSE-S3 or SSE-KMS with a bucket key, as given", async () => {
        for (const encryption of ["AES256", { kmsKeyArn: TEST_KMS_KEY_ARN }] as const) {
            const run = await mountUnder((parent) => createLogDeliveryBucket("logs", { ...ARGS, encryption }, parent));
            assertPrivateTlsOnlyBucket(run, "logs", {
                sseAlgorithm: encryption === "AES256" ? "AES256" : "aws:kms",
                versioned: true,
            });
            const bucket = single(run, "aws:s3/bucket:Bucket");
            assert.strictEqual(input(bucket, "tags", ACCESS_LOGGING_EXEMPTION_TAG_KEY), ARGS.exemption);
            const rule = input(
                single(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                "rules",
                0,
            ) as Record<string, unknown>;
            if (encryption !== "AES256")
                assert.deepStrictEqual(rule, {
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: TEST_KMS_KEY_ARN },
                    bucketKeyEnabled: true,
                });
        }
    });

    it("refuses a policy that drops the TLS-only deny", async () => {
        await assertRejectsWith(
            mountUnder((parent) => createLogDeliveryBucket("logs", { ...ARGS, policy: () => [] }, parent)),
            "logs: a log bucket's policy must keep the TLS-only deny",
        );
    });

    it("ALB access logs: ELB and its log delivery service write only under alb/AWSLogs/<account>/, then the TLS deny; the policy waits for the public access block", async () => {
        const run = await mountUnder((parent) => createAccessLogBucket("alb", 90, parent, "voteapp-test-"));
        assertPrivateTlsOnlyBucket(run, "alb-access-logs", { sseAlgorithm: "AES256", versioned: true });
        const policy = single(run, "aws:s3/bucketPolicy:BucketPolicy");
        assert.deepStrictEqual(
            policyStatements(policy.inputs.policy).map((s) => s.Sid),
            ["ElbLogDelivery", "ElbLogDeliveryService", "DenyInsecureTransport"],
        );
        assert.ok(
            policy.dependencies.includes(single(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn),
        );
        assert.strictEqual(
            input(
                single(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
                "rules",
                0,
                "expiration",
                "days",
            ),
            90,
        );
        assert.strictEqual(single(run, "aws:s3/bucket:Bucket").inputs.bucketPrefix, "voteapp-test-");
    });
});
