import { AppEnv, AppSecretName, APP_HTTP_PORT, DEFAULT_OPTIONS } from "../../../shared/appContract";

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
    /** Absent when the server needs no auth (local development). */
    readonly password?: string;
}

/** libpq-style sslmode: "require" encrypts without verifying the server, "verify-full" also verifies it. */
export type PgSslMode = "disable" | "require" | "verify-full";

export interface PostgresConfig {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    /** The injected password (PGPASSWORD); the initial value when a secret ARN is also given. */
    readonly password?: string;
    /** Secrets Manager secret to (re-)read the password from (PGPASSWORD_SECRET_ARN): survives rotation. */
    readonly passwordSecretArn?: string;
    readonly sslMode: PgSslMode;
}

/** A Secrets Manager secret ARN: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/; // RDS-managed secrets are named rds!db-<id>

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

/** Redis connection settings (vote, worker). REDIS_PASSWORD is optional: managed Redis injects it. */
export function redisConfig(env: Env, service: string): RedisConfig {
    const host = required(env, AppEnv.redisHost, service);
    const redisPort = port(env, AppEnv.redisPort, service);
    const tls = oneOf(env, AppEnv.redisTls, service, ["true", "false"] as const) === "true";
    const password = env[AppSecretName.redisPassword];
    return password ? { host, port: redisPort, tls, password } : { host, port: redisPort, tls };
}

/**
 * PostgreSQL connection settings (worker, result). The password comes from the secret store: injected as
 * PGPASSWORD, or read by the app from PGPASSWORD_SECRET_ARN (which also follows rotations); one is required.
 */
export function postgresConfig(env: Env, service: string): PostgresConfig {
    const host = required(env, AppEnv.pgHost, service);
    const pgPort = port(env, AppEnv.pgPort, service);
    const database = required(env, AppEnv.pgDatabase, service);
    const user = required(env, AppEnv.pgUser, service);
    const injected = env[AppSecretName.pgPassword];
    const password = injected === undefined || injected === "" ? undefined : injected;
    const arnText = env[AppEnv.pgPasswordSecretArn]?.trim();
    const passwordSecretArn = arnText === undefined || arnText === "" ? undefined : arnText;
    if (passwordSecretArn !== undefined && !SECRET_ARN.test(passwordSecretArn)) {
        throw new ConfigError(
            AppEnv.pgPasswordSecretArn,
            `must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${passwordSecretArn}"`,
        );
    }
    if (password === undefined && passwordSecretArn === undefined) {
        throw new ConfigError(
            AppSecretName.pgPassword,
            `is not set; the ${service} service needs it (injected from the secret store) or ${AppEnv.pgPasswordSecretArn}`,
        );
    }
    const sslMode = oneOf(env, AppEnv.pgSslMode, service, ["disable", "require", "verify-full"] as const);
    return {
        host,
        port: pgPort,
        database,
        user,
        ...(password !== undefined ? { password } : {}),
        ...(passwordSecretArn !== undefined ? { passwordSecretArn } : {}),
        sslMode,
    };
}

const MAX_OPTION_LENGTH = 64;

/** The two vote labels; defaults to Cats/Dogs as in the original app. */
export function voteOptions(env: Env): VoteOptions {
    const label = (name: string, fallback: string): string => {
        const value = env[name]?.trim();
        if (value === undefined || value === "") return fallback;
        if (value.length > MAX_OPTION_LENGTH) {
            throw new ConfigError(name, `must be at most ${MAX_OPTION_LENGTH} characters, got ${value.length}`);
        }
        return value;
    };
    const a = label(AppEnv.optionA, DEFAULT_OPTIONS.a);
    const b = label(AppEnv.optionB, DEFAULT_OPTIONS.b);
    if (a === b) throw new ConfigError(AppEnv.optionB, `must differ from ${AppEnv.optionA} (both are "${a}")`);
    return { a, b };
}

/** Port an HTTP service listens on (PORT, default APP_HTTP_PORT). */
export function httpPort(env: Env, service: string): number {
    return port(env, AppEnv.port, service, APP_HTTP_PORT);
}
