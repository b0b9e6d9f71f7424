/**
 * Container health check of the HTTP services (shared/imageContract.ts HTTP_HEALTH_CHECK runs it with the
 * image's node: distroless images have no shell or curl): exits 0 when GET http://127.0.0.1:$PORT/healthz
 * answers 200 before the check's own timeout, else 1.
 */
import { request } from "http";
import { AppEnv, APP_HEALTH_PATH, APP_HTTP_PORT } from "../../../../shared/appContract";
import { HEALTHCHECK_REQUEST_TIMEOUT_MS } from "../../../../shared/imageContract";

const port = Number(process.env[AppEnv.port] || APP_HTTP_PORT);
const probe = request(
    { host: "127.0.0.1", port, path: APP_HEALTH_PATH, method: "GET", timeout: HEALTHCHECK_REQUEST_TIMEOUT_MS },
    (response) => {
        response.resume();
        process.exit(response.statusCode === 200 ? 0 : 1);
    },
);
probe.on("timeout", () => probe.destroy(new Error("timeout")));
probe.on("error", () => process.exit(1));
probe.end();
