import * as path from "path";
import { ConfigValidationError, parseVoteAppConfig } from "../stacks/config";
import { deployWarnings, formatWarning, type DeployWarning } from "../stacks/warnings";
import { formatReport, hasMandatoryViolations } from "../policy/evaluate";
import type { CommandOutput } from "./command";
import { accountPlanFor } from "./cost/account";
import { estimateCost } from "./cost/estimate";
import { renderCostEstimate } from "./cost/render";
import { policyVerdicts } from "./policyVerdicts";
import { renderRun } from "./render";
import { runStack } from "./runStack";
import { readStackConfig } from "./stackFile";

/**
 * The offline plan of one stack (`npm run plan`, plan/cli.ts): the run, its deploy warnings, the policy pack's
 * verdicts and the cost estimate, printed. Apart from the CLI, which loads this (the SDK, the program's config
 * and the policy pack: ~1 CPU-s) only once the arguments are valid: usage errors answer without it.
 */

/** What the CLI's arguments asked for, validated. */
export interface PlanRequest {
    readonly stack: string;
    readonly overrides: Readonly<Record<string, string>>;
    readonly votesPerMonth: number;
    readonly json: boolean;
    /** Judge with this pack config file instead of the environment's. */
    readonly policyConfig?: string;
}

/** Exit code when the plan succeeds but the policy pack would refuse the deployment. */
const MANDATORY_VIOLATION_EXIT = 3;

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

/** Plans the stack and prints the report; the exit code (0, or MANDATORY_VIOLATION_EXIT). */
export async function reportPlan(request: PlanRequest, output: CommandOutput): Promise<number> {
    const run = await runStack(request.stack, { overrides: request.overrides });
    const verdicts = policyVerdicts(run.resources, run.stackConfig, request.policyConfig);
    const region = run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1";
    const account = await accountPlanFor(run);
    const cost = estimateCost(run.resources, {
        region,
        votesPerMonth: request.votesPerMonth,
        ...(account ? { account } : {}),
    });
    const warnings = planWarnings(request.stack, run.stackConfig.config, request.overrides);
    if (request.json) {
        output.out(
            JSON.stringify(
                {
                    stack: request.stack,
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
            renderRun(`Offline plan of stack "${request.stack}" (mocked: nothing was sent to AWS)${placeholders}`, run),
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
}
