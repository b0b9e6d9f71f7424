import * as fs from "node:fs";
import * as path from "node:path";
import { PACK_CONFIG_DIR, packConfigFile } from "../configFile";
import { ENVIRONMENTS, type Environment, packConfigFor, type PackConfigOptions } from "../enforcement";

/**
 * Writes policy/config/<env>.json (the `--policy-pack-config` files) from policy/enforcement.ts:
 * `npx ts-node --transpile-only policy/scripts/write-config.ts`. test/policy/config.test.ts fails when
 * they drift.
 */

export const CONFIG_DIR = PACK_CONFIG_DIR;

/** policy/config/<env>.json, or <env>-central-security.json for stacks whose security baseline is central (policy/configFile.ts). */
export function configPath(env: Environment, options: PackConfigOptions = {}): string {
    return packConfigFile({ tier: env, centralSecurityAccount: options.centralSecurityAccount === true });
}

export function renderConfig(env: Environment, options: PackConfigOptions = {}): string {
    return `${JSON.stringify(packConfigFor(env, options), null, 2)}\n`;
}

if (require.main === module) {
    fs.mkdirSync(CONFIG_DIR, { recursive: true });
    for (const env of ENVIRONMENTS) {
        for (const options of [{}, { centralSecurityAccount: true }]) {
            fs.writeFileSync(configPath(env, options), renderConfig(env, options));
            console.log(`wrote ${path.relative(process.cwd(), configPath(env, options))}`);
        }
    }
}
