import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import * as ts from "typescript";
import {
    lint,
    type LintOutcome,
    openProject,
    type Project,
    typeCheck,
    type TypeCheck,
} from "../../scripts/typesAndLint";
import { PROJECT_ROOT } from "../../plan/projectRoot";

const SYNC_LATER = ["export function later(): number {", "    return 1;", "}", ""];
const ASYNC_LATER = ["export async function later(): Promise<number> {", "    return 1;", "}", ""];
/** The TypeScript files among `files`, sorted. */
const tsFiles = (files: readonly string[]) => files.filter((file) => file.endsWith(".ts")).sort();

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
    let project: TempProject;
    let dir: string;
    const write = (file: string, lines: readonly string[]) => project.write(file, lines);
    const run = () => project.run();
    const checkedNames = (types: TypeCheck) => project.checkedNames(types);
    const errorsAt = (types: TypeCheck) =>
        types.diagnostics.map((d) => `${d.file ? path.relative(dir, d.file.fileName) : "-"} TS${d.code}`);
    let afterChange: Run;

    before(() => {
        project = tempProject({
            "later.ts": ["export function later(): number {", "    return 1;", "}", ""],
            "caller.ts": [
                'import { later } from "./later";',
                "",
                "later();",
                "export const count: number = later();",
                "",
            ],
            "other/later.ts": ["export const other = 1;", ""],
        });
        dir = project.dir;
    });

    after(() => project.remove());

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
        const tsc = tscNoEmit(dir);
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
        fs.rmSync(project.cacheDir, { recursive: true, force: true });
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

/**
 * The lint re-reads a file whose text is unchanged only when TypeScript marks it affected: its diagnostics not taken
 * from the build info, as its types may have changed. lib.ts's `later` is called by caller.ts directly and by
 * user.ts through reexport.ts, whose own declarations (`export { later } from "./lib"`) never change: a file
 * TypeScript re-checks without listing it among the files a change affects (TypeCheck.checked). Each test
 * fails without the part of the mechanism it names (the pending set, the build info written by a lint-only run).
 */
