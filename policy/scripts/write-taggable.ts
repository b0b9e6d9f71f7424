import * as fs from "node:fs";
import * as path from "node:path";
import { awsVersion, renderTaggableModule, scanTaggableTypes } from "./taggable";

/** Regenerates policy/rules/taggableTypes.ts: `npx ts-node --transpile-only policy/scripts/write-taggable.ts`. */
const target = path.join(__dirname, "..", "rules", "taggableTypes.ts");
fs.writeFileSync(target, renderTaggableModule(scanTaggableTypes(), awsVersion()));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
