import * as assert from "assert";
import * as path from "path";
import type { CapturedResource } from "../../shared/capturedResource";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { checkTargetedUpdate, targetMatcher } from "../../plan/targeting";
import { githubOutputLines, stackInfo } from "../../scripts/stack-info";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";
import { allWorkflowSteps, shellBlocks } from "../support/workflows";

const STACK = "urn:pulumi:dev::voteapp::pulumi:pulumi:Stack::voteapp-dev";
const PROVIDER = "urn:pulumi:dev::voteapp::pulumi:providers:aws::dev-account";

/** A captured resource for synthetic graphs. */
function resource(
    urn: string,
    options: Partial<Pick<CapturedResource, "parent" | "dependencies" | "provider" | "deletedWith" | "type">> = {},
): CapturedResource {
    const type = options.type ?? urn.split("::")[2].split("$").pop() ?? "x:y:Z";
    return {
        urn,
        type,
        name: urn.split("::")[3],
        parent: options.parent ?? (urn === STACK ? undefined : STACK),
        provider: options.provider,
        custom: !type.startsWith("voteapp:"),
        remote: false,
        inputs: {},
        secretInputKeys: [],
        protect: false,
        retainOnDelete: false,
        dependencies: options.dependencies ?? [],
        deletedWith: options.deletedWith,
        replaceWith: [],
    };
}

const COMPONENT = "urn:pulumi:dev::voteapp::voteapp:registry:Registry::registry";
const REPO = "urn:pulumi:dev::voteapp::voteapp:registry:Registry$aws:ecr/repository:Repository::registry-vote";
const KEY = "urn:pulumi:dev::voteapp::aws:kms/key:Key::key";
const graph = (): CapturedResource[] => [
    resource(STACK, { type: "pulumi:pulumi:Stack" }),
    resource(PROVIDER, { type: "pulumi:providers:aws" }),
    resource(KEY, { provider: `${PROVIDER}::id-1` }),
    resource(COMPONENT),
    resource(REPO, { parent: COMPONENT, dependencies: [KEY], provider: `${PROVIDER}::id-1` }),
];

