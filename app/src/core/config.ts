import {
    AppEnv,
    AppSecretName,
    APP_HTTP_PORT,
    DEFAULT_OPTIONS,
    ELASTICACHE_ID,
    RESULT_EVENT_MODES,
    type ResultEventMode,
    VOTE_OPTION_MAX_LENGTH,
} from "../../../shared/appContract";

/**
 * Configuration of the voting-app services, read from the environment the platforms set from the app
 * contract (shared/appContract.ts). Each service reads only what it needs and fails fast: a missing or
 * invalid variable throws a ConfigError naming it, before any connection is attempted.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration mistake: the message names the variable and says what is expected. */
export class ConfigError extends Error {
    constructor(
        readonly variable: string,
        message: string,
    ) {
        super(`${variable}: ${message}`);
        this.name = "ConfigError";
    }
}

export interface RedisConfig {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    /** A local server's password (REDIS_PASSWORD). Absent when the server needs none, and on AWS (`iam`). */
    readonly password?: string;
    /**
     * ElastiCache IAM authentication (REDIS_AUTH=iam): a token for `user`, signed for `cacheName` in `region`;
     * `serverless` when the host is a serverless cache's endpoint (its tokens carry ResourceType=ServerlessCache).
     */
    readonly iam?: {
        readonly user: string;
        readonly cacheName: string;
        readonly region: string;
        readonly serverless: boolean;
    };
}

/**
 * ElastiCache Serverless endpoints are `<name>-<id>.serverless.<region code>.cache.amazonaws.com`; node-based
 * ones never contain `.serverless.` (the marker AWS's own aws-advanced-jdbc-wrapper uses,
 * ElastiCacheIamTokenUtility SERVERLESS_CACHE_IDENTIFIER).
 */
export function isServerlessCacheEndpoint(host: string): boolean {
    return host.toLowerCase().includes(".serverless.");
}

/**
 * libpq-style sslmode: "verify-full" encrypts and checks that the server certificate chains to a trusted CA
 * (the RDS CAs, or PGSSLROOTCERT's) and names the host; "disable" is for a local database only. There is
 * deliberately no "require": encryption without verification lets anyone on the path impersonate the database.
 */
export type PgSslMode = "disable" | "verify-full";

/** How a service proves who it is to Postgres. */
export type PostgresAuth =
    /** A password (PGPASSWORD): local databases. */
    | { readonly kind: "password"; readonly password: string }
    /** RDS IAM database authentication: a token signed with the task/pod role for this region. */
    | { readonly kind: "iam"; readonly region: string };

export interface PostgresConfig {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    readonly auth: PostgresAuth;
    readonly sslMode: PgSslMode;
    /** PEM file of the CAs to trust instead of the bundled RDS CAs (PGSSLROOTCERT). */
    readonly sslRootCertFile?: string;
}

/** An AWS region name, e.g. eu-west-1 or us-gov-west-1. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface VoteOptions {
    readonly a: string;
    readonly b: string;
}

function required(env: Env, name: string, service: string): string {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
        throw new ConfigError(name, `is not set; the ${service} service needs it`);
    }
    return value.trim();
}

function port(env: Env, name: string, service: string, fallback?: number): number {
    const raw = env[name];
    if ((raw === undefined || raw.trim() === "") && fallback !== undefined) return fallback;
    const text = required(env, name, service);
    if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
        throw new ConfigError(name, `must be a TCP port number between 1 and 65535, got "${text}"`);
    }
    return Number(text);
}

function oneOf<T extends string>(env: Env, name: string, service: string, allowed: readonly T[]): T {
    const text = required(env, name, service).toLowerCase();
    const found = allowed.find((candidate) => candidate === text);
    if (found === undefined) {
        throw new ConfigError(name, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got "${text}"`);
    }
    return found;
}

/**
 * Redis connection settings (vote, worker). REDIS_AUTH picks the credential: "iam" (on AWS: an ElastiCache IAM
 * token for REDIS_USER, signed for REDIS_CACHE_NAME in AWS_REGION; requires REDIS_TLS=true, as ElastiCache does,
 * and refuses a REDIS_PASSWORD beside it) or unset (REDIS_PASSWORD if the local server wants one).
 */
