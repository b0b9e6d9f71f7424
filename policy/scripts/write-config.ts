import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, type Environment, packConfigFor } from "../enforcement";

/**
 * Writes policy/config/<env>.json (the `--policy-pack-config` files) from policy/enforcement.ts:
 * `npx ts-node --transpile-only policy/scripts/write-config.ts`. test/policy/config.test.ts fails when
 * they drift.
 */

export const CONFIG_DIR = path.join(__dirname, "..", "config");

export function configPath(env: Environment): string {
    return path.join(CONFIG_DIR, `${env}.json`);
}

export function renderConfig(env: Environment): string {
    return `${JSON.stringify(packConfigFor(env), null, 2)}\n`;
}

if (require.main === module) {
    fs.mkdirSync(CONFIG_DIR, { recursive: true });
    for (const env of ENVIRONMENTS) {
        fs.writeFileSync(configPath(env), renderConfig(env));
        console.log(`wrote ${path.relative(process.cwd(), configPath(env))}`);
    }
}
