import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    ARCHITECTURE_NAMES,
    CPU_ARCHITECTURES,
    type CpuArchitecture,
    imagePlatformsFor,
    instanceTypeArchitecture,
} from "../../shared/cpuArchitecture";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";
import { DISTROLESS_NODE_IMAGES } from "../../shared/nodeRuntimeSupport";
import type { CapturedResource } from "../../shared/capturedResource";
import { readStackConfig } from "../../plan/stackFile";
import { listStacks, PROJECT_ROOT } from "../../plan/projectRoot";
import { captureCommand, type CommandResult } from "../../plan/command";
import { imagePlatforms, stackInfoCommand } from "../../scripts/stack-info";
import { ConfigValidationError, parseVoteAppConfig, type VoteAppConfig } from "../../stacks/config";
import { parseDockerfile } from "../support/dockerfile";
import { input, stackRun } from "../support/stacks";
import { readWorkflow, workflowFiles, workflowText } from "../support/workflows";

/**
 * Issue 11.1: the CPU architecture is one key per stack (voteapp:cpuArchitecture). What every plan creates
 * (Fargate task definitions, EKS node group AMI and instance types, pod node selectors, Lambda functions)
 * must be built by the deploy workflow, which reads the architectures from the stack files through
 * scripts/stack-info.ts: the test plans every stack file on every platform, collects the architectures from
 * the captured resources, and checks the workflow's build steps build each.
 */

const reverse = <K extends keyof (typeof ARCHITECTURE_NAMES)["arm64"]>(field: K, value: unknown): CpuArchitecture => {
    const found = CPU_ARCHITECTURES.find((a) => ARCHITECTURE_NAMES[a][field] === value);
    assert.ok(found, `${String(value)} is not a known ${field} architecture name`);
    return found;
};

/** Every architecture a planned resource runs on, with where it came from. */
function architecturesOf(resources: readonly CapturedResource[]): { where: string; architecture: CpuArchitecture }[] {
    const found: { where: string; architecture: CpuArchitecture }[] = [];
    const add = (where: string, architecture: CpuArchitecture) => found.push({ where, architecture });
    for (const r of resources) {
        if (r.type === "aws:ecs/taskDefinition:TaskDefinition")
            add(`task definition ${r.name}`, reverse("ecs", input(r, "runtimePlatform", "cpuArchitecture")));
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            add(`node group ${r.name} AMI`, reverse("eksAmiType", r.inputs.amiType));
            for (const type of r.inputs.instanceTypes as string[])
                add(`node group ${r.name} ${type}`, instanceTypeArchitecture(type));
        }
        if (r.type === "kubernetes:apps/v1:Deployment") {
            const selector = input(r, "spec", "template", "spec", "nodeSelector") as Record<string, string> | undefined;
            const arch = selector?.["kubernetes.io/arch"];
            if (arch !== undefined) add(`Deployment ${r.name}`, reverse("kubernetes", arch));
        }
        if (r.type === "aws:lambda/function:Function")
            for (const a of r.inputs.architectures as string[]) add(`function ${r.name}`, reverse("lambda", a));
    }
    return found;
}

/** The `platforms` of every image build step of deploy.yml, resolved through the step that sets them. */
async function workflowBuildPlatforms(): Promise<{ target: string; platforms: string }[]> {
    const build = readWorkflow("deploy.yml").jobs.build;
    const steps = build.steps ?? [];
    const images = steps.filter((s) => s.uses?.startsWith("docker/build-push-action@"));
    assert.deepStrictEqual(
        images.map((s) => s.with?.target),
        ["vote", "result", "worker"],
    );
    const platforms = await stackInfoImagePlatforms();
    return images.map((step) => {
        const expression = String(step.with?.platforms);
        const ref = /^\$\{\{ steps\.([\w-]+)\.outputs\.platforms \}\}$/.exec(expression);
        assert.ok(ref, `${String(step.with?.target)}: platforms "${expression}" must come from a stack-info step`);
        const source = steps.find((s) => s.id === ref[1]);
        assert.strictEqual(
            source?.run,
            "npx ts-node --transpile-only scripts/stack-info.ts --image-platforms --github-output",
            "the platforms step runs stack-info",
        );
        assert.ok(steps.indexOf(source) < steps.indexOf(step), "the platforms are read before the images are built");
        return { target: String(step.with?.target), platforms };
    });
}

/**
 * What `scripts/stack-info.ts --image-platforms` prints: the script's command, run in this process (plan/command.ts;
 * test/scripts/stackInfo.test.ts runs its entry point as a process, the way the workflows do).
 */
