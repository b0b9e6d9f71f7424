import * as assert from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppEnv, AppSecretName, APP_HEALTH_PATH, APP_HTTP_PORT } from "../../shared/appContract";
import { buildContainers, CONTAINER_ENTRIES, type BundleName } from "../../app/build";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";
import {
    copiedFrom,
    DOCKERFILE,
    execForm,
    type Instruction,
    last,
    parseDockerfile,
    targetChain,
} from "../support/dockerfile";
import { get, postForm } from "./client";
import { freePort, waitFor } from "./servers";

/**
 * The container images, as far as they can be checked without a Docker engine: app/Dockerfile's targets
 * run as uid 10001 with a node HEALTHCHECK and start files that app/build.ts produces; and the bundles
 * themselves start, answer their health checks, survive unreachable backing stores, stop on SIGTERM, and
 * refuse to start on bad configuration, naming the variable.
 */

const REPO = path.resolve(__dirname, "../..");
const SERVICES = ["vote", "result", "worker"] as const;
const copiedFromBuild = (instructions: readonly Instruction[]) => copiedFrom(instructions, "build");

describe("container images (app/Dockerfile) and bundles (app/build.ts)", function () {
    this.timeout(30_000);

    const stages = parseDockerfile(fs.readFileSync(DOCKERFILE, "utf8"));
    let outdir: string;
    let built: Record<BundleName, string>;

    before(async () => {
        outdir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-dist-"));
        built = await buildContainers(outdir);
    });

    after(() => {
        fs.rmSync(outdir, { recursive: true, force: true });
    });

    it("the build writes one self-contained bundle per entry point", () => {
        for (const [name, file] of Object.entries(built)) {
            assert.ok(fs.existsSync(file), `${name}: ${file} was not written`);
            const text = fs.readFileSync(file, "utf8");
            assert.ok(
                !/require\("(ioredis|pg)"\)/.test(text),
                `${name}.js must bundle its dependencies, not require them at run time`,
            );
        }
    });

    it("the build stage bundles with app/build.ts into /out, from files that exist in the repository", () => {
        const build = stages.find((stage) => stage.name === "build");
        assert.ok(build, "a stage named build");
        assert.ok(
            build.instructions.some((i) => i.keyword === "RUN" && /build\.ts/.test(i.args) && /\s\/out\b/.test(i.args)),
            "build stage runs build.ts with outdir /out",
        );
        for (const copy of build.instructions.filter((i) => i.keyword === "COPY")) {
            const sources = copy.args
                .split(/\s+/)
                .filter((part) => !part.startsWith("--"))
                .slice(0, -1);
            for (const source of sources)
                assert.ok(
                    fs.existsSync(path.join(REPO, source)),
                    `COPY source ${source} does not exist in the repository`,
                );
        }
        const ignore = fs.readFileSync(path.join(REPO, "app/Dockerfile.dockerignore"), "utf8");
        for (const needed of ["!app/package-lock.json", "!app/build.ts", "!app/src/**", "!shared/appContract.ts"]) {
            assert.ok(ignore.includes(needed), `app/Dockerfile.dockerignore lets ${needed.slice(1)} into the context`);
        }
    });

    for (const service of SERVICES) {
        describe(`target ${service}`, () => {
            const { chain, instructions } = targetChain(stages, service);

            it("runs as the non-root uid 10001 on the shipped distroless Node.js, with no shell steps in the runtime", () => {
                const user = last(instructions, "USER");
                assert.ok(user, "a USER instruction");
                assert.match(user.args, /^10001(:10001)?$/, `USER must be 10001, got ${user.args}`);
                const base = chain[0].base;
                assert.strictEqual(base, NODE_RUNTIME.runtimeImage, `runtime base ${base}`);
                assert.ok(
                    !instructions.some((i) => i.keyword === "RUN"),
                    "no RUN in the runtime stages (distroless has no shell)",
                );
            });

            it("starts a file that app/build.ts produces", () => {
                const entrypoint = execForm(last(instructions, "ENTRYPOINT")?.args ?? "[]");
                const cmd = execForm(last(instructions, "CMD")?.args ?? "[]");
                assert.deepStrictEqual(entrypoint, ["/nodejs/bin/node"]);
                assert.deepStrictEqual(cmd, [`/app/${service}.js`]);
                const source = copiedFromBuild(instructions).get(cmd[0]);
                assert.strictEqual(source, `/out/${service}.js`, `${cmd[0]} is copied from the build output`);
                assert.ok(
                    service in CONTAINER_ENTRIES && fs.existsSync(path.join(outdir, path.basename(source))),
                    `build.ts produces ${path.basename(source)}`,
                );
            });

            if (service === "worker") {
                it("has no HTTP health check (no port)", () => {
                    assert.strictEqual(last(instructions, "HEALTHCHECK")?.args, "NONE");
                    assert.ok(!instructions.some((i) => i.keyword === "EXPOSE"));
                });
            } else {
                it(`exposes ${APP_HTTP_PORT} and health-checks ${APP_HEALTH_PATH} with node (no curl in distroless)`, () => {
                    assert.strictEqual(last(instructions, "EXPOSE")?.args, String(APP_HTTP_PORT));
                    assert.ok(
                        instructions.some((i) => i.keyword === "ENV" && i.args === `PORT=${APP_HTTP_PORT}`),
                        `ENV PORT=${APP_HTTP_PORT}`,
                    );
                    const healthcheck = last(instructions, "HEALTHCHECK")?.args ?? "";
                    const command = /CMD\s+(\[.*\])$/.exec(healthcheck);
                    assert.ok(command, `HEALTHCHECK ... CMD [exec form], got ${healthcheck}`);
                    const argv = execForm(command[1]);
                    assert.deepStrictEqual(argv, ["/nodejs/bin/node", "/app/healthcheck.js"]);
                    assert.strictEqual(copiedFromBuild(instructions).get("/app/healthcheck.js"), "/out/healthcheck.js");
                    assert.ok(fs.existsSync(built.healthcheck));
                });
            }
        });
    }

    describe("bundles as processes", () => {
        const children = new Set<ChildProcess>();

        /** Run a bundle with exactly `env` (nothing inherited but PATH), capturing stderr. */
        function run(
            bundle: BundleName,
            env: Record<string, string>,
        ): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
            const child = spawn(process.execPath, [built[bundle]], {
                env: { PATH: process.env.PATH ?? "", ...env },
                stdio: ["ignore", "ignore", "pipe"],
            });
            children.add(child);
            let stderr = "";
            child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            const exit = new Promise<number | null>((resolve) =>
                child.on("exit", (code) => {
                    children.delete(child);
                    resolve(code);
                }),
            );
            return { child, stderr: () => stderr, exit };
        }

        async function exitWithin(exit: Promise<number | null>, ms: number): Promise<number | null> {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>(
                (_, reject) =>
                    (timer = setTimeout(() => reject(new Error(`process still running after ${ms} ms`)), ms)),
            );
            try {
                return await Promise.race([exit, timeout]);
            } finally {
                clearTimeout(timer);
            }
        }

        afterEach(() => {
            for (const child of children) child.kill("SIGKILL");
        });

        /** Contract environment pointing at loopback ports where nothing listens: stores "down". */
        async function unreachableEnv(): Promise<Record<string, string>> {
            return {
                [AppEnv.redisHost]: "127.0.0.1",
                [AppEnv.redisPort]: String(await freePort()),
                [AppEnv.redisTls]: "false",
                [AppEnv.pgHost]: "127.0.0.1",
                [AppEnv.pgPort]: String(await freePort()),
                [AppEnv.pgDatabase]: "postgres",
                [AppEnv.pgUser]: "voteapp",
                [AppSecretName.pgPassword]: "unused",
                [AppEnv.pgSslMode]: "disable",
                LISTEN_HOST: "127.0.0.1",
            };
        }

        it("vote.js starts, answers /healthz (and the healthcheck script passes), answers 503 with Redis unreachable, and exits 0 on SIGTERM", async () => {
            const port = await freePort();
            const vote = run("vote", { ...(await unreachableEnv()), [AppEnv.port]: String(port) });
            const base = `http://127.0.0.1:${port}`;
            await waitFor("the bundled vote server to answer /healthz", async () =>
                (await get(`${base}${APP_HEALTH_PATH}`)).status === 200 ? true : undefined,
            );
            assert.strictEqual((await postForm(`${base}/`, "vote=a")).status, 503);
            assert.strictEqual(
                (await get(`${base}${APP_HEALTH_PATH}`)).status,
                200,
                "still alive after the failed vote",
            );
            const healthy = run("healthcheck", { [AppEnv.port]: String(port) });
            assert.strictEqual(
                await exitWithin(healthy.exit, 5000),
                0,
                "healthcheck.js exits 0 against a healthy server",
            );
            const nothing = run("healthcheck", { [AppEnv.port]: String(await freePort()) });
            assert.strictEqual(await exitWithin(nothing.exit, 5000), 1, "healthcheck.js exits 1 when nothing answers");
            vote.child.kill("SIGTERM");
            assert.strictEqual(await exitWithin(vote.exit, 5000), 0, `graceful exit; stderr: ${vote.stderr()}`);
        });

        it("result.js answers /result/healthz, 503 on the JSON with Postgres unreachable, and exits 0 on SIGTERM", async () => {
            const port = await freePort();
            const result = run("result", { ...(await unreachableEnv()), [AppEnv.port]: String(port) });
            const base = `http://127.0.0.1:${port}`;
            await waitFor("the bundled result server to answer", async () =>
                (await get(`${base}/result${APP_HEALTH_PATH}`)).status === 200 ? true : undefined,
            );
            assert.strictEqual((await get(`${base}/result/totals.json`)).status, 503);
            assert.strictEqual((await get(`${base}${APP_HEALTH_PATH}`)).status, 200);
            result.child.kill("SIGTERM");
            assert.strictEqual(await exitWithin(result.exit, 5000), 0, `graceful exit; stderr: ${result.stderr()}`);
        });

        it("worker.js keeps retrying with both stores unreachable, and exits 0 on SIGTERM", async () => {
            const worker = run("worker", await unreachableEnv());
            await waitFor("the worker to report Redis unavailable", async () =>
                /redis/i.test(worker.stderr()) ? true : undefined,
            );
            assert.strictEqual(worker.child.exitCode, null, "still running");
            worker.child.kill("SIGTERM");
            assert.strictEqual(await exitWithin(worker.exit, 5000), 0, `graceful exit; stderr: ${worker.stderr()}`);
        });

        const failFast: ReadonlyArray<{
            bundle: BundleName;
            change: Record<string, string | undefined>;
            variable: string;
        }> = [
            { bundle: "vote", change: { [AppEnv.redisHost]: undefined }, variable: AppEnv.redisHost },
            { bundle: "vote", change: { [AppEnv.redisTls]: "yes" }, variable: AppEnv.redisTls },
            { bundle: "vote", change: { [AppEnv.port]: "http" }, variable: AppEnv.port },
            { bundle: "result", change: { [AppEnv.pgHost]: undefined }, variable: AppEnv.pgHost },
            { bundle: "result", change: { [AppEnv.pgSslMode]: "prefer" }, variable: AppEnv.pgSslMode },
            { bundle: "worker", change: { [AppSecretName.pgPassword]: undefined }, variable: AppSecretName.pgPassword },
            { bundle: "worker", change: { [AppEnv.redisPort]: "70000" }, variable: AppEnv.redisPort },
        ];
        for (const { bundle, change, variable } of failFast) {
            it(`${bundle}.js refuses to start when ${variable} is ${change[variable] === undefined ? "missing" : `"${change[variable]}"`}, naming it`, async () => {
                const env: Record<string, string> = {
                    ...(await unreachableEnv()),
                    [AppEnv.port]: String(await freePort()),
                };
                for (const [key, value] of Object.entries(change)) {
                    if (value === undefined) delete env[key];
                    else env[key] = value;
                }
                const started = run(bundle, env);
                assert.strictEqual(await exitWithin(started.exit, 5000), 1);
                assert.match(started.stderr(), new RegExp(`^${bundle}: configuration error: ${variable}: `, "m"));
            });
        }

        it("each bundle with an empty environment names the first variable it needs", async () => {
            const expected: Record<(typeof SERVICES)[number], string> = {
                vote: AppEnv.redisHost,
                result: AppEnv.pgHost,
                worker: AppEnv.redisHost,
            };
            await Promise.all(
                SERVICES.map(async (service) => {
                    const started = run(service, {});
                    assert.strictEqual(await exitWithin(started.exit, 5000), 1, service);
                    assert.match(
                        started.stderr(),
                        new RegExp(
                            `configuration error: ${expected[service]}: is not set; the ${service} service needs it`,
                        ),
                    );
                }),
            );
        });
    });
});
