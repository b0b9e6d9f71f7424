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
//   diagnostics are recomputed when it, or what it depends on, changed (TypeScript hashes every file's text, and
//   its declarations: the program emits them to be hashed, never written, so that a file's first change after a
//   cold build is judged as any other, not as a change to its importers: DECLARATION_SIGNATURES);
// - lint: a type-aware lint result depends on the file's text, on the types it sees, and on the ESLint config,
//   the compiler options, package-lock.json and the tools' versions. The last four and the file's path and text
//   are its key (lintKeys); the types are TypeScript's to judge: a file whose diagnostics its builder takes from
//   the build info is one whose types cannot have changed (it compares the declarations a change emits, follows
//   re-exports and the files that declare globals), every other file is affected (affectedFiles). A file is not
//   linted again while it was found clean under the same key and has not been affected since: the affected files
//   are added to the store's pending set before the build info that forgets them is written (settle), and leave it
//   only when linted clean, so a run stopped in between, or a `types`-only run, leaves them to the next lint.
//   ESLint's own --cache keys a file on its own text and config, not sound with rules that read types: a
//   promise-returning change in an imported file makes an unchanged file's call float. A file with a problem is
//   linted on every run.
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
    /** The config file's directory: where ESLint runs, and what the lint store's file names are relative to. */
    readonly directory: string;
    /** Where the build info and the lint store are kept; `undefined`: nothing is read or written. */
    readonly cacheDir: string | undefined;
    readonly options: ts.CompilerOptions;
    readonly builder: ts.EmitAndSemanticDiagnosticsBuilderProgram;
    readonly program: ts.Program;
    /** The compiler host the program reads with, and writes the build info with. */
    readonly host: ts.CompilerHost;
}

/**
 * Added to the options of a program with a cache directory, so that the build info holds the hash of each file's
 * declarations from the cold build on. TypeScript's builder (5.9) hashes a file's declarations when it emits them
 * (createBuilderProgram's getWriteFileCallback), or when the file itself changed (BuilderState.updateShapeSignature);
 * with noEmit, it keeps the hash of the text of every file of a cold build (BuilderState.create:
 * useFileVersionAsSignature without old state) and of every importer a changed declaration affects
 * (handleDtsMayChangeOf), so that such a file's next change, however small, affects all its importers, transitively.
 * The declarations are emitted only to be hashed, and discarded (emitBuildInfo): about 1 CPU-s of a ~30 CPU-s cold
 * run, on a warm one the affected files' only. The diagnostics stay `tsc --noEmit`'s: the builder does not take these
 * options as affecting semantic diagnostics (none is `affectsSemanticDiagnostics`: it reuses them across a change of
 * these), with them the checker marks the aliases an export names visible, reporting nothing, and the options' own
 * checks (program's verifyCompilerOptions) differ only where DECLARATION_OPTIONS and EMIT_PATH_DIAGNOSTICS say.
 */
const DECLARATION_SIGNATURES: ts.CompilerOptions = { noEmit: false, declaration: true, emitDeclarationOnly: true };

/**
 * A config that sets any of these keeps `tsc --noEmit`'s own options: with DECLARATION_SIGNATURES added, the options'
 * checks would report otherwise (isolatedDeclarations, declarationDir or declarationMap without declaration;
 * outFile's module kinds, not checked with emitDeclarationOnly), or the emit would cost more than the declarations
 * (noEmitOnError collects every file's diagnostics before each emit). Its cold build keeps text hashes.
 */
const DECLARATION_OPTIONS = [
    "declaration",
    "composite",
    "emitDeclarationOnly",
    "declarationDir",
    "declarationMap",
    "isolatedDeclarations",
    "outFile",
    "noEmitOnError",
] as const;

const keepsDeclarationSignatures = (options: ts.CompilerOptions) =>
    DECLARATION_OPTIONS.every((name) => options[name] === undefined);

