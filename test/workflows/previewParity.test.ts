import * as assert from "assert";
import { runStack } from "../../plan/runStack";
import { type StackRun } from "../../plan/stackRun";
import { readStackConfig, type StackFileConfig } from "../../plan/stackFile";
import { deployedImages, imagePinConfig, imagePins } from "../../scripts/pin-images";
import { githubOutputLines, stackInfo } from "../../scripts/stack-info";
import { APP_SERVICES } from "../../shared/appContract";
import type { CapturedResource } from "../../shared/capturedResource";
import { readWorkflow, type WorkflowJob } from "../support/workflows";

/**
 * A preview of an unchanged main must show no change (issue 11.8). The program is run as the preview job
 * runs it and as the deploy job ran it (each job's config changes, read from the workflows, and each job's
 * environment), and every resource's inputs, the providers' included, must be identical: any difference is
 * a change `pulumi preview` would show on every pull request.
 */

const PREVIEW = readWorkflow("preview.yml").jobs.preview;
const DEPLOY = readWorkflow("deploy-environment.yml").jobs.deploy;
const DIGEST = (service: string) => `sha256:${Buffer.from(service).toString("hex").padEnd(64, "0").slice(0, 64)}`;

const scripts = (job: WorkflowJob) => (job.steps ?? []).map((s) => s.run ?? "").filter(Boolean);

/** `${{ … }}` expressions of the jobs' env, as GitHub resolves them for one environment's run. */
function resolve(value: string, stack: string): string {
    return value.replace(/\$\{\{\s*([^}]+?)\s*}}/g, (_, expression: string) => {
        if (expression === "matrix.stack" || expression === "inputs.environment") return stack;
        const digest = /^inputs\.(vote|result|worker)-digest$/.exec(expression);
        if (digest) return DIGEST(digest[1]);
        return "";
    });
}

/** The environment a job's Pulumi steps see: the job's env, plus what configure-aws-credentials exports. */
function jobEnvironment(job: WorkflowJob, stack: string, role: "preview" | "deploy"): Record<string, string> {
    const region = stackInfo(stack).region;
    return {
        ...Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, resolve(v, stack)])),
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: `ASIA${role.toUpperCase()}EXAMPLE`,
        AWS_SECRET_ACCESS_KEY: `${role}-secret`,
        AWS_SESSION_TOKEN: `${role}-session-token`,
        GITHUB_JOB: role,
    };
}

async function withEnvironment<T>(env: Readonly<Record<string, string>>, run: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
        return await run();
    } finally {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    }
}

const withConfig = (base: StackFileConfig, changes: Readonly<Record<string, string>>): StackFileConfig => ({
    ...base,
    config: { ...base.config, ...changes },
});

interface JobContext {
    readonly stack: string;
    /** `steps.<id>.outputs.<name>` values of the job's earlier steps. */
    readonly stepOutputs: Readonly<Record<string, string>>;
    /** What `pulumi stack output images --json` prints for the deployed stack ("" before its first deploy). */
    readonly deployedImagesJson: string;
}

