import { CONFIG_KEYS } from "./keys";
import { declarationsFor, type ProjectConfigDeclaration } from "../../shared/config/reader";

export type { ProjectConfigDeclaration } from "../../shared/config/reader";

/** The `config:` declarations Pulumi.yaml must hold, derived from CONFIG_KEYS (see `declarationsFor`). */
export function projectConfigDeclarations(): Record<string, ProjectConfigDeclaration> {
    return declarationsFor(CONFIG_KEYS);
}
