import * as assert from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { smokeTest } from "../../scripts/smoke-test";

/** A stand-in for a deployed app: POST / queues a vote that the "worker" counts a little later. */
function fakeApp(behaviour: {
    unavailableRequests?: number;
    countVotes?: boolean;
}): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
    const counts = { a: 3, b: 5 };
    const requests: string[] = [];
    let unavailable = behaviour.unavailableRequests ?? 0;
    const server = http.createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        if (unavailable > 0) {
            unavailable--;
            response.writeHead(503).end("starting");
            return;
        }
        if (request.method === "GET" && request.url === "/result/totals.json") {
            const total = counts.a + counts.b;
            response.writeHead(200, { "content-type": "application/json" }).end(
                JSON.stringify({
                    a: { label: "Cats", votes: counts.a, percent: 0 },
                    b: { label: "Dogs", votes: counts.b, percent: 0 },
                    total,
                }),
            );
            return;
        }
        if (request.method === "POST" && request.url === "/") {
            let body = "";
            request.on("data", (chunk: Buffer) => (body += chunk.toString()));
            request.on("end", () => {
                const choice = new URLSearchParams(body).get("vote");
                if ((choice === "a" || choice === "b") && behaviour.countVotes !== false)
                    setTimeout(() => counts[choice]++, 30);
                response.writeHead(choice === "a" || choice === "b" ? 200 : 400).end("ok");
            });
            return;
        }
        response.writeHead(404).end();
    });
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({
                url: `http://127.0.0.1:${port}`,
                requests,
                close: () => new Promise((done) => server.close(() => done())),
            });
        });
    });
}

describe("scripts/smoke-test.ts against a local HTTP server", () => {
    it("votes through POST / and sees the vote counted in /result/totals.json, retrying while the app starts", async () => {
        const app = await fakeApp({ unavailableRequests: 2 });
        try {
            const lines: string[] = [];
            const { before, after } = await smokeTest({
                url: app.url,
                choice: "b",
                attempts: 10,
                intervalMs: 20,
                log: (l) => lines.push(l),
            });
            assert.deepStrictEqual([before.b.votes, after.b.votes], [5, 6]);
            assert.ok(app.requests.includes("POST /"), app.requests.join(", "));
            assert.ok(
                lines.some((l) => l.includes("answered 503")),
                "the retries were not logged",
            );
        } finally {
            await app.close();
        }
    });

    it("fails, saying which step and why, when the vote never reaches the result", async () => {
        const app = await fakeApp({ countVotes: false });
        try {
            await assert.rejects(
                smokeTest({ url: app.url, attempts: 3, intervalMs: 10, log: () => undefined }),
                /seeing the vote in the result failed after 3 attempts: a still has 3 votes \(had 3\)/,
            );
        } finally {
            await app.close();
        }
    });

    it("fails when the app never becomes available", async () => {
        const app = await fakeApp({ unavailableRequests: 100 });
        try {
            await assert.rejects(
                smokeTest({ url: app.url, attempts: 2, intervalMs: 10, log: () => undefined }),
                /reading the result totals failed after 2 attempts: GET \/result\/totals.json answered 503/,
            );
        } finally {
            await app.close();
        }
    });

    it("refuses a URL that is not http(s)", async () => {
        await assert.rejects(
            smokeTest({ url: "ftp://example.com", log: () => undefined }),
            /expected an http\(s\) URL/,
        );
    });
});
