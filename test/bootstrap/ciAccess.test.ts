import * as assert from "assert";
import { PASS_ROLE_SERVICES } from "../../components/delivery/ciPermissions";
import { DEPLOY_SESSION_SECONDS } from "../../components/delivery/ciSessions";
import { GLOBAL_SERVICES, REGIONAL_SERVICES } from "../../components/delivery/managedServices";
import { evaluatePolicies, formatReport } from "../../policy/evaluate";
import { packConfigFor } from "../../policy/enforcement";
import { assertPrivateTlsOnlyBucket, descendantsOf, named, ofType, single } from "../support/resources";
import { BOOTSTRAP_STACKS, bootstrapRun, list, policyOf, statement } from "./support";

const REPO = "example-org/voteapp-infra";
const SUB = "token.actions.githubusercontent.com:sub";
const AUD = "token.actions.githubusercontent.com:aud";
const ACCOUNTS = { dev: "111111111111", staging: "222222222222", prod: "333333333333" } as const;

async function roles(stack: string, overrides?: Record<string, string>) {
    const run = await bootstrapRun(stack, overrides ? { overrides } : {});
    return {
        run,
        deploy: named(run, "aws:iam/role:Role", "github-deploy"),
        preview: named(run, "aws:iam/role:Role", "github-preview"),
        // The deploy role's grants: its inline policy (services) and its managed IAM-and-state policy.
        deployPolicy: {
            Version: "2012-10-17",
            Statement: [
                ...policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "github-deploy")).Statement,
                ...policyOf(single(run, "aws:iam/policy:Policy", "deploy-iam")).Statement,
            ],
        },
        previewPolicy: policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "github-preview")),
        guardrails: policyOf(single(run, "aws:iam/policy:Policy", "guardrails")),
        boundary: policyOf(single(run, "aws:iam/policy:Policy", "workload-boundary")),
    };
}

