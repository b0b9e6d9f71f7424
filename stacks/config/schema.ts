import { z } from "zod";
import { accountKeys } from "./accounts";
import { costKeys } from "./cost";
import { dataKeys } from "./data";
import { deliveryKeys } from "./delivery";
import { eksKeys } from "./eks";
import { eksSlotKeys } from "./eksSlots";
import { httpsKeys } from "./https";
import type { ConfigKey } from "./keys";
import { lambdaKeys } from "./lambda";
import { networkKeys } from "./network";
import { safetyKeys } from "./safety";
import { serviceKeys } from "./services";
import { stackKeys } from "./stack";

/**
 * The one schema: every key of keys.ts with its per-key constraints, contributed by its domain. The
 * `satisfies` makes a key declared in keys.ts but missing here (or the other way round) a compile error.
 */
const everyKey = {
    ...stackKeys,
    ...accountKeys,
    ...networkKeys,
    ...serviceKeys,
    ...dataKeys,
    ...httpsKeys,
    ...deliveryKeys,
    ...safetyKeys,
    ...costKeys,
    ...lambdaKeys,
    ...eksKeys,
    ...eksSlotKeys,
} satisfies Record<ConfigKey, z.ZodType>;

/** Keys here that keys.ts does not declare: none, or the compiler names them. */
type Undeclared = Exclude<keyof typeof everyKey, ConfigKey>;
const noUndeclaredKeys: [Undeclared] extends [never] ? true : Undeclared = true;
void noUndeclaredKeys;

export const flatConfigSchema = z.object(everyKey);

export type FlatConfig = z.output<typeof flatConfigSchema>;
