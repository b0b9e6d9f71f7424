import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import {
    APP_HEALTH_PATH,
    RESULT_PATH_PREFIX,
    RESULT_STREAM_LIMIT_SECONDS,
    RESULT_TOTALS_PATH,
    type ResultEventMode,
} from "../../../shared/appContract";
import type { Env, VoteOptions } from "../core/config";
import { errorMessage, type Logger } from "../core/log";
import { PAGE_HEADERS, renderResultPage, RESULT_SCRIPT } from "../core/pages";
import { resultServiceConfig } from "../core/serviceConfig";
import { computeTotals, countsFromRows, type Totals } from "../core/totals";
import { closeServer, listen, requestPath, send, sendJson } from "./http";
import { COUNT_VOTES, createPostgres, pgErrorCode, UNDEFINED_TABLE, type PostgresDatabase } from "./postgres";
import { LISTEN_HOST_VARIABLE, type RunningService } from "./run";

/** What the service serves, under the prefix the entry point routes to it (RESULT_PATH_PATTERNS: ALB rules, Ingress). */
export const RESULT_PATHS = {
    page: RESULT_PATH_PREFIX,
    /** The page at the service's root too, where the original serves it (and its end-to-end test looks). */
    root: "/",
    events: `${RESULT_PATH_PREFIX}/events`,
    totals: RESULT_TOTALS_PATH,
    script: `${RESULT_PATH_PREFIX}/app.js`,
    health: `${RESULT_PATH_PREFIX}${APP_HEALTH_PATH}`,
} as const;

/** Reads the totals from wherever the votes are (Postgres here, DynamoDB on Lambda). */
export type TotalsSource = () => Promise<Totals>;

/** Totals from the `votes` table; a table the worker has not created yet means nobody has voted. */
export function postgresTotals(pool: Pick<PostgresDatabase, "query">, options: VoteOptions): TotalsSource {
    return async () => {
        try {
            const result = await pool.query<{ vote: string; count: number }>(COUNT_VOTES);
            return computeTotals(countsFromRows(result.rows), options);
        } catch (error) {
            if (pgErrorCode(error) === UNDEFINED_TABLE) return computeTotals({}, options);
            throw error;
        }
    };
}

export interface ResultServerOptions {
    readonly options: VoteOptions;
    readonly totals: TotalsSource;
    readonly log: Logger;
    /** How often the totals are re-read while clients follow the event stream. @default 1000 */
    readonly pollMs?: number;
    /** Comment line sent on idle streams so the ALB (60 s idle timeout) keeps them open. @default 15000 */
    readonly heartbeatMs?: number;
    /**
     * `stream`: the page follows the event stream; `poll`: the page polls the JSON totals, and an event stream a
     * client still opens ends after `streamLimitMs` (behind an HTTP API; shared/appContract.ts RESULT_EVENT_MODES).
     * @default "stream"
     */
    readonly events?: ResultEventMode;
    /** Under `poll`, how long an event stream stays open. @default RESULT_STREAM_LIMIT_SECONDS × 1000 */
    readonly streamLimitMs?: number;
}

export interface ResultServer extends Server {
    /** End every event stream (graceful shutdown: browsers reconnect to another task). */
    endStreams(): void;
}

/**
 * The result service under /result (the page also at /): the page, the JSON totals, and server-sent events carrying the totals
 * (an `event: totals` on connect and whenever they change; `event: unavailable` while Postgres is down).
 * One poller serves every stream, and only while someone is listening.
 */
