import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../../plan/projectRoot";

/** The GitHub Actions workflows as data, for tests that join a workflow to the code it drives. */

export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");

export interface WorkflowStep {
    readonly name?: string;
    readonly id?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}

export interface WorkflowJob {
    readonly name?: string;
    readonly "runs-on"?: string | string[];
    readonly if?: string;
    readonly strategy?: { readonly matrix?: Record<string, unknown> };
    readonly needs?: string | string[];
    /** The GitHub environment the job runs in: its name is the OIDC token's `sub` (`...:environment:<name>`). */
    readonly environment?: string | { readonly name: string; readonly url?: string };
    readonly outputs?: Record<string, string>;
    readonly env?: Record<string, string>;
    readonly steps?: WorkflowStep[];
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
}

export interface Workflow {
    readonly name: string;
    /** Triggers: `push`, `pull_request`, `workflow_call` (with its `inputs`)... */
    readonly on: Record<string, unknown>;
    readonly jobs: Record<string, WorkflowJob>;
}

export function workflowFiles(): string[] {
    return fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
}

export function workflowText(file: string): string {
    return fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
}

export function readWorkflow(file: string): Workflow {
    return YAML.parse(workflowText(file)) as Workflow;
}

/** Every step of every job of a workflow, with its job id. */
export function stepsOf(workflow: Workflow): { job: string; step: WorkflowStep }[] {
    return Object.entries(workflow.jobs).flatMap(([job, spec]) => (spec.steps ?? []).map((step) => ({ job, step })));
}

/** The step of a job with this id, or undefined. */
export function stepWithId(job: WorkflowJob, id: string): WorkflowStep | undefined {
    return (job.steps ?? []).find((step) => step.id === id);
}

/** `steps.<id>.outputs.<name>` references in a text: [id, name] pairs. */
export function stepOutputReferences(text: string): [string, string][] {
    return [...text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => [m[1], m[2]]);
}

/** `${{ expr }}` → expr, or undefined when the value is not one whole expression. */
export const expressionOf = (value: unknown): string | undefined =>
    typeof value === "string" ? /^\$\{\{\s*(.+?)\s*}}$/.exec(value)?.[1] : undefined;

/** `--github-output` lines (`name=value`) as GitHub reads them into `steps.<id>.outputs`. */
export function githubOutputsOf(lines: string): Record<string, string> {
    return Object.fromEntries(
        lines.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** Every step of every job of every workflow, with where it is. */
export function allWorkflowSteps(): { file: string; job: string; step: WorkflowStep }[] {
    return workflowFiles().flatMap((file) => stepsOf(readWorkflow(file)).map(({ job, step }) => ({ file, job, step })));
}

/**
 * The environments deploy.yml deploys, in order: the job that promotes from none, then each job promoting from
 * the environment before it (`promote-from`).
 */
export function githubDeployOrder(): string[] {
    const jobs = Object.values(readWorkflow("deploy.yml").jobs).filter((job) =>
        job.uses?.endsWith("/deploy-environment.yml"),
    );
    const order: string[] = [];
    for (let from = ""; ;) {
        const next = jobs.filter((job) => String(job.with?.["promote-from"] ?? "") === from);
        if (next.length === 0) break;
        if (next.length > 1) throw new Error(`deploy.yml: several jobs promote from "${from}"`);
        from = String(next[0].with?.environment);
        order.push(from);
    }
    if (order.length !== jobs.length) throw new Error(`deploy.yml: jobs outside the chain ${order.join(" → ")}`);
    return order;
}

/** The fenced shell code blocks of a Markdown file, e.g. the README's commands. */
export function shellBlocks(markdownFile: string): string[] {
    const text = fs.readFileSync(markdownFile, "utf8");
    return [...text.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)].map((m) => m[1]);
}
