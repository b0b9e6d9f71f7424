// Rewrites the typed `config:` declarations of Pulumi.yaml (from stacks/config/keys.ts) and of
// bootstrap/Pulumi.yaml (from bootstrap/config.ts), their single sources.
// Run after adding or changing a key: `npx ts-node --transpile-only scripts/write-pulumi-yaml.ts`.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BOOTSTRAP_KEYS } from "../bootstrap/config";
import { projectConfigDeclarations } from "../stacks/config/projectFile";
import { declarationsFor, type ProjectConfigDeclaration } from "../shared/config/reader";

function write(relative: string, declarations: Record<string, ProjectConfigDeclaration>): void {
    const file = path.join(__dirname, "..", relative);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    // Keys no longer declared go (namespaced entries such as pulumi:disable-default-providers stay).
    const current = doc.getIn(["config"]);
    if (YAML.isMap(current))
        for (const item of [...current.items])
            if (
                YAML.isScalar(item.key) &&
                !String(item.key.value).includes(":") &&
                !(String(item.key.value) in declarations)
            )
                doc.deleteIn(["config", item.key.value]);
    for (const [key, declaration] of Object.entries(declarations)) doc.setIn(["config", key], declaration);
    fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
    console.log(`${relative}: ${Object.keys(declarations).length} config keys declared`);
}

write("Pulumi.yaml", projectConfigDeclarations());
write("bootstrap/Pulumi.yaml", declarationsFor(BOOTSTRAP_KEYS));
