import type { QueryResult, QueryResultRow } from "pg";
import { VOTES_TABLE_DDL } from "../containers/postgres";

/**
 * The database setup: the one step that uses the RDS master user. It creates the app's schema and one
 * least-privilege login per Postgres client, each authenticating only with RDS IAM tokens (member of
 * `rds_iam`, no password), and converges their grants to exactly what the client needs: the worker writes
 * ballots (SELECT, INSERT, UPDATE on votes: an upsert), result reads them (SELECT). Nobody else may connect
 * to the database or create anything in it. Every statement is idempotent: running it again (each
 * `pulumi up` that changes it, or by hand) leaves the same state.
 */

/** What a user may do with the votes table. */
export type TableAccess = "write" | "read";

export const TABLE_PRIVILEGES: Readonly<Record<TableAccess, readonly string[]>> = {
    write: ["SELECT", "INSERT", "UPDATE"],
    read: ["SELECT"],
};

export interface DatabaseUserSpec {
    readonly name: string;
    readonly access: TableAccess;
}

export interface DatabaseSetupSpec {
    readonly database: string;
    readonly users: readonly DatabaseUserSpec[];
}

/** The role RDS maps to IAM authentication: its members log in with tokens only (password logins are refused). */
export const RDS_IAM_ROLE = "rds_iam";
export const VOTES_TABLE = "votes";

/** Unquoted lower-case Postgres identifiers only: nothing a spec says can change the SQL around it. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class DatabaseSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DatabaseSetupError";
    }
}

function identifier(kind: string, value: unknown): string {
    if (typeof value !== "string" || !IDENTIFIER.test(value))
        throw new DatabaseSetupError(
            `${kind} must be a lower-case Postgres identifier (letters, digits, _; at most 63), got ${JSON.stringify(value)}`,
        );
    return value;
}

/** Validates an untrusted spec (the Lambda event): names are identifiers, each user once, a known access. */
export function parseSetupSpec(input: unknown): DatabaseSetupSpec {
    if (typeof input !== "object" || input === null) throw new DatabaseSetupError("the setup input must be an object");
    const record = input as Record<string, unknown>;
    const database = identifier("database", record.database);
    if (!Array.isArray(record.users) || record.users.length === 0)
        throw new DatabaseSetupError("users must be a non-empty list of { name, access }");
    const seen = new Set<string>();
    const users = record.users.map((raw: unknown, index) => {
        const user = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
        const name = identifier(`users[${index}].name`, user.name);
        if (seen.has(name)) throw new DatabaseSetupError(`users lists "${name}" twice`);
        seen.add(name);
        if (user.access !== "write" && user.access !== "read")
            throw new DatabaseSetupError(
                `users[${index}].access must be "write" or "read", got ${JSON.stringify(user.access)}`,
            );
        return { name, access: user.access } as const;
    });
    return { database, users };
}

const quoted = (name: string): string => `"${name}"`;

/** Connections one app user may hold: pools are 2–4 per task or pod, so this covers any scaling we allow. */
export const CONNECTION_LIMIT = 100;

/** Every table privilege PostgreSQL knows: the report lists which of them each user effectively holds. */
export const ALL_TABLE_PRIVILEGES = [
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
] as const;

/** The statements, in order, for a validated spec (run in one transaction). */
export function setupStatements(spec: DatabaseSetupSpec): string[] {
    const db = quoted(spec.database);
    const statements = [
        VOTES_TABLE_DDL.replace(/^CREATE TABLE /, "CREATE TABLE IF NOT EXISTS "),
        // Only the listed users (and the owner, the master user) may connect; no temporary tables for anyone else.
        `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
        // Before PostgreSQL 15 every user could create objects in public; nobody but the owner may.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        `REVOKE ALL ON TABLE ${VOTES_TABLE} FROM PUBLIC`,
    ];
    for (const user of spec.users) {
        const role = quoted(user.name);
        statements.push(
            `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${user.name}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$`,
            // No password (IAM tokens only), a bounded number of connections. (SUPERUSER, REPLICATION and BYPASSRLS
            // are off for a new role and only a true superuser, which the RDS master is not, could turn them on.)
            `ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD NULL CONNECTION LIMIT ${CONNECTION_LIMIT}`,
            `GRANT ${RDS_IAM_ROLE} TO ${role}`,
            `GRANT CONNECT ON DATABASE ${db} TO ${role}`,
            `GRANT USAGE ON SCHEMA public TO ${role}`,
            `REVOKE ALL ON TABLE ${VOTES_TABLE} FROM ${role}`,
            `GRANT ${TABLE_PRIVILEGES[user.access].join(", ")} ON TABLE ${VOTES_TABLE} TO ${role}`,
        );
    }
    return statements;
}

/** A connected client (pg's Client or PoolClient). */
export interface SqlClient {
    query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface SetupReport {
    readonly database: string;
    readonly table: string;
    /** Per user, the table privileges it effectively holds after the setup, read back from the server. */
    readonly users: readonly { readonly name: string; readonly access: TableAccess; readonly privileges: string[] }[];
}

/**
 * Runs the setup in one transaction (all or nothing) as the connected user, which must own the database (the
 * RDS master user does), then reads the resulting privileges back as the report. The database the client is
 * connected to must be the spec's.
 */
export async function setUpDatabase(client: SqlClient, spec: DatabaseSetupSpec): Promise<SetupReport> {
    const current = (await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]?.db;
    if (current !== spec.database)
        throw new DatabaseSetupError(`connected to database "${current}", but the setup is for "${spec.database}"`);
    const iam = await client.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [RDS_IAM_ROLE]);
    if (iam.rowCount === 0)
        throw new DatabaseSetupError(
            `role ${RDS_IAM_ROLE} does not exist: this is not an RDS PostgreSQL instance, whose IAM database authentication the app users need`,
        );
    await client.query("BEGIN");
    try {
        for (const statement of setupStatements(spec)) await client.query(statement);
        await client.query("COMMIT");
    } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
    }
    const users = [];
    for (const user of spec.users) {
        const privileges: string[] = [];
        for (const privilege of ALL_TABLE_PRIVILEGES) {
            const held = await client.query<{ held: boolean }>("SELECT has_table_privilege($1, $2, $3) AS held", [
                user.name,
                `public.${VOTES_TABLE}`,
                privilege,
            ]);
            if (held.rows[0]?.held === true) privileges.push(privilege);
        }
        users.push({ name: user.name, access: user.access, privileges });
    }
    return { database: spec.database, table: VOTES_TABLE, users };
}
