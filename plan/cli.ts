import { parseArgs } from "node:util";
import { ConfigValidationError } from "../stacks/config";
import { renderRun } from "./render";
import { runStack } from "./runStack";
import { listStacks } from "./stackFile";

const USAGE = `Usage: npm run plan -- --stack <name> [--json] [--set <namespace:key>=<value> ...]

Runs the program under Pulumi's mocks with Pulumi.<name>.yaml (no AWS credentials, no Pulumi CLI) and
prints the resource tree, the count by type and the stack outputs.
  --stack   stack to plan (one of: ${listStacks().join(", ")})
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
        options: { stack: { type: "string", short: "s" }, json: { type: "boolean", default: false }, set: { type: "string", multiple: true, default: [] }, help: { type: "boolean", short: "h", default: false } },
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
    if (!listStacks().includes(values.stack)) {
        console.error(`No stack file Pulumi.${values.stack}.yaml; stacks: ${listStacks().join(", ")}`);
        return 2;
    }
    const overrides = parseOverrides(values.set ?? []);
    const run = await runStack(values.stack, { overrides });
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
