import * as assert from "assert";
import { accountPlanFor } from "../../plan/cost/account";
import { estimateCost, type CostEstimate } from "../../plan/cost/estimate";
import type { StackRun } from "../../plan/runStack";
import { input, ofType, single, stackRun } from "../support/stacks";

/**
 * Issue 13's dev targets as the plan's own estimate shows them, and what dev does without to reach them
 * (posture kept: every key still rotates, every topic and store is still encrypted with a customer key).
 */
async function estimateOf(run: StackRun): Promise<CostEstimate> {
    const account = await accountPlanFor(run);
    return estimateCost(run.resources, { region: run.stackConfig.config["voteapp:region"], account });
}

const inspected = (run: StackRun) =>
    ofType(run, "aws:inspector2/enabler:Enabler").flatMap((r) => r.inputs.resourceTypes as string[]);

describe("cost targets: dev on lambda", function () {
    this.timeout(300_000);

    it("dev on lambda costs at most $5 a month idle", async () => {
        const dev = await estimateOf(await stackRun("dev", { overrides: { "voteapp:platform": "lambda" } }));
        assert.ok(dev.totals.idleUsd <= 5, `dev on lambda: $${dev.totals.idleUsd} idle`);
        assert.deepStrictEqual(dev.notPriced, []);
    });

    it("dev's alarm topic is encrypted with the stack's data key, which lets CloudWatch publish this account's alarms", async () => {
        for (const platform of ["ecs", "eks", "lambda"]) {
            const run = await stackRun("dev", { overrides: { "voteapp:platform": platform } });
            const keys = ofType(run, "aws:kms/key:Key").map((k) => k.name);
            assert.deepStrictEqual(keys.sort(), ["account-security-trail", "data-key"], platform);
            const dataKey = single(run, "aws:kms/key:Key", "data-key");
            const topic = single(run, "aws:sns/topic:Topic", "alarms");
            assert.ok(topic.dependencies.includes(dataKey.urn), `${platform}: the topic is not on the data key`);
            assert.ok(typeof input(topic, "kmsMasterKeyId") === "string", "the topic is still KMS-encrypted");
            const policy = JSON.parse(String(dataKey.inputs.policy)) as {
                Statement: { Sid: string; Principal?: { Service?: string }; Condition?: unknown }[];
            };
            const alarms = policy.Statement.find((s) => s.Sid === "CloudWatchPublishesAlarms");
            assert.strictEqual(alarms?.Principal?.Service, "cloudwatch.amazonaws.com");
            assert.deepStrictEqual(alarms?.Condition, {
                StringEquals: { "aws:SourceAccount": run.stackConfig.config["voteapp:accountId"] },
            });
        }
    });

    it("staging and prod keep the alarm topic's own key and the data key to the data's services", async () => {
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "lambda" } });
            const own = single(run, "aws:kms/key:Key", "observability-alarms");
            assert.ok(single(run, "aws:sns/topic:Topic", "alarms").dependencies.includes(own.urn), stack);
            const dataKey = single(run, "aws:kms/key:Key", "data-key");
            assert.ok(!String(dataKey.inputs.policy).includes("cloudwatch.amazonaws.com"), stack);
        }
    });

    it("dev keeps Inspector's Lambda scanning but leaves code scanning to staging; staging and prod scan both", async () => {
        for (const platform of ["ecs", "eks", "lambda"]) {
            const dev = inspected(await stackRun("dev", { overrides: { "voteapp:platform": platform } }));
            assert.ok(dev.includes("LAMBDA") && !dev.includes("LAMBDA_CODE"), `dev/${platform}: ${dev.join(", ")}`);
            for (const stack of ["staging", "prod"]) {
                const types = inspected(await stackRun(stack, { overrides: { "voteapp:platform": platform } }));
                assert.ok(types.includes("LAMBDA") && types.includes("LAMBDA_CODE"), `${stack}/${platform}`);
            }
        }
        const chosen = inspected(
            await stackRun("dev", {
                overrides: {
                    "voteapp:platform": "lambda",
                    "voteapp:lambdaCodeScanning": "true",
                    "voteapp:alarmTopicKey": "own",
                },
            }),
        );
        assert.ok(chosen.includes("LAMBDA_CODE"), "a dev stack may choose code scanning");
    });
});
