import { randomUUID } from "crypto";

/**
 * The vote itself, independent of transport: what a valid ballot is, who cast it (the voter id cookie),
 * and the queue message that carries it from the vote service to the worker (Redis list or SQS).
 */

export const VOTE_CHOICES = ["a", "b"] as const;
export type VoteChoice = (typeof VOTE_CHOICES)[number];

/** One voter's ballot as it travels through the queue: JSON `{"voter_id": "...", "vote": "a"}`. */
export interface Ballot {
    readonly voterId: string;
    readonly vote: VoteChoice;
}

/** Name of the cookie that identifies a voter (one vote per voter; re-voting changes the vote). */
export const VOTER_COOKIE = "voter_id";

/** Largest request body the vote endpoint accepts: a form with one short field. */
export const MAX_VOTE_BODY_BYTES = 1024;

const VOTER_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function isVoteChoice(value: unknown): value is VoteChoice {
    return value === "a" || value === "b";
}

export function isVoterId(value: unknown): value is string {
    return typeof value === "string" && VOTER_ID_PATTERN.test(value);
}

/** A fresh, unguessable voter id. */
export function newVoterId(): string {
    return randomUUID().replace(/-/g, "");
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The `vote` field of an application/x-www-form-urlencoded body: exactly one field, "a" or "b". */
export function parseVoteForm(body: string): ParseResult<VoteChoice> {
    const values = new URLSearchParams(body).getAll("vote");
    if (values.length !== 1) return { ok: false, error: 'expected exactly one form field "vote"' };
    const vote = values[0];
    if (!isVoteChoice(vote)) return { ok: false, error: 'field "vote" must be "a" or "b"' };
    return { ok: true, value: vote };
}

/** The queue message for a ballot, in the original app's wire format. */
export function encodeBallot(ballot: Ballot): string {
    return JSON.stringify({ voter_id: ballot.voterId, vote: ballot.vote });
}

/** A queue message back into a ballot; malformed messages are reported, never guessed at. */
export function decodeBallot(message: string): ParseResult<Ballot> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(message);
    } catch {
        return { ok: false, error: "not JSON" };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        return { ok: false, error: "not a JSON object" };
    const record = parsed as Record<string, unknown>;
    if (!isVoterId(record.voter_id)) return { ok: false, error: "voter_id missing or invalid" };
    if (!isVoteChoice(record.vote)) return { ok: false, error: 'vote must be "a" or "b"' };
    return { ok: true, value: { voterId: record.voter_id, vote: record.vote } };
}

/** Cookie header -> value of one cookie (first occurrence), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
    if (!header) return undefined;
    for (const part of header.split(";")) {
        const eq = part.indexOf("=");
        if (eq < 0) continue;
        if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
    return undefined;
}

/** The voter's id from the request cookies, or a new one to set (invalid cookies are replaced). */
export function voterFromCookie(header: string | undefined): { readonly voterId: string; readonly isNew: boolean } {
    const existing = readCookie(header, VOTER_COOKIE);
    if (isVoterId(existing)) return { voterId: existing, isNew: false };
    return { voterId: newVoterId(), isNew: true };
}

/** Set-Cookie value for the voter id: HttpOnly, SameSite=Lax, one year; Secure when served over HTTPS. */
export function voterCookie(voterId: string, secure: boolean): string {
    const attributes = [`${VOTER_COOKIE}=${voterId}`, "Path=/", "Max-Age=31536000", "HttpOnly", "SameSite=Lax"];
    if (secure) attributes.push("Secure");
    return attributes.join("; ");
}
