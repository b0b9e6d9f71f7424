import * as assert from "assert";
import { createHash, createHmac } from "crypto";
import Redis from "ioredis";
import {
    AppEnv,
    AppSecretName,
    REDIS_CLIENTS,
    REDIS_KEYS,
    redisAccessString,
    type RedisClient,
    SERVICE_NEEDS,
    APP_SERVICES,
} from "../../shared/appContract";
import { ConfigError, redisConfig, type Env, type RedisConfig } from "../../app/src/core/config";
import { silentLogger, type Logger } from "../../app/src/core/log";
import { createRedisClient, waitReady } from "../../app/src/containers/redis";
import {
    REDIS_IAM_TOKEN_LIFETIME_SECONDS,
    type RedisIamTokenRequest,
    signRedisIamToken,
} from "../../app/src/containers/redisAuth";
import { redisBallotSink } from "../../app/src/containers/vote";
import { type VoteStore, VoteWorker } from "../../app/src/containers/worker";
import { type Ballot, encodeBallot } from "../../app/src/core/votes";
import { RedisServer, waitFor } from "./servers";

/**
 * How vote and worker reach Redis on AWS (ElastiCache IAM authentication), run against a real Redis:
 * - the token is the SigV4 presigned "connect" URL AWS documents, checked here against an independent SigV4
 *   computation (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html);
 * - each client authenticates as its own user with that token, and its user's ACL rules (the access strings the
 *   data layer gives the ElastiCache users) let through exactly what the service's code sends, nothing more;
 * - a renewed token is what the next reconnect sends (ElastiCache closes IAM connections after 12 hours).
 */

const CREDENTIALS = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    sessionToken: "session/token+with=chars",
};
const SIGNING_DATE = new Date("2026-12-03T13:45:00Z");
const REQUEST: RedisIamTokenRequest = { cacheName: "voteapp-dev-redis", user: "voteapp-dev-vote", region: "eu-west-1" };

