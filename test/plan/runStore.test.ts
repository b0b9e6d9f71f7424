import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { type RunStackOptions, runStack } from "../../plan/runStack";
import { type RunStore, type StackRun, useRunStore } from "../../plan/stackRun";
import { APP_SERVICE_TABLE } from "../../shared/appContract";
import { BENCH_RUN_MARKER } from "../../bench/bench";
import { STEP_MARKER } from "../../scripts/test";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { runTypeScriptChild } from "../support/children";
import { decodeRun, diskRunStore, encodeRun, PROCESS_IDENTITY, sourceHash, TEXT_APART_FROM } from "../support/runStore";

function byUrn(run: StackRun): StackRun {
    return { ...run, resources: [...run.resources].sort((a, b) => (a.urn < b.urn ? -1 : 1)) };
}

/** The text of every Lambda bundle a run registers, by resource name. */
async function bundles(run: StackRun): Promise<Record<string, string>> {
    const texts: Record<string, string> = {};
    for (const resource of run.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
        const archive = resource.inputs.code as pulumi.asset.AssetArchive;
        for (const [file, asset] of Object.entries(await archive.assets))
            texts[`${resource.name}/${file}`] = await (asset as pulumi.asset.StringAsset).text;
    }
    return texts;
}

/** A store that records what it was asked, over a real disk store in a temporary directory. */
function recordingStore(dir: string): { store: RunStore; reads: string[]; hits: number; writes: number } {
    const disk = diskRunStore(dir, "h");
    const log = { reads: [] as string[], hits: 0, writes: 0 };
    const store: RunStore = {
        async run(key, plan) {
            log.reads.push(key);
            let planned = false;
            const run = await disk.run(key, () => {
                planned = true;
                return plan();
            });
            if (!planned) log.hits++;
            // Kept: on disk, where another store (another worker) reads it.
            else if (await diskRunStore(dir, "h").read(key)) log.writes++;
            return run;
        },
    };
    return Object.assign(log, { store });
}

