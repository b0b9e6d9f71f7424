import { closest } from "fastest-levenshtein";
import type { z } from "zod";
import { type Tier, TIERS } from "./values";

/**
 * Reading a Pulumi config namespace against a table of declared keys: the generic half of config
 * validation, shared by the main program (`voteapp:*`) and the bootstrap project (`voteapp-bootstrap:*`).
 * Each project keeps its own key table, zod schema and cross-key rules.
 */

export type ConfigKeyType = "string" | "integer" | "boolean";

export interface ConfigKeyDeclaration {
    readonly type: ConfigKeyType;
    readonly description: string;
    /** Used when the stack file does not set the key. Keys without a default are required unless `optional`. */
    readonly default?: string | number | boolean;
    /** True when the key may be left unset (no default, no value). */
    readonly optional?: boolean;
}

/** One thing wrong with the stack's config: the key, the value found and what is allowed. */
export interface ConfigProblem {
    readonly key: string;
    readonly value: unknown;
    readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
    const shown = problem.value === undefined ? "(not set)" : JSON.stringify(problem.value);
    return `${problem.key} = ${shown}: ${problem.message}`;
}

/** Thrown before any resource is registered when the stack's config is invalid; lists every problem. */
export class ConfigValidationError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            `Invalid configuration for stack "${stack}":\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`,
        );
        this.name = "ConfigValidationError";
    }
}

/** A namespace and its declared keys. */
export interface ConfigKeyTable {
    readonly namespace: string;
    readonly keys: Readonly<Record<string, ConfigKeyDeclaration>>;
    /** Where a user finds every key, for the did-you-mean message, e.g. "Pulumi.yaml". */
    readonly reference: string;
}

/** Converts one raw config string to the declared Pulumi type, or explains why it cannot. */
function convert(raw: string, declaration: ConfigKeyDeclaration): { value: unknown } | { problem: string } {
    switch (declaration.type) {
        case "string":
            return { value: raw };
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? { value: Number(raw) } : { problem: "must be a whole number" };
        case "boolean":
            if (raw === "true" || raw === "false") return { value: raw === "true" };
            return { problem: "must be true or false" };
    }
}

/**
 * Reads the namespace's raw values into typed values: unknown keys (with the closest known key
 * suggested), type errors, defaults and missing required keys. Keys of other namespaces are ignored.
 */
export function readTypedValues(
    raw: Readonly<Record<string, string>>,
    table: ConfigKeyTable,
    problems: ConfigProblem[],
): Record<string, unknown> {
    const prefix = `${table.namespace}:`;
    const qualified = (key: string) => `${prefix}${key}`;
    const known = Object.keys(table.keys);
    const values: Record<string, unknown> = {};
    for (const [fullKey, rawValue] of Object.entries(raw)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const declaration = table.keys[key];
        if (declaration === undefined) {
            problems.push({
                key: fullKey,
                value: rawValue,
                message: `is not a known key; did you mean ${qualified(closest(key, known))}? (see ${table.reference} for all keys)`,
            });
            continue;
        }
        // Pulumi.yaml declares optional keys with an empty default (the CLI requires one): empty means unset.
        if (declaration.optional && rawValue === "") continue;
        const converted = convert(rawValue, declaration);
        if ("problem" in converted) problems.push({ key: fullKey, value: rawValue, message: converted.problem });
        else values[key] = converted.value;
    }
    for (const [key, declaration] of Object.entries(table.keys)) {
        if (key in values || problems.some((p) => p.key === qualified(key))) continue;
        if (declaration.default !== undefined) values[key] = declaration.default;
        else if (!declaration.optional)
            problems.push({
                key: qualified(key),
                value: undefined,
                message: `is required: ${declaration.description}`,
            });
    }
    return values;
}

/** Turns a failed zod parse of the flat values into problems naming each key and the value found. */
export function schemaProblems(
    error: z.ZodError,
    values: Readonly<Record<string, unknown>>,
    namespace: string,
): ConfigProblem[] {
    return error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return { key: `${namespace}:${key}`, value: values[key], message: issue.message };
    });
}

/** Records one problem with a key of a namespace, the key given unqualified. */
export type Report<K extends string = string> = (key: K, value: unknown, message: string) => void;

/** A Report that qualifies the key and appends to `problems`. */
export function reporter<K extends string = string>(namespace: string, problems: ConfigProblem[]): Report<K> {
    return (key, value, message) => problems.push({ key: `${namespace}:${key}`, value, message });
}

/**
 * The first half of validating a stack's config, the same for every project: typed reading against the
 * key table, then the project's per-key schema. Returns the parsed flat values, or throws one
 * ConfigValidationError listing every problem found so far.
 */
export function parseFlatValues<S extends z.ZodType>(
    raw: Readonly<Record<string, string>>,
    table: ConfigKeyTable,
    schema: S,
    stack: string,
): z.output<S> {
    const problems: ConfigProblem[] = [];
    const values = readTypedValues(raw, table, problems);
    const parsed = schema.safeParse(values);
    if (!parsed.success) problems.push(...schemaProblems(parsed.error, values, table.namespace));
    if (problems.length > 0 || !parsed.success) throw new ConfigValidationError(stack, problems);
    return parsed.data;
}

/** The stack's tier: the `tier` key, else the environment's name when it is one of the tiers. */
export function resolveTier(
    flat: { readonly tier?: Tier; readonly environment: string },
    report: Report<"tier">,
): Tier | undefined {
    if (flat.tier) return flat.tier;
    const fromName = TIERS.find((t) => t === flat.environment);
    if (!fromName)
        report(
            "tier",
            undefined,
            `is required when the environment ("${flat.environment}") is not one of ${TIERS.join(", ")}: set dev, staging or prod`,
        );
    return fromName;
}

/** One entry of a Pulumi.yaml typed `config:` block. */
export interface ProjectConfigDeclaration {
    readonly type: ConfigKeyType;
    readonly description: string;
    readonly default?: string | number | boolean;
}

/**
 * The `config:` declarations a Pulumi.yaml must hold for a key table. The CLI refuses a stack that leaves
 * a declared key without default unset, so optional keys are declared with an empty default, which
 * `readTypedValues` reads as "not set".
 */
export function declarationsFor(
    keys: Readonly<Record<string, ConfigKeyDeclaration>>,
): Record<string, ProjectConfigDeclaration> {
    return Object.fromEntries(
        Object.entries(keys).map(([key, declaration]) => {
            const entry: ProjectConfigDeclaration = {
                type: declaration.type,
                description: declaration.description,
                ...(declaration.default !== undefined
                    ? { default: declaration.default }
                    : declaration.optional
                      ? { default: "" }
                      : {}),
            };
            return [key, entry];
        }),
    );
}

/** Freezes an object graph, so a validated config cannot be changed by the code that reads it. */
export function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
    }
    return value;
}
