import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    BUNDLE_FILE,
    BundleError,
    bundleEntry,
    bundleLambdaHandler,
    lambdaHandlerArchive,
} from "../../../components/serverless/bundle";
import { typeScriptChild } from "../../support/children";

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Loads a bundle's text as a CommonJS module, as the Lambda runtime loads index.js. */
function loadBundle(code: string): { handler?: unknown } {
    const module = { exports: {} as { handler?: unknown } };
    new Function("module", "exports", "require", code)(module, module.exports, require);
    return module.exports;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Error);
        return error;
    }
    assert.fail("expected a rejection");
}

describe("Lambda handler bundles", function () {
    this.timeout(60_000);

    for (const [name, variable] of [
        ["vote-lambda", "VOTES_QUEUE_URL"],
        ["result-lambda", "VOTES_TABLE_NAME"],
        ["worker-lambda", "VOTES_TABLE_NAME"],
    ] as const) {
        it(`${name} is a self-contained module exporting a handler that checks ${variable} on its first invocation`, async () => {
            const code = await bundleLambdaHandler(name);
            // Only the SDK's optional CRT signers stay behind a guarded require; the clients the handlers use are inside.
            assert.ok(
                !/require\(["']@aws-sdk\/(client-|lib-)/.test(code),
                "the AWS SDK clients are bundled, not required from the runtime",
            );
            const exported = loadBundle(code);
            assert.strictEqual(typeof exported.handler, "function", "exports.handler");
            const saved = { ...process.env };
            delete process.env.VOTES_QUEUE_URL;
            delete process.env.VOTES_TABLE_NAME;
            try {
                const error = await rejection((exported.handler as (event: unknown) => Promise<unknown>)({}));
                assert.ok(error.message.includes(variable), `handler error should name ${variable}: ${error.message}`);
            } finally {
                process.env = saved;
            }
        });
    }

    it("is minified, without source maps, comments or absolute paths, and byte-identical on every build", async () => {
        const entry = path.join("app", "src", "lambda", "worker.ts");
        // The bundle the platform deploys (from the tests' bundle store: built by another worker or an earlier run) against a fresh build.
        const [first, second] = [await bundleLambdaHandler("worker-lambda"), await bundleEntry("worker-lambda", entry)];
        assert.strictEqual(first, second, "two builds of the same sources differ: previews would show a code change");
        assert.ok(!first.includes("sourceMappingURL"), "no source map");
        assert.ok(!first.includes(REPOSITORY_ROOT), "no absolute path of the build machine");
        assert.ok(!/\n\s*\/\/ /.test(first), "no comments");
        assert.ok(
            first.includes("createWorkerHandler") && !first.includes("isConditionFailure"),
            "minified: internal names (store.ts isConditionFailure) are mangled, exports kept",
        );
    });

    it("fails with an error naming the bundle, the entry and esbuild's reason", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
        const entry = path.join(dir, "broken.ts");
        fs.writeFileSync(
            entry,
            'import { nothing } from "./no-such-module";\nexport const handler = async () => nothing;\n',
        );
        try {
            const error = await rejection(bundleEntry("broken-lambda", entry));
            assert.ok(error instanceof BundleError, `expected a BundleError, got ${error.name}`);
            for (const fragment of ['"broken-lambda"', "broken.ts", "no-such-module", "Could not resolve"])
                assert.ok(error.message.includes(fragment), `message lacks ${fragment}:\n${error.message}`);
            const missing = await rejection(bundleEntry("absent-lambda", path.join(dir, "absent.ts")));
            assert.ok(missing instanceof BundleError && missing.message.includes("absent.ts"), missing.message);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops a program run with that error when a function's bundle fails (nothing is deployed half-built)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
        const entry = path.join(dir, "broken.ts");
        fs.writeFileSync(entry, "export const handler = async () => {;\n");
        // In a child process: a failed program leaves the Pulumi runtime's promises pending, which it reports at exit.
        // (Its TypeScript loaded through esbuild: test/support/children.ts.)
        const script = `
            const aws = require("@pulumi/aws");
            const pulumi = require("@pulumi/pulumi");
            const { runMocked } = require("./plan/harness");
            const { bundleEntry } = require("./components/serverless/bundle");
            runMocked(() => {
                const provider = new aws.Provider("test", { region: "eu-west-1" });
                const code = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleEntry("broken-lambda", ${JSON.stringify(entry)})) });
                new aws.lambda.Function("broken", { role: "arn:aws:iam::111111111111:role/fn", runtime: "nodejs22.x", handler: "index.handler", code }, { provider });
                return {};
            }, { project: "voteapp", stack: "dev", config: {}, context: { region: "eu-west-1", accountId: "111111111111" } })
                .then(() => process.stdout.write("RESOLVED"), (error) => process.stdout.write("REJECTED " + error.message));
        `;
        try {
            const result = spawnSync(process.execPath, typeScriptChild("-e", script), {
                cwd: REPOSITORY_ROOT,
                encoding: "utf8",
                timeout: 60_000,
            });
            assert.ok(result.stdout.startsWith("REJECTED "), `the run should fail: ${result.stdout}\n${result.stderr}`);
            for (const fragment of ['"code"', 'Lambda bundle "broken-lambda"', "broken.ts"])
                assert.ok(result.stdout.includes(fragment), `error lacks ${fragment}: ${result.stdout}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("wraps a handler's bundle into an archive holding index.js", async () => {
        const archive = lambdaHandlerArchive("result-lambda");
        const assets = await archive.assets;
        assert.deepStrictEqual(Object.keys(assets), [BUNDLE_FILE]);
        const asset = assets[BUNDLE_FILE];
        assert.ok(asset instanceof pulumi.asset.StringAsset);
        assert.strictEqual(await asset.text, await bundleLambdaHandler("result-lambda"));
    });
});
