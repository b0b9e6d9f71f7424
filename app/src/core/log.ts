/** Structured logging: one JSON object a line on stdout/stderr, which CloudWatch and kubectl read as is. */
import type { LogLevel } from "../../../shared/appContract";

/** The levels are the app contract's: the stacks count the lines at its error level. */
export type { LogLevel };

export interface Logger {
    (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * A caller's fields never replace the line's own time, level, service or message: the stacks' log metric filters
 * and alarms count lines by level and service (test/stacks/appLogSignals.test.ts).
 */
export function jsonLogger(service: string): Logger {
    return (level, message, fields = {}) => {
        const { time: _time, level: _level, service: _service, message: _message, ...extra } = fields;
        const line = JSON.stringify({ time: new Date().toISOString(), level, service, message, ...extra });
        if (level === "info") process.stdout.write(`${line}\n`);
        else process.stderr.write(`${line}\n`);
    };
}

export const silentLogger: Logger = () => undefined;

/** An error's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
    if (error instanceof Error) return error.message || error.name;
    return String(error);
}
