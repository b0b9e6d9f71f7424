import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ESLint } from "eslint";
import { NODE_MAJOR } from "../shared/nodeRuntime";
import { PROJECT_ROOT } from "../plan/projectRoot";
import { STEPS, TYPESCRIPT_PRELOAD } from "../scripts/test";
import { typeScriptChild } from "./support/children";

/**
 * Issue 16.6: the repository's own toolchain. `.nvmrc` names the Node.js major a developer (nvm, fnm, volta)
 * and CI's setup-node install, which is the one that ships (shared/nodeRuntime.ts) and which the root
 * `engines` admit; ESLint runs in `npm test` with typescript-eslint and @pulumi/eslint-plugin, and every
 * finding it is told to skip says which rule and why.
 */

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

describe("toolchain: Node.js version and lint (issue 16.6)", function () {
    this.timeout(60_000);

    it(".nvmrc names the Node.js major that ships (shared/nodeRuntime.ts), and the root engines admit it", () => {
        const nvmrc = read(".nvmrc").trim();
        assert.match(nvmrc, /^\d+$/, `.nvmrc holds "${nvmrc}", expected a bare major such as ${NODE_MAJOR}`);
        assert.strictEqual(Number(nvmrc), NODE_MAJOR, ".nvmrc and shared/nodeRuntime.ts NODE_MAJOR differ");
        const engines = (JSON.parse(read("package.json")) as { engines?: { node?: string } }).engines?.node ?? "";
        const floor = /^>=(\d+)(?:\.\d+)*$/.exec(engines);
        assert.ok(floor, `package.json engines.node is "${engines}", expected a >= floor`);
        assert.ok(Number(floor[1]) <= Number(nvmrc), `engines.node ${engines} refuses the .nvmrc major ${nvmrc}`);
    });

    it("npm test runs the lint as one of its steps (with the type-check, over one program), and `npm run lint` is eslint", () => {
        const lint = STEPS.find((step) => step.name === "type-check+lint");
        assert.ok(lint, `no lint step in scripts/test.ts (${STEPS.map((s) => s.name).join(", ")})`);
        assert.ok(
            lint.argv.some((arg) => arg.endsWith(path.join("scripts", "typesAndLint.ts"))),
            lint.argv.join(" "),
        );
        const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
        assert.match(scripts.lint ?? "", /^eslint\b/);
    });

    it("every TypeScript file is linted with typescript-eslint and the Pulumi rules, as errors", async () => {
        const eslint = new ESLint({ cwd: PROJECT_ROOT });
        for (const file of ["components/network.ts", "stacks/voteApp.ts", "test/conventions.test.ts"]) {
            assert.ok(!(await eslint.isPathIgnored(file)), `${file} is ignored`);
            const rules = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown[]> };
            for (const rule of [
                "@pulumi/no-output-in-template-literal",
                "@pulumi/no-output-instance-in-template-literal",
                "@typescript-eslint/no-floating-promises",
                "@typescript-eslint/no-explicit-any",
            ]) {
                assert.strictEqual(rules.rules[rule]?.[0], 2, `${file}: ${rule} is not an error`);
            }
        }
    });

    it("every eslint-disable names one rule and says why (`-- reason`); a block one ends with an eslint-enable", () => {
        const offenders: string[] = [];
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
                const rel = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(rel);
                } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
                    const lines = read(rel).split("\n");
                    lines.forEach((line, i) => {
                        const directive = /eslint-disable(-next-line|-line)?\b(.*)/.exec(line);
                        if (!directive || rel === "test/toolchain.test.ts") return;
                        const [, scope, rest] = directive;
                        const named = /^\s+([@\w/-]+)\s+--\s+\S/.exec(rest);
                        // A block disable must be closed for the same rule: otherwise it covers the rest of the file.
                        const closed =
                            scope !== undefined ||
                            (named !== null &&
                                lines.slice(i + 1).some((l) => new RegExp(`eslint-enable\\s+${named[1]}\\b`).test(l)));
                        if (!named || !closed) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
                    });
                }
            }
        };
        for (const dir of [
            "app",
            "bench",
            "bootstrap",
            "components",
            "plan",
            "policy",
            "scripts",
            "shared",
            "stacks",
            "test",
        ])
            walk(dir);
        assert.deepStrictEqual(offenders, []);
    });

    it("npm test's runner, its type-check step and the tests' children load TypeScript through the same preload", () => {
        const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
        const runner = /^node --require (\S+) scripts\/test\.ts$/.exec(scripts.test ?? "");
        assert.strictEqual(path.join(PROJECT_ROOT, runner?.[1] ?? ""), TYPESCRIPT_PRELOAD, scripts.test);
        const typeCheck = STEPS.find((step) => step.name === "type-check+lint");
        assert.deepStrictEqual(typeCheck?.argv.slice(0, 2), ["--require", TYPESCRIPT_PRELOAD]);
        assert.deepStrictEqual(typeScriptChild("entry.ts").slice(0, 2), ["--require", TYPESCRIPT_PRELOAD]);
    });

    it("mocha loads TypeScript through esbuild's transform (.mocharc.json), and a stack trace names the .ts line", () => {
        const mocharc = JSON.parse(read(".mocharc.json")) as { require?: string[] };
        assert.strictEqual(
            path.join(PROJECT_ROOT, mocharc.require?.[0] ?? ""),
            TYPESCRIPT_PRELOAD,
            JSON.stringify(mocharc.require),
        );
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esbuild-ts-"));
        try {
            const file = path.join(dir, "throws.ts");
            // Types only above the throw: the emitted JavaScript drops them, so unmapped it would be on line 2.
            const source = ["interface Shape {", "    readonly side: number;", "}", 'type Side = Shape["side"];'];
            source.push("export function fail(side: Side): never {", "    throw new Error(`side ${side}`);", "}");
            fs.writeFileSync(file, `${source.join("\n")}\n`);
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the file through the preload's require hook, as mocha loads a test file
            const loaded = require(file) as { fail(side: number): never };
            assert.throws(
                () => loaded.fail(1),
                (error: Error) => (error.stack ?? "").includes(`${file}:6:`) || assert.fail(error.stack),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
