import * as assert from "assert";
import {
    AccountSecurityBaseline,
    type AccountSecurityBaselineArgs,
    type AccountWorkloads,
    guardDutyFeaturesFor,
    inspectorResourceTypesFor,
} from "../../../components/security/accountSecurityBaseline";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import type { MockedRun } from "../../../plan/harness";
import { MOUNT_ACCOUNT, mountComponent } from "../../support/mount";
import { TEST_NAME_PREFIX } from "../../support/fixtures";
import {
    assertPrivateTlsOnlyBucket,
    descendantsOf,
    input,
    ofType,
    policyStatements,
    type PolicyStatement,
    single,
} from "../../support/resources";

/**
 * AccountSecurityBaseline mounted alone with the args each test chooses (issue 16.5); what each stack's config
 * makes of it (which workloads per platform, frequency, retention, protection, central baseline) is
 * test/stacks/securityComposition.test.ts.
 */
const { region, accountId } = MOUNT_ACCOUNT;
const TRAIL_NAME = `${TEST_NAME_PREFIX}-audit`;
const TRAIL_ARN = `arn:aws:cloudtrail:${region}:${accountId}:trail/${TRAIL_NAME}`;
const ECS_WORKLOADS: AccountWorkloads = { ecsFargate: true, rds: true, lambda: true };
const EKS_WORKLOADS: AccountWorkloads = { eks: true, ec2: true, rds: true, lambda: true };

const TEST_BASELINE_ARGS: AccountSecurityBaselineArgs = {
    namePrefix: TEST_NAME_PREFIX,
    accountId,
    region,
    workloads: ECS_WORKLOADS,
    auditLogRetentionDays: 90,
};
const mountBaseline = (args: Partial<AccountSecurityBaselineArgs> = {}) =>
    mountComponent((opts) => new AccountSecurityBaseline("account-security", { ...TEST_BASELINE_ARGS, ...args }, opts));
let defaults: Promise<MockedRun> | undefined;
/** The baseline with the args above alone: ecs workloads, defaults for everything optional. */
const plainBaseline = () => (defaults ??= mountBaseline());

