// `npm test`: the type-check and the lint (ESLint, eslint.config.mjs) over one TypeScript program
// (scripts/typesAndLint.ts), the format check and the tests (two lanes: mocha's workers, and the app's own tests,
// which mostly wait on their servers), side by side (they are independent; on CI's two
// cores they finish together instead of one after the other). Each step runs as
// the leader of its own process group; once it exits, no process of that group may remain (a test server,
// esbuild's service, a mocha worker left running is a failure, and is then stopped). The static steps keep
// sound caches in node_modules/.cache (absent on a clean clone): after a change they redo only what it affects.
// Usage: npm test            (everything; `npx mocha <file>` runs one test file)
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { randomUUID } from "crypto";
import { processesInGroup, processesWithEnvironment } from "./processGroup";

const ROOT = path.resolve(__dirname, "..");
const bin = (pkg: string, file: string) => require.resolve(`${pkg}/${file}`, { paths: [ROOT] });

export interface Step {
    readonly name: string;
    /** Arguments to node (this process's executable). */
    readonly argv: readonly string[];
    /** Or a command of its own (executable first), instead of node. */
    readonly command?: readonly string[];
    /** Stream its output as it comes (the tests), rather than print it when the step ends. */
    readonly live?: boolean;
}

/** Mocha workers: one per core (the other steps are short next to the tests). */
const JOBS = Math.max(2, os.availableParallelism());

/**
 * The app's own tests (app/): each starts real Redis, PostgreSQL or HTTP servers on loopback and mostly waits on
 * them (pages that poll, queues that deliver): about 20 of their 30 s in one process is waiting, which in a mocha
 * worker held one of the two cores' lanes idle. They run in a lane of their own beside the workers, so that
 * waiting overlaps the others' work.
 */
export const WAITING_TESTS_DIR = "test/app";

/** Every test file under `dir` (relative to ROOT, "/"-separated), in a stable order. */
export function testFiles(dir = "test"): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const file = `${dir}/${entry.name}`;
        if (entry.isDirectory()) files.push(...testFiles(file));
        else if (entry.isFile() && entry.name.endsWith(".test.ts")) files.push(file);
    }
    return files.sort();
}

/**
 * Processes of the app's lane: in one, the lane lasted as long as all its files' waits added up (~30 s), longer than
 * the workers' lane after a test file's change; two split them (~16 s).
 */
export const WAITING_LANE_JOBS = 2;

const inWaitingLane = (file: string) => file.startsWith(`${WAITING_TESTS_DIR}/`);

/** Every test file, once: the two lanes partition it. */
const TEST_FILES = testFiles();

/**
 * The workers' V8 young generation (MiB per semi-space; V8's default is 16). A worker runs ~70 test files and
 * ~60 mocked stack runs, whose short-lived objects overflowed the default: ~650 scavenges per worker, each
 * copying what was still alive, were a fifth of its CPU. With 128 MiB: ~90 scavenges, 11 CPU-s less per
 * `npm test` (measured with --trace-gc, cold run store). Only for the workers: a one-file run is too short to care.
 */
export const WORKER_SEMI_SPACE_MIB = 128;

/**
 * Before the others: the app tests' server binaries (an install as root when missing). The servers themselves
 * belong to the app tests step: each app test starts its own on loopback, stops it and waits for it to exit.
 */
export const PREPARE: Step = {
    name: "test servers",
    argv: [],
    command: ["sh", path.join(ROOT, "scripts", "ensure-test-servers.sh")],
};

/**
 * Where every cache of `npm test` lives (the run and bundle stores, the app tests' PostgreSQL template, the static
 * steps' caches, the TypeScript preload's transforms), each keyed on the content it was made from, so that deleting
 * it changes no result and a copy from an earlier commit only saves work: `npm ci` deletes node_modules, so a clean
 * clone has none of it; the workflows' test jobs restore it after `npm ci` (.github/workflows).
 */
export const TEST_CACHES_DIR = path.join(ROOT, "node_modules", ".cache");

/**
 * Prettier's own cache for the format check: a file found formatted is not formatted again while its content
 * hash (`--cache-strategy content`; mtimes change on checkout) and the hash of Prettier's version, Node.js's
 * and the file's resolved options are unchanged; an unformatted file is never cached. Not Prettier's default
 * location: a run without --cache (`npm run format`) deletes that file.
 */
export const FORMAT_CACHE_FILE = path.join(TEST_CACHES_DIR, "prettier", "npm-test-check.cache");

export function formatCheckArgv(cacheFile: string): readonly string[] {
    return [
        bin("prettier", "bin/prettier.cjs"),
        "--check",
        "--log-level",
        "warn",
        "--cache",
        "--cache-strategy",
        "content",
        "--cache-location",
        cacheFile,
        ".",
    ];
}

