import * as assert from "assert";
import * as YAML from "yaml";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { packConfigFor } from "../../policy/enforcement";
import { bootstrapRun, list, policyOf, statement } from "./support";
import { DEPLOY_SESSION_SECONDS } from "../../components/delivery/ciSessions";
import { assertPrivateTlsOnlyBucket, descendantsOf, input, named, ofType, single } from "../support/resources";

interface Stage {
    readonly name: string;
    readonly actions: readonly {
        readonly name: string;
        readonly category: string;
        readonly provider: string;
        readonly configuration?: Record<string, string>;
        readonly runOrder?: number;
    }[];
}

const ACCOUNTS = { dev: "111111111111", staging: "222222222222", prod: "333333333333" } as const;

describe("DeliveryPipeline (bootstrap tooling stack)", function () {
    this.timeout(120_000);
    const tooling = () => bootstrapRun("tooling");

    it("is created only by the tooling stack, which has no GitHub CI roles", async () => {
        const run = await tooling();
        single(run, "voteapp:delivery:DeliveryPipeline");
        assert.strictEqual(ofType(run, "voteapp:delivery:GitHubCiAccess").length, 0);
        for (const stack of ["dev", "staging", "prod"])
            assert.strictEqual(ofType(await bootstrapRun(stack), "voteapp:delivery:DeliveryPipeline").length, 0, stack);
    });

    it("runs Source → Test and Preview → Deploy dev → approval → staging → approval → prod", async () => {
        const pipeline = single(await tooling(), "aws:codepipeline/pipeline:Pipeline");
        assert.strictEqual(pipeline.inputs.pipelineType, "V2");
        const stages = pipeline.inputs.stages as Stage[];
        assert.deepStrictEqual(
            stages.map((s) => s.name),
            [
                "Source",
                "Test-and-Preview",
                "Deploy-dev",
                "Approve-staging",
                "Deploy-staging",
                "Approve-prod",
                "Deploy-prod",
            ],
        );
        assert.deepStrictEqual(
            stages[1].actions.map((a) => [a.name, a.runOrder]),
            [
                ["Test", 1],
                ["Preview", 2],
            ],
        );
        for (const approval of stages.filter((s) => s.name.startsWith("Approve")))
            assert.deepStrictEqual(
                [approval.actions[0].category, approval.actions[0].provider],
                ["Approval", "Manual"],
            );
        const source = stages[0].actions[0];
        assert.deepStrictEqual(
            [source.provider, source.configuration?.FullRepositoryId, source.configuration?.BranchName],
            ["CodeStarSourceConnection", "example-org/voteapp-infra", "main"],
        );
        assert.deepStrictEqual(
            input(pipeline, "triggers", 0, "gitConfiguration", "pushes", 0, "branches", "includes"),
            ["main"],
        );
    });

    it("stores artifacts in a KMS-encrypted, versioned, private, TLS-only bucket, encrypted with the pipeline's key", async () => {
        const run = await tooling();
        const pipeline = single(run, "aws:codepipeline/pipeline:Pipeline");
        const key = single(run, "aws:kms/key:Key");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.deepStrictEqual(input(pipeline, "artifactStores", 0, "encryptionKey", "type"), "KMS");
        assertPrivateTlsOnlyBucket(run, "delivery-artifacts", { sseAlgorithm: "aws:kms", versioned: true });
    });

    it("each deploy build may assume only its own environment's deploy role; the preview build only the preview roles; the test build nothing", async () => {
        const run = await tooling();
        const assumable = (role: string) => {
            const policy = policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", `delivery-${role}`));
            return policy.Statement.filter((s) => list(s.Action).includes("sts:AssumeRole")).flatMap((s) =>
                list(s.Resource as string | string[]),
            );
        };
        for (const [stack, account] of Object.entries(ACCOUNTS))
            assert.deepStrictEqual(assumable(`deploy-${stack}`), [`arn:aws:iam::${account}:role/voteapp-deploy`]);
        assert.deepStrictEqual(
            assumable("preview"),
            Object.values(ACCOUNTS).map((a) => `arn:aws:iam::${a}:role/voteapp-preview`),
        );
        assert.deepStrictEqual(assumable("test"), []);
        assert.deepStrictEqual(assumable("pipeline"), []);
    });

    it("no pipeline or build role holds a wildcard action or resource beyond its artifact bucket and log group", async () => {
        const run = await tooling();
        const pipeline = single(run, "voteapp:delivery:DeliveryPipeline");
        for (const policy of descendantsOf(run, pipeline).filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")) {
            for (const s of policyOf(policy).Statement) {
                for (const action of list(s.Action))
                    assert.doesNotMatch(action, /\*/, `${policy.name} ${s.Sid}: ${action}`);
                for (const resource of list(s.Resource as string | string[]))
                    assert.ok(
                        resource !== "*" && (!resource.includes("*") || /:log-group:.*:\*$|\/\*$/.test(resource)),
                        `${policy.name} ${s.Sid}: ${resource}`,
                    );
            }
        }
        const pipelinePolicy = policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "delivery-pipeline"));
        assert.deepStrictEqual(list(statement(pipelinePolicy, "Builds").Resource as string[]).length, 5);
        assert.strictEqual(statement(pipelinePolicy, "Source").Action, "codestar-connections:UseConnection");
    });

    it("build roles trust only CodeBuild of this account, the pipeline role only CodePipeline", async () => {
        const run = await tooling();
        for (const role of ofType(run, "aws:iam/role:Role")) {
            const trust = policyOf(role, "assumeRolePolicy").Statement[0];
            const service =
                role.name === "delivery-pipeline" ? "codepipeline.amazonaws.com" : "codebuild.amazonaws.com";
            assert.deepStrictEqual(
                [trust.Principal, trust.Condition],
                [{ Service: service }, { StringEquals: { "aws:SourceAccount": "444444444444" } }],
                role.name,
            );
        }
    });

    it("the preview build previews every environment with the pack under its preview role; each deploy build runs pulumi up with the stack's pack config", async () => {
        const run = await tooling();
        const spec = (name: string) =>
            YAML.parse(
                String(input(named(run, "aws:codebuild/project:Project", `delivery-${name}`), "source", "buildspec")),
            ) as { phases: { build: { commands: string[] } } };
        const preview = spec("preview").phases.build.commands.join("\n");
        for (const [stack, account] of Object.entries(ACCOUNTS))
            assert.ok(
                preview.includes(`export STACK=${stack} PREVIEW_ROLE_ARN=arn:aws:iam::${account}:role/voteapp-preview`),
                preview,
            );
        // The pack config is the one stack-info picks for the stack (policy/configFile.ts), as in the GitHub workflows.
        assert.match(preview, /policy_config=\$\(echo "\$info" \| sed -n 's\/\^policy-config=\/\/p'\)/);
        assert.match(
            preview,
            /pulumi preview --stack "\$STACK" --policy-pack policy --policy-pack-config "\$policy_config"/,
        );
        assert.doesNotMatch(preview, /policy\/config\//, "the buildspec names no pack config file itself");
        assert.doesNotMatch(preview, /pulumi up/);
        const deploy = named(run, "aws:codebuild/project:Project", "delivery-deploy-prod");
        assert.match(
            spec("deploy-prod").phases.build.commands.join("\n"),
            /pulumi up --yes --stack "\$STACK" --policy-pack policy/,
        );
        const variables = input(deploy, "environment", "environmentVariables") as { name: string; value: string }[];
        assert.deepStrictEqual(Object.fromEntries(variables.map((v) => [v.name, v.value])), {
            STACK: "prod",
            DEPLOY_ROLE_ARN: "arn:aws:iam::333333333333:role/voteapp-deploy",
        });
        assert.deepStrictEqual(spec("test").phases.build.commands, ["npm test"]);
        assert.strictEqual(input(deploy, "environment", "privilegedMode"), false);
    });

    it("a deploy build outlives the longest first pulumi up: the deploy session's length, and the role re-assumed as its session ends (STS caps a chained session at one hour)", async () => {
        const run = await tooling();
        for (const stack of Object.keys(ACCOUNTS)) {
            const project = named(run, "aws:codebuild/project:Project", `delivery-deploy-${stack}`);
            assert.ok(
                Number(project.inputs.buildTimeout) * 60 >= DEPLOY_SESSION_SECONDS,
                `${stack}: build timeout ${String(project.inputs.buildTimeout)} min < ${DEPLOY_SESSION_SECONDS} s`,
            );
        }
        for (const name of ["preview", "deploy-prod"]) {
            const commands = (
                YAML.parse(
                    String(
                        input(named(run, "aws:codebuild/project:Project", `delivery-${name}`), "source", "buildspec"),
                    ),
                ) as { phases: { build: { commands: string[] } } }
            ).phases.build.commands.join("\n");
            // One-off keys of a chained AssumeRole would expire after an hour, mid-deploy.
            assert.doesNotMatch(commands, /sts assume-role|AWS_SESSION_TOKEN|AWS_ACCESS_KEY_ID/, name);
            const role = name === "preview" ? "PREVIEW_ROLE_ARN" : "DEPLOY_ROLE_ARN";
            for (const line of [
                `aws configure set profile.pipeline-environment.role_arn "$${role}"`,
                "aws configure set profile.pipeline-environment.credential_source EcsContainer",
                "export AWS_PROFILE=pipeline-environment AWS_SDK_LOAD_CONFIG=1",
            ])
                assert.ok(commands.includes(line), `${name}: ${line}`);
            assert.ok(
                commands.indexOf("export AWS_PROFILE=") < commands.indexOf("pulumi login"),
                `${name}: the profile is in effect before Pulumi starts`,
            );
        }
    });

    it("reports the build role ARNs the environment bootstraps trust", async () => {
        const run = await tooling();
        assert.strictEqual(
            run.outputs.pipelinePreviewRoleArn,
            "arn:aws:iam::444444444444:role/voteapp-pipeline-preview",
        );
        assert.deepStrictEqual(
            run.outputs.pipelineDeployRoleArns,
            Object.fromEntries(
                Object.keys(ACCOUNTS).map((s) => [s, `arn:aws:iam::444444444444:role/voteapp-pipeline-deploy-${s}`]),
            ),
        );
    });

    it("passes the policy pack's mandatory rules under staging enforcement (prod's also pins the prod account, which the tooling account is not)", async () => {
        const report = evaluatePolicies((await tooling()).resources, { config: packConfigFor("staging") });
        const blocking = report.violations.filter(
            (v) => v.level === "mandatory" && !["guardduty-enabled", "inspector-enabled"].includes(v.policyName),
        );
        assert.deepStrictEqual(blocking, [], formatReport(report, "tooling"));
    });
});
