import * as assert from "assert";
import { AppEnv, AppSecretName, DEFAULT_OPTIONS } from "../../shared/appContract";
import { ConfigError, postgresConfig, redisConfig, voteOptions, type Env } from "../../app/src/core/config";
import { renderResultPage, renderVotePage } from "../../app/src/core/pages";
import { computeTotals, countsFromRows } from "../../app/src/core/totals";
import { decodeBallot, encodeBallot, parseVoteForm, voterCookie, voterFromCookie } from "../../app/src/core/votes";

/** The transport-independent core shared by the container and Lambda adapters. */

function configError(load: () => unknown): ConfigError {
    try {
        load();
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected a ConfigError");
}

const REDIS: Env = { [AppEnv.redisHost]: "cache.internal", [AppEnv.redisPort]: "6379", [AppEnv.redisTls]: "true" };
const PG: Env = {
    [AppEnv.pgHost]: "db.internal",
    [AppEnv.pgPort]: "5432",
    [AppEnv.pgDatabase]: "votes",
    [AppEnv.pgUser]: "app",
    [AppSecretName.pgPassword]: "secret",
    [AppEnv.pgSslMode]: "verify-full",
};

describe("app core", () => {
    describe("configuration (fail fast, naming the variable)", () => {
        it("reads the Redis settings; the password is optional and TLS follows REDIS_TLS", () => {
            assert.deepStrictEqual(redisConfig(REDIS, "vote"), { host: "cache.internal", port: 6379, tls: true });
            assert.strictEqual(
                redisConfig({ ...REDIS, [AppSecretName.redisPassword]: "pw", [AppEnv.redisTls]: "FALSE" }, "vote")
                    .password,
                "pw",
            );
        });

        it("reads the Postgres settings; without PGAUTH=iam, PGPASSWORD is required", () => {
            assert.deepStrictEqual(postgresConfig(PG, "result"), {
                host: "db.internal",
                port: 5432,
                database: "votes",
                user: "app",
                auth: { kind: "password", password: "secret" },
                sslMode: "verify-full",
            });
            const error = configError(() => postgresConfig({ ...PG, [AppSecretName.pgPassword]: undefined }, "result"));
            assert.strictEqual(error.variable, AppSecretName.pgPassword);
            assert.match(error.message, /result service/);
        });

        const invalid: ReadonlyArray<[string, () => unknown, string]> = [
            ["missing REDIS_HOST", () => redisConfig({ ...REDIS, [AppEnv.redisHost]: " " }, "vote"), AppEnv.redisHost],
            [
                "REDIS_PORT not a port",
                () => redisConfig({ ...REDIS, [AppEnv.redisPort]: "0" }, "vote"),
                AppEnv.redisPort,
            ],
            [
                "REDIS_TLS not a boolean",
                () => redisConfig({ ...REDIS, [AppEnv.redisTls]: "1" }, "vote"),
                AppEnv.redisTls,
            ],
            [
                "PGSSLMODE unknown",
                () => postgresConfig({ ...PG, [AppEnv.pgSslMode]: "allow" }, "worker"),
                AppEnv.pgSslMode,
            ],
            ["missing PGUSER", () => postgresConfig({ ...PG, [AppEnv.pgUser]: undefined }, "worker"), AppEnv.pgUser],
            ["equal options", () => voteOptions({ [AppEnv.optionA]: "X", [AppEnv.optionB]: "X" }), AppEnv.optionB],
            ["over-long option", () => voteOptions({ [AppEnv.optionA]: "x".repeat(65) }), AppEnv.optionA],
        ];
        for (const [what, load, variable] of invalid) {
            it(`rejects ${what}, naming ${variable}`, () => {
                const error = configError(load);
                assert.strictEqual(error.variable, variable);
                assert.ok(error.message.startsWith(`${variable}: `), error.message);
            });
        }

        it("defaults the options to the contract's Cats/Dogs", () => {
            assert.deepStrictEqual(voteOptions({}), DEFAULT_OPTIONS);
        });
    });

    describe("ballots", () => {
        it("accepts exactly one vote field a or b", () => {
            assert.deepStrictEqual(parseVoteForm("vote=b"), { ok: true, value: "b" });
            for (const body of ["vote=c", "", "vote=a&vote=a", "vote=%61%62"])
                assert.strictEqual(parseVoteForm(body).ok, false, body);
        });

        it("round-trips the original app's queue message and rejects malformed ones", () => {
            const message = encodeBallot({ voterId: "abcdef0123456789", vote: "a" });
            assert.strictEqual(message, '{"voter_id":"abcdef0123456789","vote":"a"}');
            assert.deepStrictEqual(decodeBallot(message), {
                ok: true,
                value: { voterId: "abcdef0123456789", vote: "a" },
            });
            for (const bad of ["", "[]", "null", '{"voter_id":"abcdef0123456789"}', '{"voter_id":"../x","vote":"a"}'])
                assert.strictEqual(decodeBallot(bad).ok, false, bad);
        });

        it("keeps a valid voter cookie, replaces a missing or invalid one", () => {
            assert.deepStrictEqual(voterFromCookie("a=1; voter_id=abcdef0123456789"), {
                voterId: "abcdef0123456789",
                isNew: false,
            });
            assert.strictEqual(voterFromCookie("voter_id=<script>").isNew, true);
            assert.match(voterCookie("abcdef0123456789", true), /HttpOnly; SameSite=Lax; Secure$/);
        });
    });

    describe("totals and pages", () => {
        it("computes percentages (50/50 before any vote) from count rows", () => {
            assert.deepStrictEqual(computeTotals({}, DEFAULT_OPTIONS).a, { label: "Cats", votes: 0, percent: 50 });
            const totals = computeTotals(
                countsFromRows([
                    { vote: "a", count: "1" },
                    { vote: "b", count: 2 },
                    { vote: "x", count: 9 },
                ]),
                DEFAULT_OPTIONS,
            );
            assert.deepStrictEqual([totals.a.percent, totals.b.percent, totals.total], [33.3, 66.7, 3]);
        });

        it("escapes option labels in both pages", () => {
            const options = { a: "<b>", b: `"x"` };
            assert.ok(!renderVotePage(options, { processedBy: "container ID <b>" }).includes("<b>"));
            assert.ok(renderResultPage(options, { scriptPath: "/s.js", totalsPath: "/t.json" }).includes("&lt;b&gt;"));
        });
    });
});