/** The preload through which npm test and mocha load TypeScript (package.json, .mocharc.json). */
export const TYPESCRIPT_PRELOAD = path.join(ROOT, "test", "support", "esbuildTs.js");

export const STEPS: readonly Step[] = [
    {
        // tsc --noEmit and eslint --max-warnings 0, sharing the program they both need (its build is most of their cost).
        name: "type-check+lint",
        // Loaded as the tests load TypeScript (test/support/esbuildTs.js: transforms kept on disk), not by ts-node.
        argv: ["--require", TYPESCRIPT_PRELOAD, path.join(ROOT, "scripts", "typesAndLint.ts")],
    },
    { name: "format", argv: formatCheckArgv(FORMAT_CACHE_FILE) },
    {
        name: "tests",
        argv: [
            `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`, // mocha's workers inherit node's options
            bin("mocha", "bin/mocha.js"),
            "--parallel",
            "--jobs",
            String(JOBS),
            ...TEST_FILES.filter((file) => !inWaitingLane(file)),
        ],
        live: true,
    },
    {
        name: "app tests",
        argv: [
            bin("mocha", "bin/mocha.js"),
            "--parallel",
            "--jobs",
            String(WAITING_LANE_JOBS),
            ...TEST_FILES.filter(inWaitingLane),
        ],
    },
];

export interface StepResult {
    readonly name: string;
    readonly code: number | null;
    readonly seconds: number;
    /** Everything it wrote (a live step's output was also streamed as it came). */
    readonly output: string;
    readonly live: boolean;
    /** Processes of the step's group still running after it exited. */
    readonly leftovers: readonly string[];
}

/** The environment variable that marks every process a step starts (and what they start in turn). */
export const STEP_MARKER = "VOTEAPP_TEST_STEP";

/**
 * Runs one step as a process group leader, and reports (then stops) what outlived it: its group's processes
 * and any process carrying the step's marker.
 */
export function runStep(step: Step, cwd: string = ROOT): Promise<StepResult> {
    const start = performance.now();
    const marker = `${step.name}:${randomUUID()}`;
    const [file, ...args] = step.command ?? [process.execPath, ...step.argv];
    const child = spawn(file, args, {
        cwd,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, [STEP_MARKER]: marker },
    });
    const chunks: Buffer[] = [];
    const collect = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
        chunks.push(chunk);
        if (step.live) stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    return new Promise((resolve) => {
        child.on("close", (code, signal) => {
            const pgid = child.pid ?? 0;
            const found = new Map<number, string>();
            for (const p of [...processesInGroup(pgid), ...processesWithEnvironment(STEP_MARKER, marker)])
                found.set(p.pid, p.command);
            const leftovers = [...found].map(([pid, command]) => `${pid} ${command}`);
            for (const target of [...(found.size > 0 ? [-pgid] : []), ...found.keys()]) {
                try {
                    process.kill(target, "SIGKILL");
                } catch {
                    // gone in the meantime
                }
            }
            resolve({
                name: step.name,
                code: code ?? (signal ? 128 : null),
                seconds: (performance.now() - start) / 1000,
                output: Buffer.concat(chunks).toString("utf8"),
                live: step.live === true,
                leftovers,
            });
        });
    });
}

/** The closing line each mocha run prints (test/support/reporter.js), which CI and the bench read. */
export const TALLY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/gm;

/** The tests' closing lines added up into one, in the same form (the last line `npm test` prints), or none. */
export function testTally(outputs: readonly string[]): string | undefined {
    const lines = outputs.flatMap((output) => [...output.matchAll(TALLY)]);
    if (lines.length === 0) return undefined;
    const sum = (group: number) => lines.reduce((total, line) => total + Number(line[group]), 0);
    return `${sum(1)} passed, ${sum(2)} failed, ${sum(3)} skipped`;
}

async function main(): Promise<number> {
    const prepared = await runStep(PREPARE);
    const results = [
        prepared,
        ...(prepared.code === 0 && prepared.leftovers.length === 0
            ? await Promise.all(STEPS.map((step) => runStep(step)))
            : []),
    ];
    let failed = false;
    for (const result of results) {
        if (!result.live && result.output.trim())
            process.stdout.write(`\n--- ${result.name}\n${result.output.trimEnd()}\n`);
        if (result.code !== 0) failed = true;
        if (result.leftovers.length > 0) {
            failed = true;
            process.stderr.write(
                `\n${result.name}: ${result.leftovers.length} process(es) outlived it (now stopped):\n  ${result.leftovers.join("\n  ")}\n`,
            );
        }
    }
    process.stdout.write(
        `\n${results.map((r) => `${r.name} ${r.code === 0 ? "ok" : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s`).join(", ")}\n`,
    );
    const tally = testTally(results.map((r) => r.output));
    if (tally) process.stdout.write(`${tally}\n`);
    return failed ? 1 : 0;
}

if (require.main === module) {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
