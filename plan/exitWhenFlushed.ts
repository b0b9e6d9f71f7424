/**
 * Ends a CLI with `code` once everything it wrote to stdout and stderr has been handed to the OS.
 *
 * `process.exit()` right after a large write loses output when stdout is a pipe: libuv writes what the pipe
 * takes (64 KiB on Linux) and queues the rest, and exit drops the queue (`npm run plan -- --json | wc -c`
 * printed 65536). A zero-length write's callback runs only after every earlier write on the same stream
 * completed, so exiting from both callbacks exits after the last byte. A closed reader (`| head`) ends the
 * wait too: its EPIPE is not worth a stack trace.
 */
export function exitWhenFlushed(code: number): void {
    process.exitCode = code;
    const streams = [process.stdout, process.stderr];
    let pending = streams.length;
    const flushed = (): void => {
        pending -= 1;
        if (pending === 0) process.exit(code);
    };
    for (const stream of streams) {
        let settled = false;
        const settle = (): void => {
            if (settled) return;
            settled = true;
            flushed();
        };
        stream.once("error", settle);
        stream.write("", settle);
    }
}
