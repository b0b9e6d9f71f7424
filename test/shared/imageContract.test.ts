import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    APP_HTTP_PORT,
    APP_SERVICES,
    type AppService,
    SERVICE_NEEDS,
    WORKER_HEARTBEAT,
} from "../../shared/appContract";
import {
    type ContainerHealthCheck,
    ecsHealthCheckFor,
    HEALTHCHECK_ENTRY,
    HEALTHCHECK_SCRIPT,
    healthCheckFor,
    heartbeatCheckScript,
    HTTP_HEALTH_CHECK,
    IMAGE_APP_DIR,
    IMAGE_NODE_BINARY,
    IMAGE_SCRATCH_DIR,
    nodeScriptCommand,
    WORKER_HEALTH_CHECK,
} from "../../shared/imageContract";
import { DISTROLESS_NODE_IMAGES } from "../../shared/nodeRuntimeSupport";
import { CONTAINER_ENTRIES } from "../../app/build";
import type { CapturedResource } from "../../shared/capturedResource";
import {
    copiedFrom,
    execForm,
    healthCheckOf,
    type Instruction,
    parseDockerfile,
    targetChain,
} from "../support/dockerfile";
import { input, ofType, stackRun } from "../support/stacks";

/**
 * Issue 11.2: the health checks orchestrators run must run in the image. One definition per kind of service
 * (shared/imageContract.ts: the HTTP check of vote and result, the heartbeat check of the worker) feeds the
 * ECS container health checks and the Kubernetes probes; the Dockerfile's HEALTHCHECKs are held to it here.
 * Whatever command a check names, its executable and its script must exist in the service's final image
 * stage: the distroless base supplies only node, at /nodejs/bin/node (not on PATH, no shell), and /tmp; the
 * rest is what the stages COPY in. And a file a check reads must be one the container can write under its
 * read-only root filesystem: on a volume the image declares and every orchestrator mounts.
 */

const stages = parseDockerfile();

/** The distroless Node.js images' entrypoint (distroless nodejs/nodejs.bzl) and /tmp (common/BUILD.bazel, mode 1777). */
const DISTROLESS_PATHS = [IMAGE_NODE_BINARY, IMAGE_SCRATCH_DIR];

/**
 * The files a target's final image holds, as far as the checks care: what its base image is known to
 * contain, and every COPY destination of the stages it is built from.
 */
function imageFiles(target: AppService): Set<string> {
    const { chain, instructions } = targetChain(stages, target);
    const files = new Set<string>();
    const base = chain[0].base.replace(/:[^:/]+$/, "");
    if (base in DISTROLESS_NODE_IMAGES) for (const known of DISTROLESS_PATHS) files.add(known);
    for (const copy of instructions.filter((i) => i.keyword === "COPY")) {
        const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith("--"));
        const destination = parts[parts.length - 1];
        if (destination.endsWith("/"))
            for (const source of parts.slice(0, -1)) files.add(destination + source.split("/").pop());
        else files.add(destination);
    }
    return files;
}

/** Fails unless argv runs in the target's image: an absolute executable it holds, and the app files it names. */
function assertRunsInImage(target: AppService, argv: readonly string[], what: string): void {
    const files = imageFiles(target);
    const [executable, ...args] = argv;
    assert.ok(
        executable?.startsWith("/") && files.has(executable),
        `${what}: "${executable}" is not in the ${target} image (no shell, nothing on PATH; it holds ${[...files].join(", ")})`,
    );
    for (const arg of args.filter((a) => a.startsWith(`${IMAGE_APP_DIR}/`)))
        assert.ok(files.has(arg), `${what}: ${arg} is not in the ${target} image`);
}

/** VOLUME paths of a target's stage chain (JSON or plain form). */
function volumesOf(instructions: readonly Instruction[]): string[] {
    return instructions
        .filter((i) => i.keyword === "VOLUME")
        .flatMap((i) => (i.args.trim().startsWith("[") ? execForm(i.args) : i.args.trim().split(/\s+/)));
}

/** ENV of a target's stage chain, `KEY=value` form, later ones winning. */
function envOf(instructions: readonly Instruction[]): Map<string, string> {
    const env = new Map<string, string>();
    for (const i of instructions.filter((instruction) => instruction.keyword === "ENV"))
        for (const match of i.args.matchAll(/(\w+)=(\S+)/g)) env.set(match[1], match[2]);
    return env;
}

/** The Dockerfile HEALTHCHECK options of a check, as `--name=value` would give them. */
function dockerfileOptions(check: ContainerHealthCheck): Record<string, string> {
    return {
        interval: `${check.intervalSeconds}s`,
        timeout: `${check.timeoutSeconds}s`,
        "start-period": `${check.startPeriodSeconds}s`,
        retries: String(check.retries),
    };
}