const bySid = (policy: unknown, sid: string): PolicyStatement => {
    const found = policyStatements(policy).find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid} in ${String(policy)}`);
    return found;
};
const featuresOf = (run: MockedRun) =>
    Object.fromEntries(
        ofType(run, "aws:guardduty/detectorFeature:DetectorFeature").map((f) => [String(f.inputs.name), f]),
    );

describe("AccountSecurityBaseline", () => {
    it("GuardDuty: one enabled detector publishing every 15 minutes by default, or at the frequency given", async () => {
        const detector = single(await plainBaseline(), "aws:guardduty/detector:Detector");
        assert.deepStrictEqual(
            [detector.inputs.enable, detector.inputs.findingPublishingFrequency],
            [true, "FIFTEEN_MINUTES"],
        );
        const hourly = single(
            await mountBaseline({ guardDutyFindingFrequency: "ONE_HOUR" }),
            "aws:guardduty/detector:Detector",
        );
        assert.strictEqual(hourly.inputs.findingPublishingFrequency, "ONE_HOUR");
    });

    it("GuardDuty features follow the workloads given, all ENABLED, with the runtime agent AWS manages for the platform", async () => {
        for (const [workloads, agent] of [
            [ECS_WORKLOADS, "ECS_FARGATE_AGENT_MANAGEMENT"],
            [EKS_WORKLOADS, "EKS_ADDON_MANAGEMENT"],
            [{ lambda: true }, undefined],
        ] as const) {
            const run = workloads === ECS_WORKLOADS ? await plainBaseline() : await mountBaseline({ workloads });
            const features = featuresOf(run);
            assert.deepStrictEqual(
                Object.keys(features).sort(),
                guardDutyFeaturesFor(workloads)
                    .map((f) => f.name)
                    .sort(),
            );
            for (const f of Object.values(features))
                assert.strictEqual(f.inputs.status, "ENABLED", String(f.inputs.name));
            assert.deepStrictEqual(
                features.RUNTIME_MONITORING?.inputs.additionalConfigurations,
                agent ? [{ name: agent, status: "ENABLED" }] : undefined,
            );
        }
        assert.deepStrictEqual(Object.keys(featuresOf(await plainBaseline())).sort(), [
            "LAMBDA_NETWORK_LOGS",
            "RDS_LOGIN_EVENTS",
            "RUNTIME_MONITORING",
            "S3_DATA_EVENTS",
        ]);
    });

    it("the feature and scan tables: what each kind of workload turns on", () => {
        assert.deepStrictEqual(
            guardDutyFeaturesFor(EKS_WORKLOADS)
                .map((f) => f.name)
                .sort(),
            [
                "EBS_MALWARE_PROTECTION",
                "EKS_AUDIT_LOGS",
                "LAMBDA_NETWORK_LOGS",
                "RDS_LOGIN_EVENTS",
                "RUNTIME_MONITORING",
                "S3_DATA_EVENTS",
            ],
        );
        assert.deepStrictEqual(
            guardDutyFeaturesFor({ lambda: true })
                .map((f) => f.name)
                .sort(),
            ["LAMBDA_NETWORK_LOGS", "S3_DATA_EVENTS"],
        );
        assert.deepStrictEqual(inspectorResourceTypesFor(ECS_WORKLOADS), ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        assert.deepStrictEqual(inspectorResourceTypesFor(EKS_WORKLOADS), ["ECR", "LAMBDA", "LAMBDA_CODE", "EC2"]);
        assert.deepStrictEqual(inspectorResourceTypesFor(ECS_WORKLOADS, { lambdaCode: false }), ["ECR", "LAMBDA"]);
        assert.deepStrictEqual(inspectorResourceTypesFor({}), ["ECR"]);
    });

    it("Inspector v2 scans the account given, and the registry uses enhanced continuous scanning after it (ecrScanning enhanced, the default)", async () => {
        const run = await plainBaseline();
        const enabler = single(run, "aws:inspector2/enabler:Enabler");
        assert.deepStrictEqual(enabler.inputs.accountIds, [accountId]);
        assert.deepStrictEqual(enabler.inputs.resourceTypes, ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        const scanning = single(run, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
        assert.strictEqual(scanning.inputs.scanType, "ENHANCED");
        assert.deepStrictEqual(scanning.inputs.rules, [
            { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
        ]);
        assert.ok(scanning.dependencies.includes(enabler.urn), "enhanced scanning must wait for Inspector");
    });

    it("ecrScanning basic: ECR's free scan on push and no Inspector ECR scans; lambdaCodeScanning false drops LAMBDA_CODE; nothing left to scan, no Inspector", async () => {
        const basic = await mountBaseline({ ecrScanning: "basic", lambdaCodeScanning: false });
        assert.deepStrictEqual(single(basic, "aws:inspector2/enabler:Enabler").inputs.resourceTypes, ["LAMBDA"]);
        const scanning = single(basic, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
        assert.strictEqual(scanning.inputs.scanType, "BASIC");
        assert.deepStrictEqual(scanning.inputs.rules, [
            { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
        ]);
        const nothing = await mountBaseline({ ecrScanning: "basic", workloads: { ecsFargate: true, rds: true } });
        assert.strictEqual(ofType(nothing, "aws:inspector2/enabler:Enabler").length, 0);
    });

    it("CloudTrail: multi-region, global events, log file validation, KMS, CloudWatch Logs delivery through its own role", async () => {
        const run = await plainBaseline();
        const trail = single(run, "aws:cloudtrail/trail:Trail");
        assert.strictEqual(trail.inputs.name, TRAIL_NAME);
        for (const flag of [
            "isMultiRegionTrail",
            "includeGlobalServiceEvents",
            "enableLogFileValidation",
            "enableLogging",
        ])
            assert.strictEqual(trail.inputs[flag], true, flag);
        const key = single(run, "aws:kms/key:Key", "account-security-trail");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.ok(String(trail.inputs.kmsKeyId).startsWith("arn:aws:kms:"), "kmsKeyId");
        const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail");
        assert.strictEqual(logGroup.inputs.name, `/voteapp/${TEST_NAME_PREFIX}/cloudtrail`);
        assert.strictEqual(
            trail.inputs.cloudWatchLogsGroupArn,
            `arn:aws:logs:${region}:${accountId}:log-group:/voteapp/${TEST_NAME_PREFIX}/cloudtrail:*`,
        );
        assert.ok(logGroup.inputs.kmsKeyId, "the trail's log group is KMS-encrypted");
        single(run, "aws:iam/role:Role", "account-security-cloudtrail-logs");
        assert.strictEqual(
            trail.inputs.cloudWatchLogsRoleArn,
            `arn:aws:iam::${accountId}:role/account-security-cloudtrail-logs`,
        );
        const trust = policyStatements(
            single(run, "aws:iam/role:Role", "account-security-cloudtrail-logs").inputs.assumeRolePolicy,
        )[0];
        assert.deepStrictEqual(trust.Principal, { Service: "cloudtrail.amazonaws.com" });
        assert.strictEqual(trust.Condition?.StringEquals["aws:SourceArn"], TRAIL_ARN);
        const delivery = policyStatements(
            single(run, "aws:iam/rolePolicy:RolePolicy", "account-security-cloudtrail-logs").inputs.policy,
        )[0];
        assert.deepStrictEqual(delivery.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.strictEqual(
            delivery.Resource,
            `arn:aws:logs:${region}:${accountId}:log-group:/voteapp/${TEST_NAME_PREFIX}/cloudtrail:log-stream:*`,
        );
    });

    it("the trail's key lets CloudTrail encrypt only for this account's trails and CloudWatch Logs use it for this account's groups", async () => {
        const key = single(await plainBaseline(), "aws:kms/key:Key", "account-security-trail");
        const encrypt = bySid(key.inputs.policy, "CloudTrailEncryptsThisTrail");
        assert.deepStrictEqual(encrypt.Principal, { Service: "cloudtrail.amazonaws.com" });
        assert.strictEqual(encrypt.Action, "kms:GenerateDataKey*");
        assert.strictEqual(encrypt.Condition?.StringEquals["aws:SourceArn"], TRAIL_ARN);
        assert.strictEqual(
            encrypt.Condition?.StringLike["kms:EncryptionContext:aws:cloudtrail:arn"],
            `arn:aws:cloudtrail:*:${accountId}:trail/*`,
        );
        assert.strictEqual(
            bySid(key.inputs.policy, "AccountPrincipalsReadLogFiles").Condition?.StringEquals["kms:CallerAccount"],
            accountId,
        );
        assert.deepStrictEqual(bySid(key.inputs.policy, "CloudWatchLogsOfThisAccount").Principal, {
            Service: `logs.${region}.amazonaws.com`,
        });
    });

    it("the trail bucket: private, TLS only, CloudTrail writes only its own prefix, versioned, SSE-KMS, expires after auditLogRetentionDays", async () => {
        for (const days of [90, 365]) {
            const run = days === 90 ? await plainBaseline() : await mountBaseline({ auditLogRetentionDays: days });
            const bucket = single(run, "aws:s3/bucket:Bucket", "account-security-trail-logs");
            assert.strictEqual(bucket.inputs.forceDestroy, false);
            assert.strictEqual(bucket.inputs.bucketPrefix, `${TEST_NAME_PREFIX}-`);
            assertPrivateTlsOnlyBucket(run, "account-security-trail-logs", {
                sseAlgorithm: "aws:kms",
                versioned: true,
            });
            const companion = (type: string) => single(run, type, "account-security-trail-logs");
            const policy = companion("aws:s3/bucketPolicy:BucketPolicy").inputs.policy;
            const write = bySid(policy, "CloudTrailWrite");
            assert.ok(String(write.Resource).endsWith(`/AWSLogs/${accountId}/*`), String(write.Resource));
            assert.strictEqual(write.Condition?.StringEquals["s3:x-amz-acl"], "bucket-owner-full-control");
            assert.strictEqual(bySid(policy, "CloudTrailAclCheck").Action, "s3:GetBucketAcl");
            const sse = input(
                companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                "rules",
                0,
                "applyServerSideEncryptionByDefault",
            ) as Record<string, unknown>;
            assert.ok(String(sse.kmsMasterKeyId).startsWith("arn:aws:kms:"));
            assert.strictEqual(
                input(
                    companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
                    "rules",
                    0,
                    "expiration",
                    "days",
                ),
                days,
            );
            assert.strictEqual(
                single(run, "aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail").inputs.retentionInDays,
                days,
            );
        }
    });

    it("with deletion protection the audit evidence (bucket, key, log group) is protected and retained; without, not", async () => {
        for (const [run, expected] of [
            [await mountBaseline({ protection: FULL_PROTECTION }), true],
            [await plainBaseline(), false],
        ] as const) {
            for (const [type, fragment] of [
                ["aws:s3/bucket:Bucket", "account-security-trail-logs"],
                ["aws:kms/key:Key", "account-security-trail"],
                ["aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail"],
            ] as const) {
                const resource = single(run, type, fragment);
                assert.strictEqual(resource.protect && resource.retainOnDelete, expected, resource.name);
            }
        }
    });

    it("IAM Access Analyzer for the account", async () => {
        const analyzer = single(await plainBaseline(), "aws:accessanalyzer/analyzer:Analyzer");
        assert.deepStrictEqual(
            [analyzer.inputs.analyzerName, analyzer.inputs.type],
            [`${TEST_NAME_PREFIX}-account`, "ACCOUNT"],
        );
    });

    it("Security Hub with the FSBP standard only when securityHub is true", async () => {
        const run = await mountBaseline({ securityHub: true });
        const hub = single(run, "aws:securityhub/account:Account");
        assert.strictEqual(hub.inputs.enableDefaultStandards, false);
        assert.strictEqual(hub.inputs.controlFindingGenerator, "SECURITY_CONTROL");
        const subscription = single(run, "aws:securityhub/standardsSubscription:StandardsSubscription");
        assert.strictEqual(
            subscription.inputs.standardsArn,
            `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
        );
        assert.ok(subscription.dependencies.includes(hub.urn));
        assert.strictEqual(ofType(await plainBaseline(), "aws:securityhub/account:Account").length, 0);
    });

    it("every baseline resource goes through the provider it is given", async () => {
        const run = await plainBaseline();
        const provider = single(run, "pulumi:providers:aws");
        const children = descendantsOf(run, single(run, "voteapp:security:AccountSecurityBaseline")).filter(
            (r) => r.custom,
        );
        assert.ok(children.length >= 15, `${children.length} resources`);
        for (const r of children) assert.ok(r.provider?.startsWith(provider.urn), `${r.name} provider ${r.provider}`);
    });
});
