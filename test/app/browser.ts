import { EventSource, type EventSourceInit } from "eventsource";
import { JSDOM } from "jsdom";
import { waitFor } from "./servers";

/**
 * A page rendered by a real DOM (jsdom) that runs the page's own scripts, loaded from the server as a browser
 * would (`<script src>`), with the two transports those scripts use for live updates: EventSource (the
 * `eventsource` package, real server-sent events over HTTP) and fetch (Node's). jsdom has neither; relative
 * URLs resolve against the page's as in a browser. No CSP enforcement: that is checked on the headers.
 */
export interface RenderedPage {
    /** Text of the element with this id, as the DOM holds it now. */
    text(id: string): string | undefined;
    /** Wait until the element's text is `expected` (its scripts keep running meanwhile). */
    waitForText(id: string, expected: string, timeoutMs?: number): Promise<void>;
    /** Close the window and every connection its scripts opened. */
    close(): void;
}

export async function renderPage(url: string): Promise<RenderedPage> {
    const sources: EventSource[] = [];
    let loaded: Promise<void> = Promise.resolve();
    const dom = await JSDOM.fromURL(url, {
        runScripts: "dangerously",
        resources: "usable",
        pretendToBeVisual: true,
        beforeParse(window) {
            const resolve = (input: string | URL): URL => new URL(String(input), window.location.href);
            class PageEventSource extends EventSource {
                constructor(input: string | URL, init?: EventSourceInit) {
                    super(resolve(input), init);
                    sources.push(this);
                }
            }
            Object.defineProperty(window, "EventSource", {
                value: PageEventSource,
                configurable: true,
                writable: true,
            });
            Object.defineProperty(window, "fetch", {
                value: (input: string | URL, init?: RequestInit) => fetch(resolve(input), init),
                configurable: true,
                writable: true,
            });
            loaded = new Promise((done) => window.addEventListener("load", () => done()));
        },
    });
    // The load event fires once the page's scripts have been fetched and run.
    await loaded;
    const text = (id: string): string | undefined => dom.window.document.getElementById(id)?.textContent ?? undefined;
    return {
        text,
        async waitForText(id, expected, timeoutMs = 10_000) {
            try {
                await waitFor(
                    `#${id} to read "${expected}"`,
                    async () => (text(id) === expected ? true : undefined),
                    timeoutMs,
                );
            } catch (error) {
                throw new Error(`${(error as Error).message}; it reads "${text(id)}", status "${text("status")}"`);
            }
        },
        close() {
            for (const source of sources) source.close();
            dom.window.close();
        },
    };
}
