import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { APP_HEALTH_PATH, APP_HTTP_PORT, type ServiceRef, specOf, WORKER_HEARTBEAT } from "../../shared/appContract";
import { IMAGE_SCRATCH_DIR, WORKER_HEALTH_CHECK } from "../../shared/imageContract";

/**
 * Pure builders for the app's pod templates on Kubernetes: the same hardening for every container, probes
 * that test something real, and resources derived from the stack's service sizes. Kept apart from the
 * component so tests can check them without a run.
 */

type Container = k8s.types.input.core.v1.Container;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Probe = k8s.types.input.core.v1.Probe;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;

/** The uid/gid the app images run as (app/Dockerfile `USER 10001:10001`). */
export const APP_UID = 10001;
/** The only writable path in the containers: an emptyDir at the images' scratch directory (read-only root). */
export const SCRATCH_MOUNT = IMAGE_SCRATCH_DIR;

export function appLabels(service: ServiceRef): Record<string, string> {
    return { "app.kubernetes.io/name": specOf(service).name, "app.kubernetes.io/part-of": "voteapp" };
}

/** The two slots of a blue/green service. */
export const SLOTS = ["blue", "green"] as const;
export type Slot = (typeof SLOTS)[number];
/** Label telling a blue/green service's pods apart; NetworkPolicies and PDB-free selectors ignore it. */
export const SLOT_LABEL = "voteapp/slot";

/** The other slot. */
export function idleSlotOf(live: Slot): Slot {
    return live === "blue" ? "green" : "blue";
}

/** A slot's pod labels: the service's labels (what NetworkPolicies select) plus the slot. */
export function slotLabels(service: ServiceRef, slot: Slot): Record<string, string> {
    return { ...appLabels(service), [SLOT_LABEL]: slot };
}

/** Pod-level: non-root uid/gid 10001, RuntimeDefault seccomp. */
export function podSecurityContext(): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: APP_UID,
        runAsGroup: APP_UID,
        fsGroup: APP_UID,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level: read-only root, no privilege escalation, every capability dropped. */
export function containerSecurityContext(): SecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: APP_UID,
        runAsGroup: APP_UID,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Fargate CPU units (1024 = 1 vCPU) as a Kubernetes quantity in millicores. */
export function cpuQuantity(units: number): string {
    return `${Math.round((units * 1000) / 1024)}m`;
}

/**
 * Requests as sized in the stack config; the memory limit equals the request (no overcommit, no OOM
 * surprises), the CPU limit allows a burst of twice the request.
 */
export function resourcesFor(size: { readonly cpu: number; readonly memory: number }): ResourceRequirements {
    return {
        requests: { cpu: cpuQuantity(size.cpu), memory: `${size.memory}Mi` },
        limits: { cpu: cpuQuantity(size.cpu * 2), memory: `${size.memory}Mi` },
    };
}

/** Readiness and liveness: GET /healthz for vote and result; the worker's heartbeat file age otherwise. */
export function probesFor(service: ServiceRef): { readinessProbe: Probe; livenessProbe: Probe; startupProbe: Probe } {
    if (specOf(service).http) {
        const httpGet = { path: APP_HEALTH_PATH, port: "http" };
        return {
            startupProbe: { httpGet, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
            readinessProbe: { httpGet, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
            livenessProbe: { httpGet, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
        };
    }
    // The worker's container health check (shared/imageContract.ts), as ECS and the Dockerfile run it.
    const exec = { command: [...WORKER_HEALTH_CHECK.command] };
    return {
        startupProbe: { exec, periodSeconds: 5, failureThreshold: 24, timeoutSeconds: 3 },
        readinessProbe: { exec, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
        livenessProbe: { exec, periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 3 },
    };
}

export interface AppContainerInput {
    readonly service: ServiceRef;
    readonly image: pulumi.Input<string>;
    /** Plain environment (app contract), by variable name. */
    readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
    readonly size: { readonly cpu: number; readonly memory: number };
}

/** One app container: hardened, probed, sized; no secret (the app signs IAM tokens with its pod role). */
export function appContainer(input: AppContainerInput): Container {
    const spec = specOf(input.service);
    const http = spec.http !== undefined;
    const plain = Object.entries(input.environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    const heartbeat = http ? [] : [{ name: WORKER_HEARTBEAT.variable, value: WORKER_HEALTH_CHECK.heartbeatFile }];
    return {
        name: spec.name,
        image: input.image,
        imagePullPolicy: "IfNotPresent",
        ports: http ? [{ name: "http", containerPort: APP_HTTP_PORT, protocol: "TCP" }] : [],
        env: [...plain, ...heartbeat],
        resources: resourcesFor(input.size),
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: "scratch", mountPath: SCRATCH_MOUNT }],
        ...probesFor(input.service),
    };
}
