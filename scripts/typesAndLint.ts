// The type-check and the lint of `npm test`, in one process over one TypeScript program (issue 16.9).
// `tsc --noEmit` and type-aware ESLint each built the whole program (the project's ~5,900 files, most of
// them @pulumi/aws declarations), and ESLint's project service built a second one for policy/tsconfig.json:
// three builds of nearly the same program, the largest CPU cost of `npm test` after the tests. Here the
// program is built once from tsconfig.json, its diagnostics are exactly `tsc --noEmit -p tsconfig.json`'s,
// and ESLint (eslint.config.mjs, unchanged) reads its types from the same program (typescript-eslint's
// `parserOptions.programs`, which replaces the project service for this run).
// Both do only the work a change requires, with caches in node_modules/.cache/voteapp-types-and-lint (absent on
// a clean clone, so CI is always cold), each reused only where it is guaranteed to equal a recomputation:
// - types: TypeScript's own incremental build info (what `tsc --incremental` keeps): a file's semantic
//   diagnostics are recomputed when it, or what it depends on, changed (TypeScript hashes every file's text);
// - lint: a file found clean is not linted again while its key is unchanged: the hash of its text, the text of
//   every project file in its transitive import closure (the program's resolved modules), the project files that
//   declare globals or augment modules, the ESLint config, the compiler options, package-lock.json and the tools'
//   versions (lintKeys). ESLint's own --cache keys a file on its own text and config, not sound with rules
//   that read types: a promise-returning change in an imported file makes an unchanged file's call float.
//   A file with a problem is linted on every run.
// `npm run typecheck` and `npm run lint` stay the standalone, uncached commands: the reference these are
// defined against, which settles any doubt about a cache (as does deleting the directory).
// Usage: ts-node --transpile-only scripts/typesAndLint.ts [types|lint]...   (default: both)
import { createHash } from "crypto";
import { ESLint, type Linter } from "eslint";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import * as ts from "typescript";
import { writeFileWhole } from "./writeWhole";

const ROOT = path.resolve(__dirname, "..");

/** Where `npm test` keeps the build info and the lint's clean files (node_modules is not in git). */
export const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "voteapp-types-and-lint");
const BUILD_INFO_FILE = "tsconfig.tsbuildinfo";
const LINT_STORE_FILE = "lint-clean.json";

/** The program `tsc --noEmit -p <configFile>` builds, as an incremental builder over the build info in `cacheDir`. */
export interface Project {
    readonly configFile: string;
    readonly options: ts.CompilerOptions;
    readonly builder: ts.EmitAndSemanticDiagnosticsBuilderProgram;
    readonly program: ts.Program;
}

/**
 * The compiler host `tsc` itself uses: it parses JSDoc in .ts files only where a type error can come of it
 * (`@see`/`@link`; typescript's defaultJSDocParsingMode, ParseForTypeErrors), where the API's default parses every
 * comment. The diagnostics are the same; parsing the ~5,900 declaration files (most of them @pulumi/aws, whose every
 * property carries a doc comment) is not. No lint rule in eslint.config.mjs reads JSDoc.
 */
function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
    const host = ts.createIncrementalCompilerHost(options);
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
    return host;
}

/**
 * The program `tsc --noEmit -p tsconfig.json` builds, with the parse errors of the config file itself. With a cache
 * directory, `incremental` and a build info file there are added to its options (they change what is kept
 * between runs, not a diagnostic); without one, nothing is read or written.
 */
export function openProject(
    configFile = path.join(ROOT, "tsconfig.json"),
    cacheDir: string | undefined = CACHE_DIR,
): Project {
    const parsed = ts.getParsedCommandLineOfConfigFile(
        configFile,
        { noEmit: true }, // as `tsc --noEmit` (whatever the file says): the build info is the only output
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
                throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
            },
        },
    );
    if (!parsed) throw new Error(`cannot read ${configFile}`);
    const options: ts.CompilerOptions = cacheDir
        ? { ...parsed.options, incremental: true, tsBuildInfoFile: path.join(cacheDir, BUILD_INFO_FILE) }
        : parsed.options;
    const builder = ts.createIncrementalProgram({
        rootNames: parsed.fileNames,
        options,
        projectReferences: parsed.projectReferences,
        configFileParsingDiagnostics: parsed.errors,
        host: compilerHost(options),
    });
    return { configFile, options: parsed.options, builder, program: builder.getProgram() };
}

export interface TypeCheck {
    readonly diagnostics: readonly ts.Diagnostic[];
    /** The files whose semantic diagnostics were computed on this run (the others' came from the build info). */
    readonly checked: readonly string[];
}

/**
 * What `tsc --noEmit` reports, in its order of steps (typescript's emitFilesAndReportErrors: config, syntactic;
 * if none, options, global and semantic), then the build info is written (with noEmit, the only output).
 */
