import { parseArgs } from "node:util";
import { ConfigValidationError } from "../shared/config/reader";
import { renderRun } from "./render";
import { BOOTSTRAP_ROOT, runBootstrap } from "./runBootstrap";
import { exitWhenFlushed } from "./exitWhenFlushed";
import { listStacks } from "./stackFile";

const USAGE = `Usage: npm run plan:bootstrap -- --stack <name> [--json]

Runs the bootstrap project (bootstrap/) under Pulumi's mocks with bootstrap/Pulumi.<name>.yaml (no AWS
credentials, no Pulumi CLI) and prints the resource tree, the count by type and the stack outputs.
  --stack   account to plan (one of: ${listStacks(BOOTSTRAP_ROOT).join(", ")})
  --json    print resources and outputs as JSON instead`;

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", short: "s" },
            json: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (!values.stack || !listStacks(BOOTSTRAP_ROOT).includes(values.stack)) {
        console.error(
            `${values.stack ? `No stack file bootstrap/Pulumi.${values.stack}.yaml.` : "--stack is required."}\n\n${USAGE}`,
        );
        return 2;
    }
    const run = await runBootstrap(values.stack);
    if (values.json)
        console.log(JSON.stringify({ stack: values.stack, resources: run.resources, outputs: run.outputs }, null, 2));
    else
        console.log(
            renderRun(`Offline plan of bootstrap stack "${values.stack}" (mocked: nothing was sent to AWS)`, run),
        );
    return 0;
}

main().then(exitWhenFlushed, (err: unknown) => {
    console.error(err instanceof ConfigValidationError || err instanceof Error ? err.message : err);
    exitWhenFlushed(1);
});
