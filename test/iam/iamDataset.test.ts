import * as assert from "assert";
import { BOOTSTRAP_STACKS, bootstrapRun } from "../bootstrap/support";
import { deadIamIn, documentsOf } from "../support/iamDataset";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * Issue 12.7: every action pattern and condition key in every policy document the bootstrap and the
 * stacks create (identity, trust, key, bucket, topic, queue policies...) exists in the IAM dataset.
 */
describe("IAM dataset: no dead actions or condition keys", function () {
    this.timeout(300_000);

    it("in the bootstrap of every account (CI roles, boundary, guardrails, state backend)", async () => {
        const problems: string[] = [];
        for (const stack of BOOTSTRAP_STACKS)
            for (const document of documentsOf(await bootstrapRun(stack), `bootstrap ${stack}`))
                problems.push(...(await deadIamIn(document)));
        assert.deepStrictEqual([...new Set(problems.map((p) => p.replace(/^bootstrap \w+ /, "")))], []);
    });

    for (const platform of ["ecs", "eks", "lambda"] as const) {
        it(`in every stack on ${platform}`, async () => {
            const problems: string[] = [];
            for (const stack of SHIPPED_STACKS) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                for (const document of documentsOf(run, `${stack}/${platform}`))
                    problems.push(...(await deadIamIn(document)));
            }
            assert.deepStrictEqual(problems, []);
        });
    }

    it("catches what it claims to: an unknown action, a pattern matching nothing, an unknown condition key", async () => {
        const problems = await deadIamIn({
            where: "fixture",
            statements: [
                {
                    Sid: "Dead",
                    Effect: "Allow",
                    Action: ["apigateway:TagResource", "eks:Get*", "lambda:Describe*", "s3:GetObject", "nosuch:Thing"],
                    Resource: "*",
                    Condition: { StringEquals: { "iam:PolicyArn": "x", "ecs:NoSuchKey": "y", "aws:SourceArn": "z" } },
                },
            ],
        });
        assert.deepStrictEqual(problems, [
            "fixture Dead: apigateway:TagResource matches no apigateway action",
            "fixture Dead: eks:Get* matches no eks action",
            "fixture Dead: lambda:Describe* matches no lambda action",
            'fixture Dead: no IAM service "nosuch" (nosuch:Thing)',
            "fixture Dead: condition key ecs:NoSuchKey is defined by no service",
        ]);
    });
});
