import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { NODE_MAJOR, NODE_RUNTIME } from "../../shared/nodeRuntime";
import {
    DISTROLESS_NODE_IMAGES,
    LAMBDA_NODE_RUNTIMES,
    NODE_RELEASES,
    RUNTIME_SUPPORT_CHECKED_ON,
} from "../../shared/nodeRuntimeSupport";
import { BUNDLE_TARGET } from "../../components/serverless/bundle";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { bootstrapRun } from "../bootstrap/support";
import { parseDockerfile } from "../support/dockerfile";
import { input, ofType, stackRun } from "../support/stacks";
import { readWorkflow, stepsOf, workflowFiles } from "../support/workflows";

/**
 * Issue 11.14: the Node.js release that ships is one constant (shared/nodeRuntime.ts), read by the
 * Dockerfile's stages, the esbuild targets, the Lambda runtime, the CI toolchains and app/package.json; and
 * none of them may be past its end of life, judged with today's date against the dated table in
 * shared/nodeRuntimeSupport.ts. (The repository's own toolchain may be older: see the root `engines`.)
 */

const today = new Date().toISOString().slice(0, 10);

function assertSupported(what: string, endOfLife: string | undefined, source: string): void {
    assert.ok(endOfLife, `${what}: no row in shared/nodeRuntimeSupport.ts (${source}); add it before shipping it`);
    assert.ok(
        today < endOfLife,
        `${what} reached its end of life on ${endOfLife} (${source}); today is ${today}: move shared/nodeRuntime.ts to a supported LTS`,
    );
}

const majorOf = (text: string): number => Number(/(\d+)/.exec(text)?.[1] ?? NaN);
const nodeEndOfLife = (major: number) => NODE_RELEASES[major]?.endOfLife;

/** The majors the workflows' actions/setup-node steps install. */
function setupNodeVersions(): { where: string; version: string }[] {
    return workflowFiles().flatMap((file) =>
        stepsOf(readWorkflow(file))
            .filter(({ step }) => step.uses?.startsWith("actions/setup-node@"))
            .map(({ job, step }) => ({ where: `${file} ${job}`, version: String(step.with?.["node-version"]) })),
    );
}

