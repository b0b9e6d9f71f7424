import * as assert from "assert";
import * as YAML from "yaml";
import { githubOutputLines, previewMatrix, stackInfo } from "../../scripts/stack-info";
import { bootstrapRun } from "../bootstrap/support";
import { listStacks } from "../../plan/projectRoot";
import { deployWarnings } from "../../stacks/warnings";
import { parseWith } from "../support/config";
import { input, ofType, single, stackRun } from "../support/stacks";
import { expressionOf, githubOutputsOf, readWorkflow, type WorkflowJob } from "../support/workflows";

/**
 * Issue 11.7: the CI runner must reach the EKS API endpoint, which the Kubernetes provider calls in the same
 * `pulumi preview`/`up`. The runner is a config fact (voteapp:ciRunnerLabels, voteapp:ciRunnerCidrs):
 * stack-info prints its labels, the workflows run the preview and deploy jobs on them, and the program opens
 * the cluster's public endpoint to its CIDRs. These tests join the workflow's runner to the endpoint's
 * access list, so a hard-coded `runs-on` or a cluster that stops admitting the runner fails here.
 */

const CLUSTER = "aws:eks/cluster:Cluster";
const RUNNER_CIDRS = ["52.94.76.0/28", "3.5.140.0/24"];
const ON_OWN_RUNNER = {
    "voteapp:platform": "eks",
    "voteapp:ciRunnerLabels": "self-hosted,voteapp-deploy",
    "voteapp:ciRunnerCidrs": RUNNER_CIDRS.join(","),
};

const DEPLOY_WORKFLOW = readWorkflow("deploy-environment.yml");
const PREVIEW_WORKFLOW = readWorkflow("preview.yml");

/** The id of the step of a job that writes stack-info's facts for `$STACK` to $GITHUB_OUTPUT (with `extra` flags). */
function stackInfoStepId(job: WorkflowJob, flags: RegExp): string {
    const step = (job.steps ?? []).find((s) => /scripts\/stack-info\.ts/.test(s.run ?? "") && flags.test(s.run ?? ""));
    assert.ok(step?.id, `no step with an id runs scripts/stack-info.ts ${flags}`);
    return step.id;
}

/**
 * The labels GitHub runs deploy-environment.yml's deploy job on for one environment: its `runs-on`
 * expression evaluated against the runner job's outputs, which come from stack-info's output lines.
 */
function deployJobRunner(environment: string, overrides: Readonly<Record<string, string>>): string[] {
    const { runner, deploy } = DEPLOY_WORKFLOW.jobs;
    assert.ok(runner, "deploy-environment.yml has a runner job");
    assert.strictEqual(runner.env?.STACK, "${{ inputs.environment }}", "the runner job reads the deployed stack");
    const needs = ([] as string[]).concat(deploy.needs ?? []);
    assert.ok(needs.includes("runner"), "the deploy job waits for the runner job");
    const runsOn = expressionOf(deploy["runs-on"]);
    const used = runsOn === undefined ? undefined : /^fromJSON\(needs\.runner\.outputs\.([\w-]+)\)$/.exec(runsOn);
    assert.ok(used, `the deploy job runs on the runner job's output, not on ${JSON.stringify(deploy["runs-on"])}`);
    const jobOutput = expressionOf(runner.outputs?.[used[1]]);
    const id = stackInfoStepId(runner, /--stack "\$STACK" --github-output/);
    const stepOutput =
        jobOutput === undefined ? undefined : new RegExp(`^steps\\.${id}\\.outputs\\.([\\w-]+)$`).exec(jobOutput);
    assert.ok(stepOutput, `runner.outputs.${used[1]} is a stack-info output of step ${id}`);
    const value = githubOutputsOf(githubOutputLines(stackInfo(environment, overrides)))[stepOutput[1]];
    assert.ok(value !== undefined, `stack-info prints no ${stepOutput[1]}`);
    return JSON.parse(value) as string[];
}

/** The labels GitHub runs preview.yml's preview job on for each stack: matrix.runs-on from stack-info --matrix. */
function previewJobRunners(): Record<string, string[]> {
    const { stacks, preview } = PREVIEW_WORKFLOW.jobs;
    assert.strictEqual(
        expressionOf(preview["runs-on"]),
        "matrix.runs-on",
        "the preview job runs on the matrix's runner",
    );
    const include = expressionOf(preview.strategy?.matrix?.include);
    const used = include === undefined ? undefined : /^fromJSON\(needs\.stacks\.outputs\.([\w-]+)\)$/.exec(include);
    assert.ok(used, "the preview matrix comes from the stacks job");
    const id = stackInfoStepId(stacks, /--matrix/);
    assert.strictEqual(expressionOf(stacks.outputs?.[used[1]]), `steps.${id}.outputs.${used[1]}`);
    const step = (stacks.steps ?? []).find((s) => s.id === id);
    assert.ok(
        step?.run?.includes(`echo "${used[1]}=$(npx ts-node --transpile-only scripts/stack-info.ts --matrix)"`),
        step?.run,
    );
    return Object.fromEntries(previewMatrix().map((entry) => [entry.stack, entry["runs-on"]]));
}

