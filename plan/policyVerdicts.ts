import * as fs from "fs";
import { evaluatePolicies, packConfigPath, readPackConfig, type PolicyReport } from "../policy/evaluate";
import type { CapturedResource } from "../shared/capturedResource";
import type { StackFileConfig } from "./stackFile";

/**
 * The protection tier a stack file asks for (`tier`, else the environment name): it picks the policy pack
 * config CI passes as `--policy-pack-config policy/config/<tier>.json`.
 */
export function stackTier(stackConfig: StackFileConfig): string | undefined {
    const value = (key: string) => stackConfig.config[`${stackConfig.project}:${key}`];
    return value("tier") || value("environment") || undefined;
}

export interface PolicyVerdicts {
    /** The pack config file the verdicts were judged with. */
    readonly configFile: string;
    readonly report: PolicyReport;
}

/**
 * Runs the policy pack over a plan's captured resources with the environment's enforcement config (or an
 * explicit file), as `pulumi preview --policy-pack policy --policy-pack-config <file>` would.
 */
export function policyVerdicts(
    resources: readonly CapturedResource[],
    stackConfig: StackFileConfig,
    configFile?: string,
): PolicyVerdicts {
    const file = configFile ?? defaultPackConfigFile(stackConfig);
    return { configFile: file, report: evaluatePolicies(resources, { config: readPackConfig(file) }) };
}

function defaultPackConfigFile(stackConfig: StackFileConfig): string {
    const tier = stackTier(stackConfig);
    const file = tier ? packConfigPath(tier) : undefined;
    if (!file || !fs.existsSync(file)) {
        throw new Error(
            `No policy pack config for tier "${tier ?? "(unset)"}" (expected ${file ?? "policy/config/<tier>.json"}); pass --policy-config <file>`,
        );
    }
    return file;
}
