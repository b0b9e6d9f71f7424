import * as assert from "assert";
import { guardDutyFeaturesFor, inspectorResourceTypesFor } from "../../../components/security/accountSecurityBaseline";
import { PLATFORM_WORKLOADS } from "../../../stacks/security";
import { descendantsOf, input, ofType, single, stackRun } from "../../support/stacks";

interface Statement {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Resource?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}
const statements = (json: unknown): Statement[] => (JSON.parse(String(json)) as { Statement: Statement[] }).Statement;
const bySid = (json: unknown, sid: string): Statement => {
    const found = statements(json).find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid} in ${String(json)}`);
    return found;
};

describe("AccountSecurityBaseline", () => {
    it("GuardDuty: one enabled detector publishing at the configured frequency", async () => {
        const detector = single(await stackRun("prod"), "aws:guardduty/detector:Detector");
        assert.strictEqual(detector.inputs.enable, true);
        assert.strictEqual(detector.inputs.findingPublishingFrequency, "FIFTEEN_MINUTES");
        const hourly = single(
            await stackRun("dev", { overrides: { "voteapp:guardDutyFindingFrequency": "ONE_HOUR" } }),
            "aws:guardduty/detector:Detector",
        );
        assert.strictEqual(hourly.inputs.findingPublishingFrequency, "ONE_HOUR");
    });

    it("GuardDuty on ecs: S3 data events, RDS login events, Lambda network logs (the database setup), runtime monitoring with the managed Fargate agent, all ENABLED", async () => {
        const features = ofType(await stackRun("prod"), "aws:guardduty/detectorFeature:DetectorFeature");
        const byName = Object.fromEntries(features.map((f) => [String(f.inputs.name), f]));
        assert.deepStrictEqual(Object.keys(byName).sort(), [
            "LAMBDA_NETWORK_LOGS",
            "RDS_LOGIN_EVENTS",
            "RUNTIME_MONITORING",
            "S3_DATA_EVENTS",
        ]);
        for (const f of features) assert.strictEqual(f.inputs.status, "ENABLED", String(f.inputs.name));
        assert.deepStrictEqual(byName.RUNTIME_MONITORING.inputs.additionalConfigurations, [
            { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
        ]);
    });

    it("GuardDuty features and Inspector scans follow each platform's workloads", () => {
        const names = (platform: keyof typeof PLATFORM_WORKLOADS) =>
            guardDutyFeaturesFor(PLATFORM_WORKLOADS[platform])
                .map((f) => f.name)
                .sort();
        assert.deepStrictEqual(names("eks"), [
            "EBS_MALWARE_PROTECTION",
            "EKS_AUDIT_LOGS",
            "LAMBDA_NETWORK_LOGS",
            "RDS_LOGIN_EVENTS",
            "RUNTIME_MONITORING",
            "S3_DATA_EVENTS",
        ]);
        assert.deepStrictEqual(
            guardDutyFeaturesFor(PLATFORM_WORKLOADS.eks).find((f) => f.name === "RUNTIME_MONITORING")?.additional,
            ["EKS_ADDON_MANAGEMENT"],
        );
        assert.deepStrictEqual(names("lambda"), ["LAMBDA_NETWORK_LOGS", "S3_DATA_EVENTS"]);
        // ecs and eks run the database setup function: Inspector scans Lambda there too.
        assert.deepStrictEqual(inspectorResourceTypesFor(PLATFORM_WORKLOADS.ecs), ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        assert.deepStrictEqual(inspectorResourceTypesFor(PLATFORM_WORKLOADS.lambda), ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        assert.deepStrictEqual(inspectorResourceTypesFor(PLATFORM_WORKLOADS.eks), [
            "ECR",
            "LAMBDA",
            "LAMBDA_CODE",
            "EC2",
        ]);
    });

    it("Inspector v2 scans the stack's account's ECR images, and the registry uses enhanced continuous scanning after it", async () => {
        const run = await stackRun("prod");
        const enabler = single(run, "aws:inspector2/enabler:Enabler");
        assert.deepStrictEqual(enabler.inputs.accountIds, ["333333333333"]);
        // ECR images, and the database setup function (Lambda) that ecs runs too.
        assert.deepStrictEqual(enabler.inputs.resourceTypes, ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        const scanning = single(run, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
        assert.strictEqual(scanning.inputs.scanType, "ENHANCED");
        assert.deepStrictEqual(scanning.inputs.rules, [
            { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
        ]);
        assert.ok(scanning.dependencies.includes(enabler.urn), "enhanced scanning must wait for Inspector");
    });

    it("CloudTrail: multi-region, global events, log file validation, KMS, CloudWatch Logs delivery through its own role", async () => {
        const run = await stackRun("prod");
        const trail = single(run, "aws:cloudtrail/trail:Trail");
        assert.strictEqual(trail.inputs.name, "voteapp-prod-audit");
        for (const flag of [
            "isMultiRegionTrail",
            "includeGlobalServiceEvents",
            "enableLogFileValidation",
            "enableLogging",
        ])
            assert.strictEqual(trail.inputs[flag], true, flag);
        const key = single(run, "aws:kms/key:Key", "account-security-trail");
        assert.ok(String(trail.inputs.kmsKeyId).startsWith("arn:aws:kms:"), "kmsKeyId");
        const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail");
        assert.strictEqual(logGroup.inputs.name, "/voteapp/voteapp-prod/cloudtrail");
        assert.strictEqual(
            trail.inputs.cloudWatchLogsGroupArn,
            "arn:aws:logs:eu-west-1:333333333333:log-group:/voteapp/voteapp-prod/cloudtrail:*",
        );
        assert.strictEqual(logGroup.inputs.retentionInDays, 365);
        assert.ok(logGroup.inputs.kmsKeyId, "the trail's log group is KMS-encrypted");
        const role = single(run, "aws:iam/role:Role", "account-security-cloudtrail-logs");
        assert.strictEqual(
            trail.inputs.cloudWatchLogsRoleArn,
            "arn:aws:iam::333333333333:role/account-security-cloudtrail-logs",
        );
        const trust = statements(role.inputs.assumeRolePolicy)[0];
        assert.deepStrictEqual(trust.Principal, { Service: "cloudtrail.amazonaws.com" });
        assert.strictEqual(
            trust.Condition?.StringEquals["aws:SourceArn"],
            "arn:aws:cloudtrail:eu-west-1:333333333333:trail/voteapp-prod-audit",
        );
        const delivery = statements(
            single(run, "aws:iam/rolePolicy:RolePolicy", "account-security-cloudtrail-logs").inputs.policy,
        )[0];
        assert.deepStrictEqual(delivery.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.strictEqual(
            delivery.Resource,
            "arn:aws:logs:eu-west-1:333333333333:log-group:/voteapp/voteapp-prod/cloudtrail:log-stream:*",
        );
        assert.strictEqual(key.inputs.enableKeyRotation, true);
    });

    it("the trail's key lets CloudTrail encrypt only for this account's trails and CloudWatch Logs use it for this account's groups", async () => {
        const key = single(await stackRun("prod"), "aws:kms/key:Key", "account-security-trail");
        const encrypt = bySid(key.inputs.policy, "CloudTrailEncryptsThisTrail");
        assert.deepStrictEqual(encrypt.Principal, { Service: "cloudtrail.amazonaws.com" });
        assert.strictEqual(encrypt.Action, "kms:GenerateDataKey*");
        assert.strictEqual(
            encrypt.Condition?.StringEquals["aws:SourceArn"],
            "arn:aws:cloudtrail:eu-west-1:333333333333:trail/voteapp-prod-audit",
        );
        assert.strictEqual(
            encrypt.Condition?.StringLike["kms:EncryptionContext:aws:cloudtrail:arn"],
            "arn:aws:cloudtrail:*:333333333333:trail/*",
        );
        assert.strictEqual(
            bySid(key.inputs.policy, "AccountPrincipalsReadLogFiles").Condition?.StringEquals["kms:CallerAccount"],
            "333333333333",
        );
        assert.deepStrictEqual(bySid(key.inputs.policy, "CloudWatchLogsOfThisAccount").Principal, {
            Service: "logs.eu-west-1.amazonaws.com",
        });
    });

    it("the trail bucket: public access blocked, TLS only, CloudTrail writes only its own prefix, versioned, SSE-KMS, expires after the audit retention", async () => {
        const run = await stackRun("prod");
        const bucket = single(run, "aws:s3/bucket:Bucket", "account-security-trail-logs");
        assert.strictEqual(bucket.inputs.forceDestroy, false);
        const companion = (type: string) => single(run, type, "account-security-trail-logs");
        const block = companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
            assert.strictEqual(block.inputs[flag], true, flag);
        const policy = companion("aws:s3/bucketPolicy:BucketPolicy").inputs.policy;
        const deny = bySid(policy, "DenyInsecureTransport");
        assert.deepStrictEqual([deny.Effect, deny.Condition?.Bool["aws:SecureTransport"]], ["Deny", "false"]);
        const write = bySid(policy, "CloudTrailWrite");
        assert.ok(String(write.Resource).endsWith("/AWSLogs/333333333333/*"), String(write.Resource));
        assert.strictEqual(write.Condition?.StringEquals["s3:x-amz-acl"], "bucket-owner-full-control");
        assert.strictEqual(bySid(policy, "CloudTrailAclCheck").Action, "s3:GetBucketAcl");
        assert.strictEqual(
            input(companion("aws:s3/bucketVersioning:BucketVersioning"), "versioningConfiguration", "status"),
            "Enabled",
        );
        const sse = input(
            companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
            "rules",
            0,
            "applyServerSideEncryptionByDefault",
        ) as Record<string, unknown>;
        assert.strictEqual(sse.sseAlgorithm, "aws:kms");
        assert.ok(String(sse.kmsMasterKeyId).startsWith("arn:aws:kms:"));
        assert.strictEqual(
            input(
                companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
                "rules",
                0,
                "expiration",
                "days",
            ),
            365,
        );
        const devLifecycle = single(
            await stackRun("dev"),
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "account-security-trail-logs",
        );
        assert.strictEqual(input(devLifecycle, "rules", 0, "expiration", "days"), 90);
    });

    it("audit evidence (bucket, key, log group) is protected and retained in staging and prod, not in dev", async () => {
        for (const [stack, expected] of [
            ["prod", true],
            ["staging", true],
            ["dev", false],
        ] as const) {
            const run = await stackRun(stack);
            for (const [type, fragment] of [
                ["aws:s3/bucket:Bucket", "account-security-trail-logs"],
                ["aws:kms/key:Key", "account-security-trail"],
                ["aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail"],
            ] as const) {
                const resource = single(run, type, fragment);
                assert.strictEqual(resource.protect && resource.retainOnDelete, expected, `${stack} ${resource.name}`);
            }
        }
    });

    it("IAM Access Analyzer for the account", async () => {
        const analyzer = single(await stackRun("prod"), "aws:accessanalyzer/analyzer:Analyzer");
        assert.deepStrictEqual(
            [analyzer.inputs.analyzerName, analyzer.inputs.type],
            ["voteapp-prod-account", "ACCOUNT"],
        );
    });

    it("Security Hub with the FSBP standard only when securityHub is true", async () => {
        const prod = await stackRun("prod");
        const hub = single(prod, "aws:securityhub/account:Account");
        assert.strictEqual(hub.inputs.enableDefaultStandards, false);
        assert.strictEqual(hub.inputs.controlFindingGenerator, "SECURITY_CONTROL");
        const subscription = single(prod, "aws:securityhub/standardsSubscription:StandardsSubscription");
        assert.strictEqual(
            subscription.inputs.standardsArn,
            "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        );
        assert.ok(subscription.dependencies.includes(hub.urn));
        assert.strictEqual(ofType(await stackRun("dev"), "aws:securityhub/account:Account").length, 0);
    });

    it("every baseline resource goes through the stack's account provider", async () => {
        const run = await stackRun("prod");
        const component = single(run, "voteapp:security:AccountSecurityBaseline");
        const children = descendantsOf(run, component).filter((r) => r.custom);
        assert.ok(children.length >= 15, `${children.length} resources`);
        for (const r of children)
            assert.ok(r.provider?.includes("pulumi:providers:aws::"), `${r.name} provider ${r.provider}`);
    });

    it("securityBaseline = central: the stack creates none of the baseline", async () => {
        const run = await stackRun("dev", {
            overrides: { "voteapp:securityBaseline": "central", "voteapp:securityAccountId": "444444444444" },
        });
        for (const type of [
            "voteapp:security:AccountSecurityBaseline",
            "aws:guardduty/detector:Detector",
            "aws:inspector2/enabler:Enabler",
            "aws:cloudtrail/trail:Trail",
            "aws:accessanalyzer/analyzer:Analyzer",
            "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
        ]) {
            assert.strictEqual(ofType(run, type).length, 0, type);
        }
    });
});
