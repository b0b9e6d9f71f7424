import { get as httpGet } from "http";

/** A small HTTP client for the app tests (Node's fetch, loopback only). */

export interface Reply {
    readonly status: number;
    readonly headers: Headers;
    readonly body: string;
}

export async function get(url: string, cookie?: string): Promise<Reply> {
    const response = await fetch(url, {
        headers: cookie ? { cookie } : {},
        redirect: "manual",
        signal: AbortSignal.timeout(5000),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

/** POST an application/x-www-form-urlencoded body (the vote form). */
export async function postForm(url: string, body: string, cookie?: string): Promise<Reply> {
    const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(5000),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The `name=value` pair of the voter cookie a reply sets, for sending it back. */
export function cookiePair(reply: Reply): string | undefined {
    const header = reply.headers.get("set-cookie");
    return header?.split(";")[0];
}

export interface ServerSentEvent {
    readonly event: string;
    readonly data: string;
}

/**
 * Open an event stream and collect events until `until` says enough (or fail after `timeoutMs`); the
 * connection is then closed. Uses node:http so the socket is closed at once, as a browser tab closing.
 */
export function readEvents(
    url: string,
    until: (events: readonly ServerSentEvent[]) => boolean,
    timeoutMs = 5000,
): Promise<{ contentType: string | undefined; events: ServerSentEvent[] }> {
    return new Promise((resolve, reject) => {
        const events: ServerSentEvent[] = [];
        let buffer = "";
        let contentType: string | undefined;
        const request = httpGet(url, { headers: { accept: "text/event-stream" } }, (response) => {
            contentType = response.headers["content-type"];
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => {
                buffer += chunk;
                let end: number;
                while ((end = buffer.indexOf("\n\n")) >= 0) {
                    const block = buffer.slice(0, end);
                    buffer = buffer.slice(end + 2);
                    let event = "message";
                    const data: string[] = [];
                    for (const line of block.split("\n")) {
                        if (line.startsWith("event:")) event = line.slice(6).trim();
                        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
                    }
                    if (data.length > 0) events.push({ event, data: data.join("\n") });
                }
                if (until(events)) finish();
            });
            response.on("end", () =>
                fail(new Error(`stream ended after ${events.length} events: ${JSON.stringify(events)}`)),
            );
        });
        const timer = setTimeout(
            () => fail(new Error(`timed out after ${timeoutMs} ms; events so far: ${JSON.stringify(events)}`)),
            timeoutMs,
        );
        let settled = false;
        function finish(): void {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            request.destroy();
            resolve({ contentType, events });
        }
        function fail(error: Error): void {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            request.destroy();
            reject(error);
        }
        request.on("error", fail);
    });
}

/** The first event named `name` on a stream. */
export async function firstEvent(
    url: string,
    name: string,
    timeoutMs = 5000,
): Promise<{ contentType: string | undefined; event: ServerSentEvent }> {
    const { contentType, events } = await readEvents(url, (seen) => seen.some((e) => e.event === name), timeoutMs);
    const event = events.find((e) => e.event === name);
    if (!event) throw new Error(`no "${name}" event`);
    return { contentType, event };
}
