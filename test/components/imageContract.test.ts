import * as assert from "assert";
import { APP_SERVICES, type AppService, SERVICE_NEEDS } from "../../shared/appContract";
import {
    ecsHttpHealthCheck,
    HEALTHCHECK_ENTRY,
    HEALTHCHECK_SCRIPT,
    HTTP_HEALTH_CHECK,
    IMAGE_APP_DIR,
    IMAGE_NODE_BINARY,
} from "../../shared/imageContract";
import { DISTROLESS_NODE_IMAGES } from "../../shared/nodeRuntimeSupport";
import { CONTAINER_ENTRIES } from "../../app/build";
import type { CapturedResource } from "../../shared/capturedResource";
import { copiedFrom, healthCheckOf, parseDockerfile, targetChain } from "../support/dockerfile";
import { input, ofType, stackRun } from "../support/stacks";

/**
 * Issue 11.2: the health checks orchestrators run must run in the image. One definition
 * (shared/imageContract.ts) feeds the ECS container health check and the Kubernetes exec probes; the
 * Dockerfile's HEALTHCHECK is held to it here. And whatever command a check names, its executable and its
 * script must exist in the service's final image stage: the distroless base supplies only node, at
 * /nodejs/bin/node (not on PATH, no shell), and the rest is what the stages COPY in.
 */

const stages = parseDockerfile();

/**
 * The files a target's final image holds, as far as the checks care: what its base image is known to
 * contain, and every COPY destination of the stages it is built from.
 */
function imageFiles(target: AppService): Set<string> {
    const { chain, instructions } = targetChain(stages, target);
    const files = new Set<string>();
    const base = chain[0].base.replace(/:[^:/]+$/, "");
    // The distroless Node.js images' entrypoint (distroless nodejs/nodejs.bzl); nothing else of theirs is run.
    if (base in DISTROLESS_NODE_IMAGES) files.add(IMAGE_NODE_BINARY);
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

interface EcsContainer {
    readonly name: string;
    readonly healthCheck?: {
        command: string[];
        interval: number;
        timeout: number;
        retries: number;
        startPeriod: number;
    };
}

const containersOf = (taskDefinition: CapturedResource) =>
    JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as EcsContainer[];

describe("image contract: health checks run what the image contains (shared/imageContract.ts)", function () {
    this.timeout(180_000);

    for (const service of APP_SERVICES) {
        it(`app/Dockerfile ${service}: HEALTHCHECK is ${SERVICE_NEEDS[service].http ? "the shared HTTP check" : "NONE (no port)"}`, () => {
            const check = healthCheckOf(targetChain(stages, service).instructions);
            if (!SERVICE_NEEDS[service].http) return assert.deepStrictEqual(check, { none: true });
            assert.ok(check && !check.none, `${service}: no HEALTHCHECK`);
            assert.deepStrictEqual(check.command, [...HTTP_HEALTH_CHECK.command]);
            assert.deepStrictEqual(check.options, {
                interval: `${HTTP_HEALTH_CHECK.intervalSeconds}s`,
                timeout: `${HTTP_HEALTH_CHECK.timeoutSeconds}s`,
                "start-period": `${HTTP_HEALTH_CHECK.startPeriodSeconds}s`,
                retries: String(HTTP_HEALTH_CHECK.retries),
            });
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

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack} on ecs: every container health check is the shared one and runs in its service's image`, async () => {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "ecs" } });
            const containers = ofType(run, "aws:ecs/taskDefinition:TaskDefinition").flatMap(containersOf);
            assert.deepStrictEqual(containers.map((c) => c.name).sort(), [...APP_SERVICES].sort());
            for (const container of containers) {
                const service = container.name as AppService;
                if (!SERVICE_NEEDS[service].http) {
                    assert.strictEqual(container.healthCheck, undefined, `${service} has no port to check`);
                    continue;
                }
                assert.deepStrictEqual(container.healthCheck, ecsHttpHealthCheck(), service);
                const [form, ...argv] = container.healthCheck?.command ?? [];
                assert.strictEqual(form, "CMD", `${service}: exec form (CMD-SHELL needs a shell the image lacks)`);
                assertRunsInImage(service, argv, `${stack} ECS health check of ${service}`);
            }
        });
    }

    it("every exec probe of the eks platform runs in its service's image", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "eks" } });
            let probes = 0;
            for (const deployment of ofType(run, "kubernetes:apps/v1:Deployment")) {
                const containers = input(deployment, "spec", "template", "spec", "containers") as {
                    name: string;
                    [probe: string]: unknown;
                }[];
                for (const container of containers.filter((c) => (APP_SERVICES as readonly string[]).includes(c.name)))
                    for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
                        const exec = (container[kind] as { exec?: { command: string[] } } | undefined)?.exec;
                        if (!exec) continue;
                        probes += 1;
                        assertRunsInImage(
                            container.name as AppService,
                            exec.command,
                            `${stack} ${deployment.name} ${kind}`,
                        );
                    }
            }
            assert.ok(probes > 0, `${stack}: no exec probe found (the worker's heartbeat probes are exec)`);
        }
    });
});