export function typeCheck(project: Project): TypeCheck {
    const { builder } = project;
    const checked: string[] = [];
    const all: ts.Diagnostic[] = [...builder.getConfigFileParsingDiagnostics()];
    const before = all.length;
    all.push(...builder.getSyntacticDiagnostics());
    if (all.length === before) {
        all.push(...builder.getOptionsDiagnostics(), ...builder.getGlobalDiagnostics());
        if (all.length === before) {
            // What builder.getSemanticDiagnostics() does first, counted: each file the change affects.
            for (;;) {
                const next = builder.getSemanticDiagnosticsOfNextAffectedFile();
                if (!next) break;
                if ("fileName" in next.affected) checked.push(next.affected.fileName);
            }
            all.push(...builder.getSemanticDiagnostics());
        }
    }
    all.push(...builder.emit().diagnostics);
    return { diagnostics: ts.sortAndDeduplicateDiagnostics(all), checked };
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

/**
 * The program's resolutions, which typescript 5.9 keeps but does not declare (program.ts forEachResolvedModule).
 * Checked at run time: without them there is no lint key, and every file is linted.
 */
interface ProgramResolutions {
    forEachResolvedModule(
        callback: (resolution: ts.ResolvedModuleWithFailedLookupLocations) => void,
        file: ts.SourceFile,
    ): void;
    forEachResolvedTypeReferenceDirective(
        callback: (resolution: ts.ResolvedTypeReferenceDirectiveWithFailedLookupLocations) => void,
        file: ts.SourceFile,
    ): void;
}

function hasResolutions(program: ts.Program): program is ts.Program & ProgramResolutions {
    const candidate = program as ts.Program & Partial<ProgramResolutions>;
    return (
        typeof candidate.forEachResolvedModule === "function" &&
        typeof candidate.forEachResolvedTypeReferenceDirective === "function"
    );
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The installed version of each tool whose rules or types decide a lint result. */
const LINT_TOOLS = ["eslint", "typescript-eslint", "@pulumi/eslint-plugin", "typescript"] as const;

function installedVersion(pkg: string): string {
    const manifest = require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
    return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
}

const readOr = (file: string, absent: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : absent);

/**
 * Whether a project file's declarations reach files that do not import it: a script (no import/export: its
 * declarations are global, e.g. test/app/dynalite.d.ts's `declare module "dynalite"`), a module that augments
 * the global scope or another module, declares a UMD global, or pulls a lib or types package into the program.
 */
function reachesEveryFile(file: ts.SourceFile): boolean {
    if (!ts.isExternalModule(file) && !file.fileName.endsWith(".json")) return true;
    if (file.libReferenceDirectives.length > 0 || file.typeReferenceDirectives.length > 0) return true;
    return file.statements.some(
        (statement) =>
            ts.isNamespaceExportDeclaration(statement) ||
            (ts.isModuleDeclaration(statement) &&
                (ts.isStringLiteral(statement.name) || (statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0)),
    );
}

/**
 * Each project file's lint key (module comment): the files ESLint may be told to skip. A project file is one of
 * the program's not under node_modules (what is there is pinned by package-lock.json, the lib by typescript's
 * version). `undefined` when the program's resolutions are not available. The ESLint config is keyed by its own
 * text: it imports packages only (pinned by the lock file), no project file.
 */
export function lintKeys(project: Project, cwd: string, eslintConfigFile: string | undefined) {
    const { program } = project;
    if (!hasResolutions(program)) return undefined;
    const isProjectFile = (file: ts.SourceFile) =>
        !program.isSourceFileFromExternalLibrary(file) &&
        !program.isSourceFileDefaultLibrary(file) &&
        !file.fileName.split(/[\\/]/).includes("node_modules");
    const files = program.getSourceFiles().filter(isProjectFile);
    const name = (file: ts.SourceFile) => path.relative(cwd, file.fileName).split(path.sep).join("/");
    const textHash = new Map(files.map((file) => [file, sha256(file.text)]));
    const imports = new Map<ts.SourceFile, ts.SourceFile[]>();
    for (const file of files) {
        const targets: ts.SourceFile[] = [];
        const add = (fileName: string | undefined) => {
            const target = fileName === undefined ? undefined : program.getSourceFile(fileName);
            if (target && textHash.has(target)) targets.push(target);
        };
        program.forEachResolvedModule((r) => add(r.resolvedModule?.resolvedFileName), file);
        program.forEachResolvedTypeReferenceDirective(
            (r) => add(r.resolvedTypeReferenceDirective?.resolvedFileName),
            file,
        );
        for (const reference of file.referencedFiles)
            add(ts.resolveTripleslashReference(reference.fileName, file.fileName));
        imports.set(file, targets);
    }
    const omitConfigFile = (key: string, value: unknown) => (key === "configFile" ? undefined : value);
    const shared = sha256(
        JSON.stringify({
            format: 1,
            node: process.version,
            tools: LINT_TOOLS.map((pkg) => `${pkg}@${installedVersion(pkg)}`),
            eslintConfig: eslintConfigFile ? [eslintConfigFile, readOr(eslintConfigFile, "")] : null,
            tsconfig: [project.configFile, fs.readFileSync(project.configFile, "utf8")],
            compilerOptions: JSON.stringify(project.options, omitConfigFile),
            lock: readOr(path.join(ROOT, "package-lock.json"), ""),
            everyFile: files.filter(reachesEveryFile).map((file) => [name(file), textHash.get(file)]),
        }),
    );
    const keys = new Map<string, string>();
    for (const file of files) {
        const closure = new Set([file]);
        const queue = [file];
        for (let next = queue.pop(); next; next = queue.pop()) {
            for (const target of imports.get(next) ?? []) {
                if (!closure.has(target)) {
                    closure.add(target);
                    queue.push(target);
                }
            }
        }
        const members = [...closure].map((member) => `${name(member)}\0${textHash.get(member)}`).sort();
        keys.set(name(file), sha256(`${shared}\n${name(file)}\n${members.join("\n")}`));
    }
    return keys;
}

/** A path ESLint would read as a glob (an ignore pattern): such a file is not skipped, only linted. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\#]/;

export interface LintOutcome {
    readonly problems: number;
    readonly report: string;
    /** The files ESLint linted on this run, relative to cwd. */
    readonly linted: readonly string[];
    /** The files skipped: found clean before, with the same lint key. */
    readonly reused: readonly string[];
}

/**
 * ESLint over the project as `eslint .` lints it, with type information from the project's program, less the
 * files whose clean result the cache in `cacheDir` holds under the same key (told to ESLint as ignores, so its
 * own file search is unchanged). No cache directory: every file is linted.
 */
export async function lint(
    project: Project,
    { cwd = ROOT, cacheDir = CACHE_DIR }: { cwd?: string; cacheDir?: string | undefined } = {},
): Promise<LintOutcome> {
    const typeAware: Linter.Config = {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: false, programs: [project.program] } },
    };
    const store = cacheDir ? path.join(cacheDir, LINT_STORE_FILE) : undefined;
    const keys = store ? lintKeys(project, cwd, await new ESLint({ cwd }).findConfigFile()) : new Map<string, string>();
    if (keys === undefined) process.stderr.write("lint cache off: this typescript keeps no module resolutions\n");
    const clean = store ? readLintStore(store) : {};
    const reused = [...(keys ?? [])]
        .filter(([file, key]) => clean[file] === key && !GLOB_SYNTAX.test(file))
        .map(([file]) => file);
    const eslint = new ESLint({
        cwd,
        overrideConfig: [typeAware, ...(reused.length > 0 ? [{ ignores: reused }] : [])],
        // With every file reused, nothing is left to match ".".
        errorOnUnmatchedPattern: reused.length === 0,
    });
    const results = await eslint.lintFiles(["."]);
    const relative = (file: string) => path.relative(cwd, file).split(path.sep).join("/");
    if (store && keys) {
        const nowClean: Record<string, string> = {};
        for (const file of reused) nowClean[file] = clean[file];
        for (const result of results) {
            const file = relative(result.filePath);
            const key = keys.get(file);
            if (key !== undefined && result.messages.length === 0) nowClean[file] = key;
        }
        writeLintStore(store, nowClean);
    }
    // `--max-warnings 0`: a warning fails as an error does.
    const problems = results.reduce((sum, r) => sum + r.errorCount + r.warningCount, 0);
    const formatter = await eslint.loadFormatter("stylish");
    return {
        problems,
        report: await formatter.format(results),
        linted: results.map((r) => relative(r.filePath)),
        reused,
    };
}

