import { parseArgs } from "node:util";
import { ConfigValidationError } from "../stacks/config";
import { renderRun } from "./render";
import { BOOTSTRAP_ROOT, runBootstrap } from "./runBootstrap";
import { runStack } from "./runStack";
import { listStacks, PROJECT_ROOT } from "./stackFile";

/** The two Pulumi projects of the repository: the program, and the per-account bootstrap. */
const PROJECTS = {
    program: { root: PROJECT_ROOT, run: runStack, files: "Pulumi.<name>.yaml" },
    bootstrap: { root: BOOTSTRAP_ROOT, run: runBootstrap, files: "bootstrap/Pulumi.<name>.yaml" },
} as const;

const USAGE = `Usage: npm run plan -- --stack <name> [--json] [--set <namespace:key>=<value> ...]
       npm run plan:bootstrap -- --stack <name> [...]   (the bootstrap project, --project bootstrap)

Runs the program under Pulumi's mocks with Pulumi.<name>.yaml (no AWS credentials, no Pulumi CLI) and
prints the resource tree, the count by type and the stack outputs.
  --stack   stack to plan (program: ${listStacks().join(", ")}; bootstrap: ${listStacks(BOOTSTRAP_ROOT).join(", ")})
  --project program (default) or bootstrap
  --json    print resources and outputs as JSON instead
  --set     override one config value, e.g. --set voteapp:platform=ecs (repeatable)`;

function parseOverrides(values: readonly string[]): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const item of values) {
        const eq = item.indexOf("=");
        if (eq <= 0 || !item.slice(0, eq).includes(":")) throw new Error(`--set ${item}: expected <namespace:key>=<value>, e.g. voteapp:platform=ecs`);
        overrides[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return overrides;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { stack: { type: "string", short: "s" }, json: { type: "boolean", default: false }, set: { type: "string", multiple: true, default: [] }, help: { type: "boolean", short: "h", default: false }, project: { type: "string", default: "program" } },
        strict: true,
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (!values.stack) {
        console.error(`--stack is required.\n\n${USAGE}`);
        return 2;
    }
    const projectName = values.project ?? "program";
    if (projectName !== "program" && projectName !== "bootstrap") {
        console.error(`--project ${projectName}: expected program or bootstrap`);
        return 2;
    }
    const project = PROJECTS[projectName];
    if (!listStacks(project.root).includes(values.stack)) {
        console.error(`No stack file ${project.files.replace("<name>", values.stack)}; stacks: ${listStacks(project.root).join(", ")}`);
        return 2;
    }
    const overrides = parseOverrides(values.set ?? []);
    const run = await project.run(values.stack, { overrides });
    if (values.json) {
        console.log(JSON.stringify({ stack: values.stack, resources: run.resources, outputs: run.outputs }, null, 2));
    } else {
        const placeholders = run.stackConfig.secretKeys.length ? `\n(secure values replaced by offline placeholders: ${run.stackConfig.secretKeys.join(", ")})` : "";
        console.log(renderRun(`Offline plan of stack "${values.stack}" (mocked: nothing was sent to AWS)${placeholders}`, run));
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        if (err instanceof ConfigValidationError) {
            console.error(err.message);
            process.exit(1);
        }
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    },
);
