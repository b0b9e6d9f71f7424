import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { trustedCas } from "../containers/rdsCa";
import { errorMessage } from "../core/log";
import { DatabaseSetupError, parseSetupSpec, setUpDatabase, type SetupReport } from "./setup";
import { DATABASE_SETUP_ENV } from "../../../shared/appContract";

/**
 * The database setup Lambda function (in the VPC, next to the database), invoked by Pulumi after the database
 * exists (aws.lambda.Invocation): reads the RDS-managed master secret, connects as the master user with the
 * server certificate verified against the RDS CAs, and runs the idempotent setup (./setup.ts) the event
 * describes. The report it returns lands in Pulumi state: names and privileges, never a credential.
 */

export interface SetupHandlerOptions {
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly secrets?: SecretsManagerClient;
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
    const value = env[name]?.trim();
    if (!value) throw new DatabaseSetupError(`${name} is not set; the database setup function needs it`);
    return value;
}

/** The master user's name and password from the RDS-managed secret ({"username","password"}). */
async function masterCredentials(
    secrets: SecretsManagerClient,
    arn: string,
): Promise<{ username: string; password: string }> {
    let text: string | undefined;
    try {
        text = (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    } catch (error) {
        throw new DatabaseSetupError(
            `cannot read the master secret ${arn}: ${errorMessage(error)} (the function's role needs secretsmanager:GetSecretValue on it and kms:Decrypt on its key)`,
        );
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text ?? "");
    } catch {
        throw new DatabaseSetupError(`the master secret ${arn} is not JSON with "username" and "password"`);
    }
    const record = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof record.username !== "string" || typeof record.password !== "string" || record.password === "")
        throw new DatabaseSetupError(`the master secret ${arn} has no "username" and "password" strings`);
    return { username: record.username, password: record.password };
}

/** The handler, with its environment and Secrets Manager client injectable (tests). */
export function createSetupHandler(options: SetupHandlerOptions = {}): (event: unknown) => Promise<SetupReport> {
    return async (event) => {
        const env = options.env ?? process.env;
        const spec = parseSetupSpec(event);
        const host = required(env, DATABASE_SETUP_ENV.host);
        const port = Number(required(env, DATABASE_SETUP_ENV.port));
        if (!Number.isInteger(port) || port < 1 || port > 65535)
            throw new DatabaseSetupError(
                `${DATABASE_SETUP_ENV.port} must be a TCP port, got "${env[DATABASE_SETUP_ENV.port]}"`,
            );
        const database = required(env, DATABASE_SETUP_ENV.database);
        if (database !== spec.database)
            throw new DatabaseSetupError(
                `the event's database "${spec.database}" is not the function's ${DATABASE_SETUP_ENV.database} "${database}"`,
            );
        const arn = required(env, DATABASE_SETUP_ENV.masterSecretArn);
        const sslMode = env[DATABASE_SETUP_ENV.sslMode]?.trim() || "verify-full";
        if (sslMode !== "verify-full" && sslMode !== "disable")
            throw new DatabaseSetupError(
                `${DATABASE_SETUP_ENV.sslMode} must be "verify-full" or "disable", got "${sslMode}"`,
            );
        const secrets = options.secrets ?? new SecretsManagerClient({});
        const master = await masterCredentials(secrets, arn);
        const client = new Client({
            host,
            port,
            database,
            user: master.username,
            password: master.password,
            ssl:
                sslMode === "disable"
                    ? false
                    : {
                          rejectUnauthorized: true,
                          ca: trustedCas(env[DATABASE_SETUP_ENV.sslRootCert]?.trim() || undefined),
                      },
            connectionTimeoutMillis: 10_000,
            statement_timeout: 30_000,
            application_name: "voteapp-database-setup",
        });
        await client.connect();
        try {
            return await setUpDatabase(client, spec);
        } finally {
            await client.end().catch(() => undefined);
        }
    };
}

export const handler = createSetupHandler();
