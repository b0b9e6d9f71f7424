import { APP_HTTP_PORT, type ServiceRef, specOf, WORKER_HEARTBEAT } from "../../shared/appContract";
import { ecsHealthCheckFor, IMAGE_SCRATCH_DIR, WORKER_HEALTH_CHECK } from "../../shared/imageContract";

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
    /**
     * Always empty: no container receives a secret (Redis and PostgreSQL take IAM tokens signed with the task
     * role at run time). Still emitted so the registered task definitions stay as they are: dropping the key
     * would change every container definition and roll every service for nothing.
     */
    readonly secrets: readonly [];
    readonly logConfiguration: { readonly logDriver: "awslogs"; readonly options: Readonly<Record<string, string>> };
    readonly mountPoints: readonly {
        readonly sourceVolume: string;
        readonly containerPath: string;
        readonly readOnly: false;
    }[];
    readonly healthCheck: {
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

export interface ContainerDefinitionInput {
    /** The service (a row of the service table, or a shipped service by name). */
    readonly service: ServiceRef;
    readonly image: string;
    readonly environment: Readonly<Record<string, string>>;
    readonly logGroupName: string;
    readonly region: string;
    /** Non-root user the image runs as (the app's Dockerfiles use 10001). */
    readonly user?: string;
}

/**
 * The task volume the worker writes its heartbeat to: a Fargate bind mount on the task's ephemeral storage,
 * mounted at the image's VOLUME /tmp, which is what makes it writable for uid 10001: Fargate copies the
 * image directory's content and mode (1777) into a bind mount at exactly that path, where otherwise it is
 * root-owned 0755 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html).
 */
export const SCRATCH_VOLUME = "scratch";

/** The task definition `volumes` of a service: the scratch volume for the worker, none for the HTTP services. */
export function taskVolumesFor(service: ServiceRef): { name: string }[] {
    return specOf(service).http ? [] : [{ name: SCRATCH_VOLUME }];
}

/**
 * The container definition of one app service: non-root, non-privileged, read-only root filesystem, all
 * Linux capabilities dropped, logs to CloudWatch, no secrets (credentials are IAM tokens made at run time).
 */
export function containerDefinition(input: ContainerDefinitionInput): ContainerDefinition {
    const spec = specOf(input.service);
    const service = spec.name;
    const http = spec.http !== undefined;
    // The worker's health check reads the heartbeat file its loop rewrites (shared/imageContract.ts).
    const environment: Record<string, string> = http
        ? { ...input.environment }
        : { ...input.environment, [WORKER_HEARTBEAT.variable]: WORKER_HEALTH_CHECK.heartbeatFile };
    return {
        name: service,
        image: input.image,
        essential: true,
        user: input.user ?? "10001",
        privileged: false,
        readonlyRootFilesystem: true,
        portMappings: http
            ? [{ name: service, containerPort: APP_HTTP_PORT, protocol: "tcp", appProtocol: "http" }]
            : [],
        environment: Object.entries(environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
        secrets: [],
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": input.logGroupName,
                "awslogs-region": input.region,
                "awslogs-stream-prefix": service,
                mode: "non-blocking",
                "max-buffer-size": "4m",
            },
        },
        mountPoints: taskVolumesFor(input.service).map((volume) => ({
            sourceVolume: volume.name,
            containerPath: IMAGE_SCRATCH_DIR,
            readOnly: false,
        })),
        // The service's check from shared/imageContract.ts, run by the image's node: the distroless image has no
        // shell, no curl, and no node on PATH.
        healthCheck: ecsHealthCheckFor(input.service),
        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
        stopTimeout: 30,
    };
}
