import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { APP_HEALTH_PATH, LAMBDA_RESULT_PATHS } from "../../../shared/appContract";
import type { VoteOptions } from "../core/config";
import { errorMessage, jsonLogger, type Logger } from "../core/log";
import { PAGE_HEADERS, renderResultPage, RESULT_SCRIPT } from "../core/pages";
import type { Totals } from "../core/totals";
import { tableConfig } from "./config";
import { jsonResult, textResult, type HttpEvent, type HttpResult } from "./http";
import { DynamoVoteStore } from "./store";

export interface ResultFunctionDeps {
    readonly totals: () => Promise<Totals>;
    readonly options: VoteOptions;
    readonly log: Logger;
}

/** The result function: the page (which polls the JSON: API Gateway has no long-lived streams) and the totals. */
export function createResultHandler({
    totals,
    options,
    log,
}: ResultFunctionDeps): (event: HttpEvent) => Promise<HttpResult> {
    async function read(): Promise<Totals | undefined> {
        try {
            return await totals();
        } catch (error) {
            log("warn", "totals unavailable", { error: errorMessage(error) });
            return undefined;
        }
    }
    return async (event) => {
        const path = event.rawPath;
        if (path === APP_HEALTH_PATH || path === LAMBDA_RESULT_PATHS.health) return textResult(200, "ok\n");
        const method = event.requestContext.http.method;
        if (method !== "GET" && method !== "HEAD")
            return textResult(405, "method not allowed\n", { Allow: "GET, HEAD" });
        switch (path) {
            case LAMBDA_RESULT_PATHS.page:
            case `${LAMBDA_RESULT_PATHS.page}/`:
                return textResult(
                    200,
                    renderResultPage(
                        options,
                        { scriptPath: LAMBDA_RESULT_PATHS.script, totalsPath: LAMBDA_RESULT_PATHS.totals },
                        await read(),
                    ),
                    PAGE_HEADERS,
                );
            case LAMBDA_RESULT_PATHS.script:
                return textResult(200, RESULT_SCRIPT, {
                    "Content-Type": "text/javascript; charset=utf-8",
                    "Cache-Control": "public, max-age=300",
                });
            case LAMBDA_RESULT_PATHS.totals: {
                const current = await read();
                return current
                    ? jsonResult(200, current)
                    : jsonResult(503, { error: "totals temporarily unavailable" });
            }
            default:
                return textResult(404, "not found\n");
        }
    };
}

let cached: ((event: HttpEvent) => Promise<HttpResult>) | undefined;

export async function handler(event: HttpEvent): Promise<HttpResult> {
    if (!cached) {
        const { tableName, options } = tableConfig(process.env, "result");
        const store = new DynamoVoteStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
        cached = createResultHandler({ totals: () => store.readTotals(options), options, log: jsonLogger("result") });
    }
    return cached(event);
}