describe("Node.js runtime that ships (shared/nodeRuntime.ts)", function () {
    this.timeout(180_000);

    describe("is supported today", () => {
        it(`Node.js ${NODE_MAJOR} is an LTS release before its end of life`, () => {
            const release = NODE_RELEASES[NODE_MAJOR];
            assertSupported(`Node.js ${NODE_MAJOR}`, release?.endOfLife, "nodejs/Release schedule.json");
            assert.ok(release.ltsFrom <= today, `Node.js ${NODE_MAJOR} is not LTS until ${release.ltsFrom}`);
        });

        it(`Lambda ${NODE_RUNTIME.lambdaRuntime} is not deprecated`, () => {
            assertSupported(
                NODE_RUNTIME.lambdaRuntime,
                LAMBDA_NODE_RUNTIMES[NODE_RUNTIME.lambdaRuntime]?.deprecation,
                "Lambda's Node.js runtimes table",
            );
        });

        it("the images' build and runtime bases are built and supported", () => {
            const runtime = NODE_RUNTIME.runtimeImage.replace(/:[^:/]+$/, "");
            const image = DISTROLESS_NODE_IMAGES[runtime];
            assert.ok(image, `${runtime} is not a distroless image that is built (distroless nodejs/config.bzl)`);
            assertSupported(runtime, nodeEndOfLife(image.major), "distroless follows Node.js LTS");
            assertSupported(
                NODE_RUNTIME.buildImage,
                nodeEndOfLife(majorOf(NODE_RUNTIME.buildImage)),
                "Docker node image",
            );
        });

        it("every CI toolchain the workflows and the AWS-native pipeline install is supported", async () => {
            const versions = setupNodeVersions();
            assert.ok(versions.length > 0, "no actions/setup-node step");
            for (const { where, version } of versions)
                assertSupported(`${where} setup-node ${version}`, nodeEndOfLife(majorOf(version)), "Node.js schedule");
            for (const spec of await pipelineBuildspecs())
                assertSupported(
                    `${spec.project} runtime-versions nodejs ${spec.nodejs}`,
                    nodeEndOfLife(majorOf(spec.nodejs)),
                    "Node.js schedule",
                );
        });

        it(`the support table was checked on ${RUNTIME_SUPPORT_CHECKED_ON}, not in the future`, () => {
            assert.ok(RUNTIME_SUPPORT_CHECKED_ON <= today, RUNTIME_SUPPORT_CHECKED_ON);
        });
    });

    describe("is the one every consumer uses", () => {
        it("app/Dockerfile builds on node:<major>-alpine and runs on distroless nodejs<major>", () => {
            const stages = parseDockerfile();
            const names = new Set(stages.map((s) => s.name));
            const images = stages.filter((s) => !names.has(s.base)).map((s) => [s.name, s.base]);
            assert.deepStrictEqual(images, [
                ["build", NODE_RUNTIME.buildImage],
                ["runtime", NODE_RUNTIME.runtimeImage],
            ]);
        });

        it("the bundles target it and every Lambda function runs it", async () => {
            assert.strictEqual(BUNDLE_TARGET, NODE_RUNTIME.esbuildTarget);
            const run = await stackRun("dev", { overrides: { "voteapp:platform": "lambda" } });
            const runtimes = ofType(run, "aws:lambda/function:Function").map((f) => f.inputs.runtime);
            assert.ok(runtimes.length === 3, `expected vote, result and worker functions, got ${runtimes.length}`);
            for (const runtime of runtimes) assert.strictEqual(runtime, NODE_RUNTIME.lambdaRuntime);
        });

        it("the workflows and the pipeline's buildspecs install it", async () => {
            for (const { where, version } of setupNodeVersions())
                assert.strictEqual(version, NODE_RUNTIME.toolchainVersion, where);
            const specs = await pipelineBuildspecs();
            assert.ok(specs.length > 0, "no CodeBuild project in the tooling stack");
            for (const spec of specs) assert.strictEqual(spec.nodejs, NODE_RUNTIME.toolchainVersion, spec.project);
        });

        it("app/package.json (what the image build installs) requires it; the toolchain's engines admit it", () => {
            const read = (file: string) =>
                JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as { engines?: { node?: string } };
            assert.strictEqual(read("app/package.json").engines?.node, NODE_RUNTIME.enginesRange);
            const toolchain = read("package.json").engines?.node ?? "";
            const floor = /^>=(\d+)(?:\.\d+)*$/.exec(toolchain);
            assert.ok(floor, `root engines.node is "${toolchain}", expected a >= floor`);
            assert.ok(
                Number(floor[1]) <= NODE_MAJOR,
                `the toolchain's engines (${toolchain}) refuse Node.js ${NODE_MAJOR}`,
            );
        });

        it("no shipped file pins a Node.js release of its own", () => {
            const pinned =
                /\bnodejs\d{2}\b|\bnodejs\d{2}\.x\b|\bnode:\d{2}\b|\bnode-version:\s*\d|"node\d{2}"|nodejs:\s*"?\d{2}/;
            const roots = ["shared", "app", "components", "stacks", "scripts", "bootstrap", "plan", ".github"];
            const allowed = new Set(["shared/nodeRuntime.ts", "shared/nodeRuntimeSupport.ts", "app/Dockerfile"]);
            const offenders: string[] = [];
            const walk = (dir: string) => {
                for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
                    const relative = path.posix.join(dir, entry.name);
                    if (entry.name === "node_modules" || entry.name === "dist") continue;
                    if (entry.isDirectory()) walk(relative);
                    else if (!allowed.has(relative) && /\.(ts|ya?ml|json)$/.test(entry.name)) {
                        const text = fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8");
                        if (relative.endsWith("package-lock.json")) continue;
                        const workflow = relative.startsWith(".github/");
                        for (const [index, line] of text.split("\n").entries())
                            if (pinned.test(line) && !(workflow && line.includes(`node-version: ${NODE_MAJOR}`)))
                                offenders.push(`${relative}:${index + 1}: ${line.trim()}`);
                    }
                }
            };
            for (const root of roots) walk(root);
            assert.deepStrictEqual(offenders, []);
        });
    });
});

/** The Node.js version each CodeBuild project of the AWS-native pipeline installs (bootstrap tooling stack). */
async function pipelineBuildspecs(): Promise<{ project: string; nodejs: string }[]> {
    const run = await bootstrapRun("tooling");
    return ofType(run, "aws:codebuild/project:Project").map((project) => {
        const spec = YAML.parse(String(input(project, "source", "buildspec"))) as {
            phases: { install: { "runtime-versions": { nodejs: string | number } } };
        };
        return { project: project.name, nodejs: String(spec.phases.install["runtime-versions"].nodejs) };
    });
}
