import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/projectRoot";

/** The project's README.md, as checked in. */
export const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

/**
 * The README's section under `heading` (the whole line, e.g. "## Layout"), up to the next heading of the same or a
 * higher level, so a "##" section holds its "###" subsections.
 */
export function readmeSection(heading: string): string {
    const start = README.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `README has the heading "${heading}"`);
    const level = /^#+/.exec(heading)?.[0].length ?? 0;
    const next = new RegExp(`\\n#{1,${level}} `, "g");
    next.lastIndex = start + heading.length + 1;
    const end = next.exec(README)?.index;
    return README.slice(start + 1, end);
}

/** The text with every run of whitespace one space: the README wraps its prose at any word. */
export const unwrapped = (text: string): string => text.replace(/\s+/g, " ");

/** Fails naming what is missing unless the (unwrapped) text states each phrase. */
export function assertStates(text: string, ...phrases: readonly string[]): void {
    const flat = unwrapped(text);
    for (const phrase of phrases) assert.ok(flat.includes(phrase), `the README does not state "${phrase}"`);
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** A small count as the README spells it ("nine stack × platform combinations"). */
export function numberWord(count: number): string {
    const word = NUMBER_WORDS[count];
    assert.ok(word, `no word for ${count}`);
    return word;
}

/** A number as the README writes one of five digits or more: with thousands separators (13,404; 1,000,000). */
export const grouped = (value: number): string => value.toLocaleString("en-US");
