import { createHash, randomUUID } from "crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { freePort, sleep } from "./servers";

/**
 * A local harness for the Lambda functions, on loopback: an HTTP API that turns requests into API Gateway
 * (payload 2.0) events for the function its routes name, and an SQS FIFO queue that speaks the SQS JSON
 * protocol (SendMessage, what the vote function calls) and delivers batches to the worker the way Lambda's
 * event source mapping does (one message group in order, failed messages returned and redelivered).
 * DynamoDB is dynalite. The functions are the bundles `pulumi up` deploys.
 */

/** The AWS SDK's switch for its warning about the Node.js version it runs on. */
const SDK_NODE_WARNING_OFF = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/**
 * Called in a suite's body: the functions run on the shipped Node.js (shared/nodeRuntime.ts), the tests on the
 * repository's toolchain Node, where the SDK may warn about it when a client is made. The switch is on from here
 * to the end of the suite, then as it was: left on, every stack run the worker planned afterwards had another
 * environment, so another key in the shared run store (test/support/runStore.ts), and was planned again.
 */
export function quietSdkNodeWarning(): void {
    const before = process.env[SDK_NODE_WARNING_OFF];
    process.env[SDK_NODE_WARNING_OFF] = "true";
    after(() => {
        if (before === undefined) delete process.env[SDK_NODE_WARNING_OFF];
        else process.env[SDK_NODE_WARNING_OFF] = before;
    });
}

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

function readBody(request: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => resolve(Buffer.concat(chunks)));
        request.on("error", reject);
    });
}

async function listenOnLoopback(server: Server): Promise<number> {
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return port;
}

async function close(server: Server): Promise<void> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** An API Gateway HTTP API: `routes` maps route keys ("GET /result") to functions; anything else is 404. */
export class LocalHttpApi {
    private readonly server: Server;
    port = 0;

    constructor(private readonly routes: ReadonlyMap<string, HttpHandler>) {
        this.server = createServer((request, response) => {
            this.handle(request, response).catch((error: unknown) => {
                response.writeHead(500, { "content-type": "application/json" });
                response.end(JSON.stringify({ message: "Internal Server Error", error: String(error) }));
            });
        });
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async start(): Promise<void> {
        this.port = await listenOnLoopback(this.server);
    }

    stop(): Promise<void> {
        return close(this.server);
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const url = new URL(request.url ?? "/", this.url);
        const method = request.method ?? "GET";
        const routeKey = `${method} ${url.pathname}`;
        const handler = this.routes.get(routeKey);
        if (!handler) {
            response.writeHead(404, { "content-type": "application/json" });
            response.end('{"message":"Not Found"}');
            return;
        }
        const body = await readBody(request);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
            if (typeof value === "string" && name !== "cookie") headers[name] = value;
        }
        const cookies = request.headers.cookie?.split(/;\s*/).filter((c) => c !== "");
        const event: APIGatewayProxyEventV2 = {
            version: "2.0",
            routeKey,
            rawPath: url.pathname,
            rawQueryString: url.search.slice(1),
            headers,
            ...(cookies?.length ? { cookies } : {}),
            requestContext: {
                accountId: "123456789012",
                apiId: "local",
                domainName: url.host,
                domainPrefix: "local",
                http: {
                    method,
                    path: url.pathname,
                    protocol: "HTTP/1.1",
                    sourceIp: "127.0.0.1",
                    userAgent: headers["user-agent"] ?? "",
                },
                requestId: randomUUID(),
                routeKey,
                stage: "$default",
                time: new Date().toISOString(),
                timeEpoch: Date.now(),
            },
            // HTTP APIs base64-encode bodies that are not text (form posts included); the handlers decode both.
            ...(body.length > 0 ? { body: body.toString("base64") } : {}),
            isBase64Encoded: body.length > 0,
        };
        const result = await handler(event);
        const responseHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name] = String(value);
        if (result.cookies?.length) responseHeaders["set-cookie"] = result.cookies;
        response.writeHead(result.statusCode ?? 200, responseHeaders);
        response.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
    }
}

interface QueuedMessage {
    readonly messageId: string;
    readonly body: string;
    readonly groupId: string;
    readonly deduplicationId: string;
    readonly sequenceNumber: string;
    receiveCount: number;
}