describe("Pulumi's --target rule over the captured graph (plan/targeting.ts)", () => {
    it("a targeted child whose parent component is new and untargeted fails, as the engine's diagnostic 2013", () => {
        const problems = checkTargetedUpdate(graph(), { targets: [KEY, REPO] });
        assert.deepStrictEqual(
            problems.map((p) => [p.kind, p.urn, p.dependency, p.relation]),
            [["untargeted-create", REPO, COMPONENT, "parent"]],
        );
    });

    it("a targeted resource whose dependency is new and untargeted fails; targeting both passes", () => {
        assert.deepStrictEqual(
            checkTargetedUpdate(graph(), { targets: [COMPONENT, REPO] }).map((p) => [p.dependency, p.relation]),
            [[KEY, "dependency"]],
        );
        assert.deepStrictEqual(checkTargetedUpdate(graph(), { targets: [KEY, COMPONENT, REPO] }), []);
    });

    it("providers and the root stack are always targeted; what the state already holds needs no target", () => {
        assert.deepStrictEqual(checkTargetedUpdate(graph(), { targets: [KEY] }), []);
        assert.deepStrictEqual(checkTargetedUpdate(graph(), { targets: [REPO] }, new Set([KEY, COMPONENT])), []);
    });

    it("--target-dependents targets what depends on a target, in registration order", () => {
        assert.deepStrictEqual(checkTargetedUpdate(graph(), { targets: [KEY, COMPONENT], targetDependents: true }), []);
        // The repository follows its parent and key, but the key alone cannot pull in the untargeted parent.
        assert.deepStrictEqual(
            checkTargetedUpdate(graph(), { targets: [KEY], targetDependents: true }).map((p) => p.dependency),
            [COMPONENT],
        );
    });

    it("deletedWith counts as a dependency, as GetAllDependencies says", () => {
        const resources = [
            ...graph(),
            resource("urn:pulumi:dev::voteapp::aws:ecr/lifecyclePolicy:LifecyclePolicy::p", { deletedWith: REPO }),
        ];
        assert.deepStrictEqual(
            checkTargetedUpdate(resources, {
                targets: ["urn:pulumi:dev::voteapp::aws:ecr/lifecyclePolicy:LifecyclePolicy::p"],
            }).map((p) => p.relation),
            ["deleted-with"],
        );
    });

    it("a literal target that names nothing fails; globs match as the engine's UrnTargets do", () => {
        assert.deepStrictEqual(
            checkTargetedUpdate(graph(), { targets: ["urn:pulumi:dev::voteapp::aws:kms/key:Key::nope"] }).map(
                (p) => p.kind,
            ),
            ["unknown-target"],
        );
        assert.ok(targetMatcher(["**registry-vote"])(REPO), "** matches across segments");
        assert.ok(targetMatcher([`${REPO.slice(0, REPO.lastIndexOf("::"))}::registry-*`])(REPO));
        assert.ok(
            !targetMatcher(["urn:pulumi:dev::voteapp::*::registry-vote"])(REPO),
            "* matches no colon, so not a type token",
        );
    });

    it("the first-deploy targets used before issue 11.3 (the data key alone) fail on an empty state", async function () {
        this.timeout(120_000);
        const run = await stackRun("dev");
        const key = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "data-key");
        assert.ok(key, "the dev stack has no data key");
        const problems = checkTargetedUpdate(run.resources, { targets: [key.urn] });
        assert.ok(
            problems.some((p) => p.relation === "parent" && p.dependency === key.parent),
            problems.map((p) => p.message).join("\n"),
        );
    });

    it("every targeted pulumi command in the workflows and the README passes the rule on an empty state, for every stack and platform", async function () {
        this.timeout(600_000);
        const commands = targetedCommands();
        for (const stack of SHIPPED_STACKS) {
            for (const platform of ["ecs", "eks", "lambda"]) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                for (const command of commands) {
                    const targets = command.targets(stack);
                    assert.ok(targets.length > 0, `${command.where}: --target whose URNs could not be resolved`);
                    const problems = checkTargetedUpdate(run.resources, { targets });
                    assert.deepStrictEqual(
                        problems.map((p) => p.message),
                        [],
                        `${command.where} on ${stack} (${platform}) would fail`,
                    );
                }
            }
        }
    });

    it("the command scan finds a --target fed from stack-info (so the test above can fail)", () => {
        const found = targetsIn('for target in $TARGETS; do args+=(--target "$target"); done', {
            TARGETS: "${{ steps.info.outputs.deploy-role-arn }}",
        });
        assert.strictEqual(found.length, 1);
        assert.deepStrictEqual(found[0]("dev"), [], "a role ARN is not a URN, so nothing resolves");
    });
});

interface TargetedCommand {
    readonly where: string;
    readonly targets: (stack: string) => string[];
}

/** `--target` uses in a run script; values come from literals or from env fed by stack-info's outputs. */
function targetsIn(script: string, env: Readonly<Record<string, string>> = {}): ((stack: string) => string[])[] {
    if (!/--target(\s|=)/.test(script)) return [];
    const literal = [...script.matchAll(/--target[\s=]+["']?(urn:pulumi:[^\s"']+)/g)].map((m) => m[1]);
    const fromInfo = Object.values(env)
        .map((value) => /\$\{\{\s*steps\.\w+\.outputs\.([\w-]+)\s*}}/.exec(value)?.[1])
        .filter((output): output is string => output !== undefined);
    return [
        (stack: string) => {
            const outputs = new Map(
                githubOutputLines(stackInfo(stack))
                    .split("\n")
                    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
            );
            const resolved = fromInfo.flatMap((output) => (outputs.get(output) ?? "").split(/\s+/));
            return [...literal, ...resolved]
                .map((t) => t.replace(/<stack>|<env>/g, stack))
                .filter((t) => t.startsWith("urn:pulumi:"));
        },
    ];
}

function targetedCommands(): TargetedCommand[] {
    const fromWorkflows = allWorkflowSteps().flatMap(({ file, job, step }) =>
        targetsIn(step.run ?? "", step.env).map((targets) => ({
            where: `${file} ${job} "${step.name ?? step.run}"`,
            targets,
        })),
    );
    const fromReadme = shellBlocks(path.join(PROJECT_ROOT, "README.md")).flatMap((block, index) =>
        targetsIn(block).map((targets) => ({ where: `README.md shell block ${index + 1}`, targets })),
    );
    return [...fromWorkflows, ...fromReadme];
}