/** RFC 3986 percent-encoding, as SigV4's canonical query string wants it. */
function rfc3986(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The signature of a presigned GET, computed from the SigV4 specification alone (no SDK code). */
function expectedSignature(host: string, params: URLSearchParams, secretAccessKey: string): string {
    const query = [...params.entries()]
        .filter(([key]) => key !== "X-Amz-Signature")
        .map(([key, value]) => [rfc3986(key), rfc3986(value)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => `${key}=${value}`)
        .join("&");
    const emptyPayload = createHash("sha256").update("").digest("hex");
    const canonical = ["GET", "/", query, `host:${host}`, "", "host", emptyPayload].join("\n");
    const [, date, region, service] = (params.get("X-Amz-Credential") ?? "").split("/");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = [
        "AWS4-HMAC-SHA256",
        params.get("X-Amz-Date"),
        scope,
        createHash("sha256").update(canonical).digest("hex"),
    ].join("\n");
    const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
    return createHmac("sha256", key).update(stringToSign).digest("hex");
}

function parseToken(token: string): { host: string; path: string; params: URLSearchParams } {
    const match = /^([^/?]+)(\/[^?]*)\?(.*)$/.exec(token);
    assert.ok(match, `token is not <host>/?<query>: ${token}`);
    return { host: match[1], path: match[2], params: new URLSearchParams(match[3]) };
}

describe("Redis access: ElastiCache IAM authentication and least-privilege users (real Redis)", function () {
    this.timeout(60_000);

    describe("the token", () => {
        it("is a SigV4 presigned GET http://<replication group>/?Action=connect&User=<user> for elasticache, valid 15 minutes, without the scheme", async () => {
            const token = await signRedisIamToken(REQUEST, CREDENTIALS, SIGNING_DATE);
            assert.ok(!/^https?:/.test(token), "the scheme is cut off");
            const { host, path, params } = parseToken(token);
            assert.strictEqual(host, REQUEST.cacheName, "signed for the replication group id, not an endpoint");
            assert.strictEqual(path, "/");
            assert.strictEqual(params.get("Action"), "connect");
            assert.strictEqual(params.get("User"), REQUEST.user);
            assert.strictEqual(params.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
            assert.strictEqual(
                params.get("X-Amz-Credential"),
                `${CREDENTIALS.accessKeyId}/20261203/eu-west-1/elasticache/aws4_request`,
            );
            assert.strictEqual(params.get("X-Amz-Date"), "20261203T134500Z");
            assert.strictEqual(params.get("X-Amz-Expires"), String(REDIS_IAM_TOKEN_LIFETIME_SECONDS));
            assert.strictEqual(REDIS_IAM_TOKEN_LIFETIME_SECONDS, 900);
            assert.strictEqual(params.get("X-Amz-SignedHeaders"), "host");
            assert.strictEqual(params.get("X-Amz-Security-Token"), CREDENTIALS.sessionToken);
            assert.strictEqual(
                params.get("X-Amz-Signature"),
                expectedSignature(host, params, CREDENTIALS.secretAccessKey),
                "the signature is not the one SigV4 defines for this request",
            );
        });

        it("for a serverless cache it also carries ResourceType=ServerlessCache, signed (AWS's IAMAuthTokenRequest); a replication group's does not", async () => {
            const token = await signRedisIamToken({ ...REQUEST, serverless: true }, CREDENTIALS, SIGNING_DATE);
            const { host, params } = parseToken(token);
            assert.strictEqual(host, REQUEST.cacheName, "signed for the serverless cache's name");
            assert.strictEqual(params.get("ResourceType"), "ServerlessCache");
            assert.strictEqual(params.get("Action"), "connect");
            assert.strictEqual(
                params.get("X-Amz-Signature"),
                expectedSignature(host, params, CREDENTIALS.secretAccessKey),
                "the resource type must be inside the signed query",
            );
            const nodes = parseToken(await signRedisIamToken(REQUEST, CREDENTIALS, SIGNING_DATE));
            assert.strictEqual(nodes.params.get("ResourceType"), null);
        });

        it("the independent signature check can fail (another key, another user)", async () => {
            const token = await signRedisIamToken(REQUEST, CREDENTIALS, SIGNING_DATE);
            const { host, params } = parseToken(token);
            assert.notStrictEqual(params.get("X-Amz-Signature"), expectedSignature(host, params, "another-secret"));
            const other = parseToken(
                await signRedisIamToken({ ...REQUEST, user: "voteapp-dev-worker" }, CREDENTIALS, SIGNING_DATE),
            );
            assert.notStrictEqual(other.params.get("X-Amz-Signature"), params.get("X-Amz-Signature"));
        });
    });

    describe("configuration (REDIS_AUTH=iam)", () => {
        const IAM: Env = {
            [AppEnv.redisHost]: "master.voteapp-dev-redis.abc123.euw1.cache.amazonaws.com",
            [AppEnv.redisPort]: "6379",
            [AppEnv.redisTls]: "true",
            [AppEnv.redisAuth]: "iam",
            [AppEnv.redisUser]: "voteapp-dev-vote",
            [AppEnv.redisCacheName]: "voteapp-dev-redis",
            [AppEnv.awsRegion]: "eu-west-1",
        };

        it("reads the user, the replication group and the region, and no password", () => {
            assert.deepStrictEqual(redisConfig(IAM, "vote"), {
                host: IAM[AppEnv.redisHost],
                port: 6379,
                tls: true,
                iam: {
                    user: "voteapp-dev-vote",
                    cacheName: "voteapp-dev-redis",
                    region: "eu-west-1",
                    serverless: false,
                },
            });
        });

        it("knows a serverless cache by its endpoint, and signs its tokens as such", () => {
            const host = "voteapp-dev-redis-1a2b3c.serverless.euw1.cache.amazonaws.com";
            assert.strictEqual(redisConfig({ ...IAM, [AppEnv.redisHost]: host }, "vote").iam?.serverless, true);
        });

        for (const [what, change, variable] of [
            ["clear text", { [AppEnv.redisTls]: "false" }, AppEnv.redisTls],
            ["a password beside IAM", { [AppSecretName.redisPassword]: "pw" }, AppSecretName.redisPassword],
            ["no user", { [AppEnv.redisUser]: undefined }, AppEnv.redisUser],
            ["an uppercase user id", { [AppEnv.redisUser]: "Voteapp-dev-vote" }, AppEnv.redisUser],
            ["no replication group", { [AppEnv.redisCacheName]: "" }, AppEnv.redisCacheName],
            ["no region", { [AppEnv.awsRegion]: undefined }, AppEnv.awsRegion],
            ["an unknown mode", { [AppEnv.redisAuth]: "token" }, AppEnv.redisAuth],
        ] as const) {
            it(`refuses ${what}, naming ${variable}`, () => {
                assert.throws(
                    () => redisConfig({ ...IAM, ...change }, "vote"),
                    (error: unknown) => error instanceof ConfigError && error.variable === variable,
                );
            });
        }
    });

    describe("against a real Redis holding the users' ACL rules", () => {
        let server: RedisServer;
        let admin: Redis;
        const clients: Redis[] = [];
        /** What the stand-in for ElastiCache accepts: the token each user presents now. */
        const tokenOf = (client: RedisClient) =>
            signRedisIamToken({ ...REQUEST, user: `voteapp-dev-${client}` }, CREDENTIALS, SIGNING_DATE);

        function iamClient(
            client: RedisClient,
            sign = (request: RedisIamTokenRequest) => signRedisIamToken(request, CREDENTIALS, SIGNING_DATE),
            log: Logger = silentLogger,
            tokenRenewalMs?: number,
        ): Redis {
            const config: RedisConfig = {
                host: "127.0.0.1",
                port: server.port,
                tls: false,
                iam: {
                    user: `voteapp-dev-${client}`,
                    cacheName: REQUEST.cacheName,
                    region: REQUEST.region,
                    serverless: false,
                },
            };
            const redis = createRedisClient(config, log, { sign, tokenRenewalMs, commandTimeoutMs: 2000 });
            clients.push(redis);
            return redis;
        }

        before(async function () {
            this.timeout(30_000);
            server = await RedisServer.create();
            admin = new Redis<"legacy">({ host: "127.0.0.1", port: server.port, password: server.password });
            // The users the data layer creates in ElastiCache: the same access strings, the IAM token as password.
            for (const client of REDIS_CLIENTS)
                await admin.call(
                    "ACL",
                    "SETUSER",
                    `voteapp-dev-${client}`,
                    "reset",
                    ...redisAccessString(client).split(" "),
                    `>${await tokenOf(client)}`,
                );
        });

        after(async () => {
            for (const client of clients) client.disconnect();
            admin?.disconnect();
            await server?.destroy();
        });

        beforeEach(async () => {
            await admin.del(REDIS_KEYS.queue, REDIS_KEYS.processing, REDIS_KEYS.deadLetter);
        });

        it("the Redis clients are exactly the services that need Redis", () => {
            assert.deepStrictEqual(
                [...REDIS_CLIENTS].sort(),
                APP_SERVICES.filter((service) => SERVICE_NEEDS[service].redis).sort(),
            );
        });

        it("vote and worker authenticate as their own users and move ballots (queue, processing, dead letter) with nothing but their rules", async () => {
            const vote = iamClient("vote");
            const worker = iamClient("worker");
            assert.ok(await waitReady(vote, 10_000), "vote did not connect with its IAM token");
            assert.ok(await waitReady(worker, 10_000), "worker did not connect with its IAM token");
            const connected = String(await admin.call("CLIENT", "LIST"));
            for (const user of ["voteapp-dev-vote", "voteapp-dev-worker"])
                assert.ok(connected.includes(`user=${user} `), `no connection as ${user}:\n${connected}`);

            const sink = redisBallotSink(vote);
            await sink({ voterId: "voter-001", vote: "a" });
            await sink({ voterId: "voter-002", vote: "b" });
            await admin.rpush(REDIS_KEYS.queue, "not a ballot");
            const stored: Ballot[] = [];
            const store: VoteStore = {
                upsert: (ballot) => {
                    stored.push(ballot);
                    return Promise.resolve();
                },
            };
            // Left over by a previous worker: requeued (LMOVE) before anything else.
            await admin.rpush(REDIS_KEYS.processing, encodeBallot({ voterId: "voter-000", vote: "a" }));
            const loop = new VoteWorker({
                redis: worker,
                store,
                log: silentLogger,
                blockSeconds: 1,
                minBackoffMs: 10,
                maxBackoffMs: 50,
            });
            const running = loop.start();
            await waitFor("the worker to take every ballot", async () =>
                stored.length >= 3 && (await admin.llen(REDIS_KEYS.deadLetter)) === 1 ? true : undefined,
            );
            await loop.stop();
            await running;
            assert.deepStrictEqual(stored.map((b) => b.voterId).sort(), ["voter-000", "voter-001", "voter-002"]);
            assert.deepStrictEqual(loop.stats.queueFailures, 0, "a command the worker sends is outside its rules");
            assert.deepStrictEqual(await admin.lrange(REDIS_KEYS.deadLetter, 0, -1), ["not a ballot"]);
            assert.strictEqual(await admin.llen(REDIS_KEYS.processing), 0);
        });

        it("the rules are not vacuous: each user is refused other commands and other keys", async () => {
            const vote = iamClient("vote");
            const worker = iamClient("worker");
            assert.ok(await waitReady(vote, 10_000));
            assert.ok(await waitReady(worker, 10_000));
            const refused = async (redis: Redis, ...command: string[]) => {
                const outcome = await redis.call(command[0], ...command.slice(1)).then(
                    () => "allowed",
                    (error: Error) => error.message,
                );
                assert.match(outcome, /NOPERM/, `${command.join(" ")}: ${outcome}`);
            };
            await refused(vote, "LRANGE", REDIS_KEYS.queue, "0", "-1");
            await refused(vote, "RPUSH", REDIS_KEYS.deadLetter, "x");
            await refused(vote, "DEL", REDIS_KEYS.queue);
            await refused(worker, "FLUSHALL");
            await refused(worker, "KEYS", "*");
            await refused(worker, "SET", "other-key", "x");
            await refused(worker, "CONFIG", "GET", "*");
        });

        it("a wrong token is refused (the stand-in checks what the client sends)", async () => {
            const log: string[] = [];
            const vote = iamClient(
                "vote",
                () => Promise.resolve("not-the-token"),
                (level, message) => log.push(`${level} ${message}`),
            );
            assert.strictEqual(await waitReady(vote, 1500), false, "connected with a wrong token");
        });

        it("a renewed token is what the next reconnect sends", async () => {
            let current = await tokenOf("vote");
            const vote = iamClient("vote", () => Promise.resolve(current), silentLogger, 50);
            assert.ok(await waitReady(vote, 10_000));
            // The user's password changes (a new token); the client renews, then its connection is closed.
            current = "renewed-token";
            await admin.call("ACL", "SETUSER", "voteapp-dev-vote", "resetpass", ">renewed-token");
            await waitFor("the client to hold the renewed token", async () =>
                vote.options.password === current ? true : undefined,
            );
            await admin.call("CLIENT", "KILL", "USER", "voteapp-dev-vote");
            await waitFor(
                "vote to push again after reconnecting",
                async () =>
                    await vote.rpush(REDIS_KEYS.queue, "after-renewal").then(
                        () => true,
                        () => undefined,
                    ),
            );
            await admin.call("ACL", "SETUSER", "voteapp-dev-vote", "resetpass", `>${await tokenOf("vote")}`);
        });
    });
});
