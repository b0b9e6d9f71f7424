import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import { bundleEntry } from "../../components/serverless/bundle";
import { processesInGroup } from "../../scripts/processGroup";
import * as path from "path";
import {
    FORMAT_CACHE_FILE,
    formatCheckArgv,
    PREPARE,
    runStep,
    STEPS,
    testTally,
    WAITING_TESTS_DIR,
    WORKER_SEMI_SPACE_MIB,
} from "../../scripts/test";
import { PROJECT_ROOT } from "../../plan/projectRoot";

/** Whether a process is alive (a zombie, exited and awaiting its parent, is not). */
function isRunning(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
    } catch {
        return false;
    }
}

/** Child processes of this process (Linux /proc), as "pid command line". */
function childrenOfThisProcess(): string[] {
    if (!fs.existsSync("/proc/self/stat")) return [];
    return fs
        .readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .flatMap((entry) => {
            try {
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                if (Number(ppid) !== process.pid || state === "Z") return [];
                return [`${entry} ${fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ")}`];
            } catch {
                return [];
            }
        });
}

describe("npm test (scripts/test.ts): steps side by side, no process outlives them (issue 16.9)", function () {
    this.timeout(60_000);

    it("runs the type-check with the lint (one program), the format check and the tests, the tests in parallel workers", () => {
        assert.deepStrictEqual(
            STEPS.map((s) => s.name),
            ["type-check+lint", "format", "tests", "app tests"],
        );
        assert.ok(
            STEPS[0].argv.some((a) => a.endsWith("typesAndLint.ts")),
            STEPS[0].argv.join(" "),
        );
        const tests = STEPS.find((s) => s.name === "tests");
        assert.ok(tests?.argv.includes("--parallel"), tests?.argv.join(" "));
    });

    it("runs every test file under test/ exactly once: the app's in their own lane, the rest in the workers", () => {
        const onDisk = fs
            .readdirSync(path.join(PROJECT_ROOT, "test"), { recursive: true, encoding: "utf8" })
            .filter((file) => file.endsWith(".test.ts"))
            .map((file) => `test/${file.split(path.sep).join("/")}`)
            .sort();
        const argvFiles = (name: string) =>
            STEPS.find((s) => s.name === name)?.argv.filter((arg) => arg.endsWith(".test.ts")) ?? [];
        const workers = argvFiles("tests");
        const app = argvFiles("app tests");
        assert.deepStrictEqual([...workers, ...app].sort(), onDisk);
        assert.ok(app.length > 0 && app.every((file) => file.startsWith(`${WAITING_TESTS_DIR}/`)), app.join(" "));
        assert.ok(!workers.some((file) => file.startsWith(`${WAITING_TESTS_DIR}/`)), workers.join(" "));
    });

    it("gives the workers (only) a larger young generation, as a node option before mocha's script", () => {
        const tests = STEPS.find((s) => s.name === "tests")?.argv ?? [];
        const mocha = tests.findIndex((arg) => arg.endsWith(path.join("mocha", "bin", "mocha.js")));
        assert.deepStrictEqual(tests.slice(0, mocha), [`--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`]);
        const app = STEPS.find((s) => s.name === "app tests")?.argv ?? [];
        assert.ok(app[0].endsWith(path.join("mocha", "bin", "mocha.js")), app.join(" "));
        assert.ok(app.includes("--parallel"), `the app's lane splits its waits over workers: ${app.join(" ")}`);
    });

    it("reads the closing line mocha's reporter (test/support/reporter.js) really prints", async () => {
        const mocha = STEPS.find((s) => s.name === "app tests")?.argv[0] ?? "";
        const run = await runStep({ name: "tally", argv: [mocha, `${WAITING_TESTS_DIR}/servers.test.ts`] });
        assert.strictEqual(run.code, 0, run.output);
        const tally = testTally([run.output]);
        assert.match(tally ?? "", /^[1-9]\d* passed, 0 failed, 0 skipped$/, run.output);
        assert.strictEqual(run.output.trimEnd().split("\n").pop(), tally);
    });

    it("adds the lanes' closing lines up into the one CI and the bench read last", () => {
        const workers = "....\n\n1846 passed, 1 failed, 0 skipped\n";
        const app = "..\n125 passed, 0 failed, 2 skipped\n";
        assert.strictEqual(testTally([workers, "type-check ok", app]), "1971 passed, 1 failed, 2 skipped");
        assert.strictEqual(testTally(["type-check ok"]), undefined);
    });

    it("reports, and stops, a process a step left running", async () => {
        const script = "require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }).unref()";
        const result = await runStep({ name: "leaky", argv: ["-e", script] });
        assert.strictEqual(result.code, 0);
        assert.strictEqual(result.leftovers.length, 1, result.leftovers.join("\n"));
        assert.match(result.leftovers[0], /sleep 30/);
        const pid = Number(result.leftovers[0].split(" ")[0]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok(!processesInGroup(pid).some((p) => p.pid === pid), "the leftover was not stopped");
    });

    it("reports, and stops, a process that left the step's process group but carries its environment", async () => {
        // A detached spawn is the leader of a new group (as a daemon's setsid makes it): the group check alone missed it.
        const script = "require('child_process').spawn('sleep', ['31'], { detached: true, stdio: 'ignore' }).unref()";
        const result = await runStep({ name: "escaping", argv: ["-e", script] });
        assert.strictEqual(result.code, 0);
        assert.strictEqual(result.leftovers.length, 1, result.leftovers.join("\n"));
        assert.match(result.leftovers[0], /sleep 31/);
        const pid = Number(result.leftovers[0].split(" ")[0]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok(!isRunning(pid), "the leftover was not stopped");
    });

    it("the test servers' installer runs first, under the same check (it installs binaries and starts no server)", () => {
        assert.strictEqual(PREPARE.name, "test servers");
        assert.deepStrictEqual(PREPARE.command?.slice(-1), [
            path.join(PROJECT_ROOT, "scripts", "ensure-test-servers.sh"),
        ]);
        const packageJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
            scripts: Record<string, string>;
        };
        assert.strictEqual(packageJson.scripts.pretest, undefined, "npm's pretest would run outside the check");
    });

    it("finds nothing left by a step whose children exit with it", async () => {
        const script = "require('child_process').spawnSync('sleep', ['0.1'])";
        const result = await runStep({ name: "tidy", argv: ["-e", script] });
        assert.deepStrictEqual([result.code, result.leftovers], [0, []]);
    });

    it("a bundle build stops esbuild's service before it resolves (esbuild kept it running until exit)", async () => {
        // Already running: the service through which the test preload (test/support/esbuildTs.js) loads TypeScript,
        // which lives as long as this process (as ts-node did, in process); the build must not leave one of its own.
        const esbuild = () => childrenOfThisProcess().filter((process) => /esbuild/.test(process));
        const before = new Set(esbuild());
        await bundleEntry("runner-test", "app/src/core/votes.ts");
        assert.deepStrictEqual(
            esbuild().filter((process) => !before.has(process)),
            [],
        );
    });
});

describe("npm test's format check reuses Prettier's cache only for unchanged content (scripts/test.ts)", function () {
    this.timeout(60_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "format-cache-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps its cache under node_modules/.cache (not in git, absent on a clean clone)", () => {
        const format = STEPS.find((s) => s.name === "format");
        assert.deepStrictEqual(format?.argv, formatCheckArgv(FORMAT_CACHE_FILE));
        assert.ok(
            FORMAT_CACHE_FILE.startsWith(path.join(PROJECT_ROOT, "node_modules", ".cache") + path.sep),
            FORMAT_CACHE_FILE,
        );
    });

    it("a formatted file made unformatted is found on the warm run, even with its size and mtime kept", async () => {
        const file = path.join(dir, "checked.ts");
        const cache = path.join(dir, "node_modules", ".cache", "prettier", "check.cache");
        const step = { name: "format", argv: formatCheckArgv(cache) };
        fs.writeFileSync(file, "export const a = 1;\n");
        const cold = await runStep(step, dir);
        assert.strictEqual(cold.code, 0, cold.output);
        assert.ok(fs.existsSync(cache), "no cache written");
        const warm = await runStep(step, dir);
        assert.strictEqual(warm.code, 0, warm.output);
        // Same length and modification time: only the content tells (a metadata cache would pass it).
        const { atime, mtime } = fs.statSync(file);
        fs.writeFileSync(file, "export const a  =1;\n");
        fs.utimesSync(file, atime, mtime);
        const changed = await runStep(step, dir);
        assert.strictEqual(changed.code, 1, changed.output);
        assert.match(changed.output, /checked\.ts/);
    });
});
