import * as assert from "assert";
import { type Environment, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PolicyReport } from "../../policy/evaluate";
import { stackRun } from "../support/stacks";

/** Lambda-specific policy checks on the shipped stacks switched to platform lambda (the deployability of every stack × platform is in stacks.test.ts). */

const LAMBDA = { "voteapp:platform": "lambda" };

async function verdicts(stack: string, overrides: Record<string, string> = {}): Promise<PolicyReport> {
    const run = await stackRun(stack, { overrides: { ...LAMBDA, ...overrides } });
    return evaluatePolicies(run.resources, { config: packConfigFor(stack as Environment) });
}

describe("lambda stacks under their environment's policy enforcement (offline)", function () {
    this.timeout(180_000);

    it("prod: the Lambda, API Gateway, SQS, DynamoDB, IAM and logs rules all apply and pass, advisory ones included", async () => {
        const report = await verdicts("prod");
        const rules = [
            "lambda-supported-runtime",
            "lambda-no-public-invoke",
            "lambda-tracing",
            "lambda-dlq",
            "lambda-concurrency",
            "apigw-access-logs",
            "apigw-throttling",
            "sqs-encrypted",
            "sqs-dlq",
            "dynamodb-pitr",
            "dynamodb-deletion-protection",
            "dynamodb-kms",
            "iam-no-admin-wildcard",
            "iam-no-service-wildcard",
            "logs-retention",
            "logs-kms",
            "kms-rotation",
            "required-tags",
            "prod-account-pin",
        ];
        for (const rule of rules) {
            assert.ok(!report.violations.some((v) => v.policyName === rule), `${rule} fired:\n${formatReport(report)}`);
            assert.ok(!report.notApplicable.some((n) => n.policyName === rule), `${rule} found nothing to check`);
        }
    });

    it("dev leaves the table unprotected (advisory there), which staging's enforcement would refuse", async () => {
        const run = await stackRun("dev", { overrides: LAMBDA });
        const asDev = evaluatePolicies(run.resources, { config: packConfigFor("dev") });
        assert.ok(
            asDev.violations.some((v) => v.policyName === "dynamodb-deletion-protection" && v.level === "advisory"),
            formatReport(asDev),
        );
        const asStaging = evaluatePolicies(run.resources, { config: packConfigFor("staging") });
        assert.ok(
            asStaging.violations.some(
                (v) => v.policyName === "dynamodb-deletion-protection" && v.level === "mandatory",
            ),
            formatReport(asStaging),
        );
    });
});
