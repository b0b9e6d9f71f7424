import * as assert from "assert";
import { connect } from "net";
import type { Server } from "http";
import { closeServer, listen } from "../../app/src/containers/http";
import { createResultServer } from "../../app/src/containers/result";
import { createVoteServer } from "../../app/src/containers/vote";
import { silentLogger } from "../../app/src/core/log";
import { computeTotals } from "../../app/src/core/totals";
import { accountPlanFor } from "../../plan/cost/account";
import {
    BYTES_PER_VOTE,
    dataStoreBytesPerVote,
    internetEgressBytesPerVote,
    SERVICE_TRAFFIC,
} from "../../plan/cost/assumptions";
import { estimateCost, type CostEstimate } from "../../plan/cost/estimate";
import { freePort } from "../app/servers";
import { stackRun } from "../support/stacks";

const OPTIONS = { a: "Cats", b: "Dogs" };

/** The raw bytes (status line, headers, body) a server answers one HTTP/1.1 request with. */
async function responseBytes(server: Server, request: string): Promise<number> {
    const port = await listen(server, await freePort(), "127.0.0.1");
    try {
        return await new Promise<number>((resolve, reject) => {
            let bytes = 0;
            const socket = connect(port, "127.0.0.1", () => socket.write(request));
            socket.on("data", (chunk: Buffer) => (bytes += chunk.length));
            socket.on("end", () => resolve(bytes));
            socket.on("error", reject);
        });
    } finally {
        await closeServer(server, 100);
    }
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: vote.example.com\r\nConnection: close\r\n\r\n`;

async function estimateOf(stack: string, platform: string, votesPerMonth?: number): Promise<CostEstimate> {
    const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
    return estimateCost(run.resources, {
        region: run.stackConfig.config["voteapp:region"],
        votesPerMonth,
        account: await accountPlanFor(run),
    });
}

const transferLines = (e: CostEstimate) => e.lines.filter((l) => l.priceKey.startsWith("transfer."));
const cents = (v: number) => Math.round(v * 100);

describe("data transfer at the stated load (plan/cost/dataTransfer.ts)", function () {
    this.timeout(300_000);

    it("the bytes-per-vote model holds what the app really sends: its pages and totals fit the stated sizes", async () => {
        const totals = computeTotals({ a: 4_999_999_999, b: 5_000_000_001 }, OPTIONS);
        const votePage = await responseBytes(
            createVoteServer({
                options: OPTIONS,
                sink: async () => undefined,
                log: silentLogger,
                processedBy: "container ID ip-10-20-130-123.eu-west-1.compute.internal",
            }),
            get("/"),
        );
        const result = () => createResultServer({ options: OPTIONS, totals: async () => totals, log: silentLogger });
        const resultPage = await responseBytes(result(), get("/result"));
        const totalsJson = await responseBytes(result(), get("/result/totals.json"));
        assert.ok(votePage > 500 && resultPage > 500 && totalsJson > 100, `${votePage} ${resultPage} ${totalsJson}`);
        assert.ok(
            Math.max(votePage, resultPage) <= BYTES_PER_VOTE.pageResponse,
            `pages: ${votePage} B, ${resultPage} B`,
        );
        assert.ok(totalsJson <= BYTES_PER_VOTE.totalsResponse, `totals: ${totalsJson} B`);
        // The model per vote: 3 pages, 5 totals, 2 handshakes of 5 KB.
        assert.strictEqual(SERVICE_TRAFFIC.vote.requests + SERVICE_TRAFFIC.result.requests, 8);
        assert.strictEqual(internetEgressBytesPerVote(), 3 * 2_000 + 5 * 500 + 2 * 5_000);
        assert.deepStrictEqual(dataStoreBytesPerVote(), { redis: 1_500, postgres: 1_000 + 6 * 600 });
    });

    it("staging on ecs: egress at the load balancer, app to data across AZs, log shipping to its one NAT instance: recomputed by hand", async () => {
        const e = await estimateOf("staging", "ecs");
        const line = (key: string, name: string) => {
            const found = transferLines(e).filter((l) => l.priceKey === key && l.name === name);
            assert.strictEqual(
                found.length,
                1,
                `${key} on ${name}: ${transferLines(e)
                    .map((l) => l.name)
                    .join(", ")}`,
            );
            assert.strictEqual(found[0].driver, "load");
            return found[0].monthlyUsd;
        };
        // 1M votes × 18,500 B = 18.5 GB at $0.09.
        assert.strictEqual(cents(line("transfer.internet-out.gb", "voteapp-staging")), cents(18.5 * 0.09));
        // 2 AZs, one primary each: half the bytes cross, charged out and in at $0.01.
        assert.strictEqual(cents(line("transfer.inter-az.gb", "data-postgres")), cents(4.6 * 0.5 * 2 * 0.01));
        assert.strictEqual(cents(line("transfer.inter-az.gb", "data-redis")), cents(1.5 * 0.5 * 2 * 0.01));
        // 1,500 B per vote through the NAT instance in one of the two AZs.
        assert.strictEqual(cents(line("transfer.inter-az.gb", "network-nat")), cents(1.5 * 0.5 * 2 * 0.01));
        assert.deepStrictEqual(e.notPriced, []);
    });

    it("prod (a NAT gateway per AZ) has no NAT crossing; lambda pays only egress, at its API stage; nothing at idle", async () => {
        const prod = await estimateOf("prod", "ecs");
        assert.deepStrictEqual(
            transferLines(prod)
                .map((l) => l.name)
                .sort(),
            ["data-postgres", "data-redis", "voteapp-prod"],
        );
        // 3 AZs: two thirds of the data-store bytes cross.
        const postgres = transferLines(prod).find((l) => l.name === "data-postgres");
        assert.strictEqual(cents(postgres?.monthlyUsd ?? 0), cents(4.6 * (2 / 3) * 2 * 0.01));
        const lambda = await estimateOf("dev", "lambda");
        assert.deepStrictEqual(
            transferLines(lambda).map((l) => [l.type, l.priceKey]),
            [["aws:apigatewayv2/stage:Stage", "transfer.internet-out.gb"]],
        );
        const eks = await estimateOf("dev", "eks");
        assert.ok(transferLines(eks).some((l) => l.type === "kubernetes:networking.k8s.io/v1:Ingress"));
        const idle = await estimateOf("staging", "ecs", 0);
        assert.deepStrictEqual(transferLines(idle), []);
        const doubled = await estimateOf("staging", "ecs", 2_000_000);
        const sum = (e: CostEstimate) => transferLines(e).reduce((s, l) => s + l.monthlyUsd, 0);
        assert.strictEqual(cents(sum(doubled)), cents(2 * sum(await estimateOf("staging", "ecs"))));
    });
});