let printed: Promise<CommandResult> | undefined;
async function stackInfoImagePlatforms(): Promise<string> {
    printed ??= captureCommand(stackInfoCommand, ["--image-platforms"]);
    const { code, out, err } = await printed;
    assert.strictEqual(code, 0, err);
    const line = out.split("\n").find((l) => l.startsWith("platforms="));
    assert.ok(line, `stack-info printed no platforms= line:\n${out}`);
    return line.slice("platforms=".length);
}

function parseWith(stack: string, changes: Record<string, string>): VoteAppConfig {
    const file = readStackConfig(stack);
    const raw = { ...file.config };
    for (const [key, value] of Object.entries(changes)) raw[`voteapp:${key}`] = value;
    return parseVoteAppConfig(raw, { project: file.project, stack });
}

function assertRefused(stack: string, changes: Record<string, string>, key: string, ...fragments: string[]): void {
    assert.throws(
        () => parseWith(stack, changes),
        (err: unknown) => {
            assert.ok(err instanceof ConfigValidationError, String(err));
            const line = err.message.split("\n").find((l) => l.includes(`voteapp:${key} =`));
            assert.ok(line, `no problem for voteapp:${key}:\n${err.message}`);
            for (const fragment of fragments) assert.ok(line.includes(fragment), `"${fragment}" not in: ${line}`);
            return true;
        },
    );
}