/**
 * An SQS FIFO queue: SendMessage (JSON protocol) assigns increasing sequence numbers and drops a repeated
 * deduplication id; deliver() hands the worker up to `batchSize` messages, oldest first, and keeps those it
 * reports failed (after `maxReceiveCount` receives they move to `deadLetters`, as a redrive policy would).
 */
export class LocalFifoQueue {
    private readonly server: Server;
    private readonly messages: QueuedMessage[] = [];
    private readonly deduplicated = new Map<string, QueuedMessage>();
    private sequence = BigInt("10000000000000000000");
    readonly deadLetters: QueuedMessage[] = [];
    port = 0;
    private delivering: Promise<void> | undefined;
    private stopping = false;

    constructor(
        readonly name = "votes.fifo",
        private readonly maxReceiveCount = 5,
    ) {
        this.server = createServer((request, response) => {
            void this.handle(request, response);
        });
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}/123456789012/${this.name}`;
    }

    get depth(): number {
        return this.messages.length;
    }

    async start(): Promise<void> {
        this.port = await listenOnLoopback(this.server);
    }

    /** Deliver to `worker` every `intervalMs` until stop(), as the event source mapping polls the queue. */
    startDelivering(worker: QueueHandler, intervalMs = 25, batchSize = 10): void {
        const loop = async (): Promise<void> => {
            while (!this.stopping) {
                await this.deliver(worker, batchSize);
                await sleep(intervalMs);
            }
        };
        this.delivering = loop();
    }

    async stop(): Promise<void> {
        this.stopping = true;
        await this.delivering;
        await close(this.server);
    }

    async deliver(worker: QueueHandler, batchSize = 10): Promise<void> {
        const batch = this.messages.slice(0, batchSize);
        if (batch.length === 0) return;
        for (const message of batch) message.receiveCount += 1;
        const reply = await worker({
            Records: batch.map((message) => ({
                messageId: message.messageId,
                receiptHandle: message.messageId,
                body: message.body,
                attributes: {
                    ApproximateReceiveCount: String(message.receiveCount),
                    SentTimestamp: String(Date.now()),
                    SenderId: "local",
                    ApproximateFirstReceiveTimestamp: String(Date.now()),
                    SequenceNumber: message.sequenceNumber,
                    MessageGroupId: message.groupId,
                    MessageDeduplicationId: message.deduplicationId,
                },
                messageAttributes: {},
                md5OfBody: createHash("md5").update(message.body).digest("hex"),
                eventSource: "aws:sqs",
                eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${this.name}`,
                awsRegion: "eu-west-1",
            })),
        });
        const failed = new Set(reply.batchItemFailures.map((failure) => failure.itemIdentifier));
        for (const message of batch) {
            if (failed.has(message.messageId) && message.receiveCount < this.maxReceiveCount) continue;
            this.messages.splice(this.messages.indexOf(message), 1);
            if (failed.has(message.messageId)) this.deadLetters.push(message);
        }
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const reply = (status: number, value: unknown): void => {
            response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
            response.end(JSON.stringify(value));
        };
        const target = request.headers["x-amz-target"];
        const input = JSON.parse((await readBody(request)).toString("utf8") || "{}") as Record<string, string>;
        if (target !== "AmazonSQS.SendMessage")
            return reply(400, {
                __type: "com.amazonaws.sqs#UnsupportedOperation",
                message: `${String(target)} is not emulated`,
            });
        if (input.QueueUrl !== this.url)
            return reply(400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: `no queue ${input.QueueUrl}` });
        if (!input.MessageGroupId || !input.MessageDeduplicationId)
            return reply(400, {
                __type: "com.amazonaws.sqs#MissingParameter",
                message: "a FIFO queue needs MessageGroupId and MessageDeduplicationId",
            });
        let message = this.deduplicated.get(input.MessageDeduplicationId);
        if (!message) {
            this.sequence += BigInt(1);
            message = {
                messageId: randomUUID(),
                body: input.MessageBody,
                groupId: input.MessageGroupId,
                deduplicationId: input.MessageDeduplicationId,
                sequenceNumber: this.sequence.toString(),
                receiveCount: 0,
            };
            this.deduplicated.set(input.MessageDeduplicationId, message);
            this.messages.push(message);
        }
        reply(200, {
            MessageId: message.messageId,
            MD5OfMessageBody: createHash("md5").update(input.MessageBody).digest("hex"),
            SequenceNumber: message.sequenceNumber,
        });
    }
}
