// Preload (`node -r <this file> <entry>.ts`) for the child processes tests start (test/support/children.ts): loads
// the repository's TypeScript as ts-node --transpile-only does (each file alone, with tsconfig.json's options,
// imports used only as types dropped, import() as require), but through esbuild's transform. TypeScript's own
// emit of the ~100 files an entry point loads was most of each child's CPU (issue 16.9); what the children test
// is the process (its argv, exit code, output through a pipe), which the transpiler does not change. The suite
// itself, and therefore every module's ts-node transpile, still runs under ts-node (.mocharc.json).
"use strict";
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const tsconfigRaw = fs.readFileSync(path.join(__dirname, "..", "..", "tsconfig.json"), "utf8");

require.extensions[".ts"] = (module, file) => {
    const options = {
        loader: "ts",
        format: "cjs",
        sourcefile: file,
        tsconfigRaw,
        supported: { "dynamic-import": false },
    };
    module._compile(esbuild.transformSync(fs.readFileSync(file, "utf8"), options).code, file);
};
