import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { githubOutputLines, registryTargetUrns, stackInfo } from "../../scripts/stack-info";
import { stackRun } from "../support/stacks";
import { PROJECT_ROOT } from "../../plan/stackFile";

describe("scripts/stack-info.ts", () => {
    it("reads staging's account, roles, registry and state backend from the two stack files", () => {
        assert.deepStrictEqual(stackInfo("staging"), {
            stack: "staging",
            tier: "staging",
            policyConfig: "policy/config/staging.json",
            accountId: "222222222222",
            region: "eu-west-1",
            deployRoleArn: "arn:aws:iam::222222222222:role/voteapp-deploy",
            previewRoleArn: "arn:aws:iam::222222222222:role/voteapp-preview",
            registry: "222222222222.dkr.ecr.eu-west-1.amazonaws.com",
            repositoryPrefix: "voteapp-staging",
            backendUrl: "s3://voteapp-pulumi-state-222222222222?region=eu-west-1",
            secretsProvider: "awskms://alias/voteapp-pulumi-state?region=eu-west-1",
            githubEnvironment: "staging",
            registryTargets: registryTargetUrns("staging", "voteapp").join(" "),
        });
    });

    it("every shipped environment's program and bootstrap stack files agree", () => {
        for (const stack of ["dev", "staging", "prod"]) assert.strictEqual(stackInfo(stack).stack, stack);
    });

    it("the first-deploy targets are the URNs the program gives its data key, repositories and lifecycle policies", async function () {
        this.timeout(120_000);
        const run = await stackRun("staging");
        const urns = new Set(run.resources.map((r) => r.urn));
        for (const target of registryTargetUrns("staging", "voteapp"))
            assert.ok(
                urns.has(target),
                `${target} is not a URN of the staging program; have e.g. ${run.resources
                    .filter((r) => r.type.startsWith("aws:ecr"))
                    .map((r) => r.urn)
                    .join(", ")}`,
            );
        const repositories = run.resources.filter((r) => r.type === "aws:ecr/repository:Repository").map((r) => r.urn);
        assert.ok(
            repositories.every((u) => registryTargetUrns("staging", "voteapp").includes(u)),
            "a repository is missing from the targets",
        );
    });

    it("writes GitHub output lines in kebab-case", () => {
        const lines = githubOutputLines(stackInfo("prod")).split("\n");
        assert.ok(lines.includes("deploy-role-arn=arn:aws:iam::333333333333:role/voteapp-deploy"), lines.join("\n"));
        assert.ok(lines.includes("repository-prefix=voteapp-prod"));
    });

    it("the CLI lists the stacks for the workflows' matrices and fails on an unknown stack", () => {
        const script = path.join(PROJECT_ROOT, "scripts", "stack-info.ts");
        const run = (...args: string[]) =>
            execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
        assert.deepStrictEqual(JSON.parse(run("--list")), ["dev", "prod", "staging"]);
        assert.throws(() => run("--stack", "nope"), /Pulumi\.nope\.yaml does not exist/);
    });
});
