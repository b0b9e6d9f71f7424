import type { EnforcementLevel } from "@pulumi/policy";

/**
 * A CrossGuard policy pack config, as given to `pulumi preview --policy-pack-config <file>`: `all` sets
 * every rule's level, a rule's own entry overrides it, either as a level or as an object with
 * `enforcementLevel` and the rule's parameters (validated against its configSchema).
 */
export type PolicyConfigValue =
    EnforcementLevel | ({ readonly enforcementLevel?: EnforcementLevel } & { readonly [prop: string]: unknown });

export type PackConfig = { readonly [ruleOrAll: string]: PolicyConfigValue };

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
