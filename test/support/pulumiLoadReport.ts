import * as fs from "fs";

/**
 * Preload of a child process whose test checks what the child did NOT load (test/support/children.ts
 * `runTypeScriptChild`): at exit, it writes the @pulumi packages in require.cache, as a JSON array of names, to
 * file descriptor 3, a pipe the parent opened for it. The CLIs answer usage errors and `--list` before loading the
 * SDK, and mocha's run store preload loads none (issue 16.9); a static import added back would cost each such
 * process ~0.7 CPU-s and go unnoticed without this.
 */
const REPORT_FD = 3;

process.on("exit", () => {
    const packages = new Set<string>();
    for (const file of Object.keys(require.cache)) {
        const name = /[\\/]node_modules[\\/]@pulumi[\\/]([^\\/]+)[\\/]/.exec(file)?.[1];
        if (name) packages.add(name);
    }
    fs.writeSync(REPORT_FD, JSON.stringify([...packages].sort()));
});
