import { spawnSync } from "child_process";
import * as path from "path";
import { planCommand } from "../../plan/cli";
import { captureCommand, type CommandResult } from "../../plan/command";
import { PROJECT_ROOT } from "../../plan/stackFile";

const NO_AWS_CREDENTIALS = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "" };

function planArgv(args: readonly string[]): string[] {
    return [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        path.join(PROJECT_ROOT, "plan/cli.ts"),
        ...args,
    ];
}

/**
 * Runs the offline plan's command as `npm run plan -- ...` does, in this process (plan/command.ts): what
 * it prints and its exit code. The entry point itself, as a process without AWS credentials, is run by
 * `planCliThroughPipe`.
 */
export function planCli(...args: string[]): Promise<CommandResult> {
    return captureCommand(planCommand, args);
}

/**
 * Runs the offline plan with its stdout on an OS pipe, as `npm run plan -- ... | jq` does. (A child spawned
 * by Node writes to a socket pair, whose buffer is far larger than a pipe's 64 KiB: output lost at exit
 * would go unnoticed there.) Returns the plan's exit code (the shell's `$?` of the pipeline's first part).
 */
export function planCliThroughPipe(...args: string[]): { code: number | null; out: string; err: string } {
    const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, ...planArgv(args)].map(quote).join(" ");
    const result = spawnSync("bash", ["-c", `set -o pipefail; ${command} | cat`], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: { ...process.env, ...NO_AWS_CREDENTIALS },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
}
