import { exitWhenFlushed } from "./exitWhenFlushed";

/**
 * The offline tools' commands (`npm run plan`, `npm run plan:bootstrap`, scripts/stack-info.ts) as
 * functions of their arguments and an output: the process entry point hands them `process.argv` and the
 * process's streams, the tests call them in-process and read what they wrote (a fresh Node process per
 * test case cost most of the suite's time). One test per command still runs it as a real process.
 */

/** Where a command writes, line by line (a line as console.log would print it). */
export interface CommandOutput {
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

/** A command: its arguments (without `node script`) to an exit code. */
export type Command = (argv: readonly string[], output: CommandOutput) => Promise<number>;

/** What a command wrote and returned. */
export interface CommandResult {
    readonly code: number;
    readonly out: string;
    readonly err: string;
}

/** Runs a command; a thrown error is reported as its message and exit code 1, as the process entry does. */
export async function runCommand(command: Command, argv: readonly string[], output: CommandOutput): Promise<number> {
    try {
        return await command(argv, output);
    } catch (err) {
        output.err(err instanceof Error ? err.message : String(err));
        return 1;
    }
}

/** Runs a command in this process, collecting its output. */
export async function captureCommand(command: Command, argv: readonly string[]): Promise<CommandResult> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(command, argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
    const text = (lines: string[]) => lines.map((line) => `${line}\n`).join("");
    return { code, out: text(out), err: text(err) };
}

/** The process entry point: runs the command on this process's arguments and exits once its output is flushed. */
export function runAsProcess(command: Command): void {
    const output: CommandOutput = {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
    };
    void runCommand(command, process.argv.slice(2), output).then(exitWhenFlushed);
}
