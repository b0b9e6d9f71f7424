// Smoke test of a deployed voting app: cast one vote through the vote service, then see it counted in the
// result service's JSON totals. Retries while a fresh deployment settles (targets registering, tasks
// starting, the worker catching up).
// Usage: npx ts-node --transpile-only scripts/smoke-test.ts --url https://vote.example.com [--choice a] [--attempts 30] [--interval-ms 10000]
import { parseArgs } from "node:util";
import { RESULT_TOTALS_PATH } from "../shared/appContract";

export interface SmokeTestOptions {
    /** Base URL of the app (the stack output `url`), e.g. https://vote.staging.example.com. */
    readonly url: string;
    /** @default "a" */
    readonly choice?: "a" | "b";
    /** Tries per step. @default 30 */
    readonly attempts?: number;
    /** Wait between tries. @default 10000 */
    readonly intervalMs?: number;
    readonly log?: (line: string) => void;
}

interface Totals {
    readonly a: { readonly votes: number };
    readonly b: { readonly votes: number };
    readonly total: number;
}

function isTotals(value: unknown): value is Totals {
    const v = value as Partial<Record<string, unknown>> | null;
    const votes = (o: unknown) =>
        typeof o === "object" && o !== null && typeof (o as { votes?: unknown }).votes === "number";
    return typeof v === "object" && v !== null && votes(v.a) && votes(v.b) && typeof v.total === "number";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `step` until it returns a value, or throws naming the step and the last reason. */
async function retry<T>(
    what: string,
    attempts: number,
    intervalMs: number,
    log: (line: string) => void,
    step: () => Promise<T | string>,
): Promise<T> {
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
            const result = await step();
            if (typeof result !== "string") return result;
            last = result;
        } catch (err) {
            last = err instanceof Error ? err.message : String(err);
        }
        log(`${what}: attempt ${attempt}/${attempts} failed (${last})`);
        if (attempt < attempts) await sleep(intervalMs);
    }
    throw new Error(`${what} failed after ${attempts} attempts: ${last}`);
}

export async function smokeTest(options: SmokeTestOptions): Promise<{ before: Totals; after: Totals }> {
    const base = new URL(options.url);
    if (base.protocol !== "https:" && base.protocol !== "http:")
        throw new Error(`--url ${options.url}: expected an http(s) URL`);
    const choice = options.choice ?? "a";
    const attempts = options.attempts ?? 30;
    const intervalMs = options.intervalMs ?? 10_000;
    const log = options.log ?? ((line: string) => console.log(line));
    const totalsUrl = new URL(RESULT_TOTALS_PATH, base);

    const readTotals = async (): Promise<Totals | string> => {
        const response = await fetch(totalsUrl, { headers: { accept: "application/json" } });
        if (!response.ok) return `GET ${totalsUrl.pathname} answered ${response.status}`;
        const body: unknown = await response.json();
        return isTotals(body)
            ? body
            : `GET ${totalsUrl.pathname} returned no totals: ${JSON.stringify(body).slice(0, 200)}`;
    };

    const before = await retry("reading the result totals", attempts, intervalMs, log, readTotals);
    // No cookie: the vote service makes a new voter, so the vote adds one to the count instead of replacing one.
    await retry("casting a vote", attempts, intervalMs, log, async () => {
        const response = await fetch(new URL("/", base), {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: `vote=${choice}`,
            redirect: "manual",
        });
        return response.status === 200 ? true : `POST / answered ${response.status}`;
    });
    const after = await retry("seeing the vote in the result", attempts, intervalMs, log, async () => {
        const totals = await readTotals();
        if (typeof totals === "string") return totals;
        return totals[choice].votes > before[choice].votes
            ? totals
            : `${choice} still has ${totals[choice].votes} votes (had ${before[choice].votes})`;
    });
    log(
        `smoke test passed: ${choice} went from ${before[choice].votes} to ${after[choice].votes} votes at ${base.origin}`,
    );
    return { before, after };
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            url: { type: "string" },
            choice: { type: "string", default: "a" },
            attempts: { type: "string", default: "30" },
            "interval-ms": { type: "string", default: "10000" },
        },
        strict: true,
    });
    if (!values.url) {
        console.error("--url is required (the stack output url)");
        return 2;
    }
    if (values.choice !== "a" && values.choice !== "b") {
        console.error(`--choice ${values.choice}: expected a or b`);
        return 2;
    }
    await smokeTest({
        url: values.url,
        choice: values.choice,
        attempts: Number(values.attempts),
        intervalMs: Number(values["interval-ms"]),
    });
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
