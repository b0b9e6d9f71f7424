import { APP_HEALTH_PATH, type ServiceRef, specOf, WORKER_HEARTBEAT } from "./appContract";

/**
 * What the app's container images contain and how an orchestrator checks them: the one definition the app
 * build (app/build.ts, the health-check script), the ECS container definitions and the Kubernetes probes
 * use. app/Dockerfile cannot import TypeScript: test/shared/imageContract.test.ts parses it and holds its
 * HEALTHCHECK and file layout to this module, and checks that every command an orchestrator runs exists in
 * the final image stage.
 */

/**
 * node in the distroless Node.js images: their entrypoint (GoogleContainerTools/distroless nodejs/nodejs.bzl,
 * `entrypoint = ["/nodejs/bin/node"]`). The images have no shell, and node is not on PATH, so a command must
 * name it by this path.
 */
export const IMAGE_NODE_BINARY = "/nodejs/bin/node";

/** Where app/Dockerfile puts the bundles app/build.ts writes (`<entry>.js`). */
export const IMAGE_APP_DIR = "/app";

/** The build entry of the HTTP health-check script (app/build.ts CONTAINER_ENTRIES). */
export const HEALTHCHECK_ENTRY = "healthcheck";

/** The health-check script in the image. */
export const HEALTHCHECK_SCRIPT = `${IMAGE_APP_DIR}/${HEALTHCHECK_ENTRY}.js`;

/**
 * The images' writable directory: /tmp, which the distroless base ships with mode 1777
 * (GoogleContainerTools/distroless common/BUILD.bazel, `./tmp ... mode=1777`). The root filesystem is
 * read-only wherever the app runs, so the worker's image declares it a VOLUME and every orchestrator mounts a
 * volume there: docker an anonymous volume, ECS on Fargate a task bind mount at the same path (which takes
 * the image directory's content and mode), Kubernetes an emptyDir.
 */
export const IMAGE_SCRATCH_DIR = "/tmp";

/** A container health check: the exec-form command the orchestrator runs in the container, and its timing. */
export interface ContainerHealthCheck {
    readonly command: readonly string[];
    /** Timing in seconds, within ECS's limits (interval 5–300, timeout 2–60, retries 1–10, start period 0–300). */
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly startPeriodSeconds: number;
    readonly retries: number;
}

/**
 * The HTTP services' container health check: run the bundled script with the image's node; it exits 0 when
 * GET /healthz answers 200. The Dockerfile's HEALTHCHECK of vote and result uses the same values.
 */
export const HTTP_HEALTH_CHECK = {
    command: [IMAGE_NODE_BINARY, HEALTHCHECK_SCRIPT],
    intervalSeconds: 15,
    timeoutSeconds: 5,
    startPeriodSeconds: 20,
    retries: 3,
    path: APP_HEALTH_PATH,
} as const;

/** The script's own HTTP timeout: shorter than the check's, so it reports a failure rather than being killed. */
export const HEALTHCHECK_REQUEST_TIMEOUT_MS = (HTTP_HEALTH_CHECK.timeoutSeconds - 1) * 1000;

/**
 * The JavaScript the worker's check runs with the image's node (no shell, no stat in the image): exit 0 when
 * `file` was rewritten within WORKER_HEARTBEAT.staleAfterSeconds, 1 when it is older or missing.
 */
export function heartbeatCheckScript(file: string): string {
    if (/['\\\n]/.test(file)) throw new Error(`heartbeat file ${file}: no quotes, backslashes or line breaks`);
    const maxAgeMs = WORKER_HEARTBEAT.staleAfterSeconds * 1000;
    return `try{process.exit(Date.now()-require('fs').statSync('${file}').mtimeMs<${maxAgeMs}?0:1)}catch{process.exit(1)}`;
}

/** Where the worker writes its heartbeat (WORKER_HEARTBEAT.variable names it): on the scratch volume. */
export const WORKER_HEARTBEAT_FILE = `${IMAGE_SCRATCH_DIR}/worker-heartbeat`;

/**
 * The worker's container health check (it serves no HTTP): its heartbeat file is fresh, so its loop is not
 * stuck on a call that never returns. The Dockerfile's HEALTHCHECK of the worker uses the same values; the
 * Kubernetes probes run the same command.
 */
export const WORKER_HEALTH_CHECK = {
    command: nodeScriptCommand(heartbeatCheckScript(WORKER_HEARTBEAT_FILE)),
    intervalSeconds: 15,
    timeoutSeconds: 5,
    startPeriodSeconds: 30,
    retries: 4,
    heartbeatFile: WORKER_HEARTBEAT_FILE,
} as const;

/** A service's container health check: the HTTP check if it serves HTTP, the heartbeat check otherwise. */
export function healthCheckFor(service: ServiceRef): ContainerHealthCheck {
    return specOf(service).http ? HTTP_HEALTH_CHECK : WORKER_HEALTH_CHECK;
}

/** ECS container definition `healthCheck` of a service (exec form: `CMD` then argv; no shell in the image). */
export function ecsHealthCheckFor(service: ServiceRef): {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
} {
    const check = healthCheckFor(service);
    return {
        command: ["CMD", ...check.command],
        interval: check.intervalSeconds,
        timeout: check.timeoutSeconds,
        retries: check.retries,
        startPeriod: check.startPeriodSeconds,
    };
}

/** A Kubernetes exec probe command running a small script with the image's node. */
export function nodeScriptCommand(script: string): string[] {
    return [IMAGE_NODE_BINARY, "-e", script];
}
