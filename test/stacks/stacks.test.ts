import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import { runMocked } from "../../plan/harness";
import { readStackConfig } from "../../plan/stackFile";
import { ConfigValidationError, voteAppProgram } from "../../stacks";
import { isArnReference } from "../../policy/rules/ecs";
import { input, SHIPPED_STACKS, stackRun } from "../support/stacks";

/** Custom AWS resources and remote AWS components: everything that talks to an AWS account. */
const touchesAws = (r: CapturedResource) =>
    (r.custom && r.type.startsWith("aws:")) || (r.remote && r.type.startsWith("awsx:"));

/** Provider inputs reach the harness as JSON strings, as they reach the policy layer. */
function providerInput(provider: CapturedResource, key: string): unknown {
    const value = provider.inputs[key];
    return typeof value === "string" && /^[[{]/.test(value) ? JSON.parse(value) : value;
}

const EXPECTED_ACCOUNT: Record<string, string> = { dev: "111111111111", staging: "222222222222", prod: "333333333333" };

describe("shipped stacks", () => {
    for (const stack of SHIPPED_STACKS) {
        describe(stack, () => {
            it("builds the whole program with its stack file", async () => {
                const run = await stackRun(stack);
                assert.ok(run.resources.length > 50, `only ${run.resources.length} resources`);
                assert.strictEqual(run.outputs.environment, stack);
            });

            it("creates exactly one AWS provider, pinned to its own account, acting with the caller's credentials (no role to assume)", async () => {
                const run = await stackRun(stack);
                const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
                assert.strictEqual(providers.length, 1, `found ${providers.length} AWS providers`);
                const provider = providers[0];
                assert.deepStrictEqual(providerInput(provider, "allowedAccountIds"), [EXPECTED_ACCOUNT[stack]]);
                // A role here would differ between the preview and the deploy job (test/workflows/previewParity.test.ts).
                assert.strictEqual(provider.inputs.assumeRoles, undefined);
                assert.strictEqual(provider.inputs.region, "eu-west-1");
            });

            it("tags everything through the provider's default tags", async () => {
                const run = await stackRun(stack);
                const provider = run.resources.find((r) => r.type === "pulumi:providers:aws");
                assert.ok(provider);
                const tags = (providerInput(provider, "defaultTags") as { tags: Record<string, string> }).tags;
                assert.deepStrictEqual(Object.keys(tags).sort(), [
                    "cost-centre",
                    "environment",
                    "managed-by",
                    "owner",
                    "project",
                ]);
                assert.strictEqual(tags.environment, stack);
            });

            it("creates no AWS resource through the default provider", async () => {
                const run = await stackRun(stack);
                const providerUrn = run.resources.find((r) => r.type === "pulumi:providers:aws")?.urn;
                const stray = run.resources
                    .filter(touchesAws)
                    .filter((r) => !r.provider || r.provider.split("::").slice(0, -1).join("::") !== providerUrn);
                assert.deepStrictEqual(
                    stray.map((r) => `${r.type} ${r.name} (${r.provider ?? "default provider"})`),
                    [],
                );
            });

            it("has no secret input that could leak (credentials are made at run time: test/stacks/noSecretsInState.test.ts)", async () => {
                const run = await stackRun(stack);
                assert.deepStrictEqual(
                    run.resources.filter((r) => r.secretInputKeys.length > 0).map((r) => `${r.type} ${r.name}`),
                    [],
                );
            });

            it("gives no container a password, token or key as plain environment", async () => {
                const run = await stackRun(stack);
                for (const taskDefinition of run.resources.filter(
                    (r) => r.type === "aws:ecs/taskDefinition:TaskDefinition",
                )) {
                    const containers = JSON.parse(String(input(taskDefinition, "containerDefinitions"))) as {
                        environment: { name: string; value: string }[];
                    }[];
                    for (const container of containers) {
                        // A secret's ARN (PGPASSWORD_SECRET_ARN) names where the password lives; the task role reads it.
                        const suspicious = container.environment
                            .filter(
                                (e) => /PASSWORD|TOKEN|SECRET|KEY/i.test(e.name) && !isArnReference(e.name, e.value),
                            )
                            .map((e) => e.name);
                        assert.deepStrictEqual(
                            suspicious,
                            [],
                            `${taskDefinition.name} has secret-looking plain environment`,
                        );
                    }
                }
            });
        });
    }

    it("keeps dev and prod in different accounts: neither provider accepts the other's", async () => {
        const [dev, prod] = await Promise.all([stackRun("dev"), stackRun("prod")]);
        const allowed = (run: typeof dev) =>
            providerInput(
                run.resources.find((r) => r.type === "pulumi:providers:aws") as CapturedResource,
                "allowedAccountIds",
            ) as string[];
        assert.ok(!allowed(dev).includes(EXPECTED_ACCOUNT.prod), "dev provider would accept the prod account");
        assert.ok(!allowed(prod).includes(EXPECTED_ACCOUNT.dev), "prod provider would accept the dev account");
    });

    it("fits every AWS name limit for the longest environment name config accepts", async () => {
        const longest = "abcdefghijklmnop"; // ENVIRONMENT_NAME allows 16 characters
        const run = await stackRun("dev", {
            overrides: {
                "voteapp:environment": longest,
                "voteapp:tier": "dev",
                "voteapp:accountId": "444444444444",
            },
        });
        assert.strictEqual(run.outputs.environment, longest);
    });

    it("registers no resource at all when the config is invalid", async () => {
        const file = readStackConfig("dev");
        let failure: unknown;
        const run = await runMocked(
            () => {
                try {
                    return voteAppProgram();
                } catch (err) {
                    failure = err;
                    return {};
                }
            },
            {
                project: file.project,
                stack: "dev",
                config: { ...file.config, "voteapp:voteCpu": "300" },
                context: { region: "eu-west-1", accountId: "111111111111" },
            },
        );
        assert.ok(failure instanceof ConfigValidationError, `expected a ConfigValidationError, got ${String(failure)}`);
        assert.deepStrictEqual(
            run.resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});

describe("protection of stateful resources", () => {
    const stateful = [
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
    ];

    it("protects databases, cache, keys and secrets in prod and staging", async () => {
        for (const stack of ["prod", "staging"]) {
            const run = await stackRun(stack);
            const unprotected = run.resources.filter((r) => stateful.includes(r.type) && !r.protect).map((r) => r.name);
            assert.deepStrictEqual(unprotected, [], `${stack}: unprotected stateful resources`);
        }
    });

    it("leaves dev disposable: nothing protected, no deletion protection", async () => {
        const run = await stackRun("dev");
        assert.deepStrictEqual(
            run.resources.filter((r) => r.protect).map((r) => r.name),
            [],
        );
        const rds = run.resources.find((r) => r.type === "aws:rds/instance:Instance");
        assert.strictEqual(rds?.inputs.deletionProtection, false);
    });

    it("turns on RDS deletion protection and a final snapshot in prod", async () => {
        const run = await stackRun("prod");
        const rds = run.resources.find((r) => r.type === "aws:rds/instance:Instance");
        assert.ok(rds);
        assert.strictEqual(rds.inputs.deletionProtection, true);
        assert.strictEqual(rds.inputs.skipFinalSnapshot, false);
        assert.strictEqual(rds.inputs.finalSnapshotIdentifier, "voteapp-prod-postgres-final");
        assert.ok(Number(rds.inputs.backupRetentionPeriod) >= 7);
    });

    it("retains ECR repositories and the data key when a prod stack is destroyed", async () => {
        const run = await stackRun("prod");
        const notRetained = run.resources
            .filter((r) => ["aws:ecr/repository:Repository", "aws:kms/key:Key"].includes(r.type) && !r.retainOnDelete)
            .map((r) => r.name);
        assert.deepStrictEqual(notRetained, []);
    });
});
