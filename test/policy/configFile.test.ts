import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks, PROJECT_ROOT } from "../../plan/projectRoot";
import { ENVIRONMENTS } from "../../policy/enforcement";
import {
    packConfigChoiceFor,
    packConfigFile,
    packConfigFileName,
    packConfigRepositoryPath,
} from "../../policy/configFile";
import { githubOutputLines, stackInfo } from "../../scripts/stack-info";
import { parseVoteAppConfig } from "../../stacks/config";
import { readStackConfig } from "../../plan/stackFile";
import { planCli } from "../support/plan";
import {
    readWorkflow,
    stepOutputReferences,
    stepsOf,
    stepWithId,
    workflowFiles,
    workflowText,
} from "../support/workflows";

/**
 * Issue 11.9: a stack is judged with one pack config file, picked by policy/configFile.ts from its validated
 * config, by the offline plan, by scripts/stack-info.ts and, through its output, by both workflows and the
 * AWS-native pipeline. A stack whose security baseline is central must get <tier>-central-security.json.
 */
const CENTRAL = ["--set", "voteapp:securityBaseline=central", "--set", "voteapp:securityAccountId=444455556666"];

describe("policy pack config of a stack (policy/configFile.ts)", function () {
    this.timeout(180_000);

    it("every choice names a shipped, generated file", () => {
        for (const tier of ENVIRONMENTS)
            for (const centralSecurityAccount of [false, true]) {
                const choice = { tier, centralSecurityAccount };
                assert.ok(fs.existsSync(packConfigFile(choice)), `${packConfigFileName(choice)} does not exist`);
                assert.strictEqual(
                    path.join(PROJECT_ROOT, packConfigRepositoryPath(choice)),
                    packConfigFile(choice),
                    "the repository path the workflows pass is the file",
                );
            }
    });

    it("a central security baseline picks <tier>-central-security.json, the stack's own baseline <tier>.json", () => {
        for (const stack of listStacks()) {
            const file = readStackConfig(stack);
            const own = parseVoteAppConfig(file.config, { project: file.project, stack });
            assert.strictEqual(packConfigFileName(packConfigChoiceFor(own)), `${own.tier}.json`);
            const central = parseVoteAppConfig(
                {
                    ...file.config,
                    "voteapp:securityBaseline": "central",
                    "voteapp:securityAccountId": "444455556666",
                    "voteapp:securityHub": "false",
                },
                { project: file.project, stack },
            );
            assert.strictEqual(packConfigFileName(packConfigChoiceFor(central)), `${own.tier}-central-security.json`);
        }
    });

    it("npm run plan -- --stack prod with a central baseline is judged with prod-central-security.json and exits 0", async () => {
        const { code, out, err } = await planCli(
            "--stack",
            "prod",
            ...CENTRAL,
            "--set",
            "voteapp:securityHub=false",
            "--json",
        );
        assert.strictEqual(code, 0, `exit ${code}\n${err.slice(-3000)}`);
        const parsed = JSON.parse(out) as { policy: { configFile: string; summary: { mandatory: number } } };
        assert.strictEqual(path.basename(parsed.policy.configFile), "prod-central-security.json");
        assert.strictEqual(parsed.policy.summary.mandatory, 0);
    });

    it("stack-info gives each stack's workflows the file the plan judges it with", () => {
        for (const stack of listStacks()) {
            const file = readStackConfig(stack);
            const config = parseVoteAppConfig(file.config, { project: file.project, stack });
            const lines = githubOutputLines(stackInfo(stack)).split("\n");
            assert.ok(
                lines.includes(`policy-config=${packConfigRepositoryPath(packConfigChoiceFor(config))}`),
                `${stack}: ${lines.join("\n")}`,
            );
        }
    });

    it("the workflows pass the pack config stack-info outputs, never a file name of their own", () => {
        const outputs = new Set(
            githubOutputLines(stackInfo("dev"))
                .split("\n")
                .map((line) => line.slice(0, line.indexOf("="))),
        );
        for (const file of workflowFiles()) {
            const text = workflowText(file);
            assert.ok(!text.includes("policy/config/"), `${file} names a pack config file itself`);
            const workflow = readWorkflow(file);
            // Every output read from a stack-info step is one stack-info writes.
            for (const [job, spec] of Object.entries(workflow.jobs)) {
                for (const [id, name] of stepOutputReferences(YAML.stringify(spec))) {
                    const step = stepWithId(spec, id);
                    const run = step?.run ?? "";
                    if (!/scripts\/stack-info\.ts .*--github-output/.test(run)) continue;
                    // --image-platforms writes platforms=; --stack writes the stack's lines.
                    const written = run.includes("--image-platforms") ? new Set(["platforms"]) : outputs;
                    assert.ok(
                        written.has(name),
                        `${file} ${job}: steps.${id}.outputs.${name} is not a stack-info output`,
                    );
                }
            }
            for (const { job, step } of stepsOf(workflow)) {
                const runsPulumi = /--policy-pack-config/.test(step.run ?? "");
                if (runsPulumi) {
                    assert.match(step.run ?? "", /--policy-pack-config "\$POLICY_CONFIG"/, `${file} ${job}`);
                    assert.strictEqual(
                        step.env?.POLICY_CONFIG,
                        "${{ steps.info.outputs.policy-config }}",
                        `${file} ${job}`,
                    );
                }
                if (step.with?.policyPacks !== undefined)
                    assert.strictEqual(
                        step.with.policyPackConfigs,
                        "${{ steps.info.outputs.policy-config }}",
                        `${file} ${job}`,
                    );
            }
        }
        const judged = [
            ...stepsOf(readWorkflow("deploy-environment.yml")).filter(({ step }) =>
                step.run?.includes("--policy-pack-config"),
            ),
            ...stepsOf(readWorkflow("preview.yml")).filter(({ step }) => step.with?.policyPackConfigs !== undefined),
        ];
        // No targeted first deploy any more (the registry is the bootstrap's, issue 11.3): the deploy and the preview.
        assert.strictEqual(judged.length, 2, "the deploy and the preview each pass a pack config");
    });
});
