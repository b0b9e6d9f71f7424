import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { AppEnv } from "../../../shared/appContract";
import { errorMessage } from "../core/log";

/**
 * ElastiCache IAM authentication (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html): the
 * password of `AUTH <user> <token>` is a SigV4-presigned `GET http://<cache>/?Action=connect&User=<user>` for the
 * service "elasticache", valid 15 minutes, with the scheme cut off (as AWS's own example does). The replication
 * group id and the user id must be lowercase; the user's authentication mode is "iam" and its id equals its name.
 * Signing is local (the task's or pod's role credentials, no AWS API call): nothing secret is stored anywhere.
 */
export interface RedisIamTokenRequest {
    /** The replication group id (lowercase): the "host" the token is signed for, not the endpoint's DNS name. */
    readonly cacheName: string;
    /** The ElastiCache user id (= user name) with authentication mode iam. */
    readonly user: string;
    readonly region: string;
    /**
     * The cache is ElastiCache Serverless: the token then also carries `ResourceType=ServerlessCache` (AWS's
     * IAMAuthTokenRequest example, https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
     * "Connect with token as password"), and `cacheName` is the serverless cache's name.
     * @default false
     */
    readonly serverless?: boolean;
}

/** The query parameter and value a serverless cache's token carries. */
export const SERVERLESS_RESOURCE_TYPE = { ResourceType: "ServerlessCache" } as const;

/** ElastiCache accepts a token for 15 minutes after signing. */
export const REDIS_IAM_TOKEN_LIFETIME_SECONDS = 900;

/** Produces a token for a request. */
export type RedisTokenSigner = (request: RedisIamTokenRequest) => Promise<string>;

/** A token could not be signed: the message names the user, the cache and what the role needs. */
export class RedisIamTokenError extends Error {
    constructor(request: RedisIamTokenRequest, cause: unknown) {
        super(
            `cannot sign an ElastiCache IAM authentication token for user "${request.user}" of ${request.cacheName} (${request.region}): ${errorMessage(cause)} (the task or pod role provides the credentials; it needs elasticache:Connect on the replication group and this user; ${AppEnv.redisAuth}=iam)`,
        );
        this.name = "RedisIamTokenError";
    }
}

/** Signs one token with the given credentials, at `signingDate` (tests pin it; the default is now). */
export async function signRedisIamToken(
    request: RedisIamTokenRequest,
    credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
    signingDate?: Date,
): Promise<string> {
    const signer = new SignatureV4({ service: "elasticache", region: request.region, credentials, sha256: Sha256 });
    const unsigned = new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: request.cacheName,
        path: "/",
        query: {
            Action: "connect",
            User: request.user,
            ...(request.serverless ? SERVERLESS_RESOURCE_TYPE : {}),
        },
        headers: { host: request.cacheName },
    });
    const presigned = await signer.presign(unsigned, {
        expiresIn: REDIS_IAM_TOKEN_LIFETIME_SECONDS,
        ...(signingDate ? { signingDate } : {}),
    });
    const query = Object.entries(presigned.query ?? {})
        .flatMap(([key, value]) =>
            (Array.isArray(value) ? value : [value]).map((item) =>
                item === null ? encodeURIComponent(key) : `${encodeURIComponent(key)}=${encodeURIComponent(item)}`,
            ),
        )
        .join("&");
    return `${presigned.hostname}${presigned.path}?${query}`;
}

/**
 * The default signer: the SDK's credential chain (the ECS task role through the container credentials endpoint,
 * or the EKS Pod Identity agent), cached and renewed by the SDK.
 */
export function defaultRedisTokenSigner(
    credentials: AwsCredentialIdentityProvider = fromNodeProviderChain(),
): RedisTokenSigner {
    return (request) => signRedisIamToken(request, credentials);
}
