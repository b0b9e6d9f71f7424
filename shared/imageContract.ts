import { APP_HEALTH_PATH } from "./appContract";

/**
 * What the app's container images contain and how an orchestrator checks them: the one definition the app
 * build (app/build.ts, the health-check script), the ECS container definitions and the Kubernetes probes
 * use. app/Dockerfile cannot import TypeScript: test/components/imageContract.test.ts parses it and holds its
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
 * The HTTP services' container health check: run the bundled script with the image's node; it exits 0 when
 * GET /healthz answers 200. Timing in seconds, within ECS's limits (interval 5–300, timeout 2–60, retries
 * 1–10, start period 0–300); the Dockerfile's HEALTHCHECK uses the same values.
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

/** ECS container definition `healthCheck` (exec form: `CMD` then argv; no shell in the image). */
export function ecsHttpHealthCheck(): {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
} {
    return {
        command: ["CMD", ...HTTP_HEALTH_CHECK.command],
        interval: HTTP_HEALTH_CHECK.intervalSeconds,
        timeout: HTTP_HEALTH_CHECK.timeoutSeconds,
        retries: HTTP_HEALTH_CHECK.retries,
        startPeriod: HTTP_HEALTH_CHECK.startPeriodSeconds,
    };
}

/** A Kubernetes exec probe command running a small script with the image's node. */
export function nodeScriptCommand(script: string): string[] {
    return [IMAGE_NODE_BINARY, "-e", script];
}
