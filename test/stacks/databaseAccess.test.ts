import * as assert from "assert";
import {
    AppEnv,
    AppSecretName,
    databaseSetupInput,
    DATABASE_SETUP_ENV,
    DATABASE_USERS,
} from "../../shared/appContract";
import type { CapturedResource } from "../../shared/capturedResource";
import { type GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSetupHandler } from "../../app/src/dbsetup/handler";
import { input, ofType, single, stackRun } from "../support/stacks";
import { containerWorkloads } from "../support/workloads";

/**
 * The database credential on ECS and EKS, on the captured resources of the shipped stacks: the app connects as
 * its own least-privilege IAM database users (never the master user), no database secret reaches a container,
 * a Kubernetes Secret, Pulumi state or an invoke while the program runs, and only the database setup function
 * may read the RDS master secret.
 */

type Run = Awaited<ReturnType<typeof stackRun>>;
const PLATFORMS = {
    ecs: () => stackRun("dev"),
    eks: () => stackRun("dev", { overrides: { "voteapp:platform": "eks" } }),
    "eks prod": () => stackRun("prod", { overrides: { "voteapp:platform": "eks" } }),
    "ecs prod": () => stackRun("prod"),
} as const;

const INSTANCE = "aws:rds/instance:Instance";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

function masterSecretArn(run: Run): string {
    const setup = single(run, "aws:lambda/function:Function", "db-setup");
    const arn = input(setup, "environment", "variables", DATABASE_SETUP_ENV.masterSecretArn);
    assert.match(String(arn), /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:rds!db-/);
    return String(arn);
}

interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
}
const statementsOf = (policy: CapturedResource): Statement[] =>
    (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;
const roleOf = (run: Run, policy: CapturedResource): CapturedResource | undefined =>
    ofType(run, "aws:iam/role:Role").find((role) => policy.inputs.role === `${role.name}-id`);

describe("Database access on ecs and eks: IAM users, no database secret outside the setup", function () {
    this.timeout(180_000);

    for (const [platform, run] of Object.entries(PLATFORMS)) {
        describe(platform, () => {
            it("worker and result connect as their own IAM users with verify-full, and get no database password", async () => {
                const envs = containerWorkloads(await run());
                const clients = envs.filter((e) => e.service === "worker" || e.service === "result");
                assert.ok(clients.length >= 2, `found ${clients.length} Postgres client containers`);
                for (const { service, env, secretNames } of clients) {
                    const user = DATABASE_USERS[service as "worker" | "result"].name;
                    assert.strictEqual(env[AppEnv.pgUser], user, `${service} connects as ${env[AppEnv.pgUser]}`);
                    assert.strictEqual(env[AppEnv.pgAuth], "iam", service);
                    assert.strictEqual(env[AppEnv.pgSslMode], "verify-full", service);
                    assert.strictEqual(env[AppEnv.awsRegion], (await run()).stackConfig.config["voteapp:region"]);
                    assert.ok(!secretNames.includes(AppSecretName.pgPassword), `${service} is given PGPASSWORD`);
                    assert.ok(!("PGPASSWORD_SECRET_ARN" in env), `${service} is told where the master secret is`);
                }
                const master = input(single(await run(), INSTANCE), "username");
                for (const { service, env } of envs)
                    assert.notStrictEqual(env[AppEnv.pgUser], master, `${service} connects as the master user`);
            });

            it("each client's role may rds-db:connect as exactly its own user, and reads no secret", async () => {
                const r = await run();
                const resourceId = "db-"; // the mocked DbiResourceId prefix; the ARN must name it and the user
                for (const client of ["worker", "result"] as const) {
                    const policies = ofType(r, ROLE_POLICY).filter((p) =>
                        statementsOf(p).some((s) => [s.Action].flat().includes("rds-db:connect")),
                    );
                    const mine = policies.filter((p) =>
                        statementsOf(p).some((s) =>
                            [s.Resource].flat().some((arn) => arn.endsWith(`/${DATABASE_USERS[client].name}`)),
                        ),
                    );
                    assert.strictEqual(
                        mine.length,
                        1,
                        `${client}: ${mine.length} policies allow connecting as its user`,
                    );
                    const statements = statementsOf(mine[0]);
                    // The worker also reads the queue: elasticache:Connect as its Redis user (redisAccess.test.ts).
                    assert.deepStrictEqual(
                        statements.map((s) => [s.Effect, s.Action]),
                        [
                            ...(client === "worker" ? [["Allow", "elasticache:Connect"]] : []),
                            ["Allow", "rds-db:connect"],
                        ],
                        `${client}'s role may do more than connect`,
                    );
                    assert.match(
                        String(statements.find((s) => s.Action === "rds-db:connect")?.Resource),
                        new RegExp(
                            `^arn:aws:rds-db:[a-z0-9-]+:\\d{12}:dbuser:${resourceId}[A-Z0-9]+/${DATABASE_USERS[client].name}$`,
                        ),
                    );
                }
            });

            it("only the database setup function's role may read the RDS master secret", async () => {
                const r = await run();
                const arn = masterSecretArn(r);
                const readers = ofType(r, ROLE_POLICY).filter((p) => String(p.inputs.policy).includes(arn));
                assert.deepStrictEqual(
                    readers.map((p) => roleOf(r, p)?.name),
                    ["data-db-setup"],
                    "roles able to read the master secret",
                );
                // No container, Secret or task definition carries it either.
                const carriers = r.resources
                    .filter((x) => x.type.startsWith("aws:ecs/") || x.type.startsWith("kubernetes:"))
                    .filter((x) => JSON.stringify(x.inputs).includes(arn));
                assert.deepStrictEqual(
                    carriers.map((x) => x.name),
                    [],
                );
            });

            it("the setup runs in the VPC next to the database, after it exists, with the contract's users, and clients wait for it", async () => {
                const r = await run();
                const fn = single(r, "aws:lambda/function:Function", "db-setup");
                const subnets = input(fn, "vpcConfig", "subnetIds") as string[];
                assert.ok(subnets.length >= 2 && subnets.every((s) => s.includes("priv")), subnets.join(","));
                const [group] = input(fn, "vpcConfig", "securityGroupIds") as string[];
                const postgresIngress = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                    (rule) => rule.name.startsWith("data-postgres-client"),
                );
                assert.ok(
                    postgresIngress.some((rule) => rule.inputs.referencedSecurityGroupId === group),
                    "the database does not admit the setup function",
                );
                const env = input(fn, "environment", "variables") as Record<string, string>;
                // Everything the handler reads but the local test databases' CA file.
                assert.deepStrictEqual(
                    Object.keys(env).sort(),
                    Object.values(DATABASE_SETUP_ENV)
                        .filter((name) => name !== DATABASE_SETUP_ENV.sslRootCert)
                        .sort(),
                );
                assert.strictEqual(env[DATABASE_SETUP_ENV.sslMode], "verify-full");
                const invocation = single(r, "aws:lambda/invocation:Invocation");
                const instance = single(r, INSTANCE);
                assert.deepStrictEqual(
                    JSON.parse(String(invocation.inputs.input)),
                    databaseSetupInput(String(instance.inputs.dbName)),
                );
                assert.ok(invocation.dependencies.includes(instance.urn), "the setup runs before the database exists");
                assert.match(String(input(invocation, "triggers", "code")), /^[0-9a-f]{64}$/);
                const clients = [
                    ...ofType(r, "aws:ecs/service:Service").filter((s) => s.inputs.name !== "vote"),
                    ...ofType(r, "kubernetes:apps/v1:Deployment").filter((d) =>
                        /^vote-app-(worker|result)/.test(d.name),
                    ),
                ];
                assert.ok(clients.length >= 2);
                for (const client of clients)
                    assert.ok(
                        client.dependencies.includes(invocation.urn),
                        `${client.name} starts before the setup ran`,
                    );
            });

            it("the setup's handler, given the planned environment and invocation, gets as far as reading the master secret", async () => {
                const r = await run();
                const env = input(single(r, "aws:lambda/function:Function", "db-setup"), "environment", "variables");
                const event: unknown = JSON.parse(String(single(r, "aws:lambda/invocation:Invocation").inputs.input));
                // The secret read is where AWS starts: stopped there, every check of the environment has passed. The
                // client's own send stops it, so neither AWS nor a mock of the class answers.
                const client = new SecretsManagerClient({ region: "eu-west-1" });
                const secretIds: unknown[] = [];
                Object.defineProperty(client, "send", {
                    value: (command: GetSecretValueCommand) => {
                        secretIds.push(command.input.SecretId);
                        return Promise.reject(new Error("the test stops here"));
                    },
                });
                const handler = createSetupHandler({ env: env as Record<string, string>, secrets: client });
                await assert.rejects(handler(event), (error: Error) => {
                    assert.match(error.message, /^cannot read the master secret .*: the test stops here/);
                    return true;
                });
                assert.deepStrictEqual(secretIds, [masterSecretArn(r)]);
            });

            it("reads no secret with an invoke while the program runs (the preview role may not)", async () => {
                const r = await run();
                assert.deepStrictEqual(
                    r.invokes.filter((call) => call.token.startsWith("aws:secretsmanager/")).map((call) => call.token),
                    [],
                );
            });
        });
    }

    it("no Kubernetes Secret exists in the app's namespace: no credential is copied into the cluster", async () => {
        const r = await PLATFORMS.eks();
        assert.deepStrictEqual(
            ofType(r, "kubernetes:core/v1:Secret").map((s) => input(s, "metadata", "name")),
            [],
        );
    });
});
