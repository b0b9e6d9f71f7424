import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../../plan/stackFile";

/** Read access to the GitHub workflows for tests that join them with the program (steps, env, run scripts). */
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
    readonly needs?: string | string[];
    readonly if?: string;
    readonly outputs?: Record<string, string>;
    readonly env?: Record<string, string>;
    readonly steps?: WorkflowStep[];
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
    readonly strategy?: { readonly matrix?: Record<string, unknown> };
}

export interface Workflow {
    readonly name: string;
    readonly jobs: Record<string, WorkflowJob>;
}

export function workflowFiles(): string[] {
    return fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
}

export function readWorkflow(file: string): Workflow {
    return YAML.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as Workflow;
}

/** Every step of every job of every workflow, with where it is. */
export function allWorkflowSteps(): { file: string; job: string; step: WorkflowStep }[] {
    return workflowFiles().flatMap((file) =>
        Object.entries(readWorkflow(file).jobs).flatMap(([job, definition]) =>
            (definition.steps ?? []).map((step) => ({ file, job, step })),
        ),
    );
}

/** The fenced shell code blocks of a Markdown file, e.g. the README's commands. */
export function shellBlocks(markdownFile: string): string[] {
    const text = fs.readFileSync(markdownFile, "utf8");
    return [...text.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)].map((m) => m[1]);
}
