import { Signer, type SignerConfig } from "@aws-sdk/rds-signer";
import { AppEnv } from "../../../shared/appContract";
import type { PostgresConfig } from "../core/config";
import { errorMessage, type Logger } from "../core/log";

/**
 * Where the Postgres pool gets the password of each new connection. On AWS it is an RDS IAM authentication
 * token: a SigV4-presigned "connect" request for one database user, signed locally with the task's or pod's
 * role credentials, valid for 15 minutes. Nothing secret is stored (no Secrets Manager read, no Kubernetes
 * Secret, nothing in Pulumi state), and rotating the RDS master password does not concern the app.
 */
export interface PasswordSource {
    /** The password to open a connection with (a cached token while it is fresh). */
    current(): Promise<string>;
    /** Postgres refused the current one: get a new one. False when it cannot change (a fixed password). */
    refresh(): Promise<boolean>;
    /** Names where the password comes from, for error messages (never the password). */
    readonly origin: string;
}

/** The injected PGPASSWORD (local databases): nothing to renew, a rejection is final. */
export function staticPassword(password: string): PasswordSource {
    return {
        current: () => Promise.resolve(password),
        refresh: () => Promise.resolve(false),
        origin: "PGPASSWORD",
    };
}

/** What an IAM token is signed for: exactly one user of one database endpoint. */
export interface IamTokenRequest {
    readonly hostname: string;
    readonly port: number;
    readonly username: string;
    readonly region: string;
}

/** Produces a token for a request. */
export type TokenSigner = (request: IamTokenRequest) => Promise<string>;

/** An IAM token could not be signed: the message names the user and what the role needs. */
export class IamTokenError extends Error {
    constructor(request: IamTokenRequest, cause: unknown) {
        super(
            `cannot sign an RDS IAM authentication token for user "${request.username}" at ${request.hostname}:${request.port} (${request.region}): ${errorMessage(cause)} (the task or pod role provides the credentials; it needs rds-db:connect on this user)`,
        );
        this.name = "IamTokenError";
    }
}

/**
 * The SDK's signer (@aws-sdk/rds-signer) with the default credential chain: the ECS task role (container
 * credentials endpoint) or the EKS Pod Identity agent. Signing is local: no AWS API call, no network but the
 * credentials endpoint.
 */
export function rdsTokenSigner(credentials?: SignerConfig["credentials"]): TokenSigner {
    return (request) => new Signer({ ...request, ...(credentials ? { credentials } : {}) }).getAuthToken();
}

export interface IamAuthTokenOptions {
    /** How tokens are made. Tests inject one returning a local credential so the real pool path runs. @default rdsTokenSigner() */
    readonly sign?: TokenSigner;
    /**
     * A token is reused for new connections this long. RDS accepts it for 15 minutes; renewing after 10 keeps
     * a margin for clock skew and slow connects. @default IAM_TOKEN_REUSE_MS
     */
    readonly maxAgeMs?: number;
    /** A refresh this soon after the previous refresh reuses its token: many refused connections, one signing. @default 1000 */
    readonly minRefreshIntervalMs?: number;
    readonly now?: () => number;
    readonly log?: Logger;
}

/** RDS IAM authentication tokens are valid for 15 minutes. */
export const IAM_TOKEN_LIFETIME_MS = 15 * 60_000;
/** How long a token is reused by default: renewed well inside its lifetime (see IamAuthTokenOptions.maxAgeMs). */
export const IAM_TOKEN_REUSE_MS = 10 * 60_000;

/**
 * IAM authentication tokens for one user, cached for `maxAgeMs` (concurrent callers share one signing). A failed
 * signing is reported as an IamTokenError and retried on the next call, so a credentials hiccup is one more
 * failed connection attempt (which the callers already ride out), never a stuck client.
 */
export function iamAuthToken(request: IamTokenRequest, options: IamAuthTokenOptions = {}): PasswordSource {
    const sign = options.sign ?? rdsTokenSigner();
    const maxAgeMs = options.maxAgeMs ?? IAM_TOKEN_REUSE_MS;
    if (maxAgeMs <= 0 || maxAgeMs >= IAM_TOKEN_LIFETIME_MS)
        throw new Error(
            `maxAgeMs must be between 0 and ${IAM_TOKEN_LIFETIME_MS} (the token lifetime), got ${maxAgeMs}`,
        );
    const minInterval = options.minRefreshIntervalMs ?? 1000;
    const now = options.now ?? Date.now;
    let cached: { token: string; signedAt: number } | undefined;
    let signing: Promise<string> | undefined;
    let lastRefreshAt = Number.NEGATIVE_INFINITY;

    function signShared(): Promise<string> {
        if (!signing) {
            signing = sign(request)
                .catch((error: unknown) => {
                    throw new IamTokenError(request, error);
                })
                .then((token) => {
                    if (token === "") throw new IamTokenError(request, new Error("the signer returned an empty token"));
                    cached = { token, signedAt: now() };
                    return token;
                })
                .finally(() => {
                    signing = undefined;
                });
        }
        return signing;
    }

    return {
        current: () =>
            cached !== undefined && now() - cached.signedAt < maxAgeMs ? Promise.resolve(cached.token) : signShared(),
        async refresh() {
            if (signing) await signing;
            else if (now() - lastRefreshAt >= minInterval) {
                lastRefreshAt = now();
                await signShared();
                options.log?.("info", "postgres IAM token renewed after a refused connection", {
                    user: request.username,
                });
            }
            return true;
        },
        origin: `an RDS IAM token for ${request.username} (${AppEnv.pgAuth}=iam)`,
    };
}

/** The credential source for a config: IAM tokens for PGAUTH=iam, else the injected PGPASSWORD. */
export function passwordSourceFor(
    config: PostgresConfig,
    options: Omit<IamAuthTokenOptions, "log"> & { readonly log?: Logger } = {},
): PasswordSource {
    if (config.auth.kind === "password") return staticPassword(config.auth.password);
    return iamAuthToken(
        { hostname: config.host, port: config.port, username: config.user, region: config.auth.region },
        options,
    );
}
