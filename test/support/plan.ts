import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { planCommand } from "../../plan/cli";
import { captureCommand, type CommandResult } from "../../plan/command";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { typeScriptChildWithRunStore } from "./children";

/**
 * Runs the offline plan's command as `npm run plan -- ...` does, in this process (plan/command.ts): what
 * it prints and its exit code. The entry point itself, as a process without AWS credentials, is run by
 * `planCliThroughPipe`.
 */
export function planCli(...args: string[]): Promise<CommandResult> {
    return captureCommand(planCommand, args);
}

/** What the plan's process gets: this process's environment without AWS credentials. */
function withoutAwsCredentials(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
        delete env[key];
    return env;
}

/**
 * Runs the offline plan (`plan/cli.ts`, its entry point, as `npm run plan` starts it but with the TypeScript loaded
 * through esbuild: test/support/children.ts) as a process with its stdout
 * on an OS pipe, as `npm run plan -- ... | jq` does: a named pipe (mkfifo), read here. (A child spawned by Node
 * with stdio "pipe" writes to a socket pair, whose buffer is far larger than a pipe's 64 KiB: output lost at exit
 * would go unnoticed there.) Returns the plan's exit code, what arrived through the pipe and its stderr.
 *
 * The process reads the tests' shared run store: its environment is this process's (less any AWS credentials), so
 * a run the suite planned is not planned again (nor the program loaded).
 */
export async function planCliThroughPipe(
    ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-pipe-"));
    try {
        const fifo = path.join(dir, "stdout");
        execFileSync("mkfifo", [fifo]);
        // The read end first (without waiting for a writer), then the write end that becomes the plan's stdout.
        const readEnd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const writeEnd = fs.openSync(fifo, fs.constants.O_WRONLY);
        const reader = new net.Socket({ fd: readEnd, readable: true, writable: false });
        const out: Buffer[] = [];
        const drained = new Promise<void>((resolve, reject) => {
            reader.on("data", (chunk: Buffer) => out.push(chunk));
            reader.on("end", resolve);
            reader.on("error", reject);
        });
        const child = spawn(
            process.execPath,
            typeScriptChildWithRunStore(path.join(PROJECT_ROOT, "plan", "cli.ts"), ...args),
            { cwd: PROJECT_ROOT, env: withoutAwsCredentials(), stdio: ["ignore", writeEnd, "pipe"] },
        );
        fs.closeSync(writeEnd); // the plan holds the only write end: the pipe ends when the plan exits
        const err: Buffer[] = [];
        child.stderr?.on("data", (chunk: Buffer) => err.push(chunk)); // "pipe": always there
        const exited = new Promise<number | null>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", resolve);
        });
        const timer = setTimeout(() => child.kill(), 120_000);
        try {
            const [code] = await Promise.all([exited, drained]);
            return { code, out: Buffer.concat(out).toString("utf8"), err: Buffer.concat(err).toString("utf8") };
        } finally {
            clearTimeout(timer);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
