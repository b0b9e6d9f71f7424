import { Pool, type QueryResult, type QueryResultRow } from "pg";
import type { PostgresConfig } from "../core/config";
import { errorMessage, type Logger } from "../core/log";
import { passwordSourceFor, type PasswordSource } from "./pgPassword";
import { trustedCas } from "./rdsCa";

/** The table of the original app: one row per voter, the voter's current vote. */
export const VOTES_TABLE_DDL = "CREATE TABLE votes (id VARCHAR(255) NOT NULL UNIQUE, vote VARCHAR(255) NOT NULL)";
/**
 * Creates the table only when it is missing. On AWS the database setup creates it and the worker's user may not
 * create tables: a plain CREATE TABLE IF NOT EXISTS checks the CREATE privilege on the schema even when the
 * table exists, this does not, so the worker's first-use check passes without that privilege.
 */
export const CREATE_VOTES_TABLE = `DO $$ BEGIN IF to_regclass('public.votes') IS NULL THEN ${VOTES_TABLE_DDL}; END IF; END $$`;
export const UPSERT_VOTE =
    "INSERT INTO votes (id, vote) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET vote = EXCLUDED.vote";
export const COUNT_VOTES = "SELECT vote, COUNT(id)::int AS count FROM votes GROUP BY vote";

/** Postgres error code for "relation does not exist" (the worker has not created the table yet). */
export const UNDEFINED_TABLE = "42P01";

/**
 * SQLSTATEs meaning "these credentials are refused": invalid_password (28P01, a wrong password, as after a
 * rotation) and invalid_authorization_specification (28000, e.g. no pg_hba entry accepts them).
 */
export const CREDENTIAL_ERRORS: readonly string[] = ["28P01", "28000"];

export function pgErrorCode(error: unknown): string | undefined {
    if (typeof error === "object" && error !== null && "code" in error) {
        const code = (error as { code: unknown }).code;
        return typeof code === "string" ? code : undefined;
    }
    return undefined;
}

/**
 * A small pg pool for the config. sslmode is explicit (pg would otherwise read PGSSLMODE itself):
 * "verify-full" trusts only the RDS CAs (or PGSSLROOTCERT's) and pg checks the host name, so a connection to a
 * server whose certificate does not verify fails: the IAM token, a credential, never reaches it. Timeouts are
 * bounded so an unreachable database gives errors the callers handle (503, retry), never a hang; idle-client
 * errors are logged instead of crashing the process.
 */
export function createPool(
    config: PostgresConfig,
    log: Logger,
    max = 4,
    password: PasswordSource = passwordSourceFor(config, { log }),
): Pool {
    const ssl =
        config.sslMode === "disable" ? false : { rejectUnauthorized: true, ca: trustedCas(config.sslRootCertFile) };
    const pool = new Pool({
        host: config.host,
        port: config.port,
        database: config.database,
        user: config.user,
        // Asked for every new connection: a fresh IAM token once the cached one is old (or after a refusal).
        password: () => password.current(),
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

/** What the services need from Postgres: queries, and closing. */
export interface PostgresDatabase {
    query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
}

/** Postgres refused the credentials even after renewing them: the message says where they came from. */
export class PostgresCredentialsError extends Error {
    constructor(
        readonly code: string,
        user: string,
        origin: string,
        reread: boolean,
        cause: unknown,
    ) {
        super(
            `postgres refused the credentials of user "${user}" (SQLSTATE ${code}) with ${origin}${reread ? ", also after renewing it" : ""}: ${errorMessage(cause)}`,
        );
        this.name = "PostgresCredentialsError";
    }
}

/**
 * A pool whose credentials renew themselves: when Postgres refuses those of a new connection (an IAM token
 * refused, e.g. signed with credentials that had just expired; open connections keep working), a new token is
 * signed and the query retried once. A second refusal is reported as a PostgresCredentialsError; callers treat
 * it like any other failure (the worker keeps the vote and retries, the result service answers 503).
 */
export function createPostgres(
    config: PostgresConfig,
    log: Logger,
    max = 4,
    password: PasswordSource = passwordSourceFor(config, { log }),
): PostgresDatabase {
    const pool = createPool(config, log, max, password);
    async function query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
        try {
            return await pool.query<R>(text, values);
        } catch (error) {
            const code = pgErrorCode(error);
            if (code === undefined || !CREDENTIAL_ERRORS.includes(code)) throw error;
            if (!(await password.refresh()))
                throw new PostgresCredentialsError(code, config.user, password.origin, false, error);
            try {
                return await pool.query<R>(text, values);
            } catch (retryError) {
                const retryCode = pgErrorCode(retryError);
                if (retryCode !== undefined && CREDENTIAL_ERRORS.includes(retryCode))
                    throw new PostgresCredentialsError(retryCode, config.user, password.origin, true, retryError);
                throw retryError;
            }
        }
    }
    return { query, end: () => pool.end() };
}
