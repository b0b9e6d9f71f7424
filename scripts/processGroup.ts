import { spawnSync } from "child_process";
import * as fs from "fs";

/**
 * The processes of one process group: how `npm test` proves that nothing a step started (a test server,
 * esbuild's service, a mocha worker) outlived the step. Each step runs as the leader of its own group, and
 * its children stay in that group unless they deliberately leave it.
 */

export interface GroupMember {
    readonly pid: number;
    readonly command: string;
}

/** Reads /proc (Linux); elsewhere `ps`. Zombies are left out: they have exited and only wait to be reaped. */
export function processesInGroup(pgid: number): GroupMember[] {
    if (fs.existsSync("/proc/self/stat")) {
        const members: GroupMember[] = [];
        for (const entry of fs.readdirSync("/proc")) {
            if (!/^\d+$/.test(entry)) continue;
            let stat: string;
            try {
                stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            } catch {
                continue; // exited while we looked
            }
            // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ")".
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
            let command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
            try {
                command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim() || command;
            } catch {
                // keep the short name
            }
            members.push({ pid: Number(entry), command });
        }
        return members;
    }
    const ps = spawnSync("ps", ["-A", "-o", "pid=,pgid=,stat=,command="], { encoding: "utf8" });
    return ps.stdout
        .split("\n")
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pgid && !m[3].startsWith("Z"))
        .map((m) => ({ pid: Number(m[1]), command: m[4] }));
}

/**
 * The processes (other than this one) whose environment holds `name=value`: how `npm test` finds what a step
 * started that left its process group (`setsid`, a `detached` spawn, a daemon that double-forks) but kept
 * the environment it inherited. Linux only (/proc/<pid>/environ); elsewhere none are found.
 */
export function processesWithEnvironment(name: string, value: string): GroupMember[] {
    if (!fs.existsSync("/proc/self/environ")) return [];
    const entry = Buffer.from(`${name}=${value}\0`);
    const members: GroupMember[] = [];
    for (const pid of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
        try {
            const environ = fs.readFileSync(`/proc/${pid}/environ`);
            if (!includesEntry(environ, entry)) continue;
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            if (stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] === "Z") continue;
            const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
            members.push({
                pid: Number(pid),
                command: command || stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
            });
        } catch {
            // exited while we looked, or not ours to read
        }
    }
    return members;
}

/** Whether a NUL-separated environment block holds the entry (at its start or after a NUL). */
function includesEntry(environ: Buffer, entry: Buffer): boolean {
    const withSeparator = Buffer.concat([Buffer.from([0]), entry]);
    return environ.subarray(0, entry.length).equals(entry) || environ.includes(withSeparator);
}