describe("CPU architecture: one key per stack, built by the workflow, run by every platform", function () {
    this.timeout(240_000);

    for (const stack of listStacks()) {
        for (const platform of ["ecs", "eks", "lambda"] as const) {
            it(`${stack} on ${platform}: everything planned runs the stack's architecture, and deploy.yml builds it`, async () => {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                const config = parseWith(stack, { platform });
                const found = architecturesOf(run.resources);
                assert.ok(found.length > 0, "no architecture-bearing resource planned");
                for (const { where, architecture } of found)
                    assert.strictEqual(architecture, config.cpuArchitecture, `${where} runs ${architecture}`);
                if (platform === "lambda") return; // functions run zip archives, not the images
                for (const { target, platforms } of await workflowBuildPlatforms())
                    for (const architecture of new Set(found.map((f) => f.architecture)))
                        assert.ok(
                            platforms.split(",").includes(ARCHITECTURE_NAMES[architecture].imagePlatform),
                            `deploy.yml builds ${target} for ${platforms}, not ${ARCHITECTURE_NAMES[architecture].imagePlatform}`,
                        );
            });
        }
    }

    it("a stack on x86_64 plans x86_64 everywhere (ECS tasks, EKS nodes and pods, Lambda functions, the database setup function)", async () => {
        for (const platform of ["ecs", "eks", "lambda"] as const) {
            const run = await stackRun("dev", {
                overrides: {
                    "voteapp:platform": platform,
                    "voteapp:cpuArchitecture": "x86_64",
                    // m7i.large: the x86 type test/plan/nodePrices.test.ts prices on dev's eks, so the two share the run.
                    ...(platform === "eks" ? { "voteapp:eksNodeInstanceTypes": "m7i.large" } : {}),
                },
            });
            const found = architecturesOf(run.resources);
            assert.ok(found.length > 0, platform);
            if (platform === "ecs")
                assert.ok(
                    found.some((f) => f.where.startsWith("function ")),
                    "the database setup function is planned on ecs",
                );
            if (platform === "eks")
                for (const where of ["node group", "Deployment"])
                    assert.ok(
                        found.some((f) => f.where.startsWith(where)),
                        `eks on x86_64 plans no ${where}: ${found.map((f) => f.where).join(", ")}`,
                    );
            for (const { where, architecture } of found) assert.strictEqual(architecture, "x86_64", where);
        }
    });

    it("stack-info builds the union: one platform per architecture any stack runs", async () => {
        assert.strictEqual(
            imagePlatforms(),
            imagePlatformsFor(listStacks().map((s) => parseWith(s, {}).cpuArchitecture)),
        );
        assert.strictEqual(await stackInfoImagePlatforms(), imagePlatforms());
        assert.strictEqual(imagePlatformsFor(["arm64", "x86_64", "arm64"]), "linux/amd64,linux/arm64");
        assert.strictEqual(imagePlatformsFor(["x86_64"]), "linux/amd64");
    });

    it("a stack switched to x86_64 gets linux/amd64 built beside linux/arm64, and its plan runs only what is built", async () => {
        // The repository's stack files, staging switched to x86_64, in a directory of their own (staging's x86 plan is
        // the one test/plan/nodePrices.test.ts prices).
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
        try {
            const files = ["Pulumi.yaml", ...listStacks().map((stack) => `Pulumi.${stack}.yaml`)];
            for (const file of files) fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
            const stagingFile = path.join(root, "Pulumi.staging.yaml");
            const staging = YAML.parseDocument(fs.readFileSync(stagingFile, "utf8"));
            staging.setIn(["config", "voteapp:cpuArchitecture"], "x86_64");
            fs.writeFileSync(stagingFile, staging.toString());

            const platforms = imagePlatforms(root).split(",");
            assert.deepStrictEqual(platforms, ["linux/amd64", "linux/arm64"]);
            assert.strictEqual(imagePlatforms(), "linux/arm64", "the repository's stacks all run arm64");
            const run = await stackRun("staging", { overrides: { "voteapp:cpuArchitecture": "x86_64" } });
            for (const { where, architecture } of architecturesOf(run.resources))
                assert.ok(
                    platforms.includes(ARCHITECTURE_NAMES[architecture].imagePlatform),
                    `${where}: ${architecture}`,
                );
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("no workflow names a platform itself, and the runtime image is published for every architecture", () => {
        for (const file of workflowFiles())
            assert.doesNotMatch(workflowText(file), /linux\/(amd64|arm64)/, `${file} pins a platform`);
        const image = DISTROLESS_NODE_IMAGES[NODE_RUNTIME.runtimeImage.replace(/:[^:/]+$/, "")];
        for (const architecture of CPU_ARCHITECTURES)
            assert.ok(image?.architectures.includes(ARCHITECTURE_NAMES[architecture].kubernetes), architecture);
    });

    it("app/Dockerfile runs RUN steps only on the build platform, so a multi-platform build needs no emulation", () => {
        for (const stage of parseDockerfile())
            if (stage.instructions.some((i) => i.keyword === "RUN"))
                assert.strictEqual(
                    stage.platform,
                    "$BUILDPLATFORM",
                    `stage ${stage.name} runs commands per target platform`,
                );
    });

    describe("config", () => {
        it("accepts arm64 (default) and x86_64, nothing else", () => {
            assert.strictEqual(parseWith("dev", {}).cpuArchitecture, "arm64");
            assert.strictEqual(parseWith("dev", { cpuArchitecture: "x86_64" }).cpuArchitecture, "x86_64");
            assertRefused("dev", { cpuArchitecture: "amd64" }, "cpuArchitecture", "arm64, x86_64");
        });

        it("refuses EKS node instance types of the other architecture, naming voteapp:cpuArchitecture", () => {
            assertRefused(
                "dev",
                { platform: "eks", cpuArchitecture: "x86_64" },
                "eksNodeInstanceTypes",
                '"c7g.large" is an arm64 instance type',
                "voteapp:cpuArchitecture is x86_64",
            );
            assertRefused(
                "dev",
                { platform: "eks", eksNodeInstanceTypes: "m7i.large" },
                "eksNodeInstanceTypes",
                '"m7i.large" is an x86_64 instance type',
                "voteapp:cpuArchitecture is arm64",
            );
            // x86_64 types on x86_64: the node instance tables (components/eks/eniLimits.ts, instanceSizes.ts) hold
            // both architectures, so eks runs x86_64 too.
            assert.strictEqual(
                parseWith("dev", {
                    platform: "eks",
                    cpuArchitecture: "x86_64",
                    eksNodeInstanceTypes: "c7i.large,m7i.large",
                }).cpuArchitecture,
                "x86_64",
            );
            // Another platform does not use the node group: its instance types need not match.
            parseWith("dev", { platform: "ecs", cpuArchitecture: "x86_64" });
        });

        it("knows Graviton instance families by name", () => {
            for (const type of [
                "t4g.medium",
                "m7g.large",
                "c7gn.xlarge",
                "r8gd.2xlarge",
                "x2gd.large",
                "im4gn.large",
                "g5g.xlarge",
                "a1.large",
            ])
                assert.strictEqual(instanceTypeArchitecture(type), "arm64", type);
            for (const type of [
                "t3.medium",
                "m7i.large",
                "c6a.xlarge",
                "m6idn.large",
                "g5.xlarge",
                "inf2.xlarge",
                "t3a.medium",
            ])
                assert.strictEqual(instanceTypeArchitecture(type), "x86_64", type);
        });
    });
});
