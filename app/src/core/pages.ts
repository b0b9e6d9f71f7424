import type { VoteOptions } from "./config";
import type { Totals } from "./totals";
import type { VoteChoice } from "./votes";

/**
 * The HTML of the vote and result pages, independent of how they are served (Node HTTP server in a
 * container, or a Lambda handler behind API Gateway). No inline scripts: the result page loads its script
 * from `scriptPath`, so a strict Content-Security-Policy applies.
 */

/** Security headers every page response carries. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
};

export function escapeHtml(text: string): string {
    return text.replace(
        /[&<>"']/g,
        (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
    );
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#222;text-align:center}
main{max-width:36rem;margin:3rem auto;padding:1rem}
h1{font-size:1.6rem}
form{display:flex;gap:1rem;justify-content:center}
button{flex:1;font-size:1.4rem;padding:1.2rem;border:0;border-radius:.5rem;color:#fff;cursor:pointer}
.a{background:#1aaaf8}.b{background:#00cbca}
.chosen{outline:.3rem solid #222}
.bar{display:flex;height:3rem;border-radius:.5rem;overflow:hidden;margin:1rem 0}
.bar div{display:flex;align-items:center;justify-content:center;color:#fff;min-width:3rem}
.note{color:#666;font-size:.9rem}`;

function page(title: string, body: string, bodyAttributes = ""): string {
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body${bodyAttributes}><main>${body}</main></body></html>
`;
}

export interface VotePageOptions {
    /** The voter's current vote, marked after a POST. */
    readonly chosen?: VoteChoice;
    /**
     * Which instance served the page, as the original shows its container's hostname ("Processed by container
     * ID ..."): e.g. `container ID <hostname>`, or `function instance <log stream>` on Lambda.
     */
    readonly processedBy: string;
}

/** The vote page: two options, the voter's choice after a POST, and the instance that served it. */
export function renderVotePage(options: VoteOptions, { chosen, processedBy }: VotePageOptions): string {
    const title = `${options.a} vs ${options.b}!`;
    const button = (choice: VoteChoice, label: string): string =>
        `<button type="submit" name="vote" value="${choice}" class="${choice}${chosen === choice ? " chosen" : ""}">${escapeHtml(label)}${chosen === choice ? " &#10004;" : ""}</button>`;
    const note = chosen
        ? `<p class="note">Your vote for ${escapeHtml(chosen === "a" ? options.a : options.b)} is recorded. You can change it.</p>`
        : `<p class="note">(one vote per browser; voting again changes your vote)</p>`;
    return page(
        title,
        `<h1>${escapeHtml(title)}</h1>
<form method="POST" action="">${button("a", options.a)}${button("b", options.b)}</form>
${note}
<p class="note" id="hostname">Processed by ${escapeHtml(processedBy)}</p>`,
    );
}

/**
 * The vote count as the original result page words it: "No votes yet", "1 vote", "N votes"
 * (dockersamples/example-voting-app result/views/index.html). RESULT_SCRIPT words it the same way.
 */
export function voteCountText(total: number): string {
    if (total === 0) return "No votes yet";
    return total === 1 ? "1 vote" : `${total} votes`;
}

export interface ResultPageLinks {
    /** Path of the script served with RESULT_SCRIPT. */
    readonly scriptPath: string;
    /** JSON totals; the page polls it when there is no event stream. */
    readonly totalsPath: string;
    /** Server-sent events stream of totals, when the platform offers one (containers; not API Gateway). */
    readonly eventsPath?: string;
}

/** The result page: percentages and totals, filled in with `totals` and kept live by RESULT_SCRIPT. */
export function renderResultPage(options: VoteOptions, links: ResultPageLinks, totals?: Totals): string {
    const a = totals?.a.percent ?? 50;
    const b = totals?.b.percent ?? 50;
    const attributes =
        ` data-totals="${escapeHtml(links.totalsPath)}"` +
        (links.eventsPath ? ` data-events="${escapeHtml(links.eventsPath)}"` : "");
    return page(
        `${options.a} vs ${options.b} -- results`,
        `<h1>${escapeHtml(options.a)} vs ${escapeHtml(options.b)}</h1>
<div class="bar"><div id="bar-a" class="a" style="width:${a}%"><span id="percent-a">${a}%</span></div><div id="bar-b" class="b" style="width:${b}%"><span id="percent-b">${b}%</span></div></div>
<p><span id="count">${voteCountText(totals?.total ?? 0)}</span> &middot; ${escapeHtml(options.a)}: <span id="votes-a">${totals?.a.votes ?? 0}</span> &middot; ${escapeHtml(options.b)}: <span id="votes-b">${totals?.b.votes ?? 0}</span></p>
<p class="note" id="status">live</p>
<script src="${escapeHtml(links.scriptPath)}"></script>`,
        attributes,
    );
}

/**
 * Browser script of the result page: follows the event stream (`data-events`) when there is one, else polls
 * the JSON totals (`data-totals`) every 2 s. Plain ES2017, no dependencies.
 */
export const RESULT_SCRIPT = `(function () {
  "use strict";
  var body = document.body;
  function set(id, text) { var el = document.getElementById(id); if (el) el.textContent = String(text); }
  function countText(n) { return n === 0 ? "No votes yet" : n === 1 ? "1 vote" : n + " votes"; }
  function show(t) {
    set("percent-a", t.a.percent + "%"); set("percent-b", t.b.percent + "%");
    document.getElementById("bar-a").style.width = t.a.percent + "%";
    document.getElementById("bar-b").style.width = t.b.percent + "%";
    set("votes-a", t.a.votes); set("votes-b", t.b.votes); set("count", countText(t.total)); set("status", "live");
  }
  function unavailable() { set("status", "results temporarily unavailable, retrying..."); }
  var events = body.getAttribute("data-events");
  if (events && window.EventSource) {
    var source = new EventSource(events);
    source.addEventListener("totals", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("unavailable", unavailable);
    source.onerror = unavailable;
    return;
  }
  var totals = body.getAttribute("data-totals");
  function poll() {
    fetch(totals, { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(show, unavailable)
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
`;
