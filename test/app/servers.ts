import { spawn, execFile, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { AppEnv, AppSecretName } from "../../shared/appContract";
import { entryKey, sharedDirectory } from "./testCache";

/**
 * Real Redis and PostgreSQL servers for the app tests, each the test's own: started from the Debian
 * binaries on free loopback ports in temporary directories, with passwords (so the apps' AUTH and
 * PGPASSWORD paths are exercised), and stopped afterwards. Stopping and starting them again mid-test is how
 * the tests take Redis or Postgres "down". Missing binaries fail the tests with the packages to install.
 */

export const SERVER_PACKAGES = "redis-server postgresql";
const INSTALL_HINT = `install the Debian packages: sudo apt-get install -y --no-install-recommends ${SERVER_PACKAGES} (or run: sh scripts/ensure-test-servers.sh)`;

const STARTUP_TIMEOUT_MS = 15_000;

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

export function findRedisServer(
    dirs: readonly string[] = [
        ...(process.env.PATH ?? "").split(path.delimiter),
        "/usr/bin",
        "/usr/sbin",
        "/usr/local/bin",
    ],
): string {
    for (const dir of dirs) {
        const candidate = path.join(dir, "redis-server");
        if (dir && isExecutable(candidate)) return candidate;
    }
    throw new Error(`redis-server not found (looked in PATH and /usr/bin): ${INSTALL_HINT}`);
}

/** The bin directory of the newest PostgreSQL under /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(root = "/usr/lib/postgresql"): string {
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
    versions.sort((x, y) => Number(y) - Number(x));
    for (const version of versions) {
        const bin = path.join(root, version, "bin");
        if (isExecutable(path.join(bin, "initdb")) && isExecutable(path.join(bin, "postgres"))) return bin;
    }
    throw new Error(
        `PostgreSQL server binaries (initdb, postgres) not found under ${root}/<version>/bin: ${INSTALL_HINT}`,
    );
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` until it returns a value other than undefined, or fail after `timeoutMs` naming `what`. */
export async function waitFor<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs = 10_000,
    intervalMs = 50,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
        }
        await sleep(intervalMs);
    }
}

/** Children still running, killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
});

function spawnServer(
    command: string,
    args: string[],
    options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; output: () => string } {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    live.add(child);
    child.on("exit", () => live.delete(child));
    return { child, output: () => output };
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
            clearTimeout(kill);
            resolve();
        });
        child.kill(signal);
    });
}

export class RedisServer {
    readonly password = "redis-test-password";
    private child: ChildProcess | undefined;

    private constructor(
        private readonly binary: string,
        readonly port: number,
        readonly dir: string,
    ) {}

    static async create(): Promise<RedisServer> {
        const binary = findRedisServer();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-redis-"));
        const server = new RedisServer(binary, await freePort(), dir);
        await server.start();
        return server;
    }

    get running(): boolean {
        return this.child !== undefined;
    }

    /** Start (again) on the same port; the data saved at the last stop is loaded back. */
    async start(): Promise<void> {
        if (this.child) return;
        const { child, output } = spawnServer(this.binary, [
            "--port",
            String(this.port),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            this.password,
            "--dir",
            this.dir,
            // A save point makes a stop (SIGTERM -> SHUTDOWN) write dump.rdb, so queued votes survive "Redis down".
            "--save",
            "3600 1",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]);
        this.child = child;
        child.once("exit", () => {
            if (this.child === child) this.child = undefined;
        });
        await waitFor(
            `redis-server on port ${this.port}`,
            async () => {
                if (child.exitCode !== null) throw new Error(`redis-server exited: ${output()}`);
                return (await this.ping()) ? true : undefined;
            },
            STARTUP_TIMEOUT_MS,
        );
    }

    async stop(): Promise<void> {
        const child = this.child;
        this.child = undefined;
        await stopChild(child, "SIGTERM");
    }

    async destroy(): Promise<void> {
        await this.stop();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    private ping(): Promise<boolean> {
        return new Promise((resolve) => {
            const socket = net.connect(this.port, "127.0.0.1");
            let reply = "";
            socket.setTimeout(1000);
            socket.on("connect", () => socket.write(`AUTH ${this.password}\r\nPING\r\n`));
            socket.on("data", (data) => {
                reply += data.toString();
                if (reply.includes("+PONG")) {
                    socket.destroy();
                    resolve(true);
                }
            });
            socket.on("timeout", () => socket.destroy());
            socket.on("error", () => resolve(false));
            socket.on("close", () => resolve(false));
        });
    }
}

/** initdb's options besides the data directory, the superuser and its password file. */
const INITDB_ARGS = ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"];

/** `cp -a`: a copy that keeps owners and modes (PostgreSQL refuses a data directory others can read). */
function copyTree(from: string, to: string): Promise<void> {
    return new Promise<void>((resolve, reject) =>
        execFile("cp", ["-a", from, to], { timeout: 60_000 }, (error, _stdout, stderr) =>
            error ? reject(new Error(`cp -a ${from} ${to} failed: ${error.message}\n${stderr}`)) : resolve(),
        ),
    );
}

/** The uid/gid PostgreSQL runs as when the tests run as root (postgres refuses root). */
function unprivilegedUser(): { uid: number; gid: number } {
    const passwd = fs.readFileSync("/etc/passwd", "utf8").split("\n");
    for (const name of ["postgres", "nobody"]) {
        const entry = passwd.find((line) => line.startsWith(`${name}:`));
        if (entry) {
            const [, , uid, gid] = entry.split(":");
            return { uid: Number(uid), gid: Number(gid) };
        }
    }
    throw new Error("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as");
}

