import * as assert from "assert";
import * as path from "path";
import { BOOTSTRAP_ROOT, listStacks } from "../../plan/projectRoot";
import { readStackConfig } from "../../plan/stackFile";
import { githubOutputLines, previewMatrix, stackInfo } from "../../scripts/stack-info";
import { BOOTSTRAP_STACKS, bootstrapRun } from "../bootstrap/support";
import { decideAssume, type RoleDocuments, rolesOf } from "../support/iamSimulation";
import {
    expressionOf,
    githubOutputsOf,
    readWorkflow,
    stepWithId,
    type Workflow,
    type WorkflowJob,
    type WorkflowStep,
    workflowFiles,
} from "../support/workflows";
import { wildcardRegExp } from "../support/wildcard";

/**
 * GitHub OIDC trust (bootstrap) ↔ workflows. Each job that assumes a role gets a token whose claims GitHub
 * derives from the workflow: the trigger (`ref`, and `sub` = `...:pull_request` for pull requests), the file
 * holding the job (`job_workflow_ref`, a called workflow's own path) and the job's GitHub environment (`sub` =
 * `...:environment:<name>`). Here those claims are read from the workflow files, every expression on the way
 * (inputs, matrix, stack-info's outputs, other jobs' outputs) evaluated, and each role assumption is simulated
 * against the trust policy the bootstrap gives that role. So renaming a workflow, moving the deploy branch, a
 * GitHub environment the trust does not name, or an `environment:` on the pull-request preview fails here,
 * not at the first deploy.
 */

/** GitHub's token issuer, and configure-aws-credentials' audience when a step sets none (the action's default). */
const ISSUER = "token.actions.githubusercontent.com";
const DEFAULT_AUDIENCE = "sts.amazonaws.com";
/** Any pull request number: the claims only carry it in `ref`. */
const PULL_REQUEST_REF = "refs/pull/7/merge";

/** One run of a job: the event that started its workflow and the values its expressions see. */
interface JobRun {
    /** The workflow file holding the job (a called workflow's own file: its `job_workflow_ref`). */
    readonly file: string;
    readonly workflow: Workflow;
    readonly jobId: string;
    readonly job: WorkflowJob;
    readonly event: "push" | "pull_request";
    readonly ref: string;
    readonly inputs: Readonly<Record<string, string>>;
    readonly matrix: Readonly<Record<string, string>>;
}

/** What a value in a workflow evaluates to: a literal stays, a whole `${{ expr }}` is resolved. */
function valueOf(value: unknown, run: JobRun): string {
    const expression = expressionOf(value);
    if (expression === undefined) {
        assert.ok(typeof value === "string" && !value.includes("${{"), `unsupported value ${JSON.stringify(value)}`);
        return value;
    }
    return evaluate(expression, run);
}

/** The expressions the credential steps depend on; any other form fails, so the test cannot silently skip one. */
function evaluate(expression: string, run: JobRun): string {
    const [, context, name, output] = /^(inputs|matrix|steps|needs)\.([\w-]+)(?:\.outputs\.([\w-]+))?$/.exec(
        expression,
    ) ?? [undefined, undefined, undefined, undefined];
    if (context === "inputs" && name !== undefined && output === undefined) {
        assert.ok(name in run.inputs, `${run.file} ${run.jobId}: no input ${name}`);
        return run.inputs[name];
    }
    if (context === "matrix" && name !== undefined && output === undefined) {
        assert.ok(name in run.matrix, `${run.file} ${run.jobId}: no matrix value ${name}`);
        return run.matrix[name];
    }
    if (context === "steps" && name !== undefined && output !== undefined) return stackInfoOutput(run, name, output);
    if (context === "needs" && name !== undefined && output !== undefined) {
        const job = run.workflow.jobs[name];
        assert.ok(job?.outputs?.[output], `${run.file} ${run.jobId}: needs.${name}.outputs.${output} is not declared`);
        return valueOf(job.outputs[output], { ...run, jobId: name, job });
    }
    throw new Error(`${run.file} ${run.jobId}: unsupported expression ${expression}`);
}

/** `steps.<id>.outputs.<name>` of a step running `scripts/stack-info.ts --stack "$VAR" --github-output`. */
function stackInfoOutput(run: JobRun, id: string, name: string): string {
    const step = stepWithId(run.job, id);
    const variable = /scripts\/stack-info\.ts --stack "\$(\w+)" --github-output/.exec(step?.run ?? "")?.[1];
    assert.ok(variable, `${run.file} ${run.jobId}: step ${id} is not stack-info --stack "$VAR" --github-output`);
    const stack = valueOf(step?.env?.[variable] ?? run.job.env?.[variable], run);
    const outputs = githubOutputsOf(githubOutputLines(stackInfo(stack)));
    assert.ok(name in outputs, `${run.file} ${run.jobId}: stack-info writes no ${name}`);
    return outputs[name];
}

