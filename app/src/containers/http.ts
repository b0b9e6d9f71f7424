import type { IncomingMessage, Server, ServerResponse } from "http";

/** Small helpers shared by the vote and result HTTP servers (no framework: fewer dependencies to patch). */

export class BodyTooLargeError extends Error {
    constructor(readonly limit: number) {
        super(`request body larger than ${limit} bytes`);
    }
}

/** The request body as text, rejecting (and not buffering) anything larger than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const declared = Number(request.headers["content-length"] ?? "0");
        if (declared > limit) {
            request.resume();
            reject(new BodyTooLargeError(limit));
            return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        request.on("data", (chunk: Buffer) => {
            if (failed) return;
            size += chunk.length;
            if (size > limit) {
                failed = true;
                reject(new BodyTooLargeError(limit));
                return;
            }
            chunks.push(chunk);
        });
        request.on("end", () => {
            if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
        });
        request.on("error", (error) => {
            if (!failed) {
                failed = true;
                reject(error);
            }
        });
    });
}

export function send(
    response: ServerResponse,
    status: number,
    body: string,
    headers: Readonly<Record<string, string | string[]>> = {},
): void {
    response.writeHead(status, {
        "Content-Type": "text/plain; charset=utf-8",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        ...headers,
    });
    response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
    send(response, status, `${JSON.stringify(value)}\n`, { "Content-Type": "application/json; charset=utf-8" });
}

/** The request path without query string, or undefined for an unparseable URL. */
export function requestPath(request: IncomingMessage): string | undefined {
    try {
        return new URL(request.url ?? "/", "http://localhost").pathname;
    } catch {
        return undefined;
    }
}

/** Whether the client reached us over HTTPS (the ALB terminates TLS and says so in X-Forwarded-Proto). */
export function isHttps(request: IncomingMessage): boolean {
    return request.headers["x-forwarded-proto"] === "https";
}

/** Listen on `port` (0 = any) on `host`; resolves with the bound port. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            const address = server.address();
            resolve(typeof address === "object" && address ? address.port : port);
        });
    });
}

/** Stop accepting connections, close idle keep-alive ones, and resolve once in-flight requests are done. */
export function closeServer(server: Server, forceAfterMs = 5000): Promise<void> {
    return new Promise((resolve) => {
        if (!server.listening) {
            resolve();
            return;
        }
        const force = setTimeout(() => server.closeAllConnections(), forceAfterMs);
        force.unref();
        server.close(() => {
            clearTimeout(force);
            resolve();
        });
        server.closeIdleConnections();
    });
}