// Expands $VAR, "$VAR" and the basename form ${VAR##*/} the way bash does, for the simple words the workflows use.
function expand(word: string, env: Readonly<Record<string, string>>): string {
    return word
        .replace(/^"|"$/g, "")
        .replace(/\$\{(\w+)##\*\/}/g, (_, name: string) => (env[name] ?? "").replace(/^.*\//, ""))
        .replace(/\$\{?(\w+)}?/g, (_, name: string) => env[name] ?? "");
}

/**
 * The config a job gives the program, by replaying its steps' config-changing commands in order:
 * `pulumi config set [--stack "$STACK"] <key> <value>` and scripts/pin-images.ts, with each step's env
 * resolved for this environment.
 */
function jobConfig(job: WorkflowJob, context: JobContext): Record<string, string> {
    const changes: Record<string, string> = {};
    for (const step of job.steps ?? []) {
        const env: Record<string, string> = { STACK: context.stack };
        for (const [key, value] of Object.entries(step.env ?? {}))
            env[key] = value.replace(
                /\$\{\{\s*steps\.(\w+)\.outputs\.([\w-]+)\s*}}/g,
                (_, id: string, name: string) => context.stepOutputs[`${id}.${name}`] ?? "",
            );
        for (const line of (step.run ?? "").split("\n")) {
            const set = /pulumi config set (?:--stack "?\$STACK"? )?(\S+) (\S+)/.exec(line);
            if (set) changes[set[1]] = expand(set[2], env);
            if (!line.includes("scripts/pin-images.ts")) continue;
            const pins = line.includes("--deployed")
                ? deployedImages(context.deployedImagesJson)
                : imagePins(
                      Object.fromEntries(
                          APP_SERVICES.map((s) => [s, expand(new RegExp(`--${s} (\\S+)`).exec(line)?.[1] ?? "", env)]),
                      ),
                  );
            if (pins) Object.assign(changes, imagePinConfig(pins));
        }
    }
    return changes;
}

/** What the engine compares between runs: everything it stores per resource. */
function stateOf(resource: CapturedResource) {
    return {
        type: resource.type,
        parent: resource.parent,
        provider: resource.provider,
        inputs: resource.inputs,
        dependencies: [...resource.dependencies].sort(),
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
    };
}

function assertSameResources(deployed: StackRun, previewed: StackRun, label: string): void {
    const before = new Map(deployed.resources.map((r) => [r.urn, stateOf(r)]));
    const after = new Map(previewed.resources.map((r) => [r.urn, stateOf(r)]));
    assert.deepStrictEqual(
        [...after.keys()].sort(),
        [...before.keys()].sort(),
        `${label}: resources created or deleted`,
    );
    const changed = [...after.entries()].filter(([urn, state]) => {
        try {
            assert.deepStrictEqual(state, before.get(urn));
            return false;
        } catch {
            return true;
        }
    });
    if (changed.length > 0) {
        const [urn, state] = changed[0];
        assert.deepStrictEqual(
            state,
            before.get(urn),
            `${label}: ${changed.length} resource(s) would change in the preview, e.g. ${urn}: ${changed.map(([u]) => u.split("::").pop()).join(", ")}`,
        );
    }
}

describe("a preview of an unchanged main shows no change (preview job vs deploy job)", () => {
    it("neither job sets config except the image pins (scripts/pin-images.ts): no `pulumi config set`, no --config", () => {
        for (const [name, job] of [
            ["preview.yml preview", PREVIEW],
            ["deploy-environment.yml deploy", DEPLOY],
        ] as const) {
            for (const script of scripts(job)) {
                assert.doesNotMatch(
                    script,
                    /pulumi config (set|rm)|pulumi \w+ .*(--config|\s-c\s)/,
                    `${name}: ${script}`,
                );
            }
        }
        assert.ok(
            scripts(DEPLOY).some((s) =>
                s.includes(
                    'scripts/pin-images.ts --stack "$STACK" --vote "$VOTE_IMAGE" --result "$RESULT_IMAGE" --worker "$WORKER_IMAGE"',
                ),
            ),
            "the deploy job pins the images it copied in",
        );
        const up = (DEPLOY.steps ?? []).find((s) => s.id === "up");
        for (const service of APP_SERVICES)
            assert.strictEqual(
                up?.env?.[`${service.toUpperCase()}_IMAGE`],
                `\${{ steps.images.outputs.${service}-image }}`,
            );
        const images = (DEPLOY.steps ?? []).find((s) => s.id === "images")?.run ?? "";
        assert.ok(
            images.includes('echo "$service-image=$REGISTRY/$PREFIX/$service@$digest" >> "$GITHUB_OUTPUT"'),
            images,
        );
        const pin = scripts(PREVIEW).find((s) => s.includes("scripts/pin-images.ts"));
        assert.ok(pin?.includes('deployed=$(pulumi stack output images --json --stack "$STACK"'), pin);
        assert.ok(pin?.includes('scripts/pin-images.ts --stack "$STACK" --deployed "$deployed"'), pin);
        const steps = PREVIEW.steps ?? [];
        assert.ok(
            steps.findIndex((s) => s.run?.includes("pin-images")) <
                steps.findIndex((s) => s.with?.command === "preview"),
            "the preview job pins before it previews",
        );
    });

    const cases: [string, string][] = [
        ["dev", "ecs"],
        ["staging", "ecs"],
        ["prod", "ecs"],
        ["staging", "eks"],
        ["dev", "lambda"],
    ];
    for (const [stack, platform] of cases) {
        it(`${stack} on ${platform}: every resource input, the AWS provider's included, is identical`, async function () {
            this.timeout(300_000);
            const base = withConfig(readStackConfig(stack), { "voteapp:platform": platform });
            const info = new Map(
                githubOutputLines(stackInfo(stack))
                    .split("\n")
                    .map((l) => [`info.${l.slice(0, l.indexOf("="))}`, l.slice(l.indexOf("=") + 1)] as const),
            );
            // The deploy job: its images step copies the build's digests into the environment's registry, then
            // the up step applies them (as the step's own echo line names them).
            const imageOutputs = Object.fromEntries(
                APP_SERVICES.map((s) => [
                    `images.${s}-image`,
                    `${info.get("info.registry")}/${info.get("info.repository-prefix")}/${s}@${DIGEST(s)}`,
                ]),
            );
            const deployed = await withEnvironment(jobEnvironment(DEPLOY, stack, "deploy"), () =>
                runStack(stack, {
                    config: withConfig(
                        base,
                        jobConfig(DEPLOY, {
                            stack,
                            stepOutputs: { ...Object.fromEntries(info), ...imageOutputs },
                            deployedImagesJson: "",
                        }),
                    ),
                }),
            );
            // The preview job, on the deployed stack: `pulumi stack output images --json` reports what it runs.
            const reported = deployed.outputs.images === undefined ? "" : JSON.stringify(deployed.outputs.images);
            const previewed = await withEnvironment(jobEnvironment(PREVIEW, stack, "preview"), () =>
                runStack(stack, {
                    config: withConfig(
                        base,
                        jobConfig(PREVIEW, {
                            stack,
                            stepOutputs: Object.fromEntries(info),
                            deployedImagesJson: reported,
                        }),
                    ),
                }),
            );
            assertSameResources(deployed, previewed, `${stack} on ${platform}`);
        });
    }
});