describe("the lint re-reads what TypeScript marks affected by a change, and no more (scripts/typesAndLint.ts)", function () {
    this.timeout(60_000);
    let project: TempProject;
    const FLOATING =
        /caller\.ts\n\s+3:1\s+error .*no-floating-promises[^]*user\.ts\n\s+3:1\s+error .*no-floating-promises/;

    before(() => {
        project = tempProject({
            "lib.ts": SYNC_LATER,
            "caller.ts": ['import { later } from "./lib";', "", "later();", ""],
            "reexport.ts": ['export { later } from "./lib";', ""],
            "user.ts": ['import { later } from "./reexport";', "", "later();", ""],
            "other.ts": ["export const other = 1;", ""],
        });
    });

    after(() => project.remove());

    it("cold, then a file's first change, its declarations the same, re-checks and re-lints that file only", async () => {
        // The cold build hashed each file's declarations (DECLARATION_SIGNATURES). Had it kept text hashes, as
        // `tsc --noEmit --incremental` does, lib.ts's first change would differ from them and re-lint every importer.
        const cold = await project.run();
        assert.strictEqual(cold.lint.problems, 0, cold.lint.report);
        assert.deepStrictEqual(tsFiles(cold.lint.linted), [
            "caller.ts",
            "lib.ts",
            "other.ts",
            "reexport.ts",
            "user.ts",
        ]);
        project.write("lib.ts", ["export function later(): number {", "    return 2;", "}", ""]);
        const first = await project.run();
        assert.deepStrictEqual(project.checkedNames(first.types), ["lib.ts"]);
        assert.strictEqual(first.lint.problems, 0, first.lint.report);
        assert.deepStrictEqual(tsFiles(first.lint.linted), ["lib.ts"]);
    });

    it("(1) a change to an imported file's body, its declarations the same, re-lints that file only", async () => {
        project.write("lib.ts", ["export function later(): number {", "    return 3;", "}", ""]);
        const { types, lint: linted } = await project.run();
        assert.deepStrictEqual(project.checkedNames(types), ["lib.ts"]);
        assert.strictEqual(linted.problems, 0, linted.report);
        assert.deepStrictEqual(tsFiles(linted.linted), ["lib.ts"]);
        assert.deepStrictEqual([...linted.reused].sort(), ["caller.ts", "other.ts", "reexport.ts", "user.ts"]);
    });

    it("(2) a changed declaration re-lints the unchanged importers, through a re-export too, and finds their floating promises", async () => {
        project.write("lib.ts", ASYNC_LATER);
        const { types, lint: linted } = await project.run();
        assert.deepStrictEqual(types.diagnostics, []);
        // user.ts is re-checked, yet not among the files the builder lists as affected.
        assert.deepStrictEqual(project.checkedNames(types), ["caller.ts", "lib.ts", "reexport.ts"]);
        assert.strictEqual(linted.problems, 2, linted.report);
        assert.match(stripVTControlCharacters(linted.report), FLOATING);
        assert.deepStrictEqual(tsFiles(linted.linted), ["caller.ts", "lib.ts", "reexport.ts", "user.ts"]);
        assert.deepStrictEqual(linted.reused, ["other.ts"]);
        project.write("lib.ts", SYNC_LATER);
        const fixed = await project.run();
        assert.strictEqual(fixed.lint.problems, 0, fixed.lint.report);
    });

    it("(3) a run stopped after the type-check (a `types`-only run) leaves the affected files to the next lint", async () => {
        project.write("lib.ts", ASYNC_LATER);
        const types = typeCheck(project.open());
        assert.deepStrictEqual(types.diagnostics, []);
        // The build info now has the change: TypeScript marks nothing affected on the next run; the lint store does.
        const next = await project.run();
        assert.deepStrictEqual(next.types.checked, []);
        assert.strictEqual(next.lint.problems, 2, next.lint.report);
        assert.match(stripVTControlCharacters(next.lint.report), FLOATING);
        assert.deepStrictEqual(tsFiles(next.lint.linted), ["caller.ts", "lib.ts", "reexport.ts", "user.ts"]);
    });

    it("a lint-only run writes the build info it linted against, so a change undone after it is a change", async () => {
        // Linted clean against the sync lib.ts, which the build info (at the async one) has not seen.
        project.write("lib.ts", SYNC_LATER);
        const lintOnly = await lint(project.open());
        assert.strictEqual(lintOnly.problems, 0, lintOnly.report);
        assert.deepStrictEqual(tsFiles(lintOnly.linted), ["caller.ts", "lib.ts", "reexport.ts", "user.ts"]);
        // Back to the async lib.ts: the files linted clean against the sync one float again.
        project.write("lib.ts", ASYNC_LATER);
        const { lint: linted } = await project.run();
        assert.strictEqual(linted.problems, 2, linted.report);
        assert.match(stripVTControlCharacters(linted.report), FLOATING);
    });

    it("(4) without the lint store, the build info kept, every file is linted", async () => {
        project.write("lib.ts", SYNC_LATER);
        const fixed = await project.run();
        assert.strictEqual(fixed.lint.problems, 0, fixed.lint.report);
        const unchanged = await project.run();
        assert.deepStrictEqual(tsFiles(unchanged.lint.linted), []);
        fs.rmSync(path.join(project.cacheDir, "lint-clean.json"));
        assert.ok(fs.existsSync(path.join(project.cacheDir, "tsconfig.tsbuildinfo")));
        const { types, lint: linted } = await project.run();
        assert.deepStrictEqual(types.checked, []);
        assert.deepStrictEqual(tsFiles(linted.linted), ["caller.ts", "lib.ts", "other.ts", "reexport.ts", "user.ts"]);
        assert.deepStrictEqual(linted.reused, []);
    });
});

/**
 * After a cold build, a file's first change is judged by its declarations, as any later change: the program emits
 * them to be hashed into the build info, and discards them (DECLARATION_SIGNATURES). app.ts imports user.ts, which
 * calls lib.ts's `later` through reexport.ts. Each test fails with the declarations not emitted.
 */
