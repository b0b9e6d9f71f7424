import { APP_HTTP_PORT, type AppService, SERVICE_NEEDS } from "../../shared/appContract";
import { ecsHttpHealthCheck } from "../../shared/imageContract";

/** The subset of the ECS container definition schema we emit (field names as RegisterTaskDefinition takes them). */
export interface ContainerDefinition {
    readonly name: string;
    readonly image: string;
    readonly essential: true;
    readonly user: string;
    readonly privileged: false;
    readonly readonlyRootFilesystem: boolean;
    readonly portMappings: readonly {
        readonly name: string;
        readonly containerPort: number;
        readonly protocol: "tcp";
        readonly appProtocol: "http";
    }[];
    readonly environment: readonly { readonly name: string; readonly value: string }[];
    readonly secrets: readonly { readonly name: string; readonly valueFrom: string }[];
    readonly logConfiguration: { readonly logDriver: "awslogs"; readonly options: Readonly<Record<string, string>> };
    readonly healthCheck?: {
        readonly command: readonly string[];
        readonly interval: number;
        readonly timeout: number;
        readonly retries: number;
        readonly startPeriod: number;
    };
    readonly linuxParameters: {
        readonly initProcessEnabled: boolean;
        readonly capabilities: { readonly drop: readonly string[] };
    };
    readonly stopTimeout: number;
}

/** A secret injected into a container: the variable name and the Secrets Manager ARN (and JSON key). */
export interface ContainerSecret {
    readonly name: string;
    readonly secretArn: string;
    readonly jsonKey?: string;
}

export interface ContainerDefinitionInput {
    readonly service: AppService;
    readonly image: string;
    readonly environment: Readonly<Record<string, string>>;
    readonly secrets: readonly ContainerSecret[];
    readonly logGroupName: string;
    readonly region: string;
    /** Non-root user the image runs as (the app's Dockerfiles use 10001). */
    readonly user?: string;
}

/** ECS `valueFrom` for a Secrets Manager secret, selecting one JSON key when the secret holds JSON. */
export function secretValueFrom(secret: ContainerSecret): string {
    return secret.jsonKey ? `${secret.secretArn}:${secret.jsonKey}::` : secret.secretArn;
}

/**
 * The container definition of one app service: non-root, non-privileged, read-only root filesystem, all
 * Linux capabilities dropped, logs to CloudWatch, passwords only through `secrets`.
 */
export function containerDefinition(input: ContainerDefinitionInput): ContainerDefinition {
    const http = SERVICE_NEEDS[input.service].http;
    const secretNames = new Set(input.secrets.map((s) => s.name));
    const clash = Object.keys(input.environment).find((name) => secretNames.has(name));
    if (clash)
        throw new Error(
            `${input.service}: ${clash} is both a plain environment variable and a secret; secrets are injected only through "secrets"`,
        );
    return {
        name: input.service,
        image: input.image,
        essential: true,
        user: input.user ?? "10001",
        privileged: false,
        readonlyRootFilesystem: true,
        portMappings: http
            ? [{ name: input.service, containerPort: APP_HTTP_PORT, protocol: "tcp", appProtocol: "http" }]
            : [],
        environment: Object.entries(input.environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
        secrets: input.secrets.map((secret) => ({ name: secret.name, valueFrom: secretValueFrom(secret) })),
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": input.logGroupName,
                "awslogs-region": input.region,
                "awslogs-stream-prefix": input.service,
                mode: "non-blocking",
                "max-buffer-size": "4m",
            },
        },
        // The image's own health-check script with the image's node (shared/imageContract.ts): the distroless
        // image has no shell, no curl, and no node on PATH.
        ...(http ? { healthCheck: ecsHttpHealthCheck() } : {}),
        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
        stopTimeout: 30,
    };
}
