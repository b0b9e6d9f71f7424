import * as assert from "assert";
import {
    GetSecretValueCommand,
    ResourceNotFoundException,
    SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import Redis from "ioredis";
import { Client } from "pg";
import { AppEnv, AppSecretName } from "../../shared/appContract";
import { ConfigError, postgresConfig } from "../../app/src/core/config";
import { silentLogger } from "../../app/src/core/log";
import { PasswordSecretError, secretPassword } from "../../app/src/containers/pgPassword";
import { createPostgres, PostgresCredentialsError } from "../../app/src/containers/postgres";
import { VOTES_PROCESSING, VOTES_QUEUE } from "../../app/src/containers/redis";
import { startResultService } from "../../app/src/containers/result";
import type { RunningService } from "../../app/src/containers/run";
import { startWorkerService, type WorkerService } from "../../app/src/containers/worker";
import { get } from "./client";
import { freePort, startTestServers, waitFor, type TestServers } from "./servers";

/**
 * RDS rotates the master password (every 7 days by default). The worker and result services read it from
 * Secrets Manager (PGPASSWORD_SECRET_ARN) and re-read it when Postgres refuses it: here the role's password
 * is changed on a real PostgreSQL (ALTER ROLE) while Secrets Manager (mocked) starts returning the new one.
 */

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123abcd-4567-89ef-AbCdEf";
const FAST = { minBackoffMs: 20, maxBackoffMs: 200 };

describe("Postgres password rotation (real PostgreSQL, Secrets Manager mocked)", function () {
    this.timeout(30_000);

    const secrets = mockClient(SecretsManagerClient);
    let servers: TestServers;
    /** What the mocked secret holds. */
    let secretValue: string;

    async function admin<T>(use: (client: Client) => Promise<T>, password: string): Promise<T> {
        const client = new Client({ ...servers.postgres.connection(), password });
        await client.connect();
        try {
            return await use(client);
        } finally {
            await client.end();
        }
    }

    /** Rotate as RDS does: the role's password changes, then the secret holds the new one. */
    async function rotate(from: string, to: string): Promise<void> {
        await admin((client) => client.query(`ALTER ROLE ${servers.postgres.user} PASSWORD '${to}'`), from);
        secretValue = JSON.stringify({ username: servers.postgres.user, password: to });
        // Open connections outlive a password change; cut the app's (an idle timeout or failover in real life)
        // so the services must open new ones with the rotated password.
        await admin(
            (client) =>
                client.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'voteapp' AND pid <> pg_backend_pid()",
                ),
            to,
        );
    }

    before(async function () {
        this.timeout(60_000);
        servers = await startTestServers();
    });

    after(async function () {
        this.timeout(30_000);
        secrets.restore();
        await servers?.destroy();
    });

    beforeEach(() => {
        secrets.reset();
        secretValue = JSON.stringify({ username: servers.postgres.user, password: servers.postgres.password });
        secrets
            .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
            .callsFake(() => Promise.resolve({ ARN: SECRET_ARN, SecretString: secretValue }));
    });

    it("reads PGPASSWORD_SECRET_ARN; PGPASSWORD becomes optional, and a malformed ARN is a config error naming the variable", () => {
        const env = servers.env({ [AppEnv.pgPasswordSecretArn]: SECRET_ARN, [AppSecretName.pgPassword]: "" });
        const config = postgresConfig(env, "worker");
        assert.strictEqual(config.passwordSecretArn, SECRET_ARN);
        assert.strictEqual(config.password, undefined);
        assert.throws(
            () => postgresConfig({ ...env, [AppEnv.pgPasswordSecretArn]: "rds-master-secret" }, "worker"),
            (error: unknown) =>
                error instanceof ConfigError &&
                error.variable === AppEnv.pgPasswordSecretArn &&
                /Secrets Manager secret ARN/.test(error.message),
        );
        assert.throws(
            () => postgresConfig({ ...env, [AppEnv.pgPasswordSecretArn]: undefined }, "worker"),
            (error: unknown) =>
                error instanceof ConfigError &&
                error.variable === AppSecretName.pgPassword &&
                error.message.includes(AppEnv.pgPasswordSecretArn),
        );
    });

    it("the worker and the result service follow a rotation without losing a vote", async () => {
        const rotated = "rotated-password-1";
        const env = servers.env({ [AppEnv.pgPasswordSecretArn]: SECRET_ARN });
        const redis = new Redis({
            host: "127.0.0.1",
            port: servers.redis.port,
            password: servers.redis.password,
            maxRetriesPerRequest: 2,
        });
        redis.on("error", () => undefined);
        let worker: WorkerService | undefined;
        let result: RunningService | undefined;
        try {
            await redis.del(VOTES_QUEUE, VOTES_PROCESSING);
            worker = await startWorkerService(env, silentLogger, FAST);
            // The result service starts with no injected password: it reads the secret itself.
            result = await startResultService(
                { ...env, [AppSecretName.pgPassword]: "", PORT: String(await freePort()) },
                silentLogger,
            );
            const totalsUrl = `http://127.0.0.1:${result.port}/result/totals.json`;
            const totals = async (): Promise<number | undefined> => {
                const reply = await get(totalsUrl);
                return reply.status === 200 ? (JSON.parse(reply.body) as { total: number }).total : undefined;
            };
            const waitForTotal = (n: number): Promise<true> =>
                waitFor(`result total ${n}`, async () => ((await totals()) === n ? true : undefined));

            for (let i = 0; i < 5; i += 1)
                await redis.rpush(
                    VOTES_QUEUE,
                    JSON.stringify({ voter_id: `rotation-before-${i}`, vote: i % 2 === 0 ? "a" : "b" }),
                );
            await waitForTotal(5);
            assert.strictEqual(
                secrets.commandCalls(GetSecretValueCommand).length,
                1,
                "only the result service read the secret: the worker started with the injected PGPASSWORD",
            );

            await rotate(servers.postgres.password, rotated);
            for (let i = 0; i < 5; i += 1)
                await redis.rpush(VOTES_QUEUE, JSON.stringify({ voter_id: `rotation-after-${i}`, vote: "a" }));
            await waitForTotal(10);

            const stored = await admin(
                (client) => client.query<{ id: string }>("SELECT id FROM votes ORDER BY id"),
                rotated,
            );
            assert.deepStrictEqual(
                stored.rows.map((row) => row.id),
                [
                    ...[0, 1, 2, 3, 4].map((i) => `rotation-after-${i}`),
                    ...[0, 1, 2, 3, 4].map((i) => `rotation-before-${i}`),
                ],
            );
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 0, "no ballot left behind");
            assert.strictEqual(worker.stats.processed, 10);
            assert.strictEqual(
                worker.stats.storeFailures,
                0,
                "the refused connection was retried with the re-read password inside the same write",
            );
            assert.ok(
                secrets.commandCalls(GetSecretValueCommand).length >= 3,
                "both services re-read the secret after the rotation",
            );
        } finally {
            await worker?.stop();
            await result?.stop();
            redis.disconnect();
            // Put the original password back for the other tests (and the server helpers).
            const current = (JSON.parse(secretValue) as { password: string }).password;
            if (current !== servers.postgres.password)
                await admin(
                    (client) =>
                        client.query(`ALTER ROLE ${servers.postgres.user} PASSWORD '${servers.postgres.password}'`),
                    current,
                );
        }
    });

    it("a stale injected PGPASSWORD (a pod or task started from the pre-rotation value) is replaced from the secret on the first refusal", async () => {
        const config = postgresConfig(
            servers.env({
                [AppEnv.pgPasswordSecretArn]: SECRET_ARN,
                [AppSecretName.pgPassword]: "pre-rotation-password",
            }),
            "result",
        );
        const db = createPostgres(config, silentLogger, 1);
        try {
            assert.deepStrictEqual((await db.query<{ one: number }>("SELECT 1 AS one")).rows, [{ one: 1 }]);
            assert.strictEqual(secrets.commandCalls(GetSecretValueCommand).length, 1, "read once, after the refusal");
        } finally {
            await db.end();
        }
        // Without the secret, the same stale password is a clear, final error naming where it came from.
        const injectedOnly = createPostgres(
            postgresConfig(servers.env({ [AppSecretName.pgPassword]: "pre-rotation-password" }), "result"),
            silentLogger,
            1,
        );
        try {
            await assert.rejects(
                injectedOnly.query("SELECT 1"),
                (error: unknown) =>
                    error instanceof PostgresCredentialsError &&
                    /SQLSTATE 28P01\) with the password from PGPASSWORD: /.test(error.message),
            );
        } finally {
            await injectedOnly.end();
        }
    });

    it("a secret holding a wrong password gives a clear error, and the worker keeps the vote until the secret is right", async () => {
        secretValue = JSON.stringify({ username: servers.postgres.user, password: "not-the-password" });
        const config = postgresConfig(
            servers.env({ [AppEnv.pgPasswordSecretArn]: SECRET_ARN, [AppSecretName.pgPassword]: "" }),
            "result",
        );
        const db = createPostgres(config, silentLogger, 1);
        try {
            await assert.rejects(db.query("SELECT 1"), (error: unknown) => {
                assert.ok(error instanceof PostgresCredentialsError, String(error));
                assert.strictEqual(error.code, "28P01");
                assert.match(
                    error.message,
                    new RegExp(
                        `user "${servers.postgres.user}".*SQLSTATE 28P01.*secret ${SECRET_ARN.replace(/[$]/g, "\\$")}, also after re-reading it`,
                    ),
                );
                return true;
            });
        } finally {
            await db.end();
        }

        const redis = new Redis({
            host: "127.0.0.1",
            port: servers.redis.port,
            password: servers.redis.password,
            maxRetriesPerRequest: 2,
        });
        redis.on("error", () => undefined);
        let worker: WorkerService | undefined;
        try {
            await redis.del(VOTES_QUEUE, VOTES_PROCESSING);
            worker = await startWorkerService(
                servers.env({ [AppEnv.pgPasswordSecretArn]: SECRET_ARN, [AppSecretName.pgPassword]: "" }),
                silentLogger,
                FAST,
            );
            await redis.rpush(VOTES_QUEUE, JSON.stringify({ voter_id: "patient-voter", vote: "b" }));
            const running = worker;
            await waitFor("store failures", async () => (running.stats.storeFailures >= 2 ? true : undefined));
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 1, "the ballot waits in the processing list");
            secretValue = JSON.stringify({ username: servers.postgres.user, password: servers.postgres.password });
            await waitFor("the kept vote stored", async () => (running.stats.processed === 1 ? true : undefined));
            assert.strictEqual(await redis.llen(VOTES_PROCESSING), 0);
        } finally {
            await worker?.stop();
            redis.disconnect();
        }
    });

    describe("reading the secret", () => {
        const errorFrom = async (promise: Promise<unknown>): Promise<PasswordSecretError> => {
            try {
                await promise;
            } catch (error) {
                assert.ok(error instanceof PasswordSecretError, String(error));
                assert.ok(
                    error.message.startsWith(
                        `${AppEnv.pgPasswordSecretArn}: cannot read the Postgres password from secret ${SECRET_ARN}: `,
                    ),
                    error.message,
                );
                return error;
            }
            return assert.fail("expected a PasswordSecretError");
        };

        it("names a missing secret and the permissions the role needs", async () => {
            secrets.on(GetSecretValueCommand).rejects(
                new ResourceNotFoundException({
                    message: "Secrets Manager can't find the specified secret.",
                    $metadata: {},
                }),
            );
            const error = await errorFrom(secretPassword(SECRET_ARN).current());
            assert.match(
                error.message,
                /ResourceNotFoundException: Secrets Manager can't find the specified secret\..*secretsmanager:GetSecretValue/,
            );
        });

        it("says what shape it expected of a secret that is not JSON or has no password key", async () => {
            secretValue = "plain-text-password";
            assert.match(
                (await errorFrom(secretPassword(SECRET_ARN).current())).message,
                /not JSON; expected an object with a "password" string/,
            );
            secretValue = JSON.stringify({ username: "voteapp", pass: "x" });
            assert.match(
                (await errorFrom(secretPassword(SECRET_ARN).current())).message,
                /no non-empty "password" string/,
            );
        });

        it("caches the password, shares concurrent re-reads, and re-reads after a failed read", async () => {
            const source = secretPassword(SECRET_ARN, { minRefreshIntervalMs: 0 });
            assert.strictEqual(await source.current(), servers.postgres.password);
            assert.strictEqual(await source.current(), servers.postgres.password);
            assert.strictEqual(secrets.commandCalls(GetSecretValueCommand).length, 1, "cached");
            secretValue = JSON.stringify({ password: "next" });
            await Promise.all([source.refresh(), source.refresh(), source.refresh()]);
            assert.strictEqual(
                secrets.commandCalls(GetSecretValueCommand).length,
                2,
                "one read for concurrent refreshes",
            );
            assert.strictEqual(await source.current(), "next");
            secretValue = "{";
            await assert.rejects(source.refresh(), PasswordSecretError);
            assert.strictEqual(await source.current(), "next", "a failed read keeps the last good password");
        });

        it("starts from the injected PGPASSWORD without calling Secrets Manager", async () => {
            const source = secretPassword(SECRET_ARN, { initial: "injected" });
            assert.strictEqual(await source.current(), "injected");
            assert.strictEqual(secrets.commandCalls(GetSecretValueCommand).length, 0);
        });
    });
});