function readLintStore(file: string): Record<string, string> {
    try {
        const stored = JSON.parse(fs.readFileSync(file, "utf8")) as { clean?: Record<string, string> };
        return stored.clean ?? {};
    } catch {
        return {}; // none yet, or unreadable: lint everything
    }
}

/** Written whole (writeFileWhole): a reader sees the old store or the new one. */
function writeLintStore(file: string, clean: Record<string, string>): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileWhole(file, JSON.stringify({ clean }));
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
    const project = openProject();
    if (steps.has("types")) {
        const { diagnostics, checked } = typeCheck(project);
        if (diagnostics.length > 0) {
            failed = true;
            process.stdout.write(`${formatTypeErrors(diagnostics)}\ntype-check: ${diagnostics.length} error(s)\n`);
        }
        process.stdout.write(
            `type-check ${diagnostics.length === 0 ? "ok" : "FAILED"} in ${((performance.now() - start) / 1000).toFixed(1)} s (${checked.length} of ${project.program.getSourceFiles().length} file(s) checked, the rest reused)\n`,
        );
    }
    if (steps.has("lint")) {
        const lintStart = performance.now();
        const { problems, report, linted, reused } = await lint(project);
        if (problems > 0) {
            failed = true;
            process.stdout.write(`${report}\nlint: ${problems} problem(s)\n`);
        }
        process.stdout.write(
            `lint ${problems === 0 ? "ok" : "FAILED"} in ${((performance.now() - lintStart) / 1000).toFixed(1)} s (${linted.length} file(s) linted, ${reused.length} clean and unchanged)\n`,
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
