// Rewrites Pulumi.yaml's typed `config:` declarations from stacks/config/keys.ts (the single source).
// Run after adding or changing a key: `npx ts-node --transpile-only scripts/write-pulumi-yaml.ts`.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { projectConfigDeclarations } from "../stacks/config/projectFile";

const file = path.join(__dirname, "..", "Pulumi.yaml");
const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
for (const [key, declaration] of Object.entries(projectConfigDeclarations())) doc.setIn(["config", key], declaration);
fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
console.log(`Pulumi.yaml: ${Object.keys(projectConfigDeclarations()).length} config keys declared`);
