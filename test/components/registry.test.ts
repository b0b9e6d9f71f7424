import * as assert from "assert";
import { ofType, stackRun } from "../support/stacks";

describe("Registry", () => {
    it("creates one private repository per app service, scanned on push, immutable, KMS-encrypted", async () => {
        const repos = ofType(await stackRun("dev"), "aws:ecr/repository:Repository");
        assert.deepStrictEqual(repos.map((r) => r.inputs.name).sort(), [
            "voteapp-dev/result",
            "voteapp-dev/vote",
            "voteapp-dev/worker",
        ]);
        for (const repo of repos) {
            assert.deepStrictEqual(
                repo.inputs.imageScanningConfiguration,
                { scanOnPush: true },
                `${repo.name} scanning`,
            );
            assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
            const encryption = repo.inputs.encryptionConfigurations as { encryptionType: string; kmsKey: string }[];
            assert.strictEqual(encryption[0].encryptionType, "KMS");
            assert.ok(encryption[0].kmsKey.startsWith("arn:aws:kms:"));
            assert.strictEqual(repo.inputs.forceDelete, false);
        }
    });

    it("expires images beyond the configured count with one lifecycle policy per repository", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:ecrKeepImages": "7" } });
        const policies = ofType(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
        assert.strictEqual(policies.length, 3);
        for (const policy of policies) {
            const rule = (
                JSON.parse(String(policy.inputs.policy)) as {
                    rules: { selection: { countNumber: number; countType: string }; action: { type: string } }[];
                }
            ).rules[0];
            assert.deepStrictEqual(
                [rule.selection.countType, rule.selection.countNumber, rule.action.type],
                ["imageCountMoreThan", 7, "expire"],
            );
        }
    });

    it("points task images at the stack's repositories with the configured tag, or an override", async () => {
        const run = await stackRun("dev", {
            overrides: {
                "voteapp:workerImage": `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shared/worker@sha256:${"b".repeat(64)}`,
            },
        });
        const image = (name: string) =>
            (
                JSON.parse(
                    String(
                        ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.name === `vote-app-${name}`)
                            ?.inputs.containerDefinitions,
                    ),
                ) as { image: string }[]
            )[0].image;
        assert.strictEqual(image("vote"), "111111111111.dkr.ecr.eu-west-1.amazonaws.com/voteapp-dev/vote:0.1.0");
        assert.ok(image("worker").endsWith(`/shared/worker@sha256:${"b".repeat(64)}`));
    });
});
