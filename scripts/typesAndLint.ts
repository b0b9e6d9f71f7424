// The type-check and the lint of `npm test`, in one process over one TypeScript program (issue 16.9).
// `tsc --noEmit` and type-aware ESLint each built the whole program (the project's ~5,900 files, most of
// them @pulumi/aws declarations), and ESLint's project service built a second one for policy/tsconfig.json:
// three builds of nearly the same program, the largest CPU cost of `npm test` after the tests. Here the
// program is built once from tsconfig.json, its diagnostics are exactly `tsc --noEmit -p tsconfig.json`'s,
// and ESLint (eslint.config.mjs, unchanged) reads its types from the same program (typescript-eslint's
// `parserOptions.programs`, which replaces the project service for this run). Every rule still runs on
// every file; `npm run typecheck` and `npm run lint` stay the standalone commands.
// Usage: ts-node --transpile-only scripts/typesAndLint.ts [types|lint]...   (default: both)
import { ESLint } from "eslint";
import * as path from "path";
import { performance } from "perf_hooks";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** The program `tsc -p tsconfig.json` builds, with the parse errors of the config file itself. */
export function projectProgram(configFile = path.join(ROOT, "tsconfig.json")): ts.Program {
    const parsed = ts.getParsedCommandLineOfConfigFile(
        configFile,
        {},
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
                throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
            },
        },
    );
    if (!parsed) throw new Error(`cannot read ${configFile}`);
    return ts.createProgram({
        rootNames: parsed.fileNames,
        options: parsed.options,
        projectReferences: parsed.projectReferences,
        configFileParsingDiagnostics: parsed.errors,
    });
}

/** What `tsc --noEmit` reports for the program (config, options, syntax, global and semantic diagnostics). */
export function typeErrors(program: ts.Program): readonly ts.Diagnostic[] {
    return ts.getPreEmitDiagnostics(program);
}

export function formatTypeErrors(diagnostics: readonly ts.Diagnostic[]): string {
    const host: ts.FormatDiagnosticsHost = {
        getCanonicalFileName: (file) => file,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => "\n",
    };
    return process.stdout.isTTY
        ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host)
        : ts.formatDiagnostics(diagnostics, host);
}

/** ESLint over the project as `eslint .` lints it, with type information from `program`. */
export async function lint(program: ts.Program, cwd = ROOT): Promise<{ problems: number; report: string }> {
    const eslint = new ESLint({
        cwd,
        overrideConfig: [
            {
                files: ["**/*.ts"],
                languageOptions: { parserOptions: { projectService: false, programs: [program] } },
            },
        ],
    });
    const results = await eslint.lintFiles(["."]);
    // `--max-warnings 0`: a warning fails as an error does.
    const problems = results.reduce((sum, r) => sum + r.errorCount + r.warningCount, 0);
    const formatter = await eslint.loadFormatter("stylish");
    return { problems, report: await formatter.format(results) };
}

async function main(which: readonly string[]): Promise<number> {
    const steps = new Set(which.length > 0 ? which : ["types", "lint"]);
    const unknown = [...steps].filter((s) => s !== "types" && s !== "lint");
    if (unknown.length > 0) {
        process.stderr.write(`usage: typesAndLint.ts [types|lint]... (unknown: ${unknown.join(", ")})\n`);
        return 2;
    }
    let failed = false;
    const start = performance.now();
    const program = projectProgram();
    if (steps.has("types")) {
        const errors = typeErrors(program);
        if (errors.length > 0) {
            failed = true;
            process.stdout.write(`${formatTypeErrors(errors)}\ntype-check: ${errors.length} error(s)\n`);
        }
        process.stdout.write(
            `type-check ${errors.length === 0 ? "ok" : "FAILED"} in ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
        );
    }
    if (steps.has("lint")) {
        const lintStart = performance.now();
        const { problems, report } = await lint(program);
        if (problems > 0) {
            failed = true;
            process.stdout.write(`${report}\nlint: ${problems} problem(s)\n`);
        }
        process.stdout.write(
            `lint ${problems === 0 ? "ok" : "FAILED"} in ${((performance.now() - lintStart) / 1000).toFixed(1)} s\n`,
        );
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
