import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Throw-away certificate authorities for TLS tests against a local PostgreSQL, made with the openssl CLI
 * (Debian's openssl, as on every machine the tests run on): a CA, and a server certificate it signs for the
 * names given (subjectAltName), valid for two days. Nothing is reused between runs.
 */
export interface ThrowawayCa {
    readonly dir: string;
    /** PEM of the CA certificate (what a client trusts). */
    readonly caFile: string;
    /** Server certificate and key signed by this CA (empty when the CA signs none). */
    readonly serverCertFile: string;
    readonly serverKeyFile: string;
    destroy(): void;
}

function openssl(args: string[], cwd: string): void {
    try {
        execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
    } catch (error) {
        const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
        throw new Error(
            `openssl ${args[0]} failed (install the Debian package openssl): ${error instanceof Error ? error.message : String(error)}\n${stderr}`,
        );
    }
}

/** A CA named `name`; with `serverNames` (e.g. ["DNS:localhost"]) also a server certificate it signs. */
export function createThrowawayCa(name: string, serverNames: readonly string[] = []): ThrowawayCa {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `voteapp-ca-${name}-`));
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        [
            "req",
            "-x509",
            ...ec,
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            `/CN=voteapp test CA ${name}`,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        dir,
    );
    if (serverNames.length > 0) {
        fs.writeFileSync(
            path.join(dir, "server.ext"),
            `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${serverNames.join(",")}\n`,
        );
        openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=voteapp test server"], dir);
        openssl(
            [
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
            dir,
        );
    }
    return {
        dir,
        caFile: path.join(dir, "ca.pem"),
        serverCertFile: serverNames.length > 0 ? path.join(dir, "server.crt") : "",
        serverKeyFile: serverNames.length > 0 ? path.join(dir, "server.key") : "",
        destroy: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
