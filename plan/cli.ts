import { parseArgs } from "node:util";
import { type Command, runAsProcess } from "./command";
import { DEFAULT_VOTES_PER_MONTH } from "./cost/assumptions";
import { listStacks } from "./projectRoot";

const USAGE = `Usage: npm run plan -- --stack <name> [--json] [--set <namespace:key>=<value> ...] [--policy-config <file>] [--votes <n>]

Runs the program under Pulumi's mocks with Pulumi.<name>.yaml (no AWS credentials, no Pulumi CLI) and
prints the resource tree, the count by type, the stack outputs, the policy pack's verdicts under the
stack's enforcement (policy/config/<tier>.json, or <tier>-central-security.json when
voteapp:securityBaseline is central: the file CI's pulumi preview uses) and the estimated monthly cost,
idle and at a load, with the account's own costs beside it (its bootstrap stack's registry and state
backend; priced from plan/cost/prices, assumptions in plan/cost/assumptions.ts).
  --stack          stack to plan (one of: ${listStacks().join(", ")})
  --json           print resources, outputs and verdicts as JSON instead
  --set            override one config value, e.g. --set voteapp:platform=ecs (repeatable)
  --policy-config  judge with this pack config file instead of the environment's
  --votes          votes a month for the cost estimate's load total (default ${DEFAULT_VOTES_PER_MONTH.toLocaleString("en-US")})

Exit codes: 0 planned with no mandatory violation, 1 invalid config or failure, 2 usage error,
3 planned but a mandatory policy violation would block the deployment.`;

function parseOverrides(values: readonly string[]): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const item of values) {
        const eq = item.indexOf("=");
        if (eq <= 0 || !item.slice(0, eq).includes(":"))
            throw new Error(`--set ${item}: expected <namespace:key>=<value>, e.g. voteapp:platform=ecs`);
        overrides[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return overrides;
}

/** `--votes`: a whole number of votes a month, 0 or more (underscores and commas allowed as separators). */
function parseVotes(value: string | undefined): number {
    if (value === undefined) return DEFAULT_VOTES_PER_MONTH;
    const cleaned = value.replace(/[_,]/g, "");
    if (!/^\d+$/.test(cleaned) || !Number.isSafeInteger(Number(cleaned)))
        throw new UsageError(`--votes ${value}: expected a whole number of votes a month, e.g. --votes 1000000`);
    return Number(cleaned);
}

class UsageError extends Error {}

/**
 * `npm run plan -- <argv>`: the offline plan of one stack and the policy pack's verdicts on it (plan/planReport.ts),
 * once the arguments are valid.
 */
export const planCommand: Command = async (argv, output) => {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            stack: { type: "string", short: "s" },
            "policy-config": { type: "string" },
            json: { type: "boolean", default: false },
            set: { type: "string", multiple: true, default: [] },
            votes: { type: "string" },
            help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
    });
    if (values.help) {
        output.out(USAGE);
        return 0;
    }
    if (!values.stack) {
        output.err(`--stack is required.\n\n${USAGE}`);
        return 2;
    }
    if (!listStacks().includes(values.stack)) {
        output.err(`No stack file Pulumi.${values.stack}.yaml; stacks: ${listStacks().join(", ")}`);
        return 2;
    }
    let votesPerMonth: number;
    try {
        votesPerMonth = parseVotes(values.votes);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        output.err(`${err.message}\n\n${USAGE}`);
        return 2;
    }
    const overrides = parseOverrides(values.set ?? []);
    // Only now the SDK, the program's config and the policy pack (plan/planReport.ts, ~1 CPU-s): every answer
    // above is given without them (test/plan/cli.test.ts checks the unknown stack's).
    const { reportPlan } = await import("./planReport");
    return reportPlan(
        {
            stack: values.stack,
            overrides,
            votesPerMonth,
            json: values.json ?? false,
            policyConfig: values["policy-config"],
        },
        output,
    );
};

if (require.main === module) runAsProcess(planCommand);
