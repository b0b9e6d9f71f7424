import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEPLOY_SESSION_SECONDS } from "../../components/delivery/ciSessions";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { stackInfo } from "../../scripts/stack-info";
import { BOOTSTRAP_STACKS, bootstrapRun } from "../bootstrap/support";
import { decideAssume, roleNamed } from "../support/iamSimulation";

/**
 * Seams between the workflows and the CI roles the bootstrap creates: how long the deploy job's session
 * lasts (issue 11.11) and which stacks a pull request previews with credentials (issue 12.2).
 */
interface Step {
    readonly name?: string;
    readonly uses?: string;
    readonly if?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
}
const stepsOf = (file: string, job: string): Step[] =>
    (
        YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", file), "utf8")) as {
            jobs: Record<string, { steps: Step[] }>;
        }
    ).jobs[job].steps;
const isCredentials = (s: Step) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false;

describe("CI roles and workflows", function () {
    this.timeout(120_000);

    it("the deploy job asks for a session as long as the deploy role allows, from one source (ciSessions.ts)", async () => {
        const deploy = stepsOf("deploy-environment.yml", "deploy").find(
            (s) => isCredentials(s) && s.with?.["role-to-assume"] === "${{ steps.info.outputs.deploy-role-arn }}",
        );
        assert.ok(deploy, "no deploy role assumption in deploy-environment.yml");
        assert.strictEqual(deploy.with?.["role-duration-seconds"], "${{ steps.info.outputs.deploy-session-seconds }}");
        for (const stack of BOOTSTRAP_STACKS) {
            const role = (await bootstrapRun(stack)).resources.find(
                (r) => r.type === "aws:iam/role:Role" && r.inputs.name === "voteapp-deploy",
            );
            assert.deepStrictEqual(
                [stackInfo(stack).deploySessionSeconds, role?.inputs.maxSessionDuration],
                [DEPLOY_SESSION_SECONDS, DEPLOY_SESSION_SECONDS],
                stack,
            );
        }
        // STS refuses a session longer than 12 hours; the first pulumi up needs more than the default hour.
        assert.ok(DEPLOY_SESSION_SECONDS > 3600 && DEPLOY_SESSION_SECONDS <= 12 * 3600);
    });

    it("a pull request previews with credentials exactly the stacks whose preview role trusts pull requests", async () => {
        const steps = stepsOf("preview.yml", "preview");
        const credentialed = steps.filter(
            (s) => isCredentials(s) || s.with?.command === "preview" || s.uses?.startsWith("pulumi/actions@"),
        );
        assert.ok(credentialed.length >= 2);
        for (const s of credentialed)
            assert.strictEqual(
                s.if,
                "steps.info.outputs.pull-request-preview == 'true'",
                `${s.name} runs for every stack`,
            );
        const offline = steps.find((s) => s.run?.includes('npm run -s plan -- --stack "$STACK"'));
        assert.strictEqual(offline?.if, "steps.info.outputs.pull-request-preview != 'true'");

        for (const stack of BOOTSTRAP_STACKS) {
            const run = await bootstrapRun(stack);
            const preview = roleNamed(run, "voteapp-preview");
            const account = preview.accountId;
            const decision = decideAssume(preview, {
                principal: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
                action: "sts:AssumeRoleWithWebIdentity",
                context: {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": "repo:example-org/voteapp-infra:pull_request",
                },
            });
            assert.strictEqual(stackInfo(stack).pullRequestPreview, decision === "Allowed", stack);
            assert.strictEqual(stackInfo(stack).pullRequestPreview, stack === "dev", stack);
        }
    });
});
