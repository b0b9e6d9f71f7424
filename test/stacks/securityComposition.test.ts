import * as assert from "assert";
import { guardDutyFeaturesFor, inspectorResourceTypesFor } from "../../components/security/accountSecurityBaseline";
import { PLATFORM_WORKLOADS } from "../../stacks/security";
import { descendantsOf, input, ofType, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of the AccountSecurityBaseline (securityBaseline = stack): the
 * platform's workloads, the finding frequency, the audit retention, protection per tier, Security Hub, the
 * account's provider; and nothing of it with a central security account. What the component does with its args
 * is test/components/security/accountSecurityBaseline.test.ts, on the component mounted alone.
 */
describe("stacks: config reaches the AccountSecurityBaseline", function () {
    this.timeout(180_000);

    it("guardDutyFindingFrequency: prod's FIFTEEN_MINUTES, and ONE_HOUR when set", async () => {
        const detector = single(await stackRun("prod"), "aws:guardduty/detector:Detector");
        assert.strictEqual(detector.inputs.findingPublishingFrequency, "FIFTEEN_MINUTES");
        const hourly = single(
            await stackRun("dev", { overrides: { "voteapp:guardDutyFindingFrequency": "ONE_HOUR" } }),
            "aws:guardduty/detector:Detector",
        );
        assert.strictEqual(hourly.inputs.findingPublishingFrequency, "ONE_HOUR");
    });

    it("on ecs: S3 data events, RDS login events, Lambda network logs (the database setup), runtime monitoring with the managed Fargate agent", async () => {
        const features = ofType(await stackRun("prod"), "aws:guardduty/detectorFeature:DetectorFeature");
        const byName = Object.fromEntries(features.map((f) => [String(f.inputs.name), f]));
        assert.deepStrictEqual(Object.keys(byName).sort(), [
            "LAMBDA_NETWORK_LOGS",
            "RDS_LOGIN_EVENTS",
            "RUNTIME_MONITORING",
            "S3_DATA_EVENTS",
        ]);
        assert.deepStrictEqual(byName.RUNTIME_MONITORING.inputs.additionalConfigurations, [
            { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
        ]);
    });

    it("each platform's workloads (PLATFORM_WORKLOADS) choose its GuardDuty features and Inspector scans", () => {
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

    it("prod: Inspector scans the stack's account; the trail, its log group and bucket are named after the stack and kept 365 days; dev's 90", async () => {
        const run = await stackRun("prod");
        const enabler = single(run, "aws:inspector2/enabler:Enabler");
        assert.deepStrictEqual(enabler.inputs.accountIds, ["333333333333"]);
        assert.deepStrictEqual(enabler.inputs.resourceTypes, ["ECR", "LAMBDA", "LAMBDA_CODE"]);
        const trail = single(run, "aws:cloudtrail/trail:Trail");
        assert.strictEqual(trail.inputs.name, "voteapp-prod-audit");
        assert.strictEqual(
            trail.inputs.cloudWatchLogsGroupArn,
            "arn:aws:logs:eu-west-1:333333333333:log-group:/voteapp/voteapp-prod/cloudtrail:*",
        );
        const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup", "account-security-cloudtrail");
        assert.strictEqual(logGroup.inputs.retentionInDays, 365);
        const lifecycle = (r: Awaited<ReturnType<typeof stackRun>>) =>
            input(
                single(
                    r,
                    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                    "account-security-trail-logs",
                ),
                "rules",
                0,
                "expiration",
                "days",
            );
        assert.strictEqual(lifecycle(run), 365);
        assert.strictEqual(lifecycle(await stackRun("dev")), 90);
        assert.deepStrictEqual(
            single(run, "aws:accessanalyzer/analyzer:Analyzer").inputs.analyzerName,
            "voteapp-prod-account",
        );
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

    it("Security Hub in prod (securityHub true), none in dev", async () => {
        single(await stackRun("prod"), "aws:securityhub/standardsSubscription:StandardsSubscription");
        assert.strictEqual(ofType(await stackRun("dev"), "aws:securityhub/account:Account").length, 0);
    });

    it("every baseline resource goes through the stack's account provider", async () => {
        const run = await stackRun("prod");
        const children = descendantsOf(run, single(run, "voteapp:security:AccountSecurityBaseline")).filter(
            (r) => r.custom,
        );
        assert.ok(children.length >= 15, `${children.length} resources`);
        for (const r of children)
            assert.match(String(r.provider), /pulumi:providers:aws::prod-account/, `${r.name} provider ${r.provider}`);
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