export class PostgresServer {
    readonly user = "voteapp";
    readonly password = "pg-test-password";
    readonly database = "postgres";
    private child: ChildProcess | undefined;

    private constructor(
        private readonly bin: string,
        readonly port: number,
        readonly dir: string,
        private readonly owner: { uid?: number; gid?: number },
    ) {}

    static async create(): Promise<PostgresServer> {
        const bin = findPostgresBin();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-pg-"));
        const owner: { uid?: number; gid?: number } = process.getuid?.() === 0 ? unprivilegedUser() : {};
        fs.mkdirSync(path.join(dir, "socket"));
        const server = new PostgresServer(bin, await freePort(), dir, owner);
        const pwfile = path.join(dir, "pwfile");
        fs.writeFileSync(pwfile, `${server.password}\n`, { mode: 0o600 });
        if (owner.uid !== undefined && owner.gid !== undefined) {
            for (const file of [dir, path.join(dir, "socket"), pwfile]) fs.chownSync(file, owner.uid, owner.gid);
        }
        const data = path.join(dir, "data");
        const initdb = (): Promise<void> =>
            new Promise<void>((resolve, reject) => {
                execFile(
                    path.join(bin, "initdb"),
                    ["-D", data, "-U", server.user, ...INITDB_ARGS, `--pwfile=${pwfile}`],
                    { ...owner, env: { PATH: process.env.PATH, LC_ALL: "C" }, timeout: 60_000 },
                    (error, _stdout, stderr) =>
                        error ? reject(new Error(`initdb failed: ${error.message}\n${stderr}`)) : resolve(),
                );
            });
        // initdb once (its CPU is most of a server's start): the first file to need a server keeps a copy of the
        // fresh data directory, the others, and later test runs, start from a copy of that (same owner, modes). Its
        // key is what made it: the binaries (an upgrade in place keeps their path), initdb's arguments.
        const binaries = ["initdb", "postgres"].map((name) => {
            const stat = fs.statSync(path.join(bin, name));
            return [name, stat.size, stat.mtimeMs];
        });
        const template = await sharedDirectory(
            "postgres-data",
            entryKey(bin, binaries, owner, server.user, server.password, INITDB_ARGS),
            async (partial) => {
                await initdb();
                await copyTree(data, path.join(partial, "data"));
            },
        );
        if (!template) await initdb();
        else if (!fs.existsSync(data)) await copyTree(path.join(template, "data"), data);
        await server.start();
        return server;
    }

    get running(): boolean {
        return this.child !== undefined;
    }

    /** Start (again) on the same port and data directory. */
    async start(): Promise<void> {
        if (this.child) return;
        const { child, output } = spawnServer(
            path.join(this.bin, "postgres"),
            [
                "-D",
                path.join(this.dir, "data"),
                "-p",
                String(this.port),
                "-k",
                path.join(this.dir, "socket"),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=40",
                "-c",
                "shared_buffers=16MB",
            ],
            { ...this.owner, env: { PATH: process.env.PATH, LC_ALL: "C" } },
        );
        this.child = child;
        child.once("exit", () => {
            if (this.child === child) this.child = undefined;
        });
        await waitFor(
            `postgres on port ${this.port}`,
            async () => {
                if (child.exitCode !== null) throw new Error(`postgres exited: ${output()}`);
                const client = new Client({ ...this.connection(), connectionTimeoutMillis: 1000 });
                client.on("error", () => undefined);
                try {
                    await client.connect();
                    await client.query("SELECT 1");
                    return true;
                } finally {
                    await client.end().catch(() => undefined);
                }
            },
            STARTUP_TIMEOUT_MS,
            100,
        );
    }

    /** Fast shutdown (SIGINT): open connections are cut, as when a database fails over. */
    async stop(): Promise<void> {
        const child = this.child;
        this.child = undefined;
        await stopChild(child, "SIGINT");
    }

    async destroy(): Promise<void> {
        await this.stop();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    connection(): { host: string; port: number; user: string; password: string; database: string } {
        return {
            host: "127.0.0.1",
            port: this.port,
            user: this.user,
            password: this.password,
            database: this.database,
        };
    }
}

export interface TestServers {
    readonly redis: RedisServer;
    readonly postgres: PostgresServer;
    /** The app contract's environment pointing at these servers (plain TCP: no TLS locally). */
    env(extra?: Readonly<Record<string, string>>): Record<string, string>;
    destroy(): Promise<void>;
}

export async function startTestServers(): Promise<TestServers> {
    // Look for both before starting either, so one message names everything missing.
    const missing: string[] = [];
    for (const find of [() => findRedisServer(), () => findPostgresBin()]) {
        try {
            find();
        } catch (error) {
            missing.push(error instanceof Error ? error.message : String(error));
        }
    }
    if (missing.length > 0) throw new Error(missing.join("\n"));
    const [redis, postgres] = await Promise.all([RedisServer.create(), PostgresServer.create()]);
    return {
        redis,
        postgres,
        env: (extra = {}) => ({
            [AppEnv.redisHost]: "127.0.0.1",
            [AppEnv.redisPort]: String(redis.port),
            [AppEnv.redisTls]: "false",
            [AppSecretName.redisPassword]: redis.password,
            [AppEnv.pgHost]: "127.0.0.1",
            [AppEnv.pgPort]: String(postgres.port),
            [AppEnv.pgDatabase]: postgres.database,
            [AppEnv.pgUser]: postgres.user,
            [AppSecretName.pgPassword]: postgres.password,
            [AppEnv.pgSslMode]: "disable",
            LISTEN_HOST: "127.0.0.1",
            ...extra,
        }),
        destroy: async () => {
            await Promise.all([redis.destroy(), postgres.destroy()]);
        },
    };
}
