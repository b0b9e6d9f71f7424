import { parseArgs } from "node:util";
import * as path from "path";
import { ConfigValidationError, parseVoteAppConfig } from "../stacks/config";
import { deployWarnings, formatWarning, type DeployWarning } from "../stacks/warnings";
import { formatReport, hasMandatoryViolations } from "../policy/evaluate";
import { policyVerdicts } from "./policyVerdicts";
import { renderRun } from "./render";
import { runStack } from "./runStack";
import { type Command, runAsProcess } from "./command";
import { DEFAULT_VOTES_PER_MONTH } from "./cost/assumptions";
import { accountPlanFor } from "./cost/account";
import { estimateCost } from "./cost/estimate";
import { renderCostEstimate } from "./cost/render";
import { listStacks, readStackConfig } from "./stackFile";

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

/** Exit code when the plan succeeds but the policy pack would refuse the deployment. */
const MANDATORY_VIOLATION_EXIT = 3;

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
 * The program's deploy warnings for the planned config; with --set overrides, also what changes against the
 * stack file as it is (the config the stack runs once deployed from it), e.g. subnets an azCount change moves.
 */
function planWarnings(
    stack: string,
    planned: Readonly<Record<string, string>>,
    overrides: Readonly<Record<string, string>>,
): DeployWarning[] {
    const file = readStackConfig(stack);
    const config = parseVoteAppConfig(planned, { project: file.project, stack });
    if (Object.keys(overrides).length === 0) return deployWarnings(config);
    try {
        return deployWarnings(config, parseVoteAppConfig(file.config, { project: file.project, stack }));
    } catch (err) {
        if (err instanceof ConfigValidationError) return deployWarnings(config);
        throw err;
    }
}

/** `npm run plan -- <argv>`: the offline plan of one stack and the policy pack's verdicts on it. */
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
    const run = await runStack(values.stack, { overrides });
    const verdicts = policyVerdicts(run.resources, run.stackConfig, values["policy-config"]);
    const region = run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1";
    const account = await accountPlanFor(run);
    const cost = estimateCost(run.resources, { region, votesPerMonth, ...(account ? { account } : {}) });
    const warnings = planWarnings(values.stack, run.stackConfig.config, overrides);
    if (values.json) {
        output.out(
            JSON.stringify(
                {
                    stack: values.stack,
                    resources: run.resources,
                    outputs: run.outputs,
                    warnings,
                    policy: { configFile: verdicts.configFile, ...verdicts.report },
                    cost,
                },
                null,
                2,
            ),
        );
    } else {
        const placeholders = run.stackConfig.secretKeys.length
            ? `\n(secure values replaced by offline placeholders: ${run.stackConfig.secretKeys.join(", ")})`
            : "";
        output.out(
            renderRun(`Offline plan of stack "${values.stack}" (mocked: nothing was sent to AWS)${placeholders}`, run),
        );
        if (warnings.length > 0)
            output.out(
                `\n## Warnings (read before pulumi up)\n${warnings.map((w) => `  ${formatWarning(w)}`).join("\n")}`,
            );
        output.out(
            `\n${formatReport(verdicts.report, `Policy verdicts (voteapp-devsecops, ${path.relative(process.cwd(), verdicts.configFile)})`)}`,
        );
        output.out(`\n${renderCostEstimate(cost)}`);
    }
    if (hasMandatoryViolations(verdicts.report)) {
        output.err(
            `\n${verdicts.report.summary.mandatory} mandatory policy violation(s): pulumi preview with this pack config would refuse the deployment.`,
        );
        return MANDATORY_VIOLATION_EXIT;
    }
    return 0;
};

if (require.main === module) runAsProcess(planCommand);