describe("bootstrap: GitHub OIDC access", function () {
    this.timeout(120_000);

    it("creates the GitHub OIDC provider for token.actions.githubusercontent.com with the STS audience", async () => {
        const { run } = await roles("dev");
        const provider = single(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.strictEqual(provider.inputs.url, "https://token.actions.githubusercontent.com");
        assert.deepStrictEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    });

    it("references the account's existing provider when createOidcProvider is false", async () => {
        const { run, deploy } = await roles("staging", { "voteapp-bootstrap:createOidcProvider": "false" });
        assert.strictEqual(ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
        const trust = policyOf(deploy, "assumeRolePolicy");
        assert.deepStrictEqual(statement(trust, "GitHubDeploy").Principal, {
            Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
        });
    });

    for (const stack of BOOTSTRAP_STACKS) {
        it(`${stack}: the deploy role trusts exactly the repository's ${stack} environment, by exact match, pinned to the deploy workflow on main`, async () => {
            const { deploy } = await roles(stack);
            assert.strictEqual(deploy.inputs.name, "voteapp-deploy");
            const trust = policyOf(deploy, "assumeRolePolicy");
            const github = statement(trust, "GitHubDeploy");
            assert.strictEqual(github.Action, "sts:AssumeRoleWithWebIdentity");
            // Not main's `ref` subject too (deployFromMainBranch): every job of the deploy workflow runs in an environment.
            const expected = [`repo:${REPO}:environment:${stack}`];
            assert.deepStrictEqual(github.Condition, {
                StringEquals: {
                    [AUD]: "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:ref": "refs/heads/main",
                    "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-environment.yml@refs/heads/main`,
                    [SUB]: expected,
                },
            });
            // One way in: GitHub with those subjects (the provider names no role, so no self-trust).
            assert.deepStrictEqual(
                trust.Statement.map((s) => s.Sid),
                ["GitHubDeploy"],
            );
        });
    }

    it("no trust statement of either role uses a wildcard subject beyond this one repository's environments", async () => {
        for (const stack of BOOTSTRAP_STACKS) {
            const { deploy, preview } = await roles(stack);
            for (const role of [deploy, preview]) {
                for (const s of policyOf(role, "assumeRolePolicy").Statement) {
                    for (const [operator, values] of Object.entries(s.Condition ?? {})) {
                        for (const subject of list(values[SUB] as string | string[] | undefined)) {
                            if (operator === "StringEquals")
                                assert.doesNotMatch(subject, /[*?]/, `${role.name}: ${subject}`);
                            else
                                assert.strictEqual(
                                    subject,
                                    `repo:${REPO}:environment:*`,
                                    `${role.name}: only the environment may be wildcarded, found ${subject}`,
                                );
                        }
                    }
                    if (s.Principal !== undefined && s.Principal !== "*" && s.Principal.Federated)
                        assert.ok(
                            s.Condition?.StringEquals?.[AUD] === "sts.amazonaws.com",
                            `${role.name}: federated trust without the audience`,
                        );
                    assert.notStrictEqual(s.Principal, "*", `${role.name}: trust with Principal *`);
                }
            }
        }
    });

    it("only dev's preview role trusts pull requests; a preview role trusts the deploy workflow on main only in the environments it promotes to (promotedTo)", async () => {
        const promotedTo: Readonly<Record<string, string | undefined>> = { dev: "staging", staging: "prod" };
        for (const stack of BOOTSTRAP_STACKS) {
            const { preview } = await roles(stack);
            const trust = policyOf(preview, "assumeRolePolicy");
            const next = promotedTo[stack];
            assert.deepStrictEqual(
                trust.Statement.map((s) => s.Sid),
                [...(stack === "dev" ? ["PullRequestPreview"] : []), ...(next ? ["PromotionPull"] : [])],
                stack,
            );
            if (next)
                assert.deepStrictEqual(statement(trust, "PromotionPull").Condition, {
                    StringEquals: {
                        [AUD]: "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:ref": "refs/heads/main",
                        "token.actions.githubusercontent.com:job_workflow_ref": `${REPO}/.github/workflows/deploy-environment.yml@refs/heads/main`,
                        [SUB]: [`repo:${REPO}:environment:${next}`],
                    },
                });
        }
    });

    it("a tooling account's pipeline build roles are trusted only when configured, each by its own role", async () => {
        const previewBuild = "arn:aws:iam::444444444444:role/voteapp-pipeline-preview";
        const deployBuild = "arn:aws:iam::444444444444:role/voteapp-pipeline-deploy-prod";
        const { deploy, preview } = await roles("prod", {
            "voteapp-bootstrap:pipelinePreviewRoleArn": previewBuild,
            "voteapp-bootstrap:pipelineDeployRoleArn": deployBuild,
        });
        assert.deepStrictEqual(statement(policyOf(deploy, "assumeRolePolicy"), "DeliveryPipeline").Principal, {
            AWS: deployBuild,
        });
        assert.deepStrictEqual(statement(policyOf(preview, "assumeRolePolicy"), "DeliveryPipeline").Principal, {
            AWS: previewBuild,
        });
        const plain = await roles("prod");
        assert.ok(!policyOf(plain.deploy, "assumeRolePolicy").Statement.some((s) => s.Sid === "DeliveryPipeline"));
    });

    it("the deploy role's sessions last DEPLOY_SESSION_SECONDS (the longest first pulumi up), the preview role's one hour", async () => {
        const { deploy, preview } = await roles("prod");
        assert.deepStrictEqual(
            [deploy.inputs.maxSessionDuration, preview.inputs.maxSessionDuration],
            [DEPLOY_SESSION_SECONDS, 3600],
        );
    });
});

describe("bootstrap: deploy and preview permissions", function () {
    this.timeout(120_000);

    it("no Allow grants a whole service or everything (no *:* , no service:*)", async () => {
        const { deployPolicy, previewPolicy } = await roles("prod");
        for (const s of [...deployPolicy.Statement, ...previewPolicy.Statement].filter((x) => x.Effect === "Allow")) {
            for (const action of list(s.Action)) assert.doesNotMatch(action, /(^\*|:\*$)/, `${s.Sid}: ${action}`);
        }
    });

    it("the deploy role acts on the managed services only in the stack's region", async () => {
        const { deployPolicy } = await roles("prod");
        const regional = statement(deployPolicy, "ManageAppServicesInRegion");
        assert.deepStrictEqual(regional.Condition, { StringEquals: { "aws:RequestedRegion": "eu-west-1" } });
        const prefixes = new Set(list(regional.Action).map((a) => a.split(":")[0]));
        assert.deepStrictEqual([...prefixes].sort(), REGIONAL_SERVICES.map((s) => s.prefix).sort());
        const global = new Set(list(statement(deployPolicy, "ManageDns").Action).map((a) => a.split(":")[0]));
        assert.deepStrictEqual(
            [...global],
            GLOBAL_SERVICES.map((s) => s.prefix),
        );
        // Every IAM and S3 action sits in statements of their own, scoped by tag or to bucket-level actions.
        for (const s of deployPolicy.Statement.filter((x) => x.Effect === "Allow")) {
            const services = new Set(list(s.Action).map((a) => a.split(":")[0]));
            if (services.has("iam") && s.Sid !== "ReadIam")
                assert.ok(
                    s.Condition || list(s.Resource).every((r) => /:(role|instance-profile)\/voteapp\/\*$/.test(r)),
                    `${s.Sid} grants IAM changes without a condition, outside the program's role path`,
                );
            if (services.has("s3") && !["ListStateBucket", "ReadWriteState"].includes(s.Sid ?? "")) {
                assert.ok(
                    list(s.Action).every((a) => !/Object/.test(a)),
                    `${s.Sid}: object access outside the state bucket`,
                );
            }
        }
    });

    it("IAM changes are limited to roles on the program's path carrying the boundary; no grant depends on a tag", async () => {
        const { deployPolicy } = await roles("prod");
        const boundary = {
            StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::333333333333:policy/voteapp-workload-boundary" },
        };
        assert.deepStrictEqual(statement(deployPolicy, "BoundedRoles").Condition, boundary);
        assert.deepStrictEqual(statement(deployPolicy, "PassRolesOnThePath").Condition, {
            StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES },
        });
        for (const sid of ["BoundedRoles", "AttachAwsManagedPolicies", "ChangeRolesOnThePath", "PassRolesOnThePath"])
            assert.deepStrictEqual(list(statement(deployPolicy, sid).Resource), [
                "arn:aws:iam::333333333333:role/voteapp/*",
            ]);
        for (const s of deployPolicy.Statement)
            for (const operator of Object.values(s.Condition ?? {}))
                for (const key of Object.keys(operator))
                    assert.doesNotMatch(key, /Tag\//, `${s.Sid}: a grant keyed on ${key}`);
    });

    it("both roles are denied long-lived identities and changes to the CI roles and the GitHub provider", async () => {
        const { run, guardrails } = await roles("prod");
        const identities = statement(guardrails, "DenyLongLivedIdentities");
        assert.strictEqual(identities.Effect, "Deny");
        for (const action of [
            "iam:CreateUser",
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:CreateOpenIDConnectProvider",
        ])
            assert.ok(list(identities.Action).includes(action), action);
        assert.deepStrictEqual(list(statement(guardrails, "DenyChangingCiRoles").Resource), [
            "arn:aws:iam::333333333333:role/voteapp-deploy",
            "arn:aws:iam::333333333333:role/voteapp-preview",
        ]);
        assert.strictEqual(statement(guardrails, "DenyChangingGitHubTrust").Effect, "Deny");
        const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
            /guardrails/.test(a.name),
        );
        assert.deepStrictEqual(attachments.map((a) => a.inputs.role).sort(), ["voteapp-deploy", "voteapp-preview"]);
    });

    it("the deploy role cannot attach AWS's admin policies to roles it creates", async () => {
        const { deployPolicy } = await roles("prod");
        const deny = statement(deployPolicy, "DenyAdminPolicies");
        assert.strictEqual(deny.Effect, "Deny");
        assert.ok(
            list(deny.Condition?.ArnLike?.["iam:PolicyARN"] as string[]).includes(
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ),
        );
    });

    it("the preview role changes nothing: only reads, registry pulls of its environment and state locks", async () => {
        const { previewPolicy } = await roles("prod");
        const writes =
            /:(Create|Delete|Put|Update|Modify|Attach|Detach|Tag|Untag|Set|Register|Deregister|Authorize|Revoke|Enable|Disable|Add|Remove|Publish|Change|Schedule|Initiate|Upload|Complete|POST|PUT|PATCH|DELETE)/;
        for (const s of previewPolicy.Statement.filter((x) => x.Effect === "Allow")) {
            for (const action of list(s.Action)) {
                if (writes.test(action)) assert.strictEqual(s.Sid, "PreviewLocks", `${s.Sid}: ${action} is a write`);
            }
        }
        assert.deepStrictEqual(list(statement(previewPolicy, "PullForPromotion").Resource), [
            "arn:aws:ecr:eu-west-1:333333333333:repository/voteapp-prod/*",
        ]);
        assert.ok(list(statement(previewPolicy, "DenyDataReads").Action).includes("secretsmanager:GetSecretValue"));
    });

    it("neither role's policies grant sts:AssumeRole (the program's provider uses the CI session as it is)", async () => {
        const { deployPolicy, previewPolicy } = await roles("dev");
        for (const policy of [deployPolicy, previewPolicy])
            for (const s of policy.Statement.filter((x) => x.Effect === "Allow"))
                assert.ok(!list(s.Action).some((a) => /^sts:/i.test(a)), `${s.Sid}: ${list(s.Action).join(", ")}`);
    });

    it("the inline policies fit IAM's 10,240-character budget per role, the guardrails a managed policy's 6,144", async () => {
        const { run } = await roles("prod");
        for (const p of ofType(run, "aws:iam/rolePolicy:RolePolicy"))
            assert.ok(
                String(p.inputs.policy).replace(/\s/g, "").length < 10_240,
                `${p.name}: ${String(p.inputs.policy).length}`,
            );
        for (const p of ofType(run, "aws:iam/policy:Policy"))
            assert.ok(
                String(p.inputs.policy).replace(/\s/g, "").length < 6_144,
                `${p.name}: ${String(p.inputs.policy).length}`,
            );
    });

    it("with a state backend, the deploy role reads and writes the state; only dev's preview role reads and locks it", async () => {
        const { previewPolicy: prodPreview } = await roles("prod");
        assert.ok(
            !prodPreview.Statement.some((s) => /State|Lock/.test(s.Sid ?? "")),
            "prod's preview role reaches the state",
        );
        const { deployPolicy } = await roles("prod");
        const { previewPolicy } = await roles("dev");
        assert.deepStrictEqual(list(statement(deployPolicy, "ReadWriteState").Action), [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
        ]);
        assert.deepStrictEqual(list(statement(previewPolicy, "ReadState").Action), ["s3:GetObject"]);
        assert.strictEqual(
            statement(previewPolicy, "PreviewLocks").Resource,
            "arn:aws:s3:::voteapp-pulumi-state-111111111111/.pulumi/locks/*",
        );
        const { deployPolicy: without } = await roles("prod", { "voteapp-bootstrap:stateBackend": "false" });
        assert.ok(!without.Statement.some((s) => /State/.test(s.Sid ?? "")));
    });
});

describe("bootstrap: provider, state backend and protection", function () {
    this.timeout(120_000);

    it("every AWS resource goes through one provider pinned to the stack's account and region", async () => {
        for (const stack of BOOTSTRAP_STACKS) {
            const run = await bootstrapRun(stack);
            const provider = single(run, "pulumi:providers:aws");
            const account = ACCOUNTS[stack];
            // Provider inputs reach the engine as JSON strings.
            assert.deepStrictEqual(JSON.parse(String(provider.inputs.allowedAccountIds)), [account]);
            assert.strictEqual(provider.inputs.region, "eu-west-1");
            assert.strictEqual(
                (JSON.parse(String(provider.inputs.defaultTags)) as { tags: Record<string, string> }).tags.project,
                "voteapp-bootstrap",
            );
            for (const r of run.resources.filter((x) => x.custom && x.type.startsWith("aws:")))
                assert.ok(r.provider?.startsWith(provider.urn), `${r.type} ${r.name} uses ${r.provider}`);
        }
    });

    it("the state bucket is KMS-encrypted, versioned, private, TLS-only and protected; its key rotates and is protected", async () => {
        const run = await bootstrapRun("prod");
        const bucket = named(run, "aws:s3/bucket:Bucket", "state-bucket");
        assert.strictEqual(bucket.inputs.bucket, "voteapp-pulumi-state-333333333333");
        assert.ok(bucket.protect && bucket.retainOnDelete, "bucket not protected");
        const key = single(run, "aws:kms/key:Key", "state");
        assert.ok(key.protect && key.inputs.enableKeyRotation === true);
        assertPrivateTlsOnlyBucket(run, "state-bucket", { sseAlgorithm: "aws:kms", versioned: true });
        assert.strictEqual(single(run, "aws:kms/alias:Alias", "state").inputs.name, "alias/voteapp-pulumi-state");
        // FSBP S3.9: who read or wrote the state is logged to its own bucket.
        const logging = named(run, "aws:s3/bucketLogging:BucketLogging", "state-bucket");
        assert.strictEqual(logging.inputs.bucket, "voteapp-pulumi-state-333333333333");
        assert.match(String(logging.inputs.targetBucket), /^state-bucket-access-logs/);
    });

    it("reports the backend URL and secrets provider the stacks log in with", async () => {
        const run = await bootstrapRun("staging");
        assert.strictEqual(run.outputs.stateBackendUrl, "s3://voteapp-pulumi-state-222222222222?region=eu-west-1");
        assert.strictEqual(run.outputs.secretsProvider, "awskms://alias/voteapp-pulumi-state?region=eu-west-1");
        assert.strictEqual(run.outputs.deployRoleArn, "arn:aws:iam::222222222222:role/voteapp-deploy");
    });

    it("without stateBackend, no bucket or key is created", async () => {
        const run = await bootstrapRun("dev", { overrides: { "voteapp-bootstrap:stateBackend": "false" } });
        assert.deepStrictEqual(
            [
                ofType(run, "aws:s3/bucket:Bucket").length,
                ofType(run, "aws:kms/key:Key").filter((k) => k.name.includes("state")).length,
            ],
            [0, 0],
        );
        assert.ok(!("stateBackendUrl" in run.outputs));
    });

    it("outside dev, the OIDC provider and roles are protected", async () => {
        for (const stack of ["staging", "prod"]) {
            const run = await bootstrapRun(stack);
            const access = single(run, "voteapp:delivery:GitHubCiAccess");
            for (const r of descendantsOf(run, access))
                assert.ok(r.protect, `${stack}: ${r.type} ${r.name} not protected`);
        }
        const dev = await bootstrapRun("dev");
        assert.ok(!named(dev, "aws:iam/role:Role", "github-deploy").protect);
    });

    it("passes the policy pack's mandatory rules of its environment", async () => {
        for (const stack of BOOTSTRAP_STACKS) {
            const run = await bootstrapRun(stack);
            const report = evaluatePolicies(run.resources, { config: packConfigFor(stack) });
            // Account-wide services (GuardDuty, Inspector) belong to the program, not to the bootstrap.
            const blocking = report.violations.filter(
                (v) => v.level === "mandatory" && !["guardduty-enabled", "inspector-enabled"].includes(v.policyName),
            );
            assert.deepStrictEqual(blocking, [], formatReport(report, `bootstrap ${stack}`));
        }
    });
});
