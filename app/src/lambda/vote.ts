import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomUUID } from "crypto";
import { APP_HEALTH_PATH } from "../../../shared/appContract";
import type { VoteOptions } from "../core/config";
import { errorMessage, jsonLogger, type Logger } from "../core/log";
import { PAGE_HEADERS, renderVotePage } from "../core/pages";
import { encodeBallot, MAX_VOTE_BODY_BYTES, parseVoteForm, voterCookie, voterFromCookie } from "../core/votes";
import { voteFunctionConfig } from "./config";
import { eventBody, eventCookieHeader, textResult, type HttpEvent, type HttpResult } from "./http";

export interface VoteFunctionDeps {
    readonly sqs: SQSClient;
    readonly queueUrl: string;
    readonly options: VoteOptions;
    readonly log: Logger;
    /** Shown on the page as "Processed by ...". @default functionInstance() */
    readonly processedBy?: string;
}

/** Made once per execution environment: names it when Lambda gives no log stream name. */
const INSTANCE_ID = randomUUID();

/**
 * The serving function instance (one execution environment): its CloudWatch log stream, which Lambda names
 * per environment (AWS_LAMBDA_LOG_STREAM_NAME), so the page leads to that instance's logs.
 */
export function functionInstance(env: Readonly<Record<string, string | undefined>> = process.env): string {
    return `function instance ${env.AWS_LAMBDA_LOG_STREAM_NAME || INSTANCE_ID}`;
}

/**
 * The vote function behind API Gateway: GET / the page, POST / one vote, sent to the SQS FIFO queue with
 * the voter id as message group (one ballot per voter in flight, in order) and the API request id as
 * deduplication id (a retried delivery of the same request is not counted twice).
 */
export function createVoteHandler({
    sqs,
    queueUrl,
    options,
    log,
    processedBy = functionInstance(),
}: VoteFunctionDeps): (event: HttpEvent) => Promise<HttpResult> {
    return async (event) => {
        const method = event.requestContext.http.method;
        const path = event.rawPath;
        if (path === APP_HEALTH_PATH) return textResult(200, "ok\n");
        if (path !== "/") return textResult(404, "not found\n");
        const voter = voterFromCookie(eventCookieHeader(event));
        // API Gateway endpoints are HTTPS only: the cookie is always Secure.
        const cookies = voter.isNew ? [voterCookie(voter.voterId, true)] : undefined;
        if (method === "GET" || method === "HEAD")
            return textResult(200, renderVotePage(options, { processedBy }), PAGE_HEADERS, cookies);
        if (method !== "POST") return textResult(405, "method not allowed\n", { Allow: "GET, HEAD, POST" });
        const body = eventBody(event, MAX_VOTE_BODY_BYTES);
        if (body === undefined) return textResult(413, `request body larger than ${MAX_VOTE_BODY_BYTES} bytes\n`);
        const vote = parseVoteForm(body);
        if (!vote.ok) return textResult(400, `invalid vote: ${vote.error}\n`);
        try {
            await sqs.send(
                new SendMessageCommand({
                    QueueUrl: queueUrl,
                    MessageBody: encodeBallot({ voterId: voter.voterId, vote: vote.value }),
                    MessageGroupId: voter.voterId,
                    MessageDeduplicationId: event.requestContext.requestId,
                }),
            );
        } catch (error) {
            log("warn", "vote not recorded: queue unavailable", { error: errorMessage(error) });
            return textResult(503, "the vote could not be recorded right now; please try again\n", {
                "Retry-After": "2",
            });
        }
        return textResult(200, renderVotePage(options, { chosen: vote.value, processedBy }), PAGE_HEADERS, cookies);
    };
}

let cached: ((event: HttpEvent) => Promise<HttpResult>) | undefined;

/** Lambda entry point; configuration is read (and checked) on the first invocation of a cold start. */
export async function handler(event: HttpEvent): Promise<HttpResult> {
    if (!cached) {
        const config = voteFunctionConfig(process.env);
        cached = createVoteHandler({ sqs: new SQSClient({}), ...config, log: jsonLogger("vote") });
    }
    return cached(event);
}
