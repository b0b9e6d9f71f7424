import * as assert from "assert";
import { appEnvironment, type DataEndpoints, REDIS_CLIENTS, DATABASE_CLIENTS } from "../../shared/appContract";
import { ConfigError, voteOptions } from "../../app/src/core/config";
import { ConfigValidationError } from "../../stacks/config";
import { recordOf } from "../../shared/record";
import { parseWith } from "../support/config";

/**
 * The vote labels seam: the stack config (voteapp:optionA, voteapp:optionB) checks the labels, the platforms pass
 * them as OPTION_A/OPTION_B (appEnvironment; the Lambda component the same names), and every HTTP service and
 * function reads them with the app's voteOptions, which fails the start on a label it refuses. So the config must
 * accept exactly the labels the app starts with, and the app must show them as configured: a pair that only
 * differs in spaces would pass the config and crash every service; a label of spaces would pass and be shown as
 * the app's default. (A blank label is the app's local fallback to its default, not a label a stack sets.)
 */

const ENDPOINTS: DataEndpoints<string> = {
    redisHost: "cache.internal",
    redisPort: "6379",
    pgHost: "db.internal",
    pgPort: "5432",
    pgDatabase: "votes",
    pgUsers: recordOf(DATABASE_CLIENTS, (client) => client),
    redisCacheName: "cache",
    redisUsers: recordOf(REDIS_CLIENTS, (client) => client),
    region: "eu-west-1",
};

const LONGEST = "x".repeat(64);
const CASES: readonly (readonly [string, string])[] = [
    ["Cats", "Dogs"],
    ["Tea", "Coffee"],
    [" Cats ", "Dogs"],
    [" Cats", "Cats"],
    ["Tea\t", "Tea"],
    ["   ", "Dogs"],
    ["   ", "Cats"],
    ["", "Dogs"],
    [LONGEST, "Dogs"],
    [`${LONGEST}x`, "Dogs"],
    [` ${LONGEST} `, "Dogs"],
];

/** The labels the stack config resolves, or undefined where it refuses the pair. */
function configured(a: string, b: string): { readonly a: string; readonly b: string } | undefined {
    try {
        return parseWith("dev", { optionA: a, optionB: b }).voteOptions;
    } catch (error) {
        if (error instanceof ConfigValidationError) return undefined;
        throw error;
    }
}

/** The labels the app shows given these variables, or undefined where it refuses to start or falls back to a default. */
function shown(a: string, b: string): { readonly a: string; readonly b: string } | undefined {
    if (a.trim() === "" || b.trim() === "") return undefined;
    try {
        return voteOptions(appEnvironment("vote", ENDPOINTS, (value) => value, { a, b }));
    } catch (error) {
        if (error instanceof ConfigError) return undefined;
        throw error;
    }
}

describe("vote labels: the stack config accepts exactly what the app starts with, and the app shows them as configured", () => {
    for (const [a, b] of CASES) {
        it(`optionA ${JSON.stringify(a)}, optionB ${JSON.stringify(b)}`, () => {
            const config = configured(a, b);
            assert.deepStrictEqual(
                config,
                shown(a, b),
                config
                    ? "the config accepts labels the app refuses or shows otherwise"
                    : "the config refuses labels the app accepts",
            );
            if (config)
                assert.deepStrictEqual(shown(config.a, config.b), config, "the app shows the configured labels");
        });
    }
});