interface EcsContainer {
    readonly name: string;
    readonly healthCheck?: {
        command: string[];
        interval: number;
        timeout: number;
        retries: number;
        startPeriod: number;
    };
    readonly environment: { name: string; value: string }[];
    readonly mountPoints?: { sourceVolume: string; containerPath: string; readOnly?: boolean }[];
}

const containersOf = (taskDefinition: CapturedResource) =>
    JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as EcsContainer[];

/** Runs the heartbeat check's script with this machine's node against a file of the given age (or none). */
function heartbeatCheckExit(ageSeconds: number | undefined): number | null {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heartbeat-"));
    try {
        const file = path.join(dir, "worker-heartbeat");
        if (ageSeconds !== undefined) {
            fs.writeFileSync(file, "beat");
            const when = new Date(Date.now() - ageSeconds * 1000);
            fs.utimesSync(file, when, when);
        }
        const [, ...args] = nodeScriptCommand(heartbeatCheckScript(file));
        return spawnSync(process.execPath, args, { stdio: "ignore", timeout: 30_000 }).status;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("image contract: health checks run what the image contains (shared/imageContract.ts)", function () {
    this.timeout(180_000);

    for (const service of APP_SERVICES) {
        it(`app/Dockerfile ${service}: HEALTHCHECK is the shared ${SERVICE_NEEDS[service].http ? "HTTP" : "heartbeat"} check`, () => {
            const check = healthCheckOf(targetChain(stages, service).instructions);
            assert.ok(check && !check.none, `${service}: no HEALTHCHECK`);
            assert.deepStrictEqual(check.command, [...healthCheckFor(service).command]);
            assert.deepStrictEqual(check.options, dockerfileOptions(healthCheckFor(service)));
            assertRunsInImage(service, check.command, `Dockerfile HEALTHCHECK of ${service}`);
        });
    }

    it("the health-check script is the build output of app/build.ts's health-check entry", () => {
        assert.ok(HEALTHCHECK_ENTRY in CONTAINER_ENTRIES, `app/build.ts has no "${HEALTHCHECK_ENTRY}" entry`);
        for (const service of APP_SERVICES.filter((s) => SERVICE_NEEDS[s].http))
            assert.strictEqual(
                copiedFrom(targetChain(stages, service).instructions, "build").get(HEALTHCHECK_SCRIPT),
                `/out/${HEALTHCHECK_ENTRY}.js`,
                `${service}: ${HEALTHCHECK_SCRIPT} is not copied from the build's /out`,
            );
    });

    it("the HTTP check asks the path the services serve; the heartbeat check is the worker's heartbeat file", () => {
        assert.strictEqual(healthCheckFor("vote"), HTTP_HEALTH_CHECK);
        assert.strictEqual(healthCheckFor("worker"), WORKER_HEALTH_CHECK);
        assert.deepStrictEqual(
            [...WORKER_HEALTH_CHECK.command],
            nodeScriptCommand(heartbeatCheckScript(WORKER_HEALTH_CHECK.heartbeatFile)),
        );
        assert.strictEqual(path.posix.dirname(WORKER_HEALTH_CHECK.heartbeatFile), IMAGE_SCRATCH_DIR);
    });

    it("the heartbeat check passes on a fresh heartbeat, fails on a stale or missing one (run with node)", () => {
        const stale = WORKER_HEARTBEAT.staleAfterSeconds;
        assert.strictEqual(heartbeatCheckExit(0), 0, "fresh heartbeat");
        assert.strictEqual(heartbeatCheckExit(stale - 10), 0, "heartbeat within the window");
        assert.strictEqual(heartbeatCheckExit(stale + 10), 1, "stale heartbeat");
        assert.strictEqual(heartbeatCheckExit(undefined), 1, "no heartbeat yet");
        assert.ok(stale >= 4 * WORKER_HEARTBEAT.intervalSeconds, "the staleness window must cover several heartbeats");
    });

    it("app/Dockerfile worker: the heartbeat file is named by the image and lies on a volume of it", () => {
        const { instructions } = targetChain(stages, "worker");
        assert.strictEqual(envOf(instructions).get(WORKER_HEARTBEAT.variable), WORKER_HEALTH_CHECK.heartbeatFile);
        assert.ok(
            volumesOf(instructions).includes(IMAGE_SCRATCH_DIR),
            `the worker stage declares no VOLUME ${IMAGE_SCRATCH_DIR}: its root filesystem is read-only`,
        );
        assert.ok(imageFiles("worker").has(IMAGE_SCRATCH_DIR), `${IMAGE_SCRATCH_DIR} is not in the worker's base`);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack} on ecs: every container health check is its service's shared check, run in its image, on files it can write`, async () => {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "ecs" } });
            const taskDefinitions = ofType(run, "aws:ecs/taskDefinition:TaskDefinition");
            const found: string[] = [];
            for (const taskDefinition of taskDefinitions)
                for (const container of containersOf(taskDefinition)) {
                    const service = container.name as AppService;
                    found.push(service);
                    assert.deepStrictEqual(container.healthCheck, ecsHealthCheckFor(service), service);
                    const [form, ...argv] = container.healthCheck?.command ?? [];
                    assert.strictEqual(form, "CMD", `${service}: exec form (CMD-SHELL needs a shell the image lacks)`);
                    assertRunsInImage(service, argv, `${stack} ECS health check of ${service}`);
                    if (SERVICE_NEEDS[service].http) continue;
                    assert.deepStrictEqual(
                        container.environment.find((e) => e.name === WORKER_HEARTBEAT.variable)?.value,
                        WORKER_HEALTH_CHECK.heartbeatFile,
                        `${service}: the heartbeat file the check reads`,
                    );
                    // Fargate copies a VOLUME's content and mode into a bind mount at exactly that containerPath
                    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html); anywhere
                    // else the mount is root-owned 0755, which uid 10001 cannot write.
                    const mount = container.mountPoints?.find((m) => m.containerPath === IMAGE_SCRATCH_DIR);
                    assert.ok(
                        mount && mount.readOnly !== true,
                        `${service}: no writable mount at ${IMAGE_SCRATCH_DIR}`,
                    );
                    assert.ok(
                        volumesOf(targetChain(stages, service).instructions).includes(mount.containerPath),
                        `${service}: ${mount.containerPath} is not a VOLUME of the image`,
                    );
                    const volumes = (input(taskDefinition, "volumes") ?? []) as Record<string, unknown>[];
                    const volume = volumes.find((v) => v.name === mount.sourceVolume);
                    assert.ok(volume, `${service}: the task defines no volume "${mount.sourceVolume}"`);
                    assert.deepStrictEqual(
                        Object.keys(volume),
                        ["name"],
                        `${service}: a task-scoped Fargate bind mount`,
                    );
                }
            assert.deepStrictEqual(found.sort(), [...APP_SERVICES].sort());
        });
    }

    it("eks: the worker's exec probes are the shared heartbeat check, vote's and result's HTTP probes its path and port", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "eks" } });
            let execProbes = 0;
            for (const deployment of ofType(run, "kubernetes:apps/v1:Deployment")) {
                const spec = input(deployment, "spec", "template", "spec") as {
                    containers: {
                        name: string;
                        ports?: { name: string; containerPort: number }[];
                        env?: { name: string; value?: string }[];
                        volumeMounts?: { name: string; mountPath: string }[];
                        [probe: string]: unknown;
                    }[];
                    volumes?: { name: string; emptyDir?: unknown }[];
                };
                for (const container of spec.containers.filter((c) =>
                    (APP_SERVICES as readonly string[]).includes(c.name),
                )) {
                    const service = container.name as AppService;
                    for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
                        const probe = container[kind] as
                            { exec?: { command: string[] }; httpGet?: { path: string; port: string } } | undefined;
                        const where = `${stack} ${deployment.name} ${kind}`;
                        assert.ok(probe, `${where}: missing`);
                        if (SERVICE_NEEDS[service].http) {
                            assert.strictEqual(probe.httpGet?.path, HTTP_HEALTH_CHECK.path, where);
                            const port = container.ports?.find((p) => p.name === probe.httpGet?.port);
                            assert.strictEqual(
                                port?.containerPort,
                                APP_HTTP_PORT,
                                `${where}: probes no port the app listens on`,
                            );
                            continue;
                        }
                        assert.deepStrictEqual(probe.exec?.command, [...WORKER_HEALTH_CHECK.command], where);
                        assertRunsInImage(service, probe.exec.command, where);
                        execProbes += 1;
                    }
                    if (SERVICE_NEEDS[service].http) continue;
                    assert.strictEqual(
                        container.env?.find((e) => e.name === WORKER_HEARTBEAT.variable)?.value,
                        WORKER_HEALTH_CHECK.heartbeatFile,
                    );
                    const mount = container.volumeMounts?.find((m) => m.mountPath === IMAGE_SCRATCH_DIR);
                    assert.ok(mount, `${deployment.name}: nothing writable at ${IMAGE_SCRATCH_DIR}`);
                    assert.ok(
                        spec.volumes?.find((v) => v.name === mount.name)?.emptyDir,
                        `${mount.name} is an emptyDir`,
                    );
                }
            }
            assert.ok(execProbes > 0, `${stack}: no worker exec probe found`);
        }
    });
});
