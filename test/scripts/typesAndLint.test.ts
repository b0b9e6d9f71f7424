import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import * as ts from "typescript";
import { lint, type LintOutcome, openProject, typeCheck, type TypeCheck } from "../../scripts/typesAndLint";
import { PROJECT_ROOT } from "../../plan/stackFile";

/**
 * `npm test`'s type-check and lint share one program (scripts/typesAndLint.ts, issue 16.9), and each reuses
 * what an earlier run found only where that is sound. Proven on a project of three files under the
 * repository's own ESLint config, run after run with the cache directory kept: caller.ts imports later.ts,
 * other/later.ts stands alone. The type error is the compiler's; the floating promise is found only by a rule
 * that reads types, so the lint took them from the shared program (without type information typescript-eslint
 * refuses to run that rule at all). Each run opens a new program, as each `npm test` does.
 */
describe("type-check and lint over one program, with sound caches (scripts/typesAndLint.ts)", function () {
    this.timeout(60_000);
    let dir: string;
    let cacheDir: string;
    const write = (file: string, lines: readonly string[]) => fs.writeFileSync(path.join(dir, file), lines.join("\n"));
    const run = async (): Promise<{ types: TypeCheck; lint: LintOutcome; formatted: string }> => {
        const project = openProject(path.join(dir, "tsconfig.json"), cacheDir);
        const types = typeCheck(project);
        return { types, lint: await lint(project, { cwd: dir, cacheDir }), formatted: format(types.diagnostics) };
    };
    const checkedNames = (types: TypeCheck) => types.checked.map((file) => path.relative(dir, file)).sort();
    const errorsAt = (types: TypeCheck) =>
        types.diagnostics.map((d) => `${d.file ? path.relative(dir, d.file.fileName) : "-"} TS${d.code}`);
    let afterChange: Awaited<ReturnType<typeof run>>;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "types-and-lint-"));
        cacheDir = path.join(dir, "node_modules", ".cache", "types-and-lint");
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    target: "ES2022",
                    module: "commonjs",
                    lib: ["ES2022"],
                    strict: true,
                    types: [],
                    // As the project's tsconfig.json: the lib's declarations are not what this checks (1 s a program).
                    skipLibCheck: true,
                },
                files: ["later.ts", "caller.ts", "other/later.ts"],
            }),
        );
        // The project's config, as is (its ignores, rules and disable-directive policy).
        fs.writeFileSync(
            path.join(dir, "eslint.config.mjs"),
            `export { default } from ${JSON.stringify(path.join(PROJECT_ROOT, "eslint.config.mjs"))};\n`,
        );
        write("later.ts", ["export function later(): number {", "    return 1;", "}", ""]);
        write("caller.ts", [
            'import { later } from "./later";',
            "",
            "later();",
            "export const count: number = later();",
            "",
        ]);
        fs.mkdirSync(path.join(dir, "other"));
        write("other/later.ts", ["export const other = 1;", ""]);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a clean project passes both, every file checked and linted on the first run", async () => {
        const { types, lint: linted } = await run();
        assert.deepStrictEqual(types.diagnostics, []);
        assert.strictEqual(linted.problems, 0, linted.report);
        assert.deepStrictEqual(
            checkedNames(types).filter((f) => !f.includes("node_modules")),
            ["caller.ts", "later.ts", path.join("other", "later.ts")],
        );
        assert.deepStrictEqual([...linted.linted].sort(), [
            "caller.ts",
            "eslint.config.mjs",
            "later.ts",
            "other/later.ts",
        ]);
        assert.deepStrictEqual(linted.reused, []);
    });

    it("an unchanged tree reuses both: no file type-checked, no TypeScript file linted", async () => {
        const { types, lint: linted } = await run();
        assert.deepStrictEqual(types.diagnostics, []);
        assert.deepStrictEqual(types.checked, []);
        assert.strictEqual(linted.problems, 0, linted.report);
        // eslint.config.mjs is not in the program: no key, linted every time (no types, a few ms).
        assert.deepStrictEqual(linted.linted, ["eslint.config.mjs"]);
        assert.deepStrictEqual([...linted.reused].sort(), ["caller.ts", "later.ts", "other/later.ts"]);
    });

    it("a change in an imported file's types is found in the unchanged importer: a type error and a floating promise", async () => {
        // Only later.ts changes: later() now returns a promise, so caller.ts's `later();` floats and its
        // `count: number = later()` no longer type-checks. A cache keyed on caller.ts's own text would miss both.
        write("later.ts", ["export async function later(): Promise<number> {", "    return 1;", "}", ""]);
        afterChange = await run();
        const { types, lint: linted } = afterChange;
        assert.deepStrictEqual(errorsAt(types), ["caller.ts TS2322"], afterChange.formatted);
        assert.ok(checkedNames(types).includes("caller.ts"), checkedNames(types).join(", "));
        assert.strictEqual(linted.problems, 1, linted.report);
        assert.match(
            stripVTControlCharacters(linted.report),
            /caller\.ts\n\s+3:1\s+error .*@typescript-eslint\/no-floating-promises/,
        );
        assert.deepStrictEqual([...linted.linted].sort(), ["caller.ts", "eslint.config.mjs", "later.ts"]);
        assert.deepStrictEqual(linted.reused, ["other/later.ts"]);
    });

    it("the warm type-check reports exactly what `tsc --noEmit -p tsconfig.json` reports", () => {
        const tsc = spawnSync(
            process.execPath,
            [
                require.resolve("typescript/bin/tsc"),
                "--noEmit",
                "--pretty",
                "false",
                "-p",
                path.join(dir, "tsconfig.json"),
            ],
            { cwd: PROJECT_ROOT, encoding: "utf8" },
        );
        assert.strictEqual(tsc.status, 2, tsc.stderr);
        assert.strictEqual(afterChange.formatted, tsc.stdout);
    });

    it("a file with a problem is linted again, and a reused path does not hide another of the same name", async () => {
        write("other/later.ts", ["export const other = 2;", ""]);
        const { types, lint: linted } = await run();
        assert.deepStrictEqual(errorsAt(types), ["caller.ts TS2322"]);
        assert.deepStrictEqual(checkedNames(types), [path.join("other", "later.ts")]);
        assert.strictEqual(linted.problems, 1, linted.report);
        assert.deepStrictEqual([...linted.linted].sort(), ["caller.ts", "eslint.config.mjs", "other/later.ts"]);
        assert.deepStrictEqual(linted.reused, ["later.ts"]);
        write("other/later.ts", ["export const other = 1;", ""]);
    });

    it("without the cache directory the results are the same, every file checked and linted again", async () => {
        fs.rmSync(cacheDir, { recursive: true, force: true });
        const cold = await run();
        assert.strictEqual(cold.formatted, afterChange.formatted);
        assert.strictEqual(cold.lint.report, afterChange.lint.report);
        assert.strictEqual(cold.lint.problems, afterChange.lint.problems);
        assert.ok(checkedNames(cold.types).includes("later.ts"), checkedNames(cold.types).join(", "));
        assert.deepStrictEqual([...cold.lint.linted].sort(), [
            "caller.ts",
            "eslint.config.mjs",
            "later.ts",
            "other/later.ts",
        ]);
        assert.deepStrictEqual(cold.lint.reused, []);
    });
});

/** As `tsc --pretty false` prints them, paths relative to the directory it runs in (the project's). */
function format(diagnostics: readonly ts.Diagnostic[]): string {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (file) => file,
        getCurrentDirectory: () => PROJECT_ROOT,
        getNewLine: () => "\n",
    });
}