/**
 * "Cannot write file ... because it would overwrite input file" and "... be overwritten by multiple input files":
 * reported only by the check of emitted paths, which noEmit skips (program's verifyEmitFilePath), so never by
 * `tsc --noEmit`. A file they name emits no declarations, and keeps its text's hash.
 */
const EMIT_PATH_DIAGNOSTICS: ReadonlySet<number> = new Set([5055, 5056]);

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
        ? {
              ...parsed.options,
              incremental: true,
              tsBuildInfoFile: path.join(cacheDir, BUILD_INFO_FILE),
              ...(keepsDeclarationSignatures(parsed.options) ? DECLARATION_SIGNATURES : {}),
          }
        : parsed.options;
    const host = compilerHost(options);
    const builder = ts.createIncrementalProgram({
        rootNames: parsed.fileNames,
        options,
        projectReferences: parsed.projectReferences,
        configFileParsingDiagnostics: parsed.errors,
        host,
    });
    return {
        configFile,
        directory: path.dirname(configFile),
        cacheDir,
        options: parsed.options,
        builder,
        program: builder.getProgram(),
        host,
    };
}

export interface TypeCheck {
    readonly diagnostics: readonly ts.Diagnostic[];
    /** The files whose semantic diagnostics were computed on this run (the others' came from the build info). */
    readonly checked: readonly string[];
}

/**
 * What `tsc --noEmit` reports, in its order of steps (typescript's emitFilesAndReportErrors: config, syntactic;
 * if none, options, global and semantic), then the build info is written (the only file written: settle).
 */
