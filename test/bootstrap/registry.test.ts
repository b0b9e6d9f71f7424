import * as assert from "assert";
import { descendantsOf, ofType, single } from "../support/resources";
import { BOOTSTRAP_STACKS, bootstrapRun } from "./support";

/**
 * What each account's bootstrap makes of the Registry component (bootstrap/registry.ts): its own images key,
 * ecrKeepImages, protection outside dev. What the component does with its args is
 * test/components/registry.test.ts, on the component mounted alone.
 */
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

describe("the bootstrap's image registry", function () {
    this.timeout(180_000);

    it("the bootstrap creates one private repository per app service: scanned on push, immutable, KMS-encrypted with its own key", async () => {
        const run = await bootstrapRun("dev");
        const repos = ofType(run, REPOSITORY);
        assert.deepStrictEqual(repos.map((r) => r.inputs.name).sort(), [
            "voteapp-dev/result",
            "voteapp-dev/vote",
            "voteapp-dev/worker",
        ]);
        const key = single(run, "aws:kms/key:Key", "images-key");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        for (const repo of repos) {
            assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true }, repo.name);
            assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
            const encryption = repo.inputs.encryptionConfigurations as { encryptionType: string; kmsKey: string }[];
            assert.deepStrictEqual(encryption, [
                { encryptionType: "KMS", kmsKey: key.inputs.arn ?? encryption[0].kmsKey },
            ]);
            assert.ok(encryption[0].kmsKey.startsWith("arn:aws:kms:eu-west-1:111111111111:key/"), encryption[0].kmsKey);
            assert.strictEqual(repo.inputs.forceDelete, false);
        }
    });

    it("expires images beyond the bootstrap's ecrKeepImages with one lifecycle policy per repository", async () => {
        const run = await bootstrapRun("dev", { overrides: { "voteapp-bootstrap:ecrKeepImages": "7" } });
        const policies = ofType(run, LIFECYCLE);
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

    it("outside dev the key and repositories are protected and retained: images are the release record", async () => {
        for (const stack of BOOTSTRAP_STACKS) {
            const run = await bootstrapRun(stack);
            const registry = single(run, "voteapp:registry:Registry");
            const key = single(run, "voteapp:security:EncryptionKey", "images-key");
            for (const r of [...descendantsOf(run, registry), ...descendantsOf(run, key)]) {
                assert.strictEqual(r.protect, stack !== "dev", `${stack}: ${r.type} ${r.name} protect`);
                if (r.type === REPOSITORY || r.type === "aws:kms/key:Key")
                    assert.strictEqual(r.retainOnDelete, stack !== "dev", `${stack}: ${r.name} retainOnDelete`);
            }
        }
    });
});
