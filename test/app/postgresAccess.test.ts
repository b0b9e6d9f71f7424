import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { Client } from "pg";
import {
    AppEnv,
    AppSecretName,
    DATABASE_CLIENTS,
    DATABASE_USERS,
    databaseSetupInput,
    DATABASE_SETUP_ENV,
    SERVICE_NEEDS,
} from "../../shared/appContract";
import { ConfigError, postgresConfig, type Env } from "../../app/src/core/config";
import { silentLogger } from "../../app/src/core/log";
import {
    iamAuthToken,
    type IamTokenRequest,
    passwordSourceFor,
    rdsTokenSigner,
} from "../../app/src/containers/pgPassword";
import {
    COUNT_VOTES,
    createPostgres,
    pgErrorCode,
    PostgresCredentialsError,
    type PostgresDatabase,
} from "../../app/src/containers/postgres";
import { postgresVoteStore } from "../../app/src/containers/worker";
import { createSetupHandler } from "../../app/src/dbsetup/handler";
import { DatabaseSetupError, parseSetupSpec, RDS_IAM_ROLE } from "../../app/src/dbsetup/setup";
import { PostgresServer, waitFor } from "./servers";
import { createThrowawayCa, type ThrowawayCa } from "./throwawayCa";

/**
 * How worker and result reach PostgreSQL on AWS, run against a real PostgreSQL on loopback:
 * - the database setup (the only code using the master user) creates one login per client, IAM tokens only,
 *   with exactly the table privileges the client needs;
 * - the clients authenticate with RDS IAM tokens through the real pool path, the token source injected so a
 *   local credential stands in for the signature RDS would check;
 * - the server certificate is verified (verify-full): a throw-away CA made here plays the RDS CA.
 */

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123abcd-4567-89ef-AbCdEf";
/** The certificate names localhost only: 127.0.0.1 is a name it does not carry. */
const CERT_HOST = "localhost";
/** Local stand-ins for what RDS accepts as each user's token. */
const LOCAL_TOKEN: Readonly<Record<string, string>> = {
    [DATABASE_USERS.worker.name]: "worker-local-credential",
    [DATABASE_USERS.result.name]: "result-local-credential",
};
const INSUFFICIENT_PRIVILEGE = "42501";

