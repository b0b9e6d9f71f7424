import * as assert from "assert";
import { Registry, type RegistryArgs } from "../../components/registry";
import { repositoryName } from "../../components/registryNames";
import { FULL_PROTECTION, NO_PROTECTION } from "../../components/vocabulary";
import type { MockedRun } from "../../plan/harness";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { APP_SERVICES } from "../../shared/appContract";
import type { CapturedResource } from "../../shared/capturedResource";
import { TEST_KMS_KEY_ARN } from "../support/fixtures";
import { mountComponent } from "../support/mount";
import { descendantsOf, ofType, single } from "../support/resources";

/**
 * Registry mounted alone with the args each test chooses (issue 16.5). That each account's bootstrap creates it
 * with its config is test/bootstrap/registry.test.ts; that the bootstrap's repositories, stack-info, the
 * workflows and the images the program runs share one name is test/stacks/registryNames.test.ts.
 *
 * This file is also the bench's one-file baseline (bench/, `BENCH_ONLY=loop npm run bench`): one mocked Pulumi
 * test file with type-checking.
 */
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const ECR_RULES = ["ecr-scan-on-push", "ecr-tag-immutability", "ecr-kms-encryption", "ecr-lifecycle-policy"];

const TEST_REGISTRY_ARGS: RegistryArgs = { project: "voteapp", environment: "test", kmsKeyArn: TEST_KMS_KEY_ARN };
const mountRegistry = (args: Partial<RegistryArgs> = {}) =>
    mountComponent((opts) => new Registry("registry", { ...TEST_REGISTRY_ARGS, ...args }, opts));
let defaults: Promise<MockedRun> | undefined;
/** The registry with the args above alone: every service, 30 images kept, no protection. */
const plainRegistry = () => (defaults ??= mountRegistry());

describe("Registry", () => {
    it("creates one private repository per service given (the service table's by default): scanned on push, immutable, encrypted with the key given", async () => {
        for (const services of [undefined, ["vote"] as const]) {
            const run = services ? await mountRegistry({ services }) : await plainRegistry();
            const repos = ofType(run, REPOSITORY);
            assert.deepStrictEqual(
                repos.map((r) => r.inputs.name).sort(),
                (services ?? APP_SERVICES).map((s) => repositoryName("voteapp", "test", s)).sort(),
            );
            for (const repo of repos) {
                assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true }, repo.name);
                assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepStrictEqual(repo.inputs.encryptionConfigurations, [
                    { encryptionType: "KMS", kmsKey: TEST_KMS_KEY_ARN },
                ]);
                assert.strictEqual(repo.inputs.forceDelete, false);
            }
        }
        assert.deepStrictEqual(
            ofType(await plainRegistry(), REPOSITORY)
                .map((r) => r.inputs.name)
                .sort(),
            ["voteapp-test/result", "voteapp-test/vote", "voteapp-test/worker"],
        );
    });

    it("expires images beyond keepImages (30 by default) with one lifecycle policy per repository", async () => {
        for (const [keepImages, kept] of [
            [undefined, 30],
            [7, 7],
        ] as const) {
            const run = keepImages === undefined ? await plainRegistry() : await mountRegistry({ keepImages });
            const policies = ofType(run, LIFECYCLE);
            assert.strictEqual(policies.length, APP_SERVICES.length);
            for (const policy of policies) {
                const rule = (
                    JSON.parse(String(policy.inputs.policy)) as {
                        rules: { selection: { countNumber: number; countType: string }; action: { type: string } }[];
                    }
                ).rules[0];
                assert.deepStrictEqual(
                    [rule.selection.countType, rule.selection.countNumber, rule.action.type],
                    ["imageCountMoreThan", kept, "expire"],
                );
            }
        }
    });

    it("with deletion protection the repositories (the release record) are retained on delete; without, not", async () => {
        for (const [protection, retained] of [
            [FULL_PROTECTION, true],
            [NO_PROTECTION, false],
        ] as const) {
            const run = protection === NO_PROTECTION ? await plainRegistry() : await mountRegistry({ protection });
            const repos = ofType(run, REPOSITORY);
            assert.strictEqual(repos.length, APP_SERVICES.length);
            for (const repo of repos) assert.strictEqual(repo.retainOnDelete, retained, repo.name);
        }
    });

    it("everything it creates is its child, through the provider it is given", async () => {
        const run = await plainRegistry();
        const provider = single(run, "pulumi:providers:aws");
        const children = descendantsOf(run, single(run, "voteapp:registry:Registry")).filter((r) => r.custom);
        assert.strictEqual(children.length, 2 * APP_SERVICES.length);
        for (const r of children) assert.ok(r.provider?.startsWith(provider.urn), `${r.type} ${r.name}`);
    });

    it("the policy pack judges its repositories: clean as made, and each ECR rule fires on a weakened one", async () => {
        const run = await mountRegistry({ protection: FULL_PROTECTION });
        const judge = (resources: readonly CapturedResource[]) =>
            evaluatePolicies(resources, { config: packConfigFor("prod") }).violations.filter((v) =>
                ECR_RULES.includes(v.policyName),
            );
        assert.deepStrictEqual(
            judge(run.resources),
            [],
            formatReport(evaluatePolicies(run.resources, { config: packConfigFor("prod") })),
        );
        const weaken = (change: (r: CapturedResource) => CapturedResource | undefined) =>
            run.resources.flatMap((r) => {
                const changed = r.name.endsWith("-worker") ? change(r) : r;
                return changed ? [changed] : [];
            });
        const withInputs = (r: CapturedResource, inputs: Record<string, unknown>) =>
            r.type === REPOSITORY ? { ...r, inputs: { ...r.inputs, ...inputs } } : r;
        const cases: [string, (r: CapturedResource) => CapturedResource | undefined][] = [
            ["ecr-scan-on-push", (r) => withInputs(r, { imageScanningConfiguration: { scanOnPush: false } })],
            ["ecr-tag-immutability", (r) => withInputs(r, { imageTagMutability: "MUTABLE" })],
            ["ecr-kms-encryption", (r) => withInputs(r, { encryptionConfigurations: [{ encryptionType: "AES256" }] })],
            ["ecr-lifecycle-policy", (r) => (r.type === LIFECYCLE ? undefined : r)],
        ];
        for (const [rule, change] of cases) {
            const fired = judge(weaken(change));
            assert.deepStrictEqual(
                fired.map((v) => v.policyName),
                [rule],
                `${rule}: ${fired.map((v) => v.message).join("; ")}`,
            );
        }
    });
});
