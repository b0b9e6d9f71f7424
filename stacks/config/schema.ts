import { z } from "zod";
import { APP_SERVICE_TABLE, type ServiceTable } from "../../shared/appContract";
import { accountKeys } from "./accounts";
import { ciRunnerKeys } from "./ciRunner";
import { costKeys } from "./cost";
import { dataKeys } from "./data";
import { deliveryKeys } from "./delivery";
import { eksKeys } from "./eks";
import { eksSlotKeys } from "./eksSlots";
import { httpsKeys } from "./https";
import { ingressKeys } from "./ingress";
import type { ConfigKey } from "./keys";
import { lambdaKeys } from "./lambda";
import { rowsBeyondShipped, serviceKeySchemas } from "./serviceKeys";
import { networkKeys } from "./network";
import { safetyKeys } from "./safety";
import { stackKeys } from "./stack";
import { testTrafficKeys } from "./testTraffic";

/**
 * The one schema: every key of keys.ts with its per-key constraints, contributed by its domain. A key
 * declared in keys.ts but missing here, or the other way round, is a compile error (the checks compare key
 * names only: comparing zod's schema types themselves costs the type-check seconds).
 */
const everyKey = {
    ...stackKeys,
    ...accountKeys,
    ...networkKeys,
    ...serviceKeySchemas(APP_SERVICE_TABLE),
    ...dataKeys,
    ...httpsKeys,
    ...deliveryKeys,
    ...safetyKeys,
    ...costKeys,
    ...ingressKeys,
    ...testTrafficKeys,
    ...lambdaKeys,
    ...eksKeys,
    ...eksSlotKeys,
    ...ciRunnerKeys,
};

/** Keys declared in keys.ts without a schema here, and keys here keys.ts does not declare: none, or the compiler names them. */
type WithoutSchema = Exclude<ConfigKey, keyof typeof everyKey>;
type Undeclared = Exclude<keyof typeof everyKey, ConfigKey>;
const everyKeyHasASchema: [WithoutSchema] extends [never] ? true : WithoutSchema = true;
const noUndeclaredKeys: [Undeclared] extends [never] ? true : Undeclared = true;
void everyKeyHasASchema;
void noUndeclaredKeys;

export const flatConfigSchema = z.object(everyKey);

export type FlatConfig = z.output<typeof flatConfigSchema>;

/**
 * The one schema for a service table: flatConfigSchema, plus the keys of each row the shipped table does not hold
 * (a row replacing a shipped one by name replaces its keys' schemas). A row added to the table has its keys
 * validated like the shipped rows'; its values are read through serviceKeys.ts `configuredServices`.
 */
export function flatConfigSchemaFor(table: ServiceTable) {
    return flatConfigSchema.and(z.object(serviceKeySchemas(rowsBeyondShipped(table))));
}