describe("declarations hashed from the cold build on, the diagnostics those of `tsc --noEmit` (scripts/typesAndLint.ts)", function () {
    this.timeout(60_000);
    const USER = ['import { later } from "./reexport";', "", "later();", "export const used = 1;", ""];

    it("a first change to a file's declarations re-lints its importers, whose own next change is judged by their declarations", async () => {
        const project = tempProject({
            "lib.ts": SYNC_LATER,
            "reexport.ts": ['export { later } from "./lib";', ""],
            "user.ts": USER,
            "app.ts": ['import { used } from "./user";', "", "export const app = used + 1;", ""],
        });
        try {
            const cold = await project.run();
            assert.strictEqual(cold.lint.problems, 0, cold.lint.report);
            project.write("lib.ts", ASYNC_LATER);
            const first = await project.run();
            assert.deepStrictEqual(first.types.diagnostics, []);
            assert.strictEqual(first.lint.problems, 1, first.lint.report);
            assert.match(
                stripVTControlCharacters(first.lint.report),
                /user\.ts\n\s+3:1\s+error .*no-floating-promises/,
            );
            assert.deepStrictEqual(tsFiles(first.lint.linted), ["app.ts", "lib.ts", "reexport.ts", "user.ts"]);
            project.write("lib.ts", SYNC_LATER);
            const fixed = await project.run();
            assert.strictEqual(fixed.lint.problems, 0, fixed.lint.report);
            // user.ts was re-checked for lib.ts's declarations without its own changing: with nothing emitted, the
            // builder would keep its text's hash until its next change, and take that change to affect app.ts.
            project.write("user.ts", [...USER, "// a comment", ""]);
            const own = await project.run();
            assert.deepStrictEqual(project.checkedNames(own.types), ["user.ts"]);
            assert.deepStrictEqual(tsFiles(own.lint.linted), ["user.ts"]);
        } finally {
            project.remove();
        }
    });

    it("what only emitting declarations reports is not reported: the diagnostics are `tsc --noEmit`'s, cold and warm", () => {
        const project = tempProject({
            "lib.ts": SYNC_LATER,
            "caller.ts": ['import { later } from "./lib";', "", "export const count: string = later();", ""],
            // TS4094: an exported anonymous class's private member has no declaration.
            "anonymous.ts": [
                "export const Counter = class {",
                "    private count = 0;",
                "    read(): number {",
                "        return this.count;",
                "    }",
                "};",
                "",
            ],
            // TS5055: typed.ts's declarations would overwrite the input typed.d.ts; TS5056: twin.ts's and twin.tsx's
            // would be one file.
            "typed.ts": ["export const typed = 1;", ""],
            "typed.d.ts": ["export declare const typed: number;", ""],
            "twin.ts": ["export const twin = 1;", ""],
            "twin.tsx": ["export const twin = 2;", ""],
        });
        try {
            // typeCheck's program emits declarations: what TypeScript reports for that alone is to be left out.
            const { program } = project.open();
            const emitting = ts.createProgram({
                rootNames: program.getRootFileNames(),
                options: program.getCompilerOptions(),
            });
            const emitOnly = [...emitting.getOptionsDiagnostics(), ...emitting.getDeclarationDiagnostics()];
            assert.deepStrictEqual(emitOnly.map((d) => d.code).sort(), [4094, 5055, 5056]);
            const tsc = tscNoEmit(project.dir);
            assert.strictEqual(tsc.status, 2, tsc.stderr);
            const cold = typeCheck(project.open());
            assert.strictEqual(format(cold.diagnostics), tsc.stdout);
            assert.deepStrictEqual(
                cold.diagnostics.map((d) => d.code),
                [2322],
            );
            project.write("lib.ts", ["export function later(): number {", "    return 2;", "}", ""]);
            const warm = typeCheck(project.open());
            assert.deepStrictEqual(project.checkedNames(warm), ["lib.ts"]);
            assert.strictEqual(format(warm.diagnostics), tscNoEmit(project.dir).stdout);
        } finally {
            project.remove();
        }
    });
});

type Run = { types: TypeCheck; lint: LintOutcome; formatted: string };

/** What `tsc --noEmit -p <dir>/tsconfig.json` prints, as the reference for the type-check's diagnostics. */
function tscNoEmit(dir: string): { status: number | null; stdout: string; stderr: string } {
    return spawnSync(
        process.execPath,
        [require.resolve("typescript/bin/tsc"), "--noEmit", "--pretty", "false", "-p", path.join(dir, "tsconfig.json")],
        { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
}

/** A project in a temporary directory under the repository's ESLint config, and its runs, each on a new program. */
interface TempProject {
    readonly dir: string;
    readonly cacheDir: string;
    write(file: string, lines: readonly string[]): void;
    open(): Project;
    /** What `npm test` runs: the type-check, then the lint, over one program. */
    run(): Promise<Run>;
    checkedNames(types: TypeCheck): string[];
    remove(): void;
}

/** `files`: each file's lines, in the order tsconfig.json lists them. */
function tempProject(files: Readonly<Record<string, readonly string[]>>): TempProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "types-and-lint-"));
    const cacheDir = path.join(dir, "node_modules", ".cache", "types-and-lint");
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
            files: Object.keys(files),
        }),
    );
    // The project's config, as is (its ignores, rules and disable-directive policy).
    fs.writeFileSync(
        path.join(dir, "eslint.config.mjs"),
        `export { default } from ${JSON.stringify(path.join(PROJECT_ROOT, "eslint.config.mjs"))};\n`,
    );
    const write = (file: string, lines: readonly string[]) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), lines.join("\n"));
    };
    for (const [file, lines] of Object.entries(files)) write(file, lines);
    const open = () => openProject(path.join(dir, "tsconfig.json"), cacheDir);
    return {
        dir,
        cacheDir,
        write,
        open,
        run: async () => {
            const project = open();
            const types = typeCheck(project);
            return { types, lint: await lint(project), formatted: format(types.diagnostics) };
        },
        checkedNames: (types) => types.checked.map((file) => path.relative(dir, file)).sort(),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

/** As `tsc --pretty false` prints them, paths relative to the directory it runs in (the project's). */
function format(diagnostics: readonly ts.Diagnostic[]): string {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (file) => file,
        getCurrentDirectory: () => PROJECT_ROOT,
        getNewLine: () => "\n",
    });
}
