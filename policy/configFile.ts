import * as path from "node:path";

/**
 * Which `--policy-pack-config` file judges a stack: the one function the offline plan, scripts/stack-info.ts
 * (and through it preview.yml, deploy-environment.yml and the DeliveryPipeline's buildspecs) and the
 * generator of policy/config/*.json all use, so the file a stack is judged with is the file that exists.
 *
 * `<tier>.json`, or `<tier>-central-security.json` when the account's security baseline (GuardDuty,
 * Inspector) is owned by a central security account: that variant tells the pack's baseline rules so,
 * instead of failing the stack for resources it deliberately does not create.
 */

/** The directory holding the shipped pack configs. */
export const PACK_CONFIG_DIR = path.join(__dirname, "config");

/** What the choice depends on: the stack's protection tier and who owns its account's security baseline. */
export interface PackConfigChoice {
    /** dev, staging or prod (the tier, not the environment name: an `int` stack with tier staging uses staging's). */
    readonly tier: string;
    /** True when `voteapp:securityBaseline` is central. */
    readonly centralSecurityAccount: boolean;
}

/** The validated stack config fields the choice reads (structurally: policy/ does not import stacks/). */
export interface StackPackConfigInput {
    readonly tier: string;
    readonly safety: { readonly securityBaseline: { readonly owner: string } };
}

export function packConfigChoiceFor(stack: StackPackConfigInput): PackConfigChoice {
    return { tier: stack.tier, centralSecurityAccount: stack.safety.securityBaseline.owner === "central" };
}

/** `prod.json`, `prod-central-security.json`, … */
export function packConfigFileName(choice: PackConfigChoice): string {
    return `${choice.tier}${choice.centralSecurityAccount ? "-central-security" : ""}.json`;
}

/** Absolute path of the pack config file. */
export function packConfigFile(choice: PackConfigChoice): string {
    return path.join(PACK_CONFIG_DIR, packConfigFileName(choice));
}

/** The file as the workflows and buildspecs pass it from the repository root: `policy/config/<name>`. */
export function packConfigRepositoryPath(choice: PackConfigChoice): string {
    return `policy/config/${packConfigFileName(choice)}`;
}
