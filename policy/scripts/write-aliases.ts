import * as fs from "node:fs";
import * as path from "node:path";
import { renderTypeAliasesModule, scanTypeAliases } from "./aliases";
import { awsVersion } from "./taggable";

/** Regenerates policy/rules/typeAliases.ts: `npx ts-node --transpile-only policy/scripts/write-aliases.ts`. */
const target = path.join(__dirname, "..", "rules", "typeAliases.ts");
fs.writeFileSync(target, renderTypeAliasesModule(scanTypeAliases(), awsVersion()));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
