import * as assert from "assert";
import { get as httpGet } from "http";
import { HTTP_API_INTEGRATION_TIMEOUT_MS } from "../../components/fargate/httpApiIngress";
import { resultEvents } from "../../app/src/core/config";
import { silentLogger } from "../../app/src/core/log";
import { RESULT_SCRIPT } from "../../app/src/core/pages";
import { computeTotals } from "../../app/src/core/totals";
import { closeServer, listen } from "../../app/src/containers/http";
import { createResultServer, RESULT_PATHS } from "../../app/src/containers/result";
import { AppEnv, RESULT_STREAM_LIMIT_SECONDS } from "../../shared/appContract";
import { freePort } from "./servers";

/**
 * The result page behind an entry point that cuts integrations (ecsIngress httpApi: API Gateway ends an integration
 * at 30 s and returns a response once complete): the service, told RESULT_EVENTS=poll, serves a page that polls the
 * totals, and ends any event stream a client still opens before the cut, so the browser's EventSource reconnects.
 */
const OPTIONS = { a: "Cats", b: "Dogs" };

interface Fetched {
    readonly status: number;
    readonly body: string;
    /** Milliseconds until the response ended, or undefined when it was still open at `waitMs`. */
    readonly endedAfterMs?: number;
}

/** GETs a path and collects the body until the response ends or `waitMs` passes (then the request is dropped). */
function fetchFor(port: number, path: string, waitMs: number): Promise<Fetched> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const request = httpGet({ host: "127.0.0.1", port, path }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            const timer = setTimeout(() => {
                request.destroy();
                resolve({ status: response.statusCode ?? 0, body });
            }, waitMs);
            response.on("end", () => {
                clearTimeout(timer);
                resolve({ status: response.statusCode ?? 0, body, endedAfterMs: Date.now() - started });
            });
        });
        request.on("error", reject);
    });
}

async function withServer<T>(
    events: "stream" | "poll" | undefined,
    run: (port: number) => Promise<T>,
    streamLimitMs = 300,
): Promise<T> {
    const server = createResultServer({
        options: OPTIONS,
        totals: async () => computeTotals({ a: 2, b: 1 }, OPTIONS),
        log: silentLogger,
        pollMs: 50,
        streamLimitMs,
        ...(events ? { events } : {}),
    });
    const port = await listen(server, await freePort(), "127.0.0.1");
    try {
        return await run(port);
    } finally {
        server.endStreams();
        await closeServer(server);
    }
}

describe("result page behind an HTTP API (RESULT_EVENTS)", function () {
    this.timeout(20_000);

    it("a stream under poll ends before the HTTP API's 30 s integration cut", () => {
        assert.ok(
            RESULT_STREAM_LIMIT_SECONDS * 1000 < HTTP_API_INTEGRATION_TIMEOUT_MS,
            `${RESULT_STREAM_LIMIT_SECONDS} s is not under the integration timeout ${HTTP_API_INTEGRATION_TIMEOUT_MS} ms`,
        );
    });

    it("RESULT_EVENTS: stream by default, poll when set, anything else refused naming the variable", () => {
        assert.strictEqual(resultEvents({}), "stream");
        assert.strictEqual(resultEvents({ [AppEnv.resultEvents]: "poll" }), "poll");
        assert.throws(() => resultEvents({ [AppEnv.resultEvents]: "sse" }), /RESULT_EVENTS.*stream, poll/);
    });

    it("under poll the page names no event stream, so its script polls the JSON totals, which answer", async () => {
        await withServer("poll", async (port) => {
            const page = await fetchFor(port, RESULT_PATHS.page, 2000);
            assert.strictEqual(page.status, 200);
            assert.match(page.body, /data-totals="\/result\/totals\.json"/);
            assert.doesNotMatch(page.body, /data-events=/);
            // The script follows a stream only when the page names one; otherwise it polls data-totals.
            assert.match(RESULT_SCRIPT, /if \(events && window\.EventSource\)/);
            assert.match(RESULT_SCRIPT, /fetch\(totals/);
            const totals = await fetchFor(port, RESULT_PATHS.totals, 2000);
            assert.deepStrictEqual(JSON.parse(totals.body), computeTotals({ a: 2, b: 1 }, OPTIONS));
        });
        await withServer(undefined, async (port) => {
            assert.match((await fetchFor(port, RESULT_PATHS.page, 2000)).body, /data-events="\/result\/events"/);
        });
    });

    it("under poll an event stream carries the totals and the reconnect delay, then ends by itself at the limit", async () => {
        await withServer("poll", async (port) => {
            const stream = await fetchFor(port, RESULT_PATHS.events, 5000);
            assert.ok(stream.endedAfterMs !== undefined, "the stream did not end by itself");
            assert.ok(stream.endedAfterMs >= 250 && stream.endedAfterMs < 5000, `${stream.endedAfterMs} ms`);
            assert.match(stream.body, /^retry: 3000\n\n/);
            assert.match(stream.body, /event: totals\ndata: \{/);
        });
    });

    it("under stream (behind the ALB) an event stream stays open past that limit", async () => {
        await withServer("stream", async (port) => {
            const stream = await fetchFor(port, RESULT_PATHS.events, 1200);
            assert.strictEqual(stream.endedAfterMs, undefined, "the stream ended although streaming was asked for");
            assert.match(stream.body, /event: totals/);
        });
    });
});