/** A promise and the function that settles it, for a planning that finishes when the test says so. */
function gate(): { opened: Promise<void>; open: () => void } {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run with one named resource (the store only keeps and compares data). */
const runNamed = (name: string) => ({ resources: [{ name }] }) as unknown as StackRun;

/** Where the store of source hash "h" keeps texts apart, and its runs' files. */
const textsDir = (dir: string) => path.join(dir, "h", "texts");
const runFiles = (dir: string) =>
    fs
        .readdirSync(path.join(dir, "h"))
        .filter((file) => file.endsWith(".json"))
        .map((file) => path.join(dir, "h", file));

/** The claims lying in the store's directory of source hash "h". */
const claimsIn = (dir: string) => fs.readdirSync(path.join(dir, "h")).filter((file) => file.endsWith(".claim"));

/** Waits until `condition` holds (a claim appeared, a planning started), polling; fails after 10 s. */
async function until(condition: () => boolean): Promise<void> {
    for (const deadline = Date.now() + 10_000; !condition(); await sleep(5))
        if (Date.now() > deadline) throw new Error(`never came true: ${String(condition)}`);
}

describe("shared mocked runs (test/support/runStore.ts, plan/runStack.ts useRunStore)", function () {
    this.timeout(120_000);
    let dir: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-store-"));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a run read back from the store is deep-equal to the run planned fresh (undefined fields included)", async () => {
        const previous = useRunStore(undefined);
        try {
            const fresh = await runStack("dev", { overrides: { "voteapp:platform": "lambda" } });
            assert.ok(
                fresh.resources.some((r) => r.parent === undefined),
                "the root stack has no parent: JSON alone would drop the key",
            );
            assert.deepStrictEqual(await decodeRun(await encodeRun(fresh)), fresh);
            const code = fresh.resources.find((r) => r.type === "aws:lambda/function:Function")?.inputs.code;
            assert.ok(code instanceof pulumi.asset.AssetArchive, "a Lambda's code is an archive of promised assets");
            const recording = recordingStore(dir);
            useRunStore(recording.store);
            const first = await runStack("dev", { overrides: { "voteapp:platform": "lambda" } });
            const second = await runStack("dev", { overrides: { "voteapp:platform": "lambda" } });
            assert.deepStrictEqual([recording.hits, recording.writes], [1, 1]);
            assert.deepStrictEqual(second, first);
            // Registration order follows the program's async timing (bundles build meanwhile): compare by URN.
            assert.deepStrictEqual(byUrn(second), byUrn(fresh));
            assert.notStrictEqual(second.resources, first.resources, "each reader gets its own copy");
            assert.deepStrictEqual(await bundles(second), await bundles(fresh), "the bundles' code came through");
        } finally {
            useRunStore(previous);
        }
    });

    it("another worker (another store on the same directory) reads what one wrote; another config does not", async () => {
        const previous = useRunStore(undefined);
        try {
            const writer = recordingStore(dir);
            useRunStore(writer.store);
            await runStack("dev");
            const reader = recordingStore(dir);
            useRunStore(reader.store);
            await runStack("dev");
            await runStack("dev", { overrides: { "voteapp:azCount": "3" } });
            assert.deepStrictEqual([reader.hits, reader.writes], [1, 1]);
        } finally {
            useRunStore(previous);
        }
    });

    it("a run with another service table (shared/appContract.ts) is another run, never the stack's own", async () => {
        const previous = useRunStore(undefined);
        try {
            const recording = recordingStore(dir);
            useRunStore(recording.store);
            const own = await runStack("dev");
            const fewer = await runStack("dev", {
                services: APP_SERVICE_TABLE.filter((service) => service.name !== "result"),
            });
            assert.deepStrictEqual([recording.hits, recording.writes], [0, 2]);
            const taskFamilies = (run: StackRun) =>
                run.resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition").map((r) => r.name);
            assert.ok(taskFamilies(own).includes("vote-app-result"));
            assert.ok(
                !taskFamilies(fewer).includes("vote-app-result"),
                "the run without result was served the stack's own",
            );
        } finally {
            useRunStore(previous);
        }
    });

    it("never serves a run with transforms (code) or another option, nor keeps a failed run", async () => {
        const previous = useRunStore(undefined);
        try {
            const recording = recordingStore(dir);
            useRunStore(recording.store);
            await runStack("dev", { transforms: {} });
            // Any option beyond the config (here one the store's key cannot know of) bypasses the store too.
            await runStack("dev", { overrides: {}, programInput: "not in the key" } as RunStackOptions);
            await assert.rejects(runStack("dev", { overrides: { "voteapp:azCount": "9" } }));
            assert.deepStrictEqual([recording.reads.length, recording.writes], [1, 0]);
        } finally {
            useRunStore(previous);
        }
    });

    it("declines a run JSON cannot carry, and reads a run only under its own key and environment", async () => {
        const store = diskRunStore(dir, "h");
        for (const lossy of [new Date(0), new Map([["a", 1]]), Promise.resolve(1), Buffer.from("a")]) {
            await store.write("k", { resources: [], stackConfig: { lossy } } as unknown as StackRun);
            assert.strictEqual(await diskRunStore(dir, "h").read("k"), undefined, String(lossy));
        }
        const plain = { resources: [{ name: "a", parent: undefined }] } as unknown as StackRun;
        await store.write("k", plain);
        assert.deepStrictEqual(await diskRunStore(dir, "h").read("k"), plain);
        assert.strictEqual(await diskRunStore(dir, "h").read("other"), undefined);
        process.env.VOTEAPP_RUN_STORE_TEST = "set";
        try {
            assert.strictEqual(await diskRunStore(dir, "h").read("k"), undefined, "the environment is part of the key");
        } finally {
            delete process.env.VOTEAPP_RUN_STORE_TEST;
        }
    });

    it("keeps each bundle's code apart, once, by content: the runs' files name it, another process reads it back", async () => {
        const previous = useRunStore(undefined);
        try {
            const recording = recordingStore(dir);
            useRunStore(recording.store);
            const planned = [
                await runStack("dev", { overrides: { "voteapp:platform": "lambda" } }),
                await runStack("prod", { overrides: { "voteapp:platform": "lambda" } }),
            ];
            assert.deepStrictEqual(recording.writes, 2);
            const texts = await Promise.all(planned.map(bundles));
            const distinct = new Set(texts.flatMap((byName) => Object.values(byName)));
            assert.ok(
                [...distinct].every((code) => code.length >= TEXT_APART_FROM),
                "every bundle is long enough to be kept apart",
            );
            assert.strictEqual(fs.readdirSync(textsDir(dir)).length, distinct.size, "one file per distinct bundle");
            for (const file of runFiles(dir)) {
                const content = fs.readFileSync(file, "utf8");
                for (const code of distinct)
                    assert.ok(
                        !content.includes(JSON.stringify(code.slice(0, 2_000)).slice(1, -1)),
                        `${file} holds code`,
                    );
            }
            const reader = diskRunStore(dir, "h");
            for (const [i, run] of planned.entries()) {
                const keys = recording.reads.filter((key) => key.includes(`"stack":"${i === 0 ? "dev" : "prod"}"`));
                const read = await reader.read(keys[0]);
                assert.ok(read, "read back");
                assert.deepStrictEqual(await bundles(read), texts[i], "the code came through");
                assert.deepStrictEqual(byUrn(read), byUrn(run));
            }
        } finally {
            useRunStore(previous);
        }
    });

    it("a kept text that is gone or altered is a miss: the run is planned again and the text written again", async () => {
        const code = `exports.handler = () => "\uD800 a lone surrogate, which UTF-8 would lose"; // ${"x".repeat(TEXT_APART_FROM)}`;
        const withCode = () =>
            ({
                resources: [
                    {
                        name: "fn",
                        inputs: {
                            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
                        },
                    },
                ],
            }) as unknown as StackRun;
        const codeOf = async (run: StackRun | undefined) => {
            const archive = run?.resources[0].inputs.code as pulumi.asset.AssetArchive | undefined;
            return archive && (await ((await archive.assets)["index.js"] as pulumi.asset.StringAsset).text);
        };
        await diskRunStore(dir, "h").write("k", withCode());
        const [file] = fs.readdirSync(textsDir(dir)).map((name) => path.join(textsDir(dir), name));
        assert.strictEqual(await codeOf(await diskRunStore(dir, "h").read("k")), code, "read back exactly");
        assert.ok(fs.statSync(runFiles(dir)[0]).size < code.length, "the run's file names the code, not holds it");

        fs.writeFileSync(file, Buffer.from(`${code} `, "utf16le"));
        assert.strictEqual(await diskRunStore(dir, "h").read("k"), undefined, "an altered text was served");
        assert.ok(!fs.existsSync(file), "the altered text is removed");
        let planned = 0;
        const again = await diskRunStore(dir, "h").run("k", async () => {
            planned++;
            return withCode();
        });
        assert.strictEqual(planned, 1);
        assert.strictEqual(await codeOf(again), code);
        assert.strictEqual(await codeOf(await diskRunStore(dir, "h").read("k")), code, "written again");

        fs.rmSync(file);
        assert.strictEqual(await diskRunStore(dir, "h").read("k"), undefined, "a run naming a missing text was served");
    });

    it("another mocha worker, npm test, bench run or way of starting mocha reads the same run: process names are not in the key", async () => {
        const named = { ...process.env };
        try {
            process.env.MOCHA_WORKER_ID = "0";
            process.env.VOTEAPP_TEST_STEP = "tests:a";
            process.env.VOTEAPP_BENCH_RUN = "bench-1";
            process.env._ = "/usr/bin/npx";
            process.env.npm_lifecycle_event = "test";
            const plain = { resources: [{ name: "a" }] } as unknown as StackRun;
            await diskRunStore(dir, "h").write("k", plain);
            process.env.MOCHA_WORKER_ID = "1";
            process.env.VOTEAPP_TEST_STEP = "tests:b";
            delete process.env.VOTEAPP_BENCH_RUN;
            process.env._ = "/usr/bin/node";
            delete process.env.npm_lifecycle_event;
            assert.deepStrictEqual(await diskRunStore(dir, "h").read("k"), plain, "each worker planned the run again");
            for (const marker of ["MOCHA_WORKER_ID", STEP_MARKER, BENCH_RUN_MARKER])
                assert.ok(PROCESS_IDENTITY.has(marker), marker);
        } finally {
            for (const name of [...PROCESS_IDENTITY, "npm_lifecycle_event"]) {
                if (named[name] === undefined) delete process.env[name];
                else process.env[name] = named[name];
            }
        }
    });

    describe("a key missed by two workers at once is planned by one (the claim)", function () {
        // A waiter that hung on a claim would run into this, below the stores' own wait (after which it plans).
        this.timeout(20_000);
        const patient = { claimWaitMs: 30_000 };

        it("the second waits for the first's run and reads it: one planning", async () => {
            const [first, second] = [diskRunStore(dir, "h", patient), diskRunStore(dir, "h", patient)];
            let plans = 0;
            const plan = async () => {
                plans++;
                await sleep(200);
                return runNamed(`planning ${plans}`);
            };
            const [a, b] = await Promise.all([first.run("k", plan), second.run("k", plan)]);
            assert.strictEqual(plans, 1, "both workers planned the key");
            assert.deepStrictEqual([a, b], [runNamed("planning 1"), runNamed("planning 1")]);
            assert.notStrictEqual(b, a, "the waiter gets its own copy");
            assert.deepStrictEqual(claimsIn(dir), [], "the claim was released");
        });

        it("a dead claimant's claim is taken over; its late release leaves the new claim alone", async () => {
            const [dead, waiter, later] = [0, 1, 2].map(() => diskRunStore(dir, "h", patient));
            const deadPlanning = gate();
            const deadRun = dead.run("k", async () => {
                await deadPlanning.opened;
                return runNamed("dead");
            });
            await until(() => fs.existsSync(path.join(dir, "h")) && claimsIn(dir).length === 1);
            // The claimant's process is gone: its claim names a pid that has exited.
            const [claim] = claimsIn(dir);
            const gone = spawnSync(process.execPath, ["-e", ""]).pid;
            fs.writeFileSync(path.join(dir, "h", claim), `${gone} its token`);
            const waiterPlanning = gate();
            let waiterPlanned = false;
            const waiterRun = waiter.run("k", async () => {
                waiterPlanned = true;
                await waiterPlanning.opened;
                return runNamed("waiter");
            });
            await until(() => waiterPlanned);
            deadPlanning.open();
            await deadRun;
            assert.deepStrictEqual(claimsIn(dir), [claim], "the first claimant released the waiter's claim");
            waiterPlanning.open();
            assert.deepStrictEqual(await waiterRun, runNamed("waiter"));
            assert.deepStrictEqual(claimsIn(dir), []);
            assert.deepStrictEqual(await later.run("k", () => assert.fail("planned again")), runNamed("waiter"));
        });

        it("a run that fails releases its claim: the waiter plans the run itself", async () => {
            const [failing, waiter] = [diskRunStore(dir, "h", patient), diskRunStore(dir, "h", patient)];
            let waiterPlans = 0;
            const failed = failing.run("k", async () => {
                await sleep(200);
                throw new Error("the program threw");
            });
            await until(() => fs.existsSync(path.join(dir, "h")) && claimsIn(dir).length === 1);
            const waited = waiter.run("k", async () => {
                waiterPlans++;
                return runNamed("waiter");
            });
            await assert.rejects(failed, /the program threw/);
            assert.deepStrictEqual(await waited, runNamed("waiter"));
            assert.strictEqual(waiterPlans, 1);
            assert.deepStrictEqual(claimsIn(dir), []);
        });

        it("a run the store declines (not faithfully JSON) does not keep a waiter waiting, nor is it kept", async () => {
            const [declining, waiter, later] = [0, 1, 2].map(() => diskRunStore(dir, "h", patient));
            const lossy = () => ({ resources: [], stackConfig: { at: new Date(0) } }) as unknown as StackRun;
            const declined = declining.run("k", async () => {
                await sleep(200);
                return lossy();
            });
            await until(() => fs.existsSync(path.join(dir, "h")) && claimsIn(dir).length === 1);
            let plans = 0;
            const plan = async () => {
                plans++;
                return lossy();
            };
            const started = Date.now();
            assert.deepStrictEqual(await Promise.all([declined, waiter.run("k", plan)]), [lossy(), lossy()]);
            assert.strictEqual(plans, 1, "the waiter plans the declined run itself");
            assert.ok(Date.now() - started < 10_000, "the waiter waited far longer than the planning took");
            assert.deepStrictEqual(await later.run("k", plan), lossy());
            assert.strictEqual(plans, 2, "a declined run is planned on every miss");
            assert.deepStrictEqual(claimsIn(dir), []);
        });

        it("a live claimant slower than the store's wait: the waiter plans the run itself", async () => {
            const claimant = diskRunStore(dir, "h", patient);
            const impatient = diskRunStore(dir, "h", { claimWaitMs: 100 });
            const planning = gate();
            const claimed = claimant.run("k", async () => {
                await planning.opened;
                return runNamed("claimant");
            });
            await until(() => fs.existsSync(path.join(dir, "h")) && claimsIn(dir).length === 1);
            assert.deepStrictEqual(await impatient.run("k", async () => runNamed("impatient")), runNamed("impatient"));
            planning.open();
            assert.deepStrictEqual(await claimed, runNamed("claimant"));
            assert.deepStrictEqual(claimsIn(dir), []);
        });
    });

    it("a new source hash starts empty and removes the runs of the old one", async () => {
        const plain = { resources: [] } as unknown as StackRun;
        await diskRunStore(dir, "old").write("k", plain);
        assert.deepStrictEqual(await diskRunStore(dir, "old").read("k"), plain);
        await diskRunStore(dir, "new").write("j", plain);
        assert.strictEqual(await diskRunStore(dir, "new").read("k"), undefined);
        assert.deepStrictEqual(fs.readdirSync(dir), ["new"]);
    });

    it("the source hash follows every file the program may read, and not the tests", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "run-store-sources-"));
        try {
            fs.mkdirSync(path.join(root, "components"));
            fs.mkdirSync(path.join(root, "test"));
            fs.writeFileSync(path.join(root, "components", "a.ts"), "export const a = 1;\n");
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config: {}\n");
            const before = sourceHash(root);
            fs.writeFileSync(path.join(root, "test", "a.test.ts"), "// a test\n");
            assert.strictEqual(sourceHash(root), before, "a test file does not change what the program plans");
            fs.writeFileSync(path.join(root, "components", "a.ts"), "export const a = 2;\n");
            const afterSource = sourceHash(root);
            assert.notStrictEqual(afterSource, before);
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config: { x: 1 }\n");
            assert.notStrictEqual(sourceHash(root), afterSource);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("installing the store (mocha's preload) loads no @pulumi package: a process that never plans pays nothing for the SDK", () => {
        const installed = runTypeScriptChild(
            ["-e", 'process.exitCode = require("./plan/stackRun").currentRunStore() ? 0 : 1'],
            {
                cwd: PROJECT_ROOT,
                preloads: [path.join(PROJECT_ROOT, "test", "support", "installRunStore.ts")],
                env: { ...process.env, VOTEAPP_RUN_STORE: "on" },
            },
        );
        assert.strictEqual(installed.status, 0, `no store installed: ${installed.stderr}`);
        assert.deepStrictEqual(installed.pulumiPackages, []);
        // The report does see what a child loads (one small module of @pulumi/aws here).
        const loading = runTypeScriptChild(["-e", 'require("@pulumi/aws/types/enums/ec2")'], { cwd: PROJECT_ROOT });
        assert.deepStrictEqual(loading.pulumiPackages, ["aws"]);
    });
});
