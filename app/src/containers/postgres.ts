import { Pool } from "pg";
import type { PostgresConfig } from "../core/config";
import { errorMessage, type Logger } from "../core/log";

/** The table of the original app: one row per voter, the voter's current vote. */
export const CREATE_VOTES_TABLE = "CREATE TABLE IF NOT EXISTS votes (id VARCHAR(255) NOT NULL UNIQUE, vote VARCHAR(255) NOT NULL)";
export const UPSERT_VOTE = "INSERT INTO votes (id, vote) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET vote = EXCLUDED.vote";
export const COUNT_VOTES = "SELECT vote, COUNT(id)::int AS count FROM votes GROUP BY vote";

/** Postgres error code for "relation does not exist" (the worker has not created the table yet). */
export const UNDEFINED_TABLE = "42P01";

export function pgErrorCode(error: unknown): string | undefined {
    if (typeof error === "object" && error !== null && "code" in error) {
        const code = (error as { code: unknown }).code;
        return typeof code === "string" ? code : undefined;
    }
    return undefined;
}

/**
 * A small pg pool for the config. sslmode is explicit (pg would otherwise read PGSSLMODE itself, and treat
 * "require" as full verification): "require" encrypts like libpq, "verify-full" also checks the server
 * certificate against the system CAs (add the RDS bundle via NODE_EXTRA_CA_CERTS). Timeouts are bounded
 * so an unreachable database gives errors the callers handle (503, retry), never a hang; idle-client errors
 * are logged instead of crashing the process.
 */
export function createPool(config: PostgresConfig, log: Logger, max = 4): Pool {
    const ssl = config.sslMode === "disable" ? false : config.sslMode === "require" ? { rejectUnauthorized: false } : { rejectUnauthorized: true, servername: config.host };
    const pool = new Pool({
        host: config.host,
        port: config.port,
        database: config.database,
        user: config.user,
        password: config.password,
        ssl,
        max,
        connectionTimeoutMillis: 3000,
        idleTimeoutMillis: 30_000,
        query_timeout: 10_000,
        statement_timeout: 5000,
        application_name: "voteapp",
    });
    pool.on("error", (error) => log("warn", "postgres idle client error", { error: errorMessage(error) }));
    return pool;
}