export function createResultServer({
    options,
    totals,
    log,
    pollMs = 1000,
    heartbeatMs = 15_000,
    events = "stream",
    streamLimitMs = RESULT_STREAM_LIMIT_SECONDS * 1000,
}: ResultServerOptions): ResultServer {
    const streams = new Set<ServerResponse>();
    let poller: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let lastEvent = "";

    function eventFor(result: { ok: true; totals: Totals } | { ok: false }): string {
        return result.ok
            ? `event: totals\ndata: ${JSON.stringify(result.totals)}\n\n`
            : `event: unavailable\ndata: {}\n\n`;
    }

    async function readTotals(): Promise<{ ok: true; totals: Totals } | { ok: false }> {
        try {
            return { ok: true, totals: await totals() };
        } catch (error) {
            log("warn", "totals unavailable", { error: errorMessage(error) });
            return { ok: false };
        }
    }

    /** Sends `event` to every stream unless it is what they last received. */
    function publish(event: string): void {
        if (event === lastEvent) return;
        lastEvent = event;
        for (const stream of streams) stream.write(event);
    }

    let polling = false;
    async function poll(): Promise<void> {
        if (polling) return; // a slow database must not pile up queries
        polling = true;
        try {
            publish(eventFor(await readTotals()));
        } finally {
            polling = false;
        }
    }

    function startPolling(): void {
        if (poller) return;
        poller = setInterval(() => void poll(), pollMs);
        heartbeat = setInterval(() => {
            for (const stream of streams) stream.write(": keep-alive\n\n");
        }, heartbeatMs);
    }

    function stopPollingIfIdle(): void {
        if (streams.size > 0) return;
        clearInterval(poller);
        clearInterval(heartbeat);
        poller = undefined;
        heartbeat = undefined;
        lastEvent = "";
    }

    async function openStream(response: ServerResponse): Promise<void> {
        response.writeHead(200, {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            Connection: "keep-alive",
            "X-Accel-Buffering": "no",
            "X-Content-Type-Options": "nosniff",
        });
        response.write("retry: 3000\n\n");
        streams.add(response);
        // Behind an entry point that cuts integrations (an HTTP API at 30 s), end the stream first: a complete
        // response, after which the browser's EventSource reconnects.
        const limit =
            events === "poll"
                ? setTimeout(() => {
                      streams.delete(response);
                      response.end();
                      stopPollingIfIdle();
                  }, streamLimitMs)
                : undefined;
        // The response's close (not the request's, which fires once the request is read) marks the client gone.
        response.on("close", () => {
            clearTimeout(limit);
            streams.delete(response);
            stopPollingIfIdle();
        });
        startPolling();
        // Every stream starts with the current totals. Newer than what the others last got: they all get it, once
        // (the poller then sees nothing new); otherwise only this stream does.
        const event = eventFor(await readTotals());
        if (!streams.has(response)) return;
        if (event !== lastEvent) publish(event);
        else response.write(event);
    }

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const path = requestPath(request);
        if (path === APP_HEALTH_PATH || path === RESULT_PATHS.health) {
            send(response, 200, "ok\n");
            return;
        }
        if (request.method !== "GET" && request.method !== "HEAD") {
            send(response, 405, "method not allowed\n", { Allow: "GET, HEAD" });
            return;
        }
        switch (path) {
            case RESULT_PATHS.root:
            case RESULT_PATHS.page:
            case `${RESULT_PATHS.page}/`: {
                const current = await readTotals();
                const links = {
                    scriptPath: RESULT_PATHS.script,
                    totalsPath: RESULT_PATHS.totals,
                    // Polling pages have no event stream to follow: RESULT_SCRIPT then polls the totals.
                    ...(events === "stream" ? { eventsPath: RESULT_PATHS.events } : {}),
                };
                send(
                    response,
                    200,
                    renderResultPage(options, links, current.ok ? current.totals : undefined),
                    PAGE_HEADERS,
                );
                return;
            }
            case RESULT_PATHS.script:
                send(response, 200, RESULT_SCRIPT, {
                    "Content-Type": "text/javascript; charset=utf-8",
                    "Cache-Control": "public, max-age=300",
                });
                return;
            case RESULT_PATHS.totals: {
                const current = await readTotals();
                if (current.ok) sendJson(response, 200, current.totals);
                else sendJson(response, 503, { error: "totals temporarily unavailable" });
                return;
            }
            case RESULT_PATHS.events:
                if (request.method === "HEAD") {
                    send(response, 200, "", { "Content-Type": "text/event-stream; charset=utf-8" });
                    return;
                }
                await openStream(response);
                return;
            default:
                send(response, 404, "not found\n");
        }
    }

    const server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
            log("error", "unexpected error handling a request", { error: errorMessage(error) });
            if (!response.headersSent) send(response, 500, "internal error\n");
            else response.destroy();
        });
    }) as ResultServer;
    server.requestTimeout = 0; // event streams are long-lived; headersTimeout still bounds slow clients
    server.headersTimeout = 5000;
    server.keepAliveTimeout = 65_000;
    server.endStreams = () => {
        // An event stream never completes by itself: end it and close its connection (browsers reconnect).
        for (const stream of streams) stream.end(() => stream.socket?.destroy());
        streams.clear();
        stopPollingIfIdle();
    };
    return server;
}

export async function startResultService(env: Env, log: Logger): Promise<RunningService> {
    const { options, postgres: pgSettings, port, events } = resultServiceConfig(env);
    const pool = createPostgres(pgSettings, log);
    const server = createResultServer({
        options,
        totals: postgresTotals(pool, options),
        log,
        events,
    });
    const bound = await listen(server, port, env[LISTEN_HOST_VARIABLE]);
    log("info", "result service listening", {
        port: bound,
        postgres: `${pgSettings.host}:${pgSettings.port}/${pgSettings.database}`,
        sslMode: pgSettings.sslMode,
    });
    return {
        port: bound,
        async stop() {
            server.endStreams();
            await closeServer(server);
            await pool.end();
        },
    };
}
