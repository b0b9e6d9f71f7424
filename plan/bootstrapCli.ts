import { parseArgs } from "node:util";
import { type Command, runAsProcess } from "./command";
import { BOOTSTRAP_ROOT, listStacks } from "./projectRoot";
import { renderRun } from "./render";

const USAGE = `Usage: npm run plan:bootstrap -- --stack <name> [--json]

Runs the bootstrap project (bootstrap/) under Pulumi's mocks with bootstrap/Pulumi.<name>.yaml (no AWS
credentials, no Pulumi CLI) and prints the resource tree, the count by type and the stack outputs.
  --stack   account to plan (one of: ${listStacks(BOOTSTRAP_ROOT).join(", ")})
  --json    print resources and outputs as JSON instead`;

/** `npm run plan:bootstrap -- <argv>`: the offline plan of one bootstrap stack. */
export const bootstrapPlanCommand: Command = async (argv, output) => {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            stack: { type: "string", short: "s" },
            json: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
    });
    if (values.help) {
        output.out(USAGE);
        return 0;
    }
    if (!values.stack || !listStacks(BOOTSTRAP_ROOT).includes(values.stack)) {
        output.err(
            `${values.stack ? `No stack file bootstrap/Pulumi.${values.stack}.yaml.` : "--stack is required."}\n\n${USAGE}`,
        );
        return 2;
    }
    // Only now the planning modules: --help and usage errors answer without them (test/bootstrap/cli.test.ts).
    const { runBootstrap } = await import("./runBootstrap");
    const run = await runBootstrap(values.stack);
    if (values.json)
        output.out(JSON.stringify({ stack: values.stack, resources: run.resources, outputs: run.outputs }, null, 2));
    else
        output.out(
            renderRun(`Offline plan of bootstrap stack "${values.stack}" (mocked: nothing was sent to AWS)`, run),
        );
    return 0;
};

if (require.main === module) runAsProcess(bootstrapPlanCommand);
