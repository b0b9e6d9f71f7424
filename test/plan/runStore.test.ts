import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { type RunStackOptions, type RunStore, runStack, type StackRun, useRunStore } from "../../plan/runStack";
import { APP_SERVICE_TABLE } from "../../shared/appContract";
import { BENCH_RUN_MARKER } from "../../bench/bench";
import { STEP_MARKER } from "../../scripts/test";
import { decodeRun, diskRunStore, encodeRun, PROCESS_IDENTITY, sourceHash } from "../support/runStore";

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
        read(key) {
            log.reads.push(key);
            const run = disk.read(key);
            if (run) log.hits++;
            return run;
        },
        write(key, run) {
            log.writes++;
            return disk.write(key, run);
        },
    };
    return Object.assign(log, { store });
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
            assert.deepStrictEqual(decodeRun(await encodeRun(fresh)), fresh);
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
            assert.strictEqual(diskRunStore(dir, "h").read("k"), undefined, String(lossy));
        }
        const plain = { resources: [{ name: "a", parent: undefined }] } as unknown as StackRun;
        await store.write("k", plain);
        assert.deepStrictEqual(diskRunStore(dir, "h").read("k"), plain);
        assert.strictEqual(diskRunStore(dir, "h").read("other"), undefined);
        process.env.VOTEAPP_RUN_STORE_TEST = "set";
        try {
            assert.strictEqual(diskRunStore(dir, "h").read("k"), undefined, "the environment is part of the key");
        } finally {
            delete process.env.VOTEAPP_RUN_STORE_TEST;
        }
    });

    it("another mocha worker, another npm test or bench run reads the same run: their process names are not in the key", async () => {
        const named = { ...process.env };
        try {
            process.env.MOCHA_WORKER_ID = "0";
            process.env.VOTEAPP_TEST_STEP = "tests:a";
            process.env.VOTEAPP_BENCH_RUN = "bench-1";
            const plain = { resources: [{ name: "a" }] } as unknown as StackRun;
            await diskRunStore(dir, "h").write("k", plain);
            process.env.MOCHA_WORKER_ID = "1";
            process.env.VOTEAPP_TEST_STEP = "tests:b";
            delete process.env.VOTEAPP_BENCH_RUN;
            assert.deepStrictEqual(diskRunStore(dir, "h").read("k"), plain, "each worker planned the run again");
            assert.deepStrictEqual(
                [...PROCESS_IDENTITY].sort(),
                ["MOCHA_WORKER_ID", STEP_MARKER, BENCH_RUN_MARKER].sort(),
            );
        } finally {
            for (const name of PROCESS_IDENTITY) {
                if (named[name] === undefined) delete process.env[name];
                else process.env[name] = named[name];
            }
        }
    });

    it("a new source hash starts empty and removes the runs of the old one", async () => {
        const plain = { resources: [] } as unknown as StackRun;
        await diskRunStore(dir, "old").write("k", plain);
        assert.deepStrictEqual(diskRunStore(dir, "old").read("k"), plain);
        await diskRunStore(dir, "new").write("j", plain);
        assert.strictEqual(diskRunStore(dir, "new").read("k"), undefined);
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
});