export function redisConfig(env: Env, service: string): RedisConfig {
    const host = required(env, AppEnv.redisHost, service);
    const redisPort = port(env, AppEnv.redisPort, service);
    const tls = oneOf(env, AppEnv.redisTls, service, ["true", "false"] as const) === "true";
    const password = env[AppSecretName.redisPassword];
    const authText = env[AppEnv.redisAuth]?.trim() ?? "";
    if (authText === "" || oneOf(env, AppEnv.redisAuth, service, ["iam"] as const) !== "iam")
        return password ? { host, port: redisPort, tls, password } : { host, port: redisPort, tls };
    if (!tls)
        throw new ConfigError(
            AppEnv.redisTls,
            `must be "true" with ${AppEnv.redisAuth}=iam: ElastiCache takes IAM tokens over TLS only`,
        );
    if (password)
        throw new ConfigError(
            AppSecretName.redisPassword,
            `must not be set with ${AppEnv.redisAuth}=iam: the service authenticates with IAM tokens, never a password`,
        );
    const ids = Object.fromEntries(
        ([AppEnv.redisUser, AppEnv.redisCacheName] as const).map((name) => {
            const value = required(env, name, service);
            if (!ELASTICACHE_ID.test(value))
                throw new ConfigError(
                    name,
                    `must be a lowercase ElastiCache id (letters, digits, single hyphens), got "${value}"`,
                );
            return [name, value];
        }),
    );
    const region = required(env, AppEnv.awsRegion, service);
    if (!AWS_REGION.test(region))
        throw new ConfigError(AppEnv.awsRegion, `must be an AWS region such as eu-west-1, got "${region}"`);
    return {
        host,
        port: redisPort,
        tls,
        iam: {
            user: ids[AppEnv.redisUser],
            cacheName: ids[AppEnv.redisCacheName],
            region,
            serverless: isServerlessCacheEndpoint(host),
        },
    };
}

/**
 * PostgreSQL connection settings (worker, result). PGAUTH picks the credential: "iam" (on AWS: an RDS IAM
 * token for PGUSER, signed for AWS_REGION; requires PGSSLMODE=verify-full, as RDS does for IAM users) or
 * "password" (the default; PGPASSWORD, injected locally). Nothing here falls back to a weaker setting.
 */
export function postgresConfig(env: Env, service: string): PostgresConfig {
    const host = required(env, AppEnv.pgHost, service);
    const pgPort = port(env, AppEnv.pgPort, service);
    const database = required(env, AppEnv.pgDatabase, service);
    const user = required(env, AppEnv.pgUser, service);
    const sslMode = oneOf(env, AppEnv.pgSslMode, service, ["disable", "verify-full"] as const);
    const authText = env[AppEnv.pgAuth]?.trim() ?? "";
    const authKind = authText === "" ? "password" : oneOf(env, AppEnv.pgAuth, service, ["password", "iam"] as const);
    let auth: PostgresAuth;
    if (authKind === "iam") {
        const region = required(env, AppEnv.awsRegion, service);
        if (!AWS_REGION.test(region))
            throw new ConfigError(AppEnv.awsRegion, `must be an AWS region such as eu-west-1, got "${region}"`);
        if (sslMode !== "verify-full")
            throw new ConfigError(
                AppEnv.pgSslMode,
                `must be "verify-full" with ${AppEnv.pgAuth}=iam: the token is a credential, sent only to a verified server`,
            );
        auth = { kind: "iam", region };
    } else {
        const password = env[AppSecretName.pgPassword];
        if (password === undefined || password === "")
            throw new ConfigError(
                AppSecretName.pgPassword,
                `is not set; the ${service} service needs it (injected from the secret store), or ${AppEnv.pgAuth}=iam`,
            );
        auth = { kind: "password", password };
    }
    const rootCert = env[AppEnv.pgSslRootCert]?.trim();
    return {
        host,
        port: pgPort,
        database,
        user,
        auth,
        sslMode,
        ...(rootCert !== undefined && rootCert !== "" ? { sslRootCertFile: rootCert } : {}),
    };
}

/** The two vote labels; defaults to Cats/Dogs as in the original app. */
export function voteOptions(env: Env): VoteOptions {
    const label = (name: string, fallback: string): string => {
        const value = env[name]?.trim();
        if (value === undefined || value === "") return fallback;
        if (value.length > VOTE_OPTION_MAX_LENGTH) {
            throw new ConfigError(name, `must be at most ${VOTE_OPTION_MAX_LENGTH} characters, got ${value.length}`);
        }
        return value;
    };
    const a = label(AppEnv.optionA, DEFAULT_OPTIONS.a);
    const b = label(AppEnv.optionB, DEFAULT_OPTIONS.b);
    if (a === b) throw new ConfigError(AppEnv.optionB, `must differ from ${AppEnv.optionA} (both are "${a}")`);
    return { a, b };
}

/** How the result page stays live (RESULT_EVENTS: stream, the default, or poll). */
export function resultEvents(env: Env): ResultEventMode {
    const value = env[AppEnv.resultEvents]?.trim();
    if (value === undefined || value === "") return "stream";
    const mode = RESULT_EVENT_MODES.find((m) => m === value);
    if (!mode)
        throw new ConfigError(AppEnv.resultEvents, `must be one of ${RESULT_EVENT_MODES.join(", ")}, got "${value}"`);
    return mode;
}

/** Port an HTTP service listens on (PORT, default APP_HTTP_PORT). */
export function httpPort(env: Env, service: string): number {
    return port(env, AppEnv.port, service, APP_HTTP_PORT);
}
