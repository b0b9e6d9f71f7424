/**
 * Container HEALTHCHECK for the HTTP services, run with node (distroless images have no shell or curl):
 * exits 0 when GET http://127.0.0.1:$PORT/healthz answers 200 within 2 s, else 1.
 */
import { request } from "http";
import { AppEnv, APP_HEALTH_PATH, APP_HTTP_PORT } from "../../../../shared/appContract";

const port = Number(process.env[AppEnv.port] || APP_HTTP_PORT);
const probe = request({ host: "127.0.0.1", port, path: APP_HEALTH_PATH, method: "GET", timeout: 2000 }, (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
});
probe.on("timeout", () => probe.destroy(new Error("timeout")));
probe.on("error", () => process.exit(1));
probe.end();