describe("the CI runner reaches the EKS API endpoint (workflow runner ↔ endpoint access)", () => {
    it("the deploy job runs on the stack's runner and the cluster's public endpoint admits that runner's CIDRs", async () => {
        for (const environment of ["dev", "prod"]) {
            const labels = deployJobRunner(environment, ON_OWN_RUNNER);
            assert.deepStrictEqual(labels, ["self-hosted", "voteapp-deploy"]);
            const run = await stackRun(environment, {
                overrides: {
                    ...ON_OWN_RUNNER,
                    ...(environment === "prod" ? { "voteapp:eksPublicAccessCidrs": "52.95.0.0/24" } : {}),
                },
            });
            const cluster = single(run, CLUSTER);
            assert.strictEqual(input(cluster, "vpcConfig", "endpointPublicAccess"), true);
            const admitted = input(cluster, "vpcConfig", "publicAccessCidrs") as string[];
            for (const cidr of RUNNER_CIDRS)
                assert.ok(admitted.includes(cidr), `${environment}: the endpoint admits ${admitted.join(", ")}`);
            if (environment === "prod") assert.ok(admitted.includes("52.95.0.0/24"), "people's CIDRs stay");
        }
    });

    it("each preview job runs on its stack's runner (stack-info --matrix), the one stack-info names", () => {
        const runners = previewJobRunners();
        assert.deepStrictEqual(Object.keys(runners).sort(), listStacks().sort());
        for (const [stack, labels] of Object.entries(runners))
            assert.deepStrictEqual(labels, JSON.parse(stackInfo(stack).runsOn), stack);
    });

    it("an eks stack whose runner reaches no endpoint stops at stack-info (the workflows' first step) and warns in the plan", () => {
        assert.throws(
            () => stackInfo("dev", { "voteapp:platform": "eks" }),
            (e: Error) =>
                /cannot be previewed or deployed from CI/.test(e.message) &&
                e.message.includes("voteapp:ciRunnerCidrs is unset") &&
                e.message.includes("ubuntu-latest"),
        );
        const warnings = deployWarnings(parseWith("dev", { platform: "eks" }));
        assert.deepStrictEqual(
            warnings.map((w) => w.key),
            ["voteapp:ciRunnerCidrs"],
        );
        assert.deepStrictEqual(
            deployWarnings(
                parseWith("dev", { platform: "eks", ciRunnerLabels: "self-hosted", ciRunnerCidrs: "52.94.76.0/28" }),
            ),
            [],
        );
        // ecs and lambda talk to public AWS endpoints only: any runner will do.
        assert.strictEqual(stackInfo("dev").runsOn, '["ubuntu-latest"]');
    });
});

describe("the AWS-native pipeline and eks: CodeBuild reaches no EKS API endpoint, so its builds refuse eks stacks before Pulumi starts", function () {
    this.timeout(120_000);

    it("every CodeBuild project runs outside a VPC, and each build asks stack-info as CodeBuild, which refuses an eks stack even with runner CIDRs", async () => {
        const run = await bootstrapRun("tooling");
        const projects = ofType(run, "aws:codebuild/project:Project");
        assert.ok(projects.length >= 3, "the tooling stack plans the pipeline's builds");
        for (const project of projects)
            assert.strictEqual(
                project.inputs.vpcConfig,
                undefined,
                `${project.name} runs in a VPC: revisit codeBuildReach`,
            );
        let asked = 0;
        for (const project of projects) {
            const spec = YAML.parse(String(input(project, "source", "buildspec"))) as {
                phases: { build: { commands: string[] } };
            };
            for (const command of spec.phases.build.commands.filter((c) => c.includes("scripts/stack-info.ts"))) {
                const runner = /--runner (\w+)/.exec(command)?.[1];
                assert.strictEqual(
                    runner,
                    "codebuild",
                    `${project.name} asks stack-info as a GitHub runner: ${command}`,
                );
                asked++;
            }
        }
        assert.ok(asked > 0, "no build asks stack-info");
        // The GitHub runner's CIDRs admit that runner, not CodeBuild: the pipeline stops, naming why.
        assert.doesNotThrow(() => stackInfo("dev", ON_OWN_RUNNER), "a GitHub job on the runner reaches the cluster");
        assert.throws(() => stackInfo("dev", ON_OWN_RUNNER, "codebuild"), /CodeBuild projects run outside any VPC/);
        assert.strictEqual(stackInfo("dev", {}, "codebuild").stack, "dev", "ecs stacks deploy through the pipeline");
    });
});
