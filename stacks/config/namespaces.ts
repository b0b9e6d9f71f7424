import { closest } from "fastest-levenshtein";
import type { ConfigProblem } from "../../shared/config/reader";
import { CONFIG_NAMESPACE } from "./keys";

/**
 * Stack-file hygiene: the keys outside the `voteapp` namespace. Pulumi hands a program every key of the
 * stack file, and keys the program does not read are silently dropped, so each of these is refused naming
 * the key:
 * - a namespace this program does not read (a misspelled `votapp:vpcCidr` would otherwise vanish), with the
 *   closest namespace suggested;
 * - `aws:*` keys: they configure the default AWS provider, which the program disables; only `aws:region`
 *   is accepted, and only when it equals `voteapp:region`;
 * - `pulumi:disable-default-providers` without `aws` (or `*`): a stack file overriding Pulumi.yaml's
 *   `[aws]` would let a resource slip through to ambient credentials.
 */

/** Namespaces whose keys the program (or the Pulumi engine, for `pulumi:`) reads. */
export const READ_NAMESPACES = [CONFIG_NAMESPACE, "aws", "pulumi"] as const;

/** `pulumi:` keys a stack file may set (engine settings the project relies on, or harmless ones). */
const PULUMI_KEYS = ["disable-default-providers", "tags", "template"];

function listOf(raw: string): string[] | undefined {
    try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) ? parsed.map(String) : undefined;
    } catch {
        return undefined;
    }
}

export function outsideNamespaceProblems(raw: Readonly<Record<string, string>>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const [key, value] of Object.entries(raw)) {
        const colon = key.indexOf(":");
        if (colon < 0) continue;
        const namespace = key.slice(0, colon);
        const name = key.slice(colon + 1);
        if (namespace === CONFIG_NAMESPACE) continue;
        if (!(READ_NAMESPACES as readonly string[]).includes(namespace)) {
            const guess = closest(namespace, [...READ_NAMESPACES]);
            problems.push({
                key,
                value,
                message: `is in namespace "${namespace}", which this program does not read (it reads ${READ_NAMESPACES.join(", ")}); did you mean ${guess}:${name}?`,
            });
        } else if (namespace === "aws" && name === "region") {
            const ours = raw[`${CONFIG_NAMESPACE}:region`];
            if (ours !== undefined && ours !== value)
                problems.push({
                    key,
                    value,
                    message: `contradicts ${CONFIG_NAMESPACE}:region (${ours}); the stack deploys to ${CONFIG_NAMESPACE}:region: remove aws:region or make them equal`,
                });
        } else if (namespace === "aws") {
            problems.push({
                key,
                value,
                message: `configures the default AWS provider, which this program disables (every resource uses the stack's account-pinned provider); remove it, or set the matching ${CONFIG_NAMESPACE} key`,
            });
        } else if (namespace === "pulumi" && name === "disable-default-providers") {
            const list = listOf(value);
            if (!list || !(list.includes("aws") || list.includes("*")))
                problems.push({
                    key,
                    value,
                    message:
                        'must include "aws" (Pulumi.yaml sets [aws]): without it a resource missing its provider would deploy with ambient credentials into any account',
                });
        } else if (namespace === "pulumi" && !PULUMI_KEYS.includes(name)) {
            problems.push({
                key,
                value,
                message: `is not a Pulumi setting this project uses (${PULUMI_KEYS.map((k) => `pulumi:${k}`).join(", ")})`,
            });
        }
    }
    return problems;
}
