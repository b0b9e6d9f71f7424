import * as fs from "fs";
import { packConfigChoiceFor, packConfigFile } from "../policy/configFile";
import { evaluatePolicies, readPackConfig, type PolicyReport } from "../policy/evaluate";
import { parseVoteAppConfig } from "../stacks/config";
import type { CapturedResource } from "../shared/capturedResource";
import type { StackFileConfig } from "./stackFile";

export interface PolicyVerdicts {
    /** The pack config file the verdicts were judged with. */
    readonly configFile: string;
    readonly report: PolicyReport;
}

/**
 * Runs the policy pack over a plan's captured resources with the stack's pack config (or an explicit file),
 * as `pulumi preview --policy-pack policy --policy-pack-config <file>` would.
 */
export function policyVerdicts(
    resources: readonly CapturedResource[],
    stackConfig: StackFileConfig,
    configFile?: string,
): PolicyVerdicts {
    const file = configFile ?? stackPackConfigFile(stackConfig);
    return { configFile: file, report: evaluatePolicies(resources, { config: readPackConfig(file) }) };
}

/**
 * The pack config CI judges this stack with: policy/configFile.ts picks it from the validated config (tier,
 * security baseline owner), exactly as scripts/stack-info.ts does for the workflows.
 */
export function stackPackConfigFile(stackConfig: StackFileConfig): string {
    const config = parseVoteAppConfig(stackConfig.config, { project: stackConfig.project, stack: stackConfig.stack });
    const file = packConfigFile(packConfigChoiceFor(config));
    if (!fs.existsSync(file))
        throw new Error(`No policy pack config ${file} for stack "${stackConfig.stack}"; pass --policy-config <file>`);
    return file;
}
