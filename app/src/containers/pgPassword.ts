import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AppEnv } from "../../../shared/appContract";
import { errorMessage, type Logger } from "../core/log";

/** The key of the password in the secret's JSON (the RDS-managed master secret: {"username","password"}). */
export const PASSWORD_JSON_KEY = "password";

/** The Postgres password could not be read from its secret: the message names the variable, ARN and cause. */
export class PasswordSecretError extends Error {
    constructor(
        readonly secretArn: string,
        detail: string,
    ) {
        super(`${AppEnv.pgPasswordSecretArn}: cannot read the Postgres password from secret ${secretArn}: ${detail}`);
        this.name = "PasswordSecretError";
    }
}

/** Where the pool gets the password for each new connection. */
export interface PasswordSource {
    /** The password to connect with (cached; read from the secret the first time when none was injected). */
    current(): Promise<string>;
    /** Postgres rejected the current password: re-read it (a rotation). False when it cannot change. */
    refresh(): Promise<boolean>;
    /** Names where the password comes from, for error messages (never the password). */
    readonly origin: string;
}

/** The injected PGPASSWORD only: nothing to re-read, a rejection is final until the task restarts. */
export function staticPassword(password: string): PasswordSource {
    return {
        current: () => Promise.resolve(password),
        refresh: () => Promise.resolve(false),
        origin: "PGPASSWORD",
    };
}

export interface SecretPasswordOptions {
    /** The injected PGPASSWORD, used until Postgres rejects it (saves a Secrets Manager call at start). */
    readonly initial?: string;
    /** Client to use; by default one for the secret's region (from its ARN), with the default credential chain. */
    readonly client?: SecretsManagerClient;
    /** A refresh this soon after the previous read reuses it: many failing connections, one API call. @default 1000 */
    readonly minRefreshIntervalMs?: number;
    readonly log?: Logger;
}

/** The region part of a Secrets Manager ARN (arn:aws:secretsmanager:<region>:...). */
export function regionOfArn(arn: string): string {
    const region = arn.split(":")[3];
    if (!region) throw new PasswordSecretError(arn, "the ARN names no region");
    return region;
}

/**
 * The password read from a Secrets Manager secret and cached. refresh() re-reads it (concurrent callers share
 * one read, and reads are at most one per `minRefreshIntervalMs`); a failed read leaves the cache as it was and
 * is retried on the next call, so a Secrets Manager hiccup is one more failed attempt, never a stuck client.
 */
export function secretPassword(secretArn: string, options: SecretPasswordOptions = {}): PasswordSource {
    const client = options.client ?? new SecretsManagerClient({ region: regionOfArn(secretArn) });
    const minInterval = options.minRefreshIntervalMs ?? 1000;
    let cached = options.initial;
    let lastReadAt = 0;
    let reading: Promise<string> | undefined;

    async function read(): Promise<string> {
        let secretString: string | undefined;
        try {
            secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
        } catch (error) {
            const name = error instanceof Error ? error.name : "Error";
            throw new PasswordSecretError(
                secretArn,
                `${name}: ${errorMessage(error)} (the task or pod role needs secretsmanager:GetSecretValue on it, and kms:Decrypt on its key)`,
            );
        }
        if (secretString === undefined) throw new PasswordSecretError(secretArn, "the secret has no string value");
        let parsed: unknown;
        try {
            parsed = JSON.parse(secretString);
        } catch {
            throw new PasswordSecretError(
                secretArn,
                `the secret is not JSON; expected an object with a "${PASSWORD_JSON_KEY}" string`,
            );
        }
        const password =
            typeof parsed === "object" && parsed !== null
                ? (parsed as Record<string, unknown>)[PASSWORD_JSON_KEY]
                : undefined;
        if (typeof password !== "string" || password === "") {
            throw new PasswordSecretError(
                secretArn,
                `the secret's JSON has no non-empty "${PASSWORD_JSON_KEY}" string`,
            );
        }
        return password;
    }

    function readShared(): Promise<string> {
        if (!reading) {
            reading = read()
                .then((password) => {
                    const rotated = cached !== undefined && cached !== password;
                    cached = password;
                    lastReadAt = Date.now();
                    if (rotated)
                        options.log?.("info", "postgres password re-read from its secret (rotated)", {
                            secret: secretArn,
                        });
                    return password;
                })
                .finally(() => {
                    reading = undefined;
                });
        }
        return reading;
    }

    return {
        current: () => (cached !== undefined ? Promise.resolve(cached) : readShared()),
        async refresh() {
            if (reading) await reading;
            else if (Date.now() - lastReadAt >= minInterval) await readShared();
            return true;
        },
        origin: `secret ${secretArn}`,
    };
}
