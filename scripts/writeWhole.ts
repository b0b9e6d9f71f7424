import * as crypto from "crypto";
import * as fs from "fs";

/**
 * Writes `data` to a file of its own beside `file`, then renames it into place: a reader in another process (a
 * mocha worker, a concurrent `npm test`) sees no file or the old one, or all of the new one, never part of it.
 */
export function writeFileWhole(file: string, data: string | Uint8Array): void {
    const partial = `${file}.${crypto.randomUUID()}.partial`;
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
}
