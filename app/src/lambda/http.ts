import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** API Gateway HTTP API (payload format 2.0) helpers for the vote and result functions. */

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function textResult(
    statusCode: number,
    body: string,
    headers: Readonly<Record<string, string>> = {},
    cookies?: string[],
): HttpResult {
    return {
        statusCode,
        headers: {
            "Content-Type": "text/plain; charset=utf-8",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            ...headers,
        },
        body,
        ...(cookies && cookies.length > 0 ? { cookies } : {}),
    };
}

export function jsonResult(statusCode: number, value: unknown): HttpResult {
    return textResult(statusCode, `${JSON.stringify(value)}\n`, { "Content-Type": "application/json; charset=utf-8" });
}

/** The request body as text (API Gateway base64-encodes some), or undefined when over `limit` bytes. */
export function eventBody(event: HttpEvent, limit: number): string | undefined {
    const raw = event.body ?? "";
    const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
    return bytes.length > limit ? undefined : bytes.toString("utf8");
}

/** The Cookie header equivalent of the event's cookies (payload 2.0 lists them separately). */
export function eventCookieHeader(event: HttpEvent): string | undefined {
    return event.cookies?.join("; ") ?? event.headers?.cookie;
}
