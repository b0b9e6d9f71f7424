import { ConfigError, type Env } from "../core/config";
import { errorMessage, jsonLogger, type Logger } from "../core/log";

/**
 * Process lifecycle shared by the container services. Each service module exports a `start…Service(env,
 * log)` that reads its configuration (failing fast before connecting anything), wires the core to
 * Redis/Postgres and the HTTP server or worker loop, and returns how to stop gracefully.
 */

/** A started service: `port` for HTTP services, and a graceful stop. */
export interface RunningService {
    readonly port?: number;
    stop(): Promise<void>;
}

/** Retry timing of a service's connections: production defaults, shortened by tests. */
export interface RetryTuning {
    /** First retry delay after a failure (worker). @default 100 */
    readonly minBackoffMs?: number;
    /** Longest retry delay (worker) and longest Redis reconnect delay. @default 5000 worker, 2000 reconnect */
    readonly maxBackoffMs?: number;
}

/**
 * Optional, outside the app contract: the address HTTP services bind to (default: all interfaces, as a
 * container needs; tests use 127.0.0.1).
 */
export const LISTEN_HOST_VARIABLE = "LISTEN_HOST";

/** How long a graceful stop may take before the process exits anyway (ECS waits 30 s before SIGKILL). */
const STOP_DEADLINE_MS = 20_000;

/**
 * Process entry point: start the service from process.env; a configuration error prints one clear line
 * naming the variable and exits 1; SIGTERM/SIGINT stop gracefully and exit 0.
 */
export function runService(service: string, start: (env: Env, log: Logger) => Promise<RunningService>): void {
    const log = jsonLogger(service);
    process.on("unhandledRejection", (reason) => {
        log("error", "unhandled rejection", { error: errorMessage(reason) });
    });
    start(process.env, log).then(
        (running) => {
            let stopping = false;
            const shutdown = (signal: string): void => {
                if (stopping) return;
                stopping = true;
                log("info", "shutting down", { signal });
                setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
                running.stop().then(
                    () => process.exit(0),
                    (error: unknown) => {
                        log("error", "error while stopping", { error: errorMessage(error) });
                        process.exit(1);
                    },
                );
            };
            process.on("SIGTERM", () => shutdown("SIGTERM"));
            process.on("SIGINT", () => shutdown("SIGINT"));
        },
        (error: unknown) => {
            if (error instanceof ConfigError) {
                process.stderr.write(`${service}: configuration error: ${error.message}\n`);
                log("error", "configuration error", { variable: error.variable, error: error.message });
            } else {
                log("error", "failed to start", { error: errorMessage(error) });
            }
            process.exit(1);
        },
    );
}
