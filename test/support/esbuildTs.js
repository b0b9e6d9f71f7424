// Preload that loads the repository's TypeScript in `npm test`'s runner (package.json), mocha and its
// workers (.mocharc.json) and the child processes tests start (test/support/children.ts: `node -r <this file>
// <entry>.ts`): each file alone, with tsconfig.json's options, imports used only as types dropped, import() as
// require, as ts-node --transpile-only does, but through esbuild's transform. TypeScript's own emit (ts-node's
// transpileModule) was a quarter of each mocha worker's own CPU (~1 s of a one-file run) and most of each
// child's (issue 16.9); with esbuild's service doing the work, the workers' lane costs ~6 CPU-s less, counted
// machine-wide (no process waits for the service, so per-process CPU times miss it). The type-check is npm
// test's own step, so nothing here needs TypeScript's checker. Stack traces still point into the .ts source
// (inline source maps, mapped by Node itself).
//
// Each transform is kept on disk (TRANSFORM_CACHE_DIR): every process of one `npm test` (two mocha lanes, their
// workers, the children tests start) transformed the same ~400 files again, and so did the next run after a
// one-file change. An entry is reused only while the file's path and text, esbuild's version and the options
// (tsconfig.json's text among them) are those it was made from; a hit loads neither esbuild nor its service.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");

/** Where transforms are kept: one entry per source file, replaced when the file changes (absent on a clean clone). */
const TRANSFORM_CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "esbuild-ts");

const tsconfigRaw = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");

/** esbuild's transform options for one file. */
function transformOptions(file) {
    return {
        loader: "ts",
        format: "cjs",
        sourcefile: file,
        tsconfigRaw,
        supported: { "dynamic-import": false },
        // Stack traces point into the .ts file, as under ts-node (Node maps them: setSourceMapsEnabled below).
        sourcemap: "inline",
        sourcesContent: false,
    };
}

/** What besides a file's path and text decides its transform: esbuild's version and the options. */
const TRANSFORM_FINGERPRINT = JSON.stringify([require("esbuild/package.json").version, transformOptions("<file>")]);

const sha256 = (...parts) => {
    const hash = crypto.createHash("sha256");
    for (const part of parts) hash.update(`${part.length}\0`).update(part);
    return hash.digest("hex");
};

/**
 * The CommonJS code of one TypeScript file: kept in `cacheDir` under the hash of its path, with the key it was
 * made from (fingerprint, path, text) on its first line, so a changed file reads as a miss and replaces it. A
 * cache that cannot be read or written only costs the transform.
 */
function compiledTypeScript(file, source, cacheDir = TRANSFORM_CACHE_DIR, fingerprint = TRANSFORM_FINGERPRINT) {
    const keyLine = `// ${sha256(fingerprint, file, source)}\n`;
    const entry = path.join(cacheDir, `${sha256(file).slice(0, 32)}.js`);
    try {
        const kept = fs.readFileSync(entry, "utf8");
        if (kept.startsWith(keyLine)) return kept.slice(keyLine.length);
    } catch {
        // no entry yet
    }
    const code = require("esbuild").transformSync(source, transformOptions(file)).code;
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Whole or not at all for a reader in another process (what scripts/writeWhole.ts does: this preload
        // runs before any TypeScript can load).
        const partial = `${entry}.${crypto.randomUUID()}.partial`;
        fs.writeFileSync(partial, keyLine + code);
        fs.renameSync(partial, entry);
    } catch {
        // read-only tree: transform again next time
    }
    return code;
}

process.setSourceMapsEnabled(true);

require.extensions[".ts"] = (module, file) => {
    module._compile(compiledTypeScript(file, fs.readFileSync(file, "utf8")), file);
};

module.exports = { compiledTypeScript, transformOptions, TRANSFORM_CACHE_DIR, TRANSFORM_FINGERPRINT };
