import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { get as httpGet, type ClientRequest } from "http";
import { silentLogger } from "../../app/src/core/log";
import { computeTotals, type Totals } from "../../app/src/core/totals";
import { closeServer, listen } from "../../app/src/containers/http";
import { createRedisClient, REDIS_RECONNECT_MAX_DELAY_MS } from "../../app/src/containers/redis";
import { createResultServer } from "../../app/src/containers/result";
import { DEFAULT_PRUNE_THRESHOLD } from "../../app/src/lambda/store";
import { freePort, waitFor } from "./servers";

/** Behaviours of the container services that need no backing store: the event stream and Redis reconnects. */

const OPTIONS = { a: "Cats", b: "Dogs" };

describe("container service details", function () {
    this.timeout(20_000);

    describe("result event stream", () => {
        /** Raw event-stream text received by each open client. */
        function openStream(url: string): { text: () => string; request: ClientRequest } {
            let text = "";
            const request = httpGet(url, (response) => {
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => (text += chunk));
            });
            request.on("error", () => undefined);
            return { text: () => text, request };
        }

        const totalsEvents = (text: string): Totals[] =>
            text
                .split("\n\n")
                .filter((block) => block.startsWith("event: totals"))
                .map((block) => JSON.parse(block.slice(block.indexOf("data: ") + 6)) as Totals);

        it("sends each client the current totals once, then only changes (the first client got them twice)", async () => {
            let reads = 0;
            let counts = { a: 1, b: 0 };
            const server = createResultServer({
                options: OPTIONS,
                totals: async () => {
                    reads += 1;
                    return computeTotals(counts, OPTIONS);
                },
                log: silentLogger,
                pollMs: 20,
            });
            const port = await listen(server, await freePort(), "127.0.0.1");
            const url = `http://127.0.0.1:${port}/result/events`;
            try {
                const first = openStream(url);
                // Counted in reads of the store, not in time: the poller has run several times since the stream opened.
                await waitFor("the poller to run after the first client", async () => (reads >= 5 ? true : undefined));
                const second = openStream(url);
                const afterSecond = reads;
                await waitFor("the poller to run after the second client", async () =>
                    reads >= afterSecond + 5 ? true : undefined,
                );
                counts = { a: 1, b: 1 };
                await waitFor("both clients to see the change", async () =>
                    totalsEvents(first.text()).length >= 2 && totalsEvents(second.text()).length >= 2
                        ? true
                        : undefined,
                );
                const changed = reads;
                await waitFor("the poller to run after the change", async () =>
                    reads >= changed + 5 ? true : undefined,
                );
                for (const [name, client] of [
                    ["first", first],
                    ["second", second],
                ] as const) {
                    assert.deepStrictEqual(
                        totalsEvents(client.text()).map((t) => t.total),
                        [1, 2],
                        `${name} client: the totals on connect, then the one change`,
                    );
                    client.request.destroy();
                }
            } finally {
                server.endStreams();
                await closeServer(server);
            }
        });
    });

    it("app/README.md states the numbers the code uses", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "../../app/README.md"), "utf8").replace(/\s+/g, " ");
        assert.ok(readme.includes(`reconnects at most every ${REDIS_RECONNECT_MAX_DELAY_MS} ms`), "reconnect delay");
        assert.ok(readme.includes(`once it sees ${DEFAULT_PRUNE_THRESHOLD} of them`), "prune threshold");
    });

    describe("Redis reconnects (vote answers 503 until the client is back)", () => {
        it(`retries at most every ${REDIS_RECONNECT_MAX_DELAY_MS} ms however long the outage, so vote recovers within a few hundred ms`, () => {
            // The strategy the client is built with, read back from ioredis (a 2 s cap kept votes failing ~1.3 s).
            const client = createRedisClient({ host: "127.0.0.1", port: 1, tls: false }, silentLogger);
            try {
                const strategy = client.options.retryStrategy;
                assert.ok(strategy, "a retry strategy is set: the client reconnects on its own");
                const delays = Array.from({ length: 60 }, (_, i) => strategy(i + 1));
                assert.ok(
                    delays.every((delay) => typeof delay === "number" && delay > 0 && delay <= 250),
                    `delays ${JSON.stringify(delays)}`,
                );
                assert.strictEqual(delays[0], 25, "the first retry is quick");
                assert.strictEqual(Math.max(...(delays as number[])), REDIS_RECONNECT_MAX_DELAY_MS);
            } finally {
                client.disconnect();
            }
        });
    });
});
