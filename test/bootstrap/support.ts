import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import type { RunStackOptions } from "../../plan/runStack";
import type { StackRun } from "../../plan/stackRun";
import { runBootstrap } from "../../plan/runBootstrap";
import { BOOTSTRAP_ROOT } from "../../plan/projectRoot";
import { readStackConfig, type StackFileConfig } from "../../plan/stackFile";
import type { PolicyStatement } from "../../components/iamPolicy";
import type { NamedPolicy, PolicyDocumentJson } from "../support/iamSimulation";
import { single } from "../support/resources";
import { readOncePerKey } from "../support/sharedReads";

/** Runs of the bootstrap stacks, cached per (stack, overrides) like test/support/stacks.ts does for the program. */
const cache = new Map<string, Promise<StackRun>>();

export function bootstrapRun(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    if (options.config) return runBootstrap(stack, options);
    const key = `${stack}:${JSON.stringify(options.overrides ?? {})}`;
    let run = cache.get(key);
    if (!run) {
        run = runBootstrap(stack, options);
        cache.set(key, run);
    }
    return run;
}

export const BOOTSTRAP_STACKS = ["dev", "staging", "prod"] as const;

/**
 * The workload permissions boundary an account's bootstrap creates (every role the stacks make carries it; they
 * only name it), with its ARN: read once per stack and shared, frozen, as the IAM harness validates and indexes a
 * document once per document object.
 */
export const workloadBoundaryOf = readOncePerKey(
    async (stack: string): Promise<NamedPolicy & { readonly arn: string }> => {
        const run = await bootstrapRun(stack);
        const policy = single(run, "aws:iam/policy:Policy", "workload-boundary");
        const account = run.stackConfig.config["voteapp-bootstrap:accountId"];
        return {
            arn: `arn:aws:iam::${account}:policy/${String(policy.inputs.name)}`,
            name: String(policy.inputs.name),
            policy: JSON.parse(String(policy.inputs.policy)) as PolicyDocumentJson,
        };
    },
);

/** A bootstrap stack file's config with keys changed or removed (undefined). */
export function bootstrapConfigWith(
    stack: string,
    changes: Readonly<Record<string, string | undefined>>,
): StackFileConfig {
    const base = readStackConfig(stack, BOOTSTRAP_ROOT);
    const config = { ...base.config };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    return { ...base, config };
}

export interface PolicyJson {
    readonly Version: string;
    readonly Statement: readonly PolicyStatement[];
}

/** The parsed JSON policy held in a resource input (`policy`, `assumeRolePolicy`). */
export function policyOf(resource: CapturedResource, inputName: "policy" | "assumeRolePolicy" = "policy"): PolicyJson {
    const raw = resource.inputs[inputName];
    assert.strictEqual(typeof raw, "string", `${resource.name}.${inputName} is not a JSON string`);
    return JSON.parse(raw as string) as PolicyJson;
}

export function statement(policy: PolicyJson, sid: string): PolicyStatement {
    const found = policy.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid}; have ${policy.Statement.map((s) => s.Sid).join(", ")}`);
    return found;
}

export const list = (value: string | readonly string[] | undefined): string[] =>
    value === undefined ? [] : typeof value === "string" ? [value] : [...value];
