import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBundle, bundleEntry, bundleOnce, bundleRequest } from "../../../components/serverless/bundle";
import { type BundleRequest, type BundleStore, useBundleStore } from "../../../components/serverless/bundleStore";
import { diskBundleStore } from "../../support/bundleStore";
import { typeScriptChild } from "../../support/children";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * A small project of its own in a temporary directory (the store's root): src/entry.ts imports ./dep (dep.ts) and
 * nothing else; src/other.ts sits beside them unread.
 */
function fixtureProject(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-store-"));
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    };
    write("package.json", '{ "name": "fixture", "private": true }\n');
    write("package-lock.json", '{ "name": "fixture", "lockfileVersion": 3, "packages": {} }\n');
    write("src/entry.ts", 'import { greeting } from "./dep";\nexport const handler = async () => greeting;\n');
    write("src/dep.ts", 'export const greeting: string = "hello from dep.ts";\n');
    write("src/other.ts", 'export const unused = "not read";\n');
    return root;
}

describe("bundle store (components/serverless/bundleStore.ts, test/support/bundleStore.ts)", function () {
    this.timeout(60_000);

    let root: string;
    let store: BundleStore;
    let request: BundleRequest;
    /** Entries built (store misses) so far. */
    let builds: number;

    /** The bundle of `changed` (the fixture's request by default) through the store, counting builds. */
    const bundle = (changed: BundleRequest = request) =>
        store.bundle(changed, () => {
            builds += 1;
            return buildBundle("fixture", changed);
        });
    const fixtureFile = (file: string) => path.join(root, file);
    const storedEntries = () => fs.readdirSync(path.join(root, "store")).filter((name) => name.endsWith(".json"));

    beforeEach(async () => {
        root = fixtureProject();
        store = diskBundleStore(path.join(root, "store"), root);
        request = await bundleRequest(fixtureFile("src/entry.ts"));
        builds = 0;
        assert.match(await bundle(), /hello from dep\.ts/);
        assert.strictEqual(builds, 1, "a first bundle is built");
    });

    afterEach(() => {
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("keeps a bundle through changes to files it did not read, byte-identical to a fresh build", async () => {
        fs.appendFileSync(fixtureFile("src/other.ts"), "export const more = 1;\n");
        fs.writeFileSync(fixtureFile("README.md"), "a new file outside the inputs' directories\n");
        const stored = await bundle();
        assert.strictEqual(builds, 1, "read from the store, not built again");
        assert.strictEqual(stored, await bundleEntry("fixture", fixtureFile("src/entry.ts")), "a fresh build's bytes");
    });

    it("rebuilds after a change to a file it read", async () => {
        fs.writeFileSync(fixtureFile("src/dep.ts"), 'export const greeting: string = "changed dep.ts";\n');
        assert.match(await bundle(), /changed dep\.ts/);
        assert.strictEqual(builds, 2);
    });

    it("rebuilds when a new file beside an input changes what an import resolves to", async () => {
        // esbuild tries .tsx before .ts: `./dep` is now dep.tsx, though no file the bundle read changed.
        fs.writeFileSync(fixtureFile("src/dep.tsx"), 'export const greeting: string = "hello from dep.tsx";\n');
        assert.match(await bundle(), /hello from dep\.tsx/);
        assert.strictEqual(builds, 2);
    });

    it("rebuilds when a tsconfig.json, a package.json or the lockfile changes on the way up to the root", async () => {
        const changes: readonly [string, string][] = [
            ["tsconfig.json", '{ "compilerOptions": { "useDefineForClassFields": false } }\n'],
            ["package.json", '{ "name": "fixture", "private": true, "type": "module" }\n'],
            ["package-lock.json", '{ "name": "fixture", "lockfileVersion": 3, "packages": { "": {} } }\n'],
        ];
        for (const [file, text] of changes) {
            const before = builds;
            fs.writeFileSync(fixtureFile(file), text);
            await bundle();
            assert.strictEqual(builds, before + 1, `rebuilt after a change to ${file}`);
        }
    });

    it("does not keep a bundle whose input changed while it was built (its code is of the older file)", async () => {
        // A request not kept yet (the minified one is), so that this build is a miss.
        const unminified: BundleRequest = { ...request, options: { ...request.options, minify: false } };
        const changedDuringBuild = await store.bundle(unminified, async () => {
            const built = await buildBundle("fixture", unminified);
            fs.writeFileSync(fixtureFile("src/dep.ts"), 'export const greeting: string = "changed meanwhile";\n');
            return built;
        });
        assert.match(changedDuringBuild, /hello from dep\.ts/, "the build read the older file");
        assert.match(await bundle(unminified), /changed meanwhile/, "built again, not read from the store");
    });

    it("rebuilds for other esbuild options or another esbuild version, keeping each apart", async () => {
        const unminified: BundleRequest = { ...request, options: { ...request.options, minify: false } };
        const otherVersion: BundleRequest = { ...request, esbuildVersion: `${request.esbuildVersion}-other` };
        const code = await bundle(unminified);
        assert.strictEqual(builds, 2, "new options: built");
        assert.notStrictEqual(code, await bundle(), "unminified differs, and the minified one is still kept");
        await bundle(otherVersion);
        assert.strictEqual(builds, 3, "another esbuild: built");
        await bundle(unminified);
        assert.strictEqual(builds, 3, "each request kept under its own entry");
    });

    it("rebuilds an entry that is corrupt or cut short, and keeps the new one", async () => {
        const [entry] = storedEntries();
        const file = path.join(root, "store", entry);
        const whole = fs.readFileSync(file, "utf8");
        for (const broken of [whole.slice(0, whole.length / 2), "null", whole.replace(/"code":"/, '"code":1,"x":"')]) {
            fs.writeFileSync(file, broken);
            const before = builds;
            assert.match(await bundle(), /hello from dep\.ts/);
            assert.strictEqual(builds, before + 1, `rebuilt from ${broken.slice(0, 40)}...`);
            await bundle();
            assert.strictEqual(builds, before + 1, "the rebuilt entry is kept");
        }
        assert.deepStrictEqual(storedEntries(), [entry], "no partial file left beside it");
    });

    it("gives every bundle the program builds (bundleOnce) the installed store's", async () => {
        const requests: BundleRequest[] = [];
        const previous = useBundleStore({
            bundle: async (asked) => (requests.push(asked), "stored code"),
        });
        try {
            assert.strictEqual(await bundleOnce("fixture", fixtureFile("src/entry.ts")), "stored code");
            assert.deepStrictEqual(requests, [request]);
        } finally {
            useBundleStore(previous);
        }
    });

    it("is installed by the tests' preload (mocha's, children's), which loads neither Pulumi nor the program", () => {
        const mocharc = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, ".mocharc.json"), "utf8")) as {
            require?: string[];
        };
        assert.ok(mocharc.require?.includes("test/support/installBundleStore.ts"), JSON.stringify(mocharc.require));
        // A child as tests start them (test/support/children.ts): the TypeScript loader and the preload, nothing else.
        const script = [
            'const { bundleStore } = require("./components/serverless/bundleStore");',
            "const loaded = Object.keys(require.cache).filter((f) => /@pulumi|[\\\\/](components|plan)[\\\\/](?!serverless[\\\\/]bundleStore)/.test(f));",
            "process.stdout.write(JSON.stringify({ installed: bundleStore() !== undefined, loaded }));",
        ].join("\n");
        const out = execFileSync(process.execPath, typeScriptChild("-e", script), {
            cwd: REPOSITORY_ROOT,
            encoding: "utf8",
            env: { ...process.env, VOTEAPP_RUN_STORE: "on" },
        });
        assert.deepStrictEqual(JSON.parse(out), { installed: true, loaded: [] });
    });
});
