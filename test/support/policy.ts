import * as assert from "assert";
import { type Environment, packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PolicyReport } from "../../policy/evaluate";
import { stackRun } from "./stacks";

/** A shipped stack (optionally with config overrides) judged by its environment's pack config, offline. */
export async function stackVerdicts(
    stack: string,
    overrides: Readonly<Record<string, string>> = {},
): Promise<PolicyReport> {
    const run = await stackRun(stack, { overrides });
    return evaluatePolicies(run.resources, { config: packConfigFor(stack as Environment) });
}

/** No config error, no rule crashing on the stack's values, and no mandatory violation. */
export function assertDeployable(report: PolicyReport, title: string): void {
    assert.deepStrictEqual(report.configErrors, []);
    const crashes = report.violations.filter((v) => /instead of stopping the run|can't run policy/.test(v.message));
    assert.deepStrictEqual(crashes, [], formatReport(report));
    const blocking = report.violations.filter((v) => v.level === "mandatory");
    assert.deepStrictEqual(blocking, [], formatReport(report, `${title}: mandatory violations`));
}