/** Whether a step runs: no `if`, or an `if` of the form `<expression> ==|!= '<literal>'`. */
function runsStep(step: WorkflowStep, run: JobRun): boolean {
    if (step.if === undefined) return true;
    const [, left, operator, literal] = /^(\S+) (==|!=) '([^']*)'$/.exec(step.if.trim()) ?? [];
    assert.ok(left && operator, `${run.file} ${run.jobId}: unsupported step condition ${step.if}`);
    return (evaluate(left, run) === literal) === (operator === "==");
}

/** The matrix rows of a job: stack-info's preview matrix (`include`) or its stack list (`stack`). */
function matrixRows(job: WorkflowJob, where: string): Record<string, string>[] {
    const matrix = job.strategy?.matrix;
    if (matrix === undefined) return [{}];
    if (expressionOf(matrix.include) === "fromJSON(needs.stacks.outputs.matrix)")
        return previewMatrix().map((row) => ({ stack: row.stack }));
    if (expressionOf(matrix.stack) === "fromJSON(needs.stacks.outputs.stacks)")
        return listStacks().map((stack) => ({ stack }));
    throw new Error(`${where}: unsupported matrix ${JSON.stringify(matrix)}`);
}

/** Every run of every job of the workflows GitHub starts by an event (called workflows through their callers). */
function jobRuns(): JobRun[] {
    const runs: JobRun[] = [];
    for (const file of workflowFiles()) {
        const workflow = readWorkflow(file);
        for (const [event, trigger] of Object.entries(workflow.on)) {
            if (event === "workflow_call") continue;
            assert.ok(event === "push" || event === "pull_request", `${file}: unsupported trigger ${event}`);
            const branches = (trigger as { branches?: string[] } | null)?.branches ?? [];
            const refs =
                event === "pull_request"
                    ? [PULL_REQUEST_REF]
                    : branches.map((branch) => {
                          assert.doesNotMatch(branch, /[*?[!]/, `${file}: branch pattern ${branch}`);
                          return `refs/heads/${branch}`;
                      });
            assert.ok(refs.length > 0, `${file}: ${event} without branches`);
            for (const ref of refs)
                for (const [jobId, job] of Object.entries(workflow.jobs)) {
                    const base = { event, ref, inputs: {} } as const;
                    if (job.uses === undefined) {
                        for (const matrix of matrixRows(job, `${file} ${jobId}`))
                            runs.push({ ...base, file, workflow, jobId, job, matrix });
                        continue;
                    }
                    assert.match(job.uses, /^\.\/\.github\/workflows\/[\w.-]+\.ya?ml$/, `${file} ${jobId}`);
                    const calledFile = path.basename(job.uses);
                    const called = readWorkflow(calledFile);
                    const declared =
                        (called.on.workflow_call as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {};
                    const inputs = Object.fromEntries(
                        Object.entries(declared).map(([name, spec]) => [
                            name,
                            String(job.with?.[name] ?? spec.default ?? ""),
                        ]),
                    );
                    for (const [calledJobId, calledJob] of Object.entries(called.jobs))
                        runs.push({
                            ...base,
                            file: calledFile,
                            workflow: called,
                            jobId: calledJobId,
                            job: calledJob,
                            inputs,
                            matrix: {},
                        });
                }
        }
    }
    return runs;
}

/** The claims of the token GitHub gives a job run (docs.github.com, "OpenID Connect reference"). */
function tokenClaims(run: JobRun, repository: string, audience: string): Record<string, string> {
    const environment =
        run.job.environment === undefined
            ? undefined
            : valueOf(typeof run.job.environment === "string" ? run.job.environment : run.job.environment.name, run);
    const sub =
        environment !== undefined
            ? `repo:${repository}:environment:${environment}`
            : run.event === "pull_request"
              ? `repo:${repository}:pull_request`
              : `repo:${repository}:ref:${run.ref}`;
    const claims: Record<string, string> = {
        aud: audience,
        sub,
        ref: run.ref,
        repository,
        job_workflow_ref: `${repository}/.github/workflows/${run.file}@${run.ref}`,
        ...(environment !== undefined ? { environment } : {}),
    };
    return Object.fromEntries(Object.entries(claims).map(([claim, value]) => [`${ISSUER}:${claim}`, value]));
}

/** One role assumption by a job run, and what the role's trust decides. */
interface Assumption {
    readonly who: string;
    readonly event: JobRun["event"];
    readonly roleArn: string;
    /** The token's `sub` claim. */
    readonly sub: string;
    readonly decision: string;
}

/** The `sub` values each statement of a role's trust admits from GitHub's OIDC provider, as IAM patterns. */
function trustedSubjects(role: RoleDocuments): string[] {
    return role.trust.Statement.filter((statement) =>
        String((statement.Principal as { Federated?: unknown } | undefined)?.Federated ?? "").endsWith(
            `oidc-provider/${ISSUER}`,
        ),
    ).flatMap((statement) =>
        Object.values((statement.Condition ?? {}) as Record<string, Record<string, string | string[]>>).flatMap(
            (byKey) => [byKey[`${ISSUER}:sub`] ?? []].flat(),
        ),
    );
}

/** Whether an IAM string pattern (StringEquals or StringLike: `*` any run, `?` one character) matches `value`. */
const matchesIamPattern = (pattern: string, value: string): boolean => wildcardRegExp(pattern).test(value);

/** The bootstrap stacks' roles, and every role assumption of the workflows' jobs with what its trust decides. */
interface Assumptions {
    readonly roles: readonly RoleDocuments[];
    readonly found: readonly Assumption[];
}

async function assumptions(repository: string): Promise<Assumptions> {
    const roles: RoleDocuments[] = (await Promise.all(BOOTSTRAP_STACKS.map((stack) => bootstrapRun(stack)))).flatMap(
        (run) => rolesOf(run),
    );
    const found: Assumption[] = [];
    for (const run of jobRuns()) {
        for (const step of run.job.steps ?? []) {
            if (!step.uses?.startsWith("aws-actions/configure-aws-credentials@") || !runsStep(step, run)) continue;
            const roleArn = valueOf(step.with?.["role-to-assume"], run);
            const audience = step.with?.audience === undefined ? DEFAULT_AUDIENCE : valueOf(step.with.audience, run);
            const role = roles.find((r) => r.arn === roleArn);
            const who = `${run.file} ${run.jobId}${run.matrix.stack ? ` [${run.matrix.stack}]` : ""}${run.inputs.environment ? ` (${run.inputs.environment})` : ""} on ${run.ref}: "${step.name ?? ""}"`;
            const claims = tokenClaims(run, repository, audience);
            const decision = role
                ? decideAssume(role, {
                      principal: `arn:aws:iam::${role.accountId}:oidc-provider/${ISSUER}`,
                      action: "sts:AssumeRoleWithWebIdentity",
                      context: claims,
                  })
                : "no such role in any bootstrap stack";
            found.push({ who, event: run.event, roleArn, sub: claims[`${ISSUER}:sub`], decision });
        }
    }
    return { roles, found };
}

/** The one repository every bootstrap stack's roles trust: the workflows' own. */
function bootstrapRepository(): string {
    const repositories = new Set(
        listStacks(BOOTSTRAP_ROOT).map(
            (stack) => readStackConfig(stack, BOOTSTRAP_ROOT).config["voteapp-bootstrap:githubRepository"],
        ),
    );
    assert.strictEqual(
        repositories.size,
        1,
        `bootstrap stacks name several repositories: ${[...repositories].join(", ")}`,
    );
    return [...repositories][0];
}

describe("GitHub OIDC tokens of the workflows' jobs ↔ the bootstrap's trust policies", function () {
    this.timeout(120_000);
    // Read once for the tests below: every workflow, a stack-info per step, the bootstrap runs, a decision per step.
    let read: Promise<Assumptions> | undefined;
    const workflowAssumptions = () => (read ??= assumptions(bootstrapRepository()));

    it("every bootstrap stack names the same GitHub repository (the workflows live in one)", () => {
        assert.match(bootstrapRepository(), /^[\w.-]+\/[\w.-]+$/);
    });

    it("every role a job assumes exists and its trust admits the token the job gets", async () => {
        const { found } = await workflowAssumptions();
        assert.ok(found.length >= 5, `only ${found.length} role assumptions found`);
        assert.deepStrictEqual(
            found.filter((a) => a.decision !== "Allowed").map((a) => `${a.who} → ${a.roleArn}: ${a.decision}`),
            [],
        );
    });

    it("every GitHub subject a role trusts is one a job presents to it: no trust that no workflow uses", async () => {
        const { roles, found } = await workflowAssumptions();
        const unused = roles.flatMap((role) =>
            trustedSubjects(role)
                .filter((pattern) => !found.some((a) => a.roleArn === role.arn && matchesIamPattern(pattern, a.sub)))
                .map((pattern) => `${role.arn} trusts ${pattern}`),
        );
        assert.ok(
            roles.some((role) => trustedSubjects(role).length > 0),
            "no role trusts GitHub",
        );
        assert.deepStrictEqual(unused, []);
    });

    it("pushes to main assume every stack's deploy role; pull requests exactly the preview roles that trust them", async () => {
        const { found } = await workflowAssumptions();
        const assumed = (event: Assumption["event"]) =>
            [...new Set(found.filter((a) => a.event === event).map((a) => a.roleArn))].sort();
        for (const stack of listStacks()) {
            const info = stackInfo(stack);
            assert.ok(
                assumed("push").includes(info.deployRoleArn),
                `${stack}: no deploy job assumes ${info.deployRoleArn}`,
            );
        }
        assert.deepStrictEqual(
            assumed("pull_request"),
            listStacks()
                .map((stack) => stackInfo(stack))
                .filter((info) => info.pullRequestPreview)
                .map((info) => info.previewRoleArn)
                .sort(),
        );
    });
});
