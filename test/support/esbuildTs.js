// Preload that loads the repository's TypeScript in `npm test`'s runner (package.json), mocha and its
// workers (.mocharc.json) and the child processes tests start (test/support/children.ts: `node -r <this file>
// <entry>.ts`): each file alone, with tsconfig.json's options, imports used only as types dropped, import() as
// require, as ts-node --transpile-only does, but through esbuild's transform. TypeScript's own emit (ts-node's
// transpileModule) was a quarter of each mocha worker's own CPU (~1 s of a one-file run) and most of each
// child's (issue 16.9); with esbuild's service doing the work, the workers' lane costs ~6 CPU-s less, counted
// machine-wide (no process waits for the service, so per-process CPU times miss it). The type-check is npm
// test's own step, so nothing here needs TypeScript's checker. Stack traces still point into the .ts source
// (inline source maps, mapped by Node itself).
"use strict";
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const tsconfigRaw = fs.readFileSync(path.join(__dirname, "..", "..", "tsconfig.json"), "utf8");

process.setSourceMapsEnabled(true);

require.extensions[".ts"] = (module, file) => {
    const options = {
        loader: "ts",
        format: "cjs",
        sourcefile: file,
        tsconfigRaw,
        supported: { "dynamic-import": false },
        // Stack traces point into the .ts file, as under ts-node (Node maps them: setSourceMapsEnabled above).
        sourcemap: "inline",
        sourcesContent: false,
    };
    module._compile(esbuild.transformSync(fs.readFileSync(file, "utf8"), options).code, file);
};
