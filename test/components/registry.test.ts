import * as assert from "assert";
import { APP_SERVICES } from "../../shared/appContract";
import { repositoryName } from "../../components/registry";
import type { CapturedResource } from "../../shared/capturedResource";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { stackInfo } from "../../scripts/stack-info";
import { BOOTSTRAP_STACKS, bootstrapRun } from "../bootstrap/support";
import { descendantsOf, ofType, SHIPPED_STACKS, single, stackRun } from "../support/stacks";
import { readWorkflow } from "../support/workflows";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const ECR_RULES = ["ecr-scan-on-push", "ecr-tag-immutability", "ecr-kms-encryption", "ecr-lifecycle-policy"];

/** The images a run's workloads pull: ECS container definitions and Kubernetes pod templates. */
function imagesRun(resources: readonly CapturedResource[]): string[] {
    const ecs = resources
        .filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")
        .flatMap((r) => (JSON.parse(String(r.inputs.containerDefinitions)) as { image: string }[]).map((c) => c.image));
    const kubernetes = resources
        .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name.startsWith("vote-app"))
        .flatMap((r) => {
            const spec = r.inputs.spec as { template: { spec: { containers: { image: string }[] } } };
            return spec.template.spec.containers.map((c) => c.image);
        });
    return [...ecs, ...kubernetes];
}

describe("Registry (created by each account's bootstrap, used by the program)", () => {
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

    it("the program creates no ECR resource: its stacks exist before the first pulumi up, and need no --target", async function () {
        this.timeout(300_000);
        for (const platform of ["ecs", "eks"]) {
            const run = await stackRun("staging", { overrides: { "voteapp:platform": platform } });
            const ecr = run.resources.filter((r) =>
                [REPOSITORY, LIFECYCLE, "voteapp:registry:Registry"].includes(r.type),
            );
            assert.deepStrictEqual(
                ecr.map((r) => r.urn),
                [],
            );
        }
    });

    it("one name everywhere: bootstrap repositories = stack-info = the workflow's copy target = the images the program runs = its pull permission", async function () {
        this.timeout(600_000);
        const copy = readWorkflow("deploy-environment.yml").jobs.deploy.steps?.find((s) => s.id === "images");
        assert.strictEqual(copy?.env?.PREFIX, "${{ steps.info.outputs.repository-prefix }}");
        assert.strictEqual(copy?.env?.REGISTRY, "${{ steps.info.outputs.registry }}");
        assert.match(copy?.run ?? "", /docker:\/\/\$REGISTRY\/\$PREFIX\/\$service:/);
        for (const stack of SHIPPED_STACKS) {
            const info = stackInfo(stack);
            const bootstrap = await bootstrapRun(stack);
            // ECR's ARN format for a repository name: what the bootstrap's repositories are called in IAM.
            const created = new Map(
                ofType(bootstrap, REPOSITORY).map((r) => [
                    String(r.inputs.name),
                    `arn:aws:ecr:${info.region}:${info.accountId}:repository/${String(r.inputs.name)}`,
                ]),
            );
            const workflowTargets = APP_SERVICES.map((s) => `${info.repositoryPrefix}/${s}`);
            assert.deepStrictEqual(
                [...created.keys()].sort(),
                [...workflowTargets].sort(),
                `${stack}: bootstrap vs stack-info`,
            );
            assert.deepStrictEqual(
                bootstrap.outputs.repositoryUrls,
                Object.fromEntries(APP_SERVICES.map((s) => [s, `${info.registry}/${info.repositoryPrefix}/${s}`])),
            );
            for (const platform of ["ecs", "eks"]) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                assert.deepStrictEqual(
                    run.outputs.repositoryUrls,
                    bootstrap.outputs.repositoryUrls,
                    `${stack} ${platform}`,
                );
                for (const image of imagesRun(run.resources)) {
                    const repository = image.replace(/[@:][^/]*$/, "");
                    assert.ok(
                        workflowTargets.some((name) => repository === `${info.registry}/${name}`),
                        `${stack} ${platform}: ${image} is not in a repository the bootstrap creates`,
                    );
                }
                if (platform !== "ecs") continue;
                const pulls = run.resources
                    .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
                    .flatMap(
                        (r) =>
                            (
                                JSON.parse(String(r.inputs.policy)) as {
                                    Statement: { Action: unknown; Resource: unknown }[];
                                }
                            ).Statement,
                    )
                    .filter((s) => JSON.stringify(s.Action).includes("ecr:BatchGetImage"));
                assert.ok(pulls.length > 0, `${stack}: no execution role may pull images`);
                for (const statement of pulls)
                    assert.deepStrictEqual(
                        [statement.Resource].flat().sort(),
                        APP_SERVICES.map((s) => created.get(repositoryName("voteapp", stack, s))).sort(),
                        `${stack}: the pull permission names other repositories than the bootstrap creates`,
                    );
            }
        }
    });

    it("the policy pack judges the bootstrap's repositories: clean as shipped, and each ECR rule fires on a weakened one", async () => {
        const run = await bootstrapRun("prod");
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
