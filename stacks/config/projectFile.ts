import { CONFIG_KEYS, type ConfigKeyDeclaration } from "./keys";

/** One entry of Pulumi.yaml's typed `config:` block. */
export interface ProjectConfigDeclaration {
    readonly type: "string" | "integer" | "boolean";
    readonly description: string;
    readonly default?: string | number | boolean;
}

/**
 * The `config:` declarations Pulumi.yaml must hold, derived from CONFIG_KEYS. The CLI refuses a stack
 * that leaves a declared key without default unset, so optional keys are declared with an empty default,
 * which the loader reads as "not set".
 */
export function projectConfigDeclarations(): Record<string, ProjectConfigDeclaration> {
    return Object.fromEntries(
        Object.entries(CONFIG_KEYS).map(([key, declaration]: [string, ConfigKeyDeclaration]) => {
            const entry: ProjectConfigDeclaration = {
                type: declaration.type,
                description: declaration.description,
                ...(declaration.default !== undefined ? { default: declaration.default } : declaration.optional ? { default: "" } : {}),
            };
            return [key, entry];
        }),
    );
}