describe("Postgres access: least-privilege IAM users and a verified server (real PostgreSQL, throw-away CA)", function () {
    this.timeout(60_000);

    let server: PostgresServer;
    let rightCa: ThrowawayCa;
    let otherCa: ThrowawayCa;
    /** Every Secrets Manager client answers from here while this file runs (and only then: made in before). */
    let secrets: AwsClientStub<SecretsManagerClient>;
    const opened: PostgresDatabase[] = [];

    async function asMaster<T>(use: (client: Client) => Promise<T>): Promise<T> {
        const client = new Client(server.connection());
        await client.connect();
        try {
            return await use(client);
        } finally {
            await client.end();
        }
    }

    /** Serve TLS with rightCa's certificate: PostgreSQL reloads its SSL settings without a restart. */
    async function enableTls(): Promise<void> {
        const { uid, gid } = fs.statSync(server.dir);
        for (const [from, name, mode] of [
            [rightCa.serverCertFile, "server.crt", 0o644],
            [rightCa.serverKeyFile, "server.key", 0o600],
        ] as const) {
            const to = path.join(server.dir, name);
            fs.copyFileSync(from, to);
            fs.chmodSync(to, mode);
            fs.chownSync(to, uid, gid);
        }
        await asMaster(async (client) => {
            await client.query(`ALTER SYSTEM SET ssl_cert_file = '${path.join(server.dir, "server.crt")}'`);
            await client.query(`ALTER SYSTEM SET ssl_key_file = '${path.join(server.dir, "server.key")}'`);
            await client.query("ALTER SYSTEM SET ssl = 'on'");
            await client.query("SELECT pg_reload_conf()");
        });
        await waitFor("ssl on", () =>
            asMaster(async (c) => ((await c.query("SHOW ssl")).rows[0]?.ssl === "on" ? true : undefined)),
        );
    }

    /** The environment ECS/EKS give a Postgres client, pointing at the local server. */
    function awsEnv(service: "worker" | "result", extra: Env = {}): Env {
        return {
            [AppEnv.pgHost]: CERT_HOST,
            [AppEnv.pgPort]: String(server.port),
            [AppEnv.pgDatabase]: server.database,
            [AppEnv.pgUser]: DATABASE_USERS[service].name,
            [AppEnv.pgSslMode]: "verify-full",
            [AppEnv.pgAuth]: "iam",
            [AppEnv.awsRegion]: "eu-west-1",
            [AppEnv.pgSslRootCert]: rightCa.caFile,
            ...extra,
        };
    }

    /** A client as the service runs it, its token source injected: `tokens` answers each signing, in order. */
    function connectAs(
        service: "worker" | "result",
        options: { env?: Env; tokens?: string[]; signed?: IamTokenRequest[] } = {},
    ): PostgresDatabase {
        const config = postgresConfig(awsEnv(service, options.env), service);
        const tokens = [...(options.tokens ?? [])];
        const source = passwordSourceFor(config, {
            sign: (request) => {
                options.signed?.push(request);
                return Promise.resolve(tokens.shift() ?? LOCAL_TOKEN[request.username] ?? "no-such-user");
            },
        });
        const db = createPostgres(config, silentLogger, 1, source);
        opened.push(db);
        return db;
    }

    async function rejectsWith(code: string, run: () => Promise<unknown>, what: string): Promise<void> {
        await assert.rejects(run, (error: unknown) => {
            assert.strictEqual(pgErrorCode(error), code, `${what}: expected SQLSTATE ${code}, got ${String(error)}`);
            return true;
        });
    }

    function setupHandler(env: Env = {}) {
        return createSetupHandler({
            env: {
                [DATABASE_SETUP_ENV.host]: CERT_HOST,
                [DATABASE_SETUP_ENV.port]: String(server.port),
                [DATABASE_SETUP_ENV.database]: server.database,
                [DATABASE_SETUP_ENV.masterSecretArn]: SECRET_ARN,
                [DATABASE_SETUP_ENV.sslMode]: "verify-full",
                [DATABASE_SETUP_ENV.sslRootCert]: rightCa.caFile,
                ...env,
            },
            secrets: new SecretsManagerClient({ region: "eu-west-1" }),
        });
    }

    before(async function () {
        this.timeout(120_000);
        server = await PostgresServer.create();
        rightCa = createThrowawayCa("right", [`DNS:${CERT_HOST}`]);
        otherCa = createThrowawayCa("other", [`DNS:${CERT_HOST}`]);
        await enableTls();
        secrets = mockClient(SecretsManagerClient);
        secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
            ARN: SECRET_ARN,
            SecretString: JSON.stringify({ username: server.user, password: server.password }),
        });
    });

    afterEach(async () => {
        await Promise.all(opened.splice(0).map((db) => db.end().catch(() => undefined)));
    });

    after(async function () {
        this.timeout(30_000);
        secrets?.restore();
        await server?.destroy();
        rightCa?.destroy();
        otherCa?.destroy();
    });

    it("the contract names one database user per Postgres client, and only for them", () => {
        const clients = (Object.keys(SERVICE_NEEDS) as (keyof typeof SERVICE_NEEDS)[]).filter(
            (s) => SERVICE_NEEDS[s].postgres,
        );
        assert.deepStrictEqual([...DATABASE_CLIENTS].sort(), clients.sort());
        assert.deepStrictEqual(databaseSetupInput("votes"), {
            database: "votes",
            users: [
                { name: "voteapp_worker", access: "write" },
                { name: "voteapp_result", access: "read" },
            ],
        });
    });

    it("the setup refuses a server without the rds_iam role (not RDS) before changing anything", async () => {
        await assert.rejects(setupHandler()(databaseSetupInput(server.database)), (error: unknown) => {
            assert.ok(error instanceof DatabaseSetupError, String(error));
            assert.match(error.message, /role rds_iam does not exist/);
            return true;
        });
        const roles = await asMaster((c) =>
            c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [DATABASE_USERS.worker.name]),
        );
        assert.strictEqual(roles.rowCount, 0, "no user was created");
        // From here on the server looks like RDS: rds_iam is the role whose members log in with IAM tokens.
        await asMaster((c) => c.query(`CREATE ROLE ${RDS_IAM_ROLE} NOLOGIN`));
    });

    it("the setup creates each client's user with exactly its privileges, IAM-only, and a re-run changes nothing", async () => {
        const handler = setupHandler();
        const first = await handler(databaseSetupInput(server.database));
        assert.deepStrictEqual(first, {
            database: server.database,
            table: "votes",
            users: [
                { name: "voteapp_worker", access: "write", privileges: ["SELECT", "INSERT", "UPDATE"] },
                { name: "voteapp_result", access: "read", privileges: ["SELECT"] },
            ],
        });
        assert.strictEqual(secrets.commandCalls(GetSecretValueCommand).length >= 1, true);
        // Someone gave a user a password and a privilege by hand: the next run takes both away.
        await asMaster(async (c) => {
            await c.query(`ALTER ROLE ${DATABASE_USERS.result.name} PASSWORD 'by-hand'`);
            await c.query(`GRANT DELETE ON votes TO ${DATABASE_USERS.result.name}`);
        });
        assert.deepStrictEqual(await handler(databaseSetupInput(server.database)), first);
        const roles = await asMaster((c) =>
            c.query<{ rolname: string; rolpassword: string | null; iam: boolean; super: boolean }>(
                `SELECT r.rolname, s.passwd AS rolpassword, pg_has_role(r.rolname, '${RDS_IAM_ROLE}', 'MEMBER') AS iam, r.rolsuper AS super
                 FROM pg_roles r JOIN pg_shadow s ON s.usename = r.rolname WHERE r.rolname = ANY($1) ORDER BY r.rolname`,
                [DATABASE_CLIENTS.map((c) => DATABASE_USERS[c].name)],
            ),
        );
        assert.deepStrictEqual(
            roles.rows.map((r) => ({ ...r })),
            [
                { rolname: "voteapp_result", rolpassword: null, iam: true, super: false },
                { rolname: "voteapp_worker", rolpassword: null, iam: true, super: false },
            ],
        );
    });

    it("the setup refuses input that is not a plain identifier (the event cannot inject SQL)", () => {
        for (const input of [
            { database: "votes; DROP TABLE votes", users: [{ name: "a", access: "read" }] },
            { database: "votes", users: [{ name: 'x" SUPERUSER --', access: "read" }] },
            { database: "votes", users: [{ name: "a", access: "admin" }] },
            { database: "votes", users: [] },
            {
                database: "votes",
                users: [
                    { name: "a", access: "read" },
                    { name: "a", access: "write" },
                ],
            },
        ]) {
            assert.throws(() => parseSetupSpec(input), DatabaseSetupError, JSON.stringify(input));
        }
    });

    describe("with the users in place (local credentials stand in for the tokens RDS would check)", () => {
        before(async () => {
            await setupHandler()(databaseSetupInput(server.database));
            await asMaster(async (c) => {
                for (const client of DATABASE_CLIENTS) {
                    const name = DATABASE_USERS[client].name;
                    await c.query(`ALTER ROLE ${name} PASSWORD '${LOCAL_TOKEN[name]}'`);
                }
                await c.query("TRUNCATE votes");
            });
        });

        it("the worker signs a token for its own user and stores ballots, first use included", async () => {
            const signed: IamTokenRequest[] = [];
            const db = connectAs("worker", { signed });
            // The store's first use runs the worker's table check, which must pass without CREATE on the schema.
            await postgresVoteStore(db).upsert({ voterId: "voter-1", vote: "a" });
            await postgresVoteStore(db).upsert({ voterId: "voter-1", vote: "b" });
            assert.deepStrictEqual(signed, [
                { hostname: CERT_HOST, port: server.port, username: "voteapp_worker", region: "eu-west-1" },
            ]);
            const rows = await asMaster((c) => c.query("SELECT id, vote FROM votes ORDER BY id"));
            assert.deepStrictEqual(rows.rows, [{ id: "voter-1", vote: "b" }]);
        });

        it("the worker's user can neither delete, drop nor create; result's can only read", async () => {
            const worker = connectAs("worker");
            await rejectsWith(INSUFFICIENT_PRIVILEGE, () => worker.query("DELETE FROM votes"), "worker DELETE");
            await rejectsWith(INSUFFICIENT_PRIVILEGE, () => worker.query("TRUNCATE votes"), "worker TRUNCATE");
            await rejectsWith(INSUFFICIENT_PRIVILEGE, () => worker.query("DROP TABLE votes"), "worker DROP");
            await rejectsWith(
                INSUFFICIENT_PRIVILEGE,
                () => worker.query("CREATE TABLE stash (x int)"),
                "worker CREATE",
            );
            const result = connectAs("result");
            const counts = await result.query<{ vote: string; count: number }>(COUNT_VOTES);
            assert.deepStrictEqual(counts.rows, [{ vote: "b", count: 1 }]);
            await rejectsWith(
                INSUFFICIENT_PRIVILEGE,
                () => result.query("INSERT INTO votes (id, vote) VALUES ('x', 'a')"),
                "result INSERT",
            );
            await rejectsWith(
                INSUFFICIENT_PRIVILEGE,
                () => result.query("UPDATE votes SET vote = 'a'"),
                "result UPDATE",
            );
        });

        it("a refused token is renewed once; refused again, the error names the user and where the token came from", async () => {
            const signed: IamTokenRequest[] = [];
            const renewed = connectAs("result", { tokens: ["expired-token"], signed });
            assert.strictEqual((await renewed.query("SELECT 1 AS one")).rows[0]?.one, 1);
            assert.strictEqual(signed.length, 2, "signed again after the refusal");

            const refused = connectAs("result", { tokens: ["bad-1", "bad-2"] });
            await assert.rejects(
                () => refused.query("SELECT 1"),
                (error: unknown) => {
                    assert.ok(error instanceof PostgresCredentialsError, String(error));
                    assert.match(error.message, /voteapp_result/);
                    assert.match(error.message, /RDS IAM token .*PGAUTH=iam.*also after renewing it/);
                    return true;
                },
            );
        });

        it("verify-full: the right CA connects; another CA, the RDS bundle or a name the certificate lacks fail before the token is signed", async () => {
            const ok = connectAs("result");
            assert.strictEqual(
                (await ok.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0]?.ssl,
                true,
            );
            const cases: ReadonlyArray<[string, Env, RegExp]> = [
                ["another CA", { [AppEnv.pgSslRootCert]: otherCa.caFile }, /self[- ]signed|unable to (get|verify)/i],
                [
                    "the RDS CAs (a local certificate is not from RDS)",
                    { [AppEnv.pgSslRootCert]: "" },
                    /self[- ]signed|unable to (get|verify)/i,
                ],
                [
                    "a host name the certificate does not carry",
                    { [AppEnv.pgHost]: "127.0.0.1" },
                    /altnames|not in the cert/i,
                ],
            ];
            for (const [what, env, message] of cases) {
                const signed: IamTokenRequest[] = [];
                const db = connectAs("result", { env, signed });
                await assert.rejects(
                    () => db.query("SELECT 1"),
                    (error: unknown) => {
                        assert.match(String(error), message, what);
                        return true;
                    },
                    what,
                );
                assert.deepStrictEqual(signed, [], `${what}: no token may be signed for an unverified server`);
            }
        });

        it("the setup itself verifies the server: with another CA it fails and changes nothing", async () => {
            await assert.rejects(
                setupHandler({ [DATABASE_SETUP_ENV.sslRootCert]: otherCa.caFile })(databaseSetupInput(server.database)),
                /self[- ]signed|unable to (get|verify)/i,
            );
        });
    });

    describe("configuration and signing (no server)", () => {
        it("PGAUTH=iam needs AWS_REGION and verify-full; there is no sslmode that skips verification", () => {
            const base = {
                [AppEnv.pgHost]: "db.example.internal",
                [AppEnv.pgPort]: "5432",
                [AppEnv.pgDatabase]: "votes",
                [AppEnv.pgUser]: "voteapp_result",
                [AppEnv.pgSslMode]: "verify-full",
                [AppEnv.pgAuth]: "iam",
                [AppEnv.awsRegion]: "eu-west-1",
            };
            assert.deepStrictEqual(postgresConfig(base, "result").auth, { kind: "iam", region: "eu-west-1" });
            for (const [env, variable] of [
                [{ ...base, [AppEnv.pgSslMode]: "disable" }, AppEnv.pgSslMode],
                [{ ...base, [AppEnv.pgSslMode]: "require" }, AppEnv.pgSslMode],
                [{ ...base, [AppEnv.awsRegion]: undefined }, AppEnv.awsRegion],
                [{ ...base, [AppEnv.awsRegion]: "Ireland" }, AppEnv.awsRegion],
                [{ ...base, [AppEnv.pgAuth]: "token" }, AppEnv.pgAuth],
                [{ ...base, [AppEnv.pgAuth]: undefined }, AppSecretName.pgPassword],
            ] as const) {
                assert.throws(
                    () => postgresConfig(env, "result"),
                    (error: unknown) => error instanceof ConfigError && error.variable === variable,
                    JSON.stringify(env),
                );
            }
        });

        it("the default signer presigns rds-db:connect for the user, region and endpoint, valid 15 minutes", async () => {
            const token = await rdsTokenSigner({ accessKeyId: "AKIAEXAMPLEEXAMPLE12", secretAccessKey: "example" })({
                hostname: "voteapp-dev-postgres.abc.eu-west-1.rds.amazonaws.com",
                port: 5432,
                username: "voteapp_worker",
                region: "eu-west-1",
            });
            const url = new URL(`https://${token}`);
            assert.strictEqual(url.host, "voteapp-dev-postgres.abc.eu-west-1.rds.amazonaws.com:5432");
            assert.strictEqual(url.searchParams.get("Action"), "connect");
            assert.strictEqual(url.searchParams.get("DBUser"), "voteapp_worker");
            assert.strictEqual(url.searchParams.get("X-Amz-Expires"), "900");
            assert.match(
                url.searchParams.get("X-Amz-Credential") ?? "",
                /^AKIAEXAMPLEEXAMPLE12\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
            );
        });

        it("tokens are cached for their safe age and signed once for concurrent connections", async () => {
            let now = 0;
            let count = 0;
            const source = iamAuthToken(
                { hostname: "h", port: 5432, username: "u", region: "eu-west-1" },
                { sign: () => Promise.resolve(`token-${++count}`), now: () => now, maxAgeMs: 600_000 },
            );
            assert.deepStrictEqual(await Promise.all([source.current(), source.current()]), ["token-1", "token-1"]);
            now = 599_999;
            assert.strictEqual(await source.current(), "token-1");
            now = 600_000;
            assert.strictEqual(await source.current(), "token-2");
            assert.throws(() =>
                iamAuthToken({ hostname: "h", port: 1, username: "u", region: "r" }, { maxAgeMs: 900_000 }),
            );
        });
    });
});
