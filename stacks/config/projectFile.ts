import { APP_SERVICE_TABLE, type ServiceTable } from "../../shared/appContract";
import { configKeysFor } from "./keys";
import { declarationsFor, type ProjectConfigDeclaration } from "../../shared/config/reader";

export type { ProjectConfigDeclaration } from "../../shared/config/reader";

/**
 * The `config:` declarations Pulumi.yaml must hold, derived from CONFIG_KEYS (see `declarationsFor`); for a
 * service table with rows of its own (a fork, a test), those rows' keys too.
 */
export function projectConfigDeclarations(
    services: ServiceTable = APP_SERVICE_TABLE,
): Record<string, ProjectConfigDeclaration> {
    return declarationsFor(configKeysFor(services));
}
