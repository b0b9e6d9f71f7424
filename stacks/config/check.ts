import type { z } from "zod";
import type { Report as NamespaceReport } from "../../shared/config/reader";
import type { Tier } from "../../shared/config/values";
import type { ConfigKey } from "./keys";
import type { ConfiguredService, ServiceConfigKey } from "./serviceKeys";

/**
 * The one shape of config validation. Each domain module (accounts, network, services, data, https,
 * stack, delivery, safety, lambda, eks, eksSlots) exports:
 *   - `<domain>Keys`: its per-key schema, spread into the one schema (schema.ts) that holds every key;
 *   - `check<Domain>`: a ConfigCheck of the relations no single key can check;
 *   - `resolve<Domain>`: its part of the validated VoteAppConfig, called once every check passed.
 * The loader (load.ts) runs the checks in one list; a domain never imports the loader, the schema or
 * another domain's checks, so the modules form no circle.
 */

/**
 * Records a problem with one `voteapp` key; the compiler checks the key is declared in keys.ts or is a service's
 * key (serviceKeys.ts), which every row of the table has.
 */
export type Report = NamespaceReport<ConfigKey | ServiceConfigKey>;

/** The flat values a domain's per-key schema parses to. */
export type FlatOf<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

/**
 * Relations between keys: the domain's values (plus any others it names), the stack's tier, a reporter, and
 * each row of the service table with its keys' values (serviceKeys.ts).
 */
export type ConfigCheck<F> = (flat: F, tier: Tier, report: Report, services: readonly ConfiguredService[]) => void;
