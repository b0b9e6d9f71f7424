import * as assert from "assert";
import * as path from "path";
import { DEPLOY_SESSION_SECONDS } from "../../components/delivery/ciSessions";
import { captureCommand } from "../../plan/command";
import { githubOutputLines, stackInfo, stackInfoCommand } from "../../scripts/stack-info";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { runTypeScriptChild } from "../support/children";

describe("scripts/stack-info.ts", () => {
    it("reads staging's account, roles, registry and state backend from the two stack files", () => {
        assert.deepStrictEqual(stackInfo("staging"), {
            stack: "staging",
            tier: "staging",
            policyConfig: "policy/config/staging.json",
            accountId: "222222222222",
            region: "eu-west-1",
            cpuArchitecture: "arm64",
            imagePlatform: "linux/arm64",
            deployRoleArn: "arn:aws:iam::222222222222:role/voteapp-deploy",
            previewRoleArn: "arn:aws:iam::222222222222:role/voteapp-preview",
            registry: "222222222222.dkr.ecr.eu-west-1.amazonaws.com",
            repositoryPrefix: "voteapp-staging",
            backendUrl: "s3://voteapp-pulumi-state-222222222222?region=eu-west-1",
            secretsProvider: "awskms://alias/voteapp-pulumi-state?region=eu-west-1",
            githubEnvironment: "staging",
            runsOn: '["ubuntu-latest"]',
            pullRequestPreview: false,
            deploySessionSeconds: DEPLOY_SESSION_SECONDS,
        });
    });

    it("every shipped environment's program and bootstrap stack files agree", () => {
        for (const stack of ["dev", "staging", "prod"]) assert.strictEqual(stackInfo(stack).stack, stack);
    });

    it("writes GitHub output lines in kebab-case", () => {
        const lines = githubOutputLines(stackInfo("prod")).split("\n");
        assert.ok(lines.includes("deploy-role-arn=arn:aws:iam::333333333333:role/voteapp-deploy"), lines.join("\n"));
        assert.ok(lines.includes("repository-prefix=voteapp-prod"));
    });

    it("the CLI lists the stacks for the workflows' matrices and fails on an unknown stack", async () => {
        const script = path.join(PROJECT_ROOT, "scripts", "stack-info.ts");
        // The entry point as a process, as the workflows run it (its TypeScript loaded through esbuild:
        // test/support/children.ts), once; the other case in-process.
        const list = runTypeScriptChild([script, "--list"], { cwd: PROJECT_ROOT });
        assert.strictEqual(list.status, 0, list.stderr);
        assert.deepStrictEqual(JSON.parse(list.stdout), ["dev", "prod", "staging"]);
        // It reads stack files and config, never the SDK (the workflows run it in every job: ~0.8 CPU-s it was).
        assert.ok(!list.pulumiPackages.includes("pulumi"), "stack-info loaded @pulumi/pulumi");
        const unknown = await captureCommand(stackInfoCommand, ["--stack", "nope"]);
        assert.notStrictEqual(unknown.code, 0);
        assert.match(unknown.err, /Pulumi\.nope\.yaml does not exist/);
    });
});
