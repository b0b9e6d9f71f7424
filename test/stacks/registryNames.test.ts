import * as assert from "assert";
import { APP_SERVICES } from "../../shared/appContract";
import { repositoryName } from "../../components/registryNames";
import type { CapturedResource } from "../../shared/capturedResource";
import { stackInfo } from "../../scripts/stack-info";
import { bootstrapRun } from "../bootstrap/support";
import { ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";
import { readWorkflow } from "../support/workflows";

/**
 * The seam between each account's bootstrap (which creates the registry) and the program (which runs its
 * images): one name everywhere, and no ECR resource in the program. The component itself is
 * test/components/registry.test.ts.
 */
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

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

describe("the registry's names: bootstrap, stack-info, workflows and the program agree", function () {
    this.timeout(180_000);

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
                                    Statement: { Sid?: string; Action: unknown; Resource: unknown }[];
                                }
                            ).Statement,
                    )
                    .filter((s) => JSON.stringify(s.Action).includes("ecr:BatchGetImage"))
                    // GuardDuty's runtime agent comes from AWS's own repository (test/stacks/guardDutyAgent.test.ts).
                    .filter((s) => s.Sid !== "PullGuardDutyRuntimeAgent");
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
});
