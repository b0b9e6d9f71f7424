import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as esbuild from "esbuild";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { compiledTypeScript, TRANSFORM_CACHE_DIR, TRANSFORM_FINGERPRINT, transformOptions } from "./esbuildTs";

describe("the TypeScript preload keeps each file's transform on disk (test/support/esbuildTs.js)", () => {
    let dir: string;
    let cache: string;
    let file: string;
    const source = "export const side: number = 2;\n";
    const entries = () => fs.readdirSync(cache);
    /** Replaces the kept code of the only entry, keeping its key line: what a later hit returns. */
    const replaceKeptCode = (code: string) => {
        const [entry] = entries();
        const kept = fs.readFileSync(path.join(cache, entry), "utf8");
        fs.writeFileSync(path.join(cache, entry), `${kept.slice(0, kept.indexOf("\n") + 1)}${code}`);
    };

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "esbuild-ts-cache-"));
        cache = path.join(dir, "cache");
        file = path.join(dir, "side.ts");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps what a fresh transform gives, and reads it back instead of transforming again", () => {
        const fresh = esbuild.transformSync(source, transformOptions(file)).code;
        assert.strictEqual(compiledTypeScript(file, source, cache), fresh);
        assert.strictEqual(entries().length, 1);
        replaceKeptCode("exports.kept = true;\n");
        assert.strictEqual(compiledTypeScript(file, source, cache), "exports.kept = true;\n");
    });

    it("a changed text, esbuild version or option is a miss, and replaces the file's entry", () => {
        compiledTypeScript(file, source, cache);
        replaceKeptCode("exports.kept = true;\n");
        const changed = "export const side: number = 3;\n";
        assert.match(compiledTypeScript(file, changed, cache), /side = 3/);
        assert.strictEqual(entries().length, 1, "one entry per file, not one per version of it");
        replaceKeptCode("exports.kept = true;\n");
        assert.match(compiledTypeScript(file, changed, cache, `${TRANSFORM_FINGERPRINT} changed`), /side = 3/);
    });

    it("another path is another entry (the source map names the file)", () => {
        compiledTypeScript(file, source, cache);
        const other = path.join(dir, "other.ts");
        assert.match(compiledTypeScript(other, source, cache), /sourceMappingURL/);
        assert.strictEqual(entries().length, 2);
    });

    it("a corrupt entry is a miss", () => {
        compiledTypeScript(file, source, cache);
        const [entry] = entries();
        fs.writeFileSync(path.join(cache, entry), "garbage");
        assert.match(compiledTypeScript(file, source, cache), /side = 2/);
    });

    it("an unwritable cache only costs the transform", () => {
        fs.writeFileSync(cache, "a file where the directory should be");
        assert.match(compiledTypeScript(file, source, cache), /side = 2/);
    });

    it("keys on esbuild's installed version and tsconfig.json's text, and keeps its cache out of git", () => {
        const fingerprint = JSON.parse(TRANSFORM_FINGERPRINT) as [string, { tsconfigRaw: string }];
        assert.strictEqual(fingerprint[0], esbuild.version);
        assert.strictEqual(
            fingerprint[1].tsconfigRaw,
            fs.readFileSync(path.join(PROJECT_ROOT, "tsconfig.json"), "utf8"),
        );
        assert.ok(TRANSFORM_CACHE_DIR.startsWith(path.join(PROJECT_ROOT, "node_modules", ".cache") + path.sep));
    });
});
