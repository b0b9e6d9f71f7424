import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import { hostname } from "os";
import type Redis from "ioredis";
import { APP_HEALTH_PATH } from "../../../shared/appContract";
import type { Env, VoteOptions } from "../core/config";
import { errorMessage, type Logger } from "../core/log";
import { PAGE_HEADERS, renderVotePage } from "../core/pages";
import { voteServiceConfig } from "../core/serviceConfig";
import {
    encodeBallot,
    MAX_VOTE_BODY_BYTES,
    parseVoteForm,
    voterCookie,
    voterFromCookie,
    type Ballot,
} from "../core/votes";
import { BodyTooLargeError, closeServer, isHttps, listen, readBody, requestPath, send } from "./http";
import { createRedisClient, VOTES_QUEUE } from "./redis";
import { LISTEN_HOST_VARIABLE, type RetryTuning, type RunningService } from "./run";

/** Where a vote goes once validated: the Redis list here, an SQS queue on Lambda. */
export type BallotSink = (ballot: Ballot) => Promise<void>;

/** Pushes the ballot onto the Redis list `votes` (RPUSH; the worker takes from the left, first in first out). */
export function redisBallotSink(redis: Redis): BallotSink {
    return async (ballot) => {
        await redis.rpush(VOTES_QUEUE, encodeBallot(ballot));
    };
}

export interface VoteServerOptions {
    readonly options: VoteOptions;
    readonly sink: BallotSink;
    readonly log: Logger;
    /** Shown on the page as "Processed by ...", as the original app does. @default container ID <hostname> */
    readonly processedBy?: string;
}

/** The serving container as the original vote page names it: its hostname (the task's or pod's). */
export function containerInstance(): string {
    return `container ID ${hostname()}`;
}

/**
 * The vote service: GET / the page, POST / one vote (form field `vote` = a|b) for the voter in the
 * `voter_id` cookie (set when absent). Malformed votes get 400 and nothing is written; when the queue is
 * unreachable the answer is 503 and the process carries on.
 */
export function createVoteServer({ options, sink, log, processedBy = containerInstance() }: VoteServerOptions): Server {
    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const path = requestPath(request);
        if (path === APP_HEALTH_PATH) {
            send(response, 200, "ok\n");
            return;
        }
        if (path !== "/") {
            send(response, 404, "not found\n");
            return;
        }
        const voter = voterFromCookie(request.headers.cookie);
        const cookieHeader: Record<string, string> = voter.isNew
            ? { "Set-Cookie": voterCookie(voter.voterId, isHttps(request)) }
            : {};
        if (request.method === "GET" || request.method === "HEAD") {
            send(response, 200, renderVotePage(options, { processedBy }), { ...PAGE_HEADERS, ...cookieHeader });
            return;
        }
        if (request.method !== "POST") {
            send(response, 405, "method not allowed\n", { Allow: "GET, HEAD, POST" });
            return;
        }
        let body: string;
        try {
            body = await readBody(request, MAX_VOTE_BODY_BYTES);
        } catch (error) {
            if (error instanceof BodyTooLargeError) {
                send(response, 413, `${error.message}\n`, { Connection: "close" });
            } else {
                send(response, 400, "could not read the request body\n");
            }
            return;
        }
        const vote = parseVoteForm(body);
        if (!vote.ok) {
            send(response, 400, `invalid vote: ${vote.error}\n`);
            return;
        }
        try {
            await sink({ voterId: voter.voterId, vote: vote.value });
        } catch (error) {
            log("warn", "vote not recorded: queue unavailable", { error: errorMessage(error) });
            send(response, 503, "the vote could not be recorded right now; please try again\n", { "Retry-After": "2" });
            return;
        }
        send(response, 200, renderVotePage(options, { chosen: vote.value, processedBy }), {
            ...PAGE_HEADERS,
            ...cookieHeader,
        });
    }

    const server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
            log("error", "unexpected error handling a request", { error: errorMessage(error) });
            if (!response.headersSent) send(response, 500, "internal error\n");
            else response.destroy();
        });
    });
    server.requestTimeout = 10_000;
    server.headersTimeout = 5000;
    // Longer than the ALB idle timeout (60 s), so the load balancer closes idle connections first.
    server.keepAliveTimeout = 65_000;
    return server;
}

export async function startVoteService(env: Env, log: Logger, tuning: RetryTuning = {}): Promise<RunningService> {
    const { options, redis: redisSettings, port } = voteServiceConfig(env);
    const redis = createRedisClient(redisSettings, log, { maxReconnectDelayMs: tuning.maxBackoffMs });
    const server = createVoteServer({ options, sink: redisBallotSink(redis), log });
    const bound = await listen(server, port, env[LISTEN_HOST_VARIABLE]);
    log("info", "vote service listening", {
        port: bound,
        redis: `${redisSettings.host}:${redisSettings.port}`,
        tls: redisSettings.tls,
    });
    return {
        port: bound,
        async stop() {
            await closeServer(server);
            redis.disconnect();
        },
    };
}
