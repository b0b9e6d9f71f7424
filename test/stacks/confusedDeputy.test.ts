import * as assert from "assert";
import { mockResourceOutputs } from "../../plan/mockOutputs";
import type { StackRun } from "../../plan/stackRun";
import { decideByResourcePolicy, type PolicyDocumentJson, regionOf, rolesOf } from "../support/iamSimulation";
import { ofType, stackRun } from "../support/stacks";

/**
 * Confused deputy (issue 12.6): an AWS service acting for another account must not be able to use this
 * account's flow-logs role or write into its ALB access-log bucket. Simulated on the stacks' real documents.
 */
const OTHER_ACCOUNT = "999999999999";
const ELB_ACCOUNT_ROOT = "arn:aws:iam::156460612806:root"; // the mock's regional ELB account (eu-west-1)

const accountOf = (run: StackRun) => String(run.stackConfig.config["voteapp:accountId"]);

describe("confused deputy", function () {
    this.timeout(120_000);

    for (const platform of ["ecs", "eks"] as const) {
        it(`${platform}: the flow-logs service assumes the flow-logs role only for this account's flow logs`, async () => {
            const run = await stackRun("prod", { overrides: { "voteapp:platform": platform } });
            const account = accountOf(run);
            const region = regionOf(run);
            const role = rolesOf(run).find((r) => r.logicalName === "network-flow-logs");
            assert.ok(role, "no flow-logs role");
            const assume = (sourceAccount: string) =>
                decideByResourcePolicy({
                    principal: "vpc-flow-logs.amazonaws.com",
                    action: "sts:AssumeRole",
                    resource: role.arn,
                    resourceAccount: account,
                    resourcePolicy: role.trust,
                    context: {
                        "aws:SourceAccount": sourceAccount,
                        "aws:SourceArn": `arn:aws:ec2:${region}:${sourceAccount}:vpc-flow-log/fl-0123456789abcdef0`,
                    },
                });
            assert.strictEqual(assume(account), "Allowed");
            assert.notStrictEqual(assume(OTHER_ACCOUNT), "Allowed", "another account's flow log may use the role");
        });

        it(`${platform}: only this account's load balancers write access logs, only under this account's prefix`, async () => {
            const run = await stackRun("prod", { overrides: { "voteapp:platform": platform } });
            const account = accountOf(run);
            const region = regionOf(run);
            const policies = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").filter((p) => /alb/.test(p.name));
            assert.strictEqual(policies.length, 1, "one ALB access-log bucket policy");
            const bucket = ofType(run, "aws:s3/bucket:Bucket").find((b) => /alb/.test(b.name));
            assert.ok(bucket);
            const bucketArn = String(
                mockResourceOutputs(bucket.type, bucket.name, bucket.inputs, { region, accountId: account }).state.arn,
            );
            const policy = JSON.parse(String(policies[0].inputs.policy)) as PolicyDocumentJson;
            const write = (principal: string, logAccount: string, sourceAccount?: string) =>
                decideByResourcePolicy({
                    principal,
                    action: "s3:PutObject",
                    resource: `${bucketArn}/alb/AWSLogs/${logAccount}/elasticloadbalancing/${region}/2026/01/01/log.gz`,
                    resourceAccount: account,
                    resourcePolicy: policy,
                    crossAccountPrincipalAllowed: principal === ELB_ACCOUNT_ROOT,
                    context: {
                        "aws:SecureTransport": "true",
                        ...(sourceAccount
                            ? {
                                  "aws:SourceAccount": sourceAccount,
                                  "aws:SourceArn": `arn:aws:elasticloadbalancing:${region}:${sourceAccount}:loadbalancer/app/x/0123456789abcdef`,
                              }
                            : {}),
                    },
                });
            const service = "logdelivery.elasticloadbalancing.amazonaws.com";
            assert.strictEqual(write(service, account, account), "Allowed");
            assert.notStrictEqual(
                write(service, OTHER_ACCOUNT, OTHER_ACCOUNT),
                "Allowed",
                "delivery for another account",
            );
            assert.notStrictEqual(
                write(service, account, OTHER_ACCOUNT),
                "Allowed",
                "another account's ALB, this prefix",
            );
            assert.strictEqual(write(ELB_ACCOUNT_ROOT, account), "Allowed");
            assert.notStrictEqual(write(ELB_ACCOUNT_ROOT, OTHER_ACCOUNT), "Allowed", "ELB account, another prefix");
        });
    }
});