export function typeCheck(project: Project): TypeCheck {
    const { builder } = project;
    const checked: string[] = [];
    const all: ts.Diagnostic[] = [...builder.getConfigFileParsingDiagnostics()];
    const before = all.length;
    all.push(...builder.getSyntacticDiagnostics());
    if (all.length === before) {
        all.push(
            ...builder.getOptionsDiagnostics().filter((d) => !EMIT_PATH_DIAGNOSTICS.has(d.code)),
            ...builder.getGlobalDiagnostics(),
        );
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
    all.push(...settle(project));
    return { diagnostics: ts.sortAndDeduplicateDiagnostics(all), checked };
}

/** Per project, what writing its build info reported (written once, by settle). */
const buildInfoWrites = new WeakMap<Project, readonly ts.Diagnostic[]>();

/**
 * Brings the build info up to the program, once per project, and returns what writing it reported. First the
 * builder goes through every change since the build info (typeCheck has done so when it checked; otherwise the
 * affected files are found without being checked, and the build info keeps their check pending), then the
 * affected files are added to the lint store's pending set, and only then are their declarations hashed (which
 * checks them, if typeCheck did not) and the build info written: once it is, TypeScript no longer reports those
 * files as affected. A lint records what it finds against this build info, so the next run's changes are those
 * since the program it linted.
 */
function settle(project: Project): readonly ts.Diagnostic[] {
    const written = buildInfoWrites.get(project);
    if (written) return written;
    if (project.cacheDir) {
        project.builder.getSemanticDiagnosticsOfNextAffectedFile(undefined, () => true);
        addPending(path.join(project.cacheDir, LINT_STORE_FILE), affectedFiles(project));
    }
    const diagnostics = emitBuildInfo(project);
    buildInfoWrites.set(project, diagnostics);
    return diagnostics;
}

/**
 * Writes the build info, and returns what writing it reported. With DECLARATION_SIGNATURES, the builder first emits
 * the declarations of each file pending emit, and hashes them into the build info; they are discarded, and so is
 * what emitting them reported (declaration-emit errors, which `tsc --noEmit` does not report): only the last step,
 * the build info's (the one whose `affected` is the program), is kept.
 */
function emitBuildInfo(project: Project): readonly ts.Diagnostic[] {
    const { builder, program, host } = project;
    const { noEmit, tsBuildInfoFile } = program.getCompilerOptions();
    if (noEmit || tsBuildInfoFile === undefined) return builder.emit().diagnostics;
    const buildInfoFile = path.resolve(tsBuildInfoFile);
    const writeBuildInfoOnly: ts.WriteFileCallback = (fileName, ...rest) => {
        if (path.resolve(fileName) === buildInfoFile) host.writeFile(fileName, ...rest);
    };
    let written: readonly ts.Diagnostic[] = [];
    for (;;) {
        const next = builder.emitNextAffectedFile(writeBuildInfoOnly);
        if (!next) break;
        if (next.affected === program) written = next.result.diagnostics;
    }
    return written;
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
 * The builder's state, which typescript 5.9 keeps but does not declare (builder.ts createBuilderProgram):
 * `semanticDiagnosticsFromOldState` holds the paths of the files whose diagnostics were taken from the build info
 * and not invalidated by a change since (absent when none were taken). Checked at run time: without it every file
 * is affected, and every file is linted.
 */
interface BuilderInternals {
    readonly state?: {
        readonly semanticDiagnosticsPerFile?: unknown;
        readonly semanticDiagnosticsFromOldState?: unknown;
    };
}

/** The files the project's lint keys: the program's, less node_modules (pinned by package-lock.json) and the lib. */
function projectFiles(program: ts.Program): ts.SourceFile[] {
    return program
        .getSourceFiles()
        .filter(
            (file) =>
                !program.isSourceFileFromExternalLibrary(file) &&
                !program.isSourceFileDefaultLibrary(file) &&
                !file.fileName.split(/[\\/]/).includes("node_modules"),
        );
}

/** A file's name in the lint store: relative to the project's directory, with `/`, as ESLint's ignores take it. */
const storeName = (project: Project, file: string) => path.relative(project.directory, file).split(path.sep).join("/");

/**
 * The project files whose types may differ from the build info's, once the builder has gone through the changes
 * (settle): each one whose diagnostics TypeScript did not take from the build info. Every file without build info.
 */
function affectedFiles(project: Project): string[] {
    const { program } = project;
    const state = (project.builder as ts.EmitAndSemanticDiagnosticsBuilderProgram & BuilderInternals).state;
    const taken = new Set<ts.SourceFile>();
    if (!state || !(state.semanticDiagnosticsPerFile instanceof Map)) {
        process.stderr.write("lint cache off: this typescript does not tell which files a change affects\n");
    } else if (state.semanticDiagnosticsFromOldState instanceof Set) {
        const paths: Iterable<unknown> = state.semanticDiagnosticsFromOldState;
        for (const takenPath of paths) {
            const file = typeof takenPath === "string" ? program.getSourceFileByPath(takenPath as ts.Path) : undefined;
            if (file) taken.add(file);
        }
    }
    return projectFiles(program)
        .filter((file) => !taken.has(file))
        .map((file) => storeName(project, file.fileName));
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
 * Each project file's lint key (module comment): what decides its lint result but the types it sees, which
 * affectedFiles answers for. The ESLint config is keyed by its own text: it imports packages only (pinned by the
 * lock file), no project file.
 */
export function lintKeys(project: Project, eslintConfigFile: string | undefined): Map<string, string> {
    const omitConfigFile = (key: string, value: unknown) => (key === "configFile" ? undefined : value);
    const shared = sha256(
        JSON.stringify({
            format: 2,
            node: process.version,
            tools: LINT_TOOLS.map((pkg) => `${pkg}@${installedVersion(pkg)}`),
            eslintConfig: eslintConfigFile ? [eslintConfigFile, readOr(eslintConfigFile, "")] : null,
            tsconfig: [project.configFile, fs.readFileSync(project.configFile, "utf8")],
            compilerOptions: JSON.stringify(project.options, omitConfigFile),
            lock: readOr(path.join(ROOT, "package-lock.json"), ""),
        }),
    );
    return new Map(
        projectFiles(project.program).map((file) => {
            const name = storeName(project, file.fileName);
            return [name, sha256(`${shared}\n${name}\n${sha256(file.text)}`)];
        }),
    );
}

/** A path ESLint would read as a glob (an ignore pattern): such a file is not skipped, only linted. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\#]/;

export interface LintOutcome {
    readonly problems: number;
    readonly report: string;
    /** The files ESLint linted on this run, relative to the project's directory. */
    readonly linted: readonly string[];
    /** The files skipped: found clean before under the same key, and not affected since. */
    readonly reused: readonly string[];
}

/**
 * ESLint over the project as `eslint .` lints it from the project's directory, with type information from the
 * project's program, less the files the lint store in its cache directory holds clean under the same key and not
 * pending (told to ESLint as ignores, so its own file search is unchanged). No cache directory, or a build info
 * that could not be written: every file is linted.
 */
export async function lint(project: Project): Promise<LintOutcome> {
    const cwd = project.directory;
    const typeAware: Linter.Config = {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: false, programs: [project.program] } },
    };
    const buildInfoWritten = settle(project).length === 0;
    if (!buildInfoWritten) process.stderr.write("lint cache off: the build info could not be written\n");
    const store = project.cacheDir && buildInfoWritten ? path.join(project.cacheDir, LINT_STORE_FILE) : undefined;
    const keys = store ? lintKeys(project, await new ESLint({ cwd }).findConfigFile()) : new Map<string, string>();
    const { clean, pending } = store ? readLintStore(store) : { clean: {}, pending: new Set<string>() };
    const reused = [...keys]
        .filter(([file, key]) => clean[file] === key && !pending.has(file) && !GLOB_SYNTAX.test(file))
        .map(([file]) => file);
    const eslint = new ESLint({
        cwd,
        overrideConfig: [typeAware, ...(reused.length > 0 ? [{ ignores: reused }] : [])],
        // With every file reused, nothing is left to match ".".
        errorOnUnmatchedPattern: reused.length === 0,
    });
    const results = await eslint.lintFiles(["."]);
    const relative = (file: string) => path.relative(cwd, file).split(path.sep).join("/");
    if (store) {
        const nowClean: Record<string, string> = {};
        for (const file of reused) nowClean[file] = clean[file];
        for (const result of results) {
            const file = relative(result.filePath);
            const key = keys.get(file);
            if (key !== undefined && result.messages.length === 0) nowClean[file] = key;
        }
        // A file leaves the pending set once linted clean; one no longer in the program is new to TypeScript
        // when it comes back, so affected then.
        const stillPending = [...pending].filter((file) => keys.has(file) && nowClean[file] === undefined);
        writeLintStore(store, { clean: nowClean, pending: stillPending });
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

interface LintStore {
    /** A file found clean, with the key it was found clean under. */
    readonly clean: Readonly<Record<string, string>>;
    /** The files affected since they were last found clean (settle). */
    readonly pending: ReadonlySet<string>;
}

function readLintStore(file: string): LintStore {
    try {
        const stored = JSON.parse(fs.readFileSync(file, "utf8")) as {
            clean?: Record<string, string>;
            pending?: string[];
        };
        return { clean: stored.clean ?? {}, pending: new Set(stored.pending) };
    } catch {
        return { clean: {}, pending: new Set() }; // none yet, or unreadable: lint everything
    }
}

/** Written whole (writeFileWhole): a reader sees the old store or the new one. */
function writeLintStore(
    file: string,
    store: { clean: Readonly<Record<string, string>>; pending: readonly string[] },
): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileWhole(file, JSON.stringify({ clean: store.clean, pending: [...store.pending].sort() }));
}

/** Adds `files` to the store's pending set (written only if that adds one). */
function addPending(file: string, files: readonly string[]): void {
    const { clean, pending } = readLintStore(file);
    const added = files.filter((name) => !pending.has(name));
    if (added.length > 0) writeLintStore(file, { clean, pending: [...pending, ...added] });
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
            `lint ${problems === 0 ? "ok" : "FAILED"} in ${((performance.now() - lintStart) / 1000).toFixed(1)} s (${linted.length} file(s) linted, ${reused.length} clean, unchanged and not affected since)\n`,
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
