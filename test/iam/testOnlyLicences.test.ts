import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

/**
 * `@cloud-copilot/iam-simulate` and `@cloud-copilot/iam-policy` are AGPL-3.0: they may serve the tests, never
 * ship. Each stays a devDependency, nothing outside test/ imports them, and the README's dependency table says so.
 */
const ROOT = path.join(__dirname, "..", "..");
const AGPL_TEST_ONLY = ["@cloud-copilot/iam-simulate", "@cloud-copilot/iam-policy"];
const SKIP = new Set(["node_modules", ".git", "test", "dist", "build"]);

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (SKIP.has(entry.name)) return [];
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourceFiles(full);
        return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
    });
}

describe("AGPL test-only dependencies", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
    };

    for (const name of AGPL_TEST_ONLY) {
        it(`${name} is a devDependency, imported only under test/, and the README says it is test-only`, () => {
            assert.ok(manifest.devDependencies?.[name], `${name} is not a devDependency`);
            assert.strictEqual(manifest.dependencies?.[name], undefined, `${name} is a runtime dependency`);
            const importers = sourceFiles(ROOT)
                .filter((file) => fs.readFileSync(file, "utf8").includes(`"${name}"`))
                .map((file) => path.relative(ROOT, file));
            assert.deepStrictEqual(importers, [], `${name} imported outside test/`);
            const row = fs
                .readFileSync(path.join(ROOT, "README.md"), "utf8")
                .split("\n")
                .find((line) => line.startsWith(`| \`${name}\``));
            assert.ok(row, `no README dependency table row for ${name}`);
            assert.match(row, /AGPL-3\.0, test-only/);
        });
    }
});
