import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/projectRoot";

/**
 * app/Dockerfile as data, for the tests that hold it to the code it must agree with (no Docker engine
 * here): stages, the instructions of a target and the stages it is built FROM, exec-form arguments.
 */

export const DOCKERFILE = path.join(PROJECT_ROOT, "app/Dockerfile");

export interface Instruction {
    readonly keyword: string;
    readonly args: string;
}

export interface Stage {
    readonly name: string;
    readonly base: string;
    /** `--platform=` of the FROM line, if any. */
    readonly platform?: string;
    readonly instructions: Instruction[];
}

/** Dockerfile -> stages (line continuations joined, comments and parser directives dropped). */
export function parseDockerfile(text: string = fs.readFileSync(DOCKERFILE, "utf8")): Stage[] {
    const lines = text
        .replace(/\\\r?\n/g, " ")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
    const stages: Stage[] = [];
    for (const line of lines) {
        const match = /^(\S+)\s*(.*)$/.exec(line);
        if (!match) continue;
        const keyword = match[1].toUpperCase();
        const args = match[2];
        if (keyword === "FROM") {
            const from = /^((?:--\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
            assert.ok(from, `unparseable FROM: ${line}`);
            const platform = /--platform=(\S+)/.exec(from[1])?.[1];
            stages.push({ base: from[2], name: from[3] ?? `stage-${stages.length}`, platform, instructions: [] });
        } else {
            assert.ok(stages.length > 0, `instruction before FROM: ${line}`);
            stages[stages.length - 1].instructions.push({ keyword, args });
        }
    }
    return stages;
}

/** A target's instructions, including those of the stages it is built FROM (oldest first). */
export function targetChain(stages: readonly Stage[], target: string): { chain: Stage[]; instructions: Instruction[] } {
    const chain: Stage[] = [];
    let current = stages.find((stage) => stage.name === target);
    assert.ok(current, `no stage "${target}" in app/Dockerfile`);
    while (current) {
        chain.unshift(current);
        const base: string = current.base;
        current = stages.find((stage) => stage.name === base);
    }
    return { chain, instructions: chain.flatMap((stage) => stage.instructions) };
}

export function last(instructions: readonly Instruction[], keyword: string): Instruction | undefined {
    return [...instructions].reverse().find((instruction) => instruction.keyword === keyword);
}

export function execForm(args: string): string[] {
    const parsed: unknown = JSON.parse(args);
    assert.ok(
        Array.isArray(parsed) && parsed.every((item) => typeof item === "string"),
        `expected exec form (JSON array), got ${args}`,
    );
    return parsed as string[];
}

/** COPY --from=<stage> <src> <dest> of a stage chain: dest -> src. */
export function copiedFrom(instructions: readonly Instruction[], stage = "build"): Map<string, string> {
    const copies = new Map<string, string>();
    for (const instruction of instructions) {
        if (instruction.keyword !== "COPY" || !new RegExp(`--from=${stage}\\b`).test(instruction.args)) continue;
        const paths = instruction.args.split(/\s+/).filter((part) => !part.startsWith("--"));
        assert.strictEqual(paths.length, 2, `expected one source and one destination: COPY ${instruction.args}`);
        copies.set(paths[1], paths[0]);
    }
    return copies;
}

/** A stage's HEALTHCHECK: NONE, or its `--name=value` options and exec-form command. */
export type HealthCheck =
    | { readonly none: true }
    | { readonly none: false; readonly options: Readonly<Record<string, string>>; readonly command: string[] };

export function healthCheckOf(instructions: readonly Instruction[]): HealthCheck | undefined {
    const args = last(instructions, "HEALTHCHECK")?.args;
    if (args === undefined) return undefined;
    if (args.trim().toUpperCase() === "NONE") return { none: true };
    const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(args.trim());
    assert.ok(match, `HEALTHCHECK [options] CMD [exec form] expected, got ${args}`);
    const options = Object.fromEntries(
        [...match[1].matchAll(/--([a-z-]+)=(\S+)/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    return { none: false, options, command: execForm(match[2]) };
}
