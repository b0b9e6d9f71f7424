import * as assert from "assert";
import { APP_SERVICES, type AppService } from "../../shared/appContract";
import { ConfigError, type Env } from "../../app/src/core/config";
import {
    resultServiceConfig,
    type ResultServiceConfig,
    voteServiceConfig,
    type VoteServiceConfig,
    workerServiceConfig,
    type WorkerServiceConfig,
} from "../../app/src/core/serviceConfig";
import { tableConfig, voteFunctionConfig } from "../../app/src/lambda/config";
import { input, ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * The environment seam, joined on every platform: the environment each shipped stack's plan gives a container
 * (ECS task definition, Kubernetes Deployment) or a function (Lambda) is read by the very reader the service
 * starts with (app/src/core/serviceConfig.ts, app/src/lambda/config.ts). A variable a platform forgets, names
 * differently or sets in a format the app refuses fails here, not as a crash loop after a deploy. And an HTTP
 * service listens on the port (from its own reader) that the platform sends traffic to: the container port,
 * the load balancer's and Cloud Map's container port, the Kubernetes Service's target port.
 */

type Run = Awaited<ReturnType<typeof stackRun>>;

/** What each container service reads when it starts (app/src/containers/<service>.ts start…Service). */
const SERVICE_CONFIG_READERS: {
    readonly [S in AppService]: (env: Env) => VoteServiceConfig | ResultServiceConfig | WorkerServiceConfig;
} = { vote: voteServiceConfig, result: resultServiceConfig, worker: workerServiceConfig };

/** The port an HTTP service listens on; none for the worker. */
const listeningPort = (config: VoteServiceConfig | ResultServiceConfig | WorkerServiceConfig): number | undefined =>
    "port" in config ? config.port : undefined;

/**
 * What each function's handler reads on a cold start (app/src/lambda/<service>.ts). Kept here, not in the app: a map
 * there would put every function's checks into every bundle.
 */
const FUNCTION_CONFIG_READERS: { readonly [S in AppService]: (env: Env) => object } = {
    vote: voteFunctionConfig,
    result: (env) => tableConfig(env, "result"),
    worker: (env) => tableConfig(env, "worker"),
};

function serviceNamed(name: string, where: string): AppService {
    const service = APP_SERVICES.find((s) => s === name);
    assert.ok(service, `${where}: no app service named ${name}`);
    return service;
}

/** Runs a reader on a planned environment; a ConfigError fails the test naming the platform, service and variable. */
function read<T>(reader: (env: Env) => T, env: Env, where: string): T {
    try {
        return reader(env);
    } catch (error) {
        if (error instanceof ConfigError)
            assert.fail(
                `${where}: the service would refuse to start: ${error.message}\nplanned environment: ${JSON.stringify(env)}`,
            );
        throw error;
    }
}

interface EcsContainer {
    readonly name: string;
    readonly environment: { name: string; value: string }[];
    readonly portMappings: { name: string; containerPort: number }[];
}

/** The port each ECS container's service listens on (undefined: none), after reading its planned environment. */
function ecsListeningPorts(run: Run, where: string): Map<AppService, number | undefined> {
    const ports = new Map<AppService, number | undefined>();
    for (const taskDefinition of ofType(run, "aws:ecs/taskDefinition:TaskDefinition"))
        for (const container of JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as EcsContainer[]) {
            const service = serviceNamed(container.name, where);
            const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
            const port = listeningPort(read(SERVICE_CONFIG_READERS[service], env, `${where} ${service}`));
            assert.deepStrictEqual(
                container.portMappings.map((mapping) => mapping.containerPort),
                port === undefined ? [] : [port],
                `${where} ${service}: the container's port mappings are not the port the app listens on`,
            );
            ports.set(service, port);
        }
    return ports;
}

interface KubernetesContainer {
    readonly name: string;
    readonly env?: { name: string; value?: string }[];
    readonly ports?: { name: string; containerPort: number }[];
}

/** The app's Deployments: their pod labels and each app container's port numbers by name. */
function kubernetesWorkloads(
    run: Run,
    where: string,
): { labels: Record<string, string>; ports: Map<string, number> }[] {
    return ofType(run, "kubernetes:apps/v1:Deployment").flatMap((deployment) => {
        const template = input(deployment, "spec", "template") as {
            metadata: { labels: Record<string, string> };
            spec: { containers: KubernetesContainer[] };
        };
        const app = template.spec.containers.filter((c) => (APP_SERVICES as readonly string[]).includes(c.name));
        if (app.length === 0) return [];
        const ports = new Map<string, number>();
        for (const container of app) {
            const service = serviceNamed(container.name, where);
            assert.ok(
                (container.env ?? []).every((e) => e.value !== undefined),
                `${where} ${deployment.name}: a variable not given as a plain value`,
            );
            const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
            const port = listeningPort(read(SERVICE_CONFIG_READERS[service], env, `${where} ${deployment.name}`));
            assert.deepStrictEqual(
                (container.ports ?? []).map((p) => p.containerPort),
                port === undefined ? [] : [port],
                `${where} ${deployment.name}: the container ports are not the port the app listens on`,
            );
            for (const p of container.ports ?? []) ports.set(p.name, p.containerPort);
        }
        return [{ labels: template.metadata.labels, ports }];
    });
}

/** An Ingress path's backend: a Service and its port by name. */
interface IngressBackend {
    readonly service: { readonly name: string; readonly port: { readonly name: string } };
}

/** Where an ECS service sends traffic: a container and its port. */
interface RoutedPort {
    readonly containerName: string;
    readonly containerPort: number;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);

describe("platform environment: each platform's planned environment starts its service (the app's own readers)", function () {
    this.timeout(300_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack} on ecs: every container's environment passes its service's reader, and traffic reaches the port it listens on`, async () => {
            const where = `${stack} ecs`;
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "ecs" } });
            const listening = ecsListeningPorts(run, where);
            assert.deepStrictEqual([...listening.keys()].sort(), [...APP_SERVICES].sort(), `${where}: containers`);
            for (const ecsService of ofType(run, "aws:ecs/service:Service")) {
                // The load balancer's targets, and the Cloud Map registration the HTTP API reaches tasks by (one object).
                const registry = ecsService.inputs.serviceRegistries as RoutedPort | undefined;
                const routed = [
                    ...((ecsService.inputs.loadBalancers ?? []) as RoutedPort[]),
                    ...(registry ? [registry] : []),
                ];
                for (const target of routed) {
                    const service = serviceNamed(target.containerName, where);
                    assert.strictEqual(
                        target.containerPort,
                        listening.get(service),
                        `${where} ${ecsService.name}: traffic goes to ${target.containerPort}, ${service} listens on ${listening.get(service)}`,
                    );
                }
            }
        });

        it(`${stack} on eks: every container's environment passes its service's reader, and each Service targets the port it listens on`, async () => {
            const where = `${stack} eks`;
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "eks" } });
            const workloads = kubernetesWorkloads(run, where);
            assert.ok(workloads.length >= APP_SERVICES.length, `${where}: ${workloads.length} app Deployments`);
            const appServices = ofType(run, "kubernetes:core/v1:Service").filter((s) =>
                (APP_SERVICES as readonly string[]).includes(
                    String(input(s, "metadata", "labels", "app.kubernetes.io/name")),
                ),
            );
            assert.ok(appServices.length > 0, `${where}: no Service of an app service`);
            for (const kubernetesService of appServices) {
                const spec = kubernetesService.inputs.spec as {
                    selector: Record<string, string>;
                    ports: { name: string; targetPort: string | number }[];
                };
                const selected = workloads.filter((w) => selects(spec.selector, w.labels));
                assert.ok(selected.length > 0, `${where} ${kubernetesService.name}: selects no app Deployment`);
                for (const port of spec.ports)
                    for (const workload of selected) {
                        const target =
                            typeof port.targetPort === "number" ? port.targetPort : workload.ports.get(port.targetPort);
                        assert.ok(
                            target !== undefined && [...workload.ports.values()].includes(target),
                            `${where} ${kubernetesService.name}: targetPort ${port.targetPort} is no port the app listens on`,
                        );
                    }
            }
            // The load balancer reaches the Services through the Ingress: each backend names a Service port that exists.
            const backends = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").flatMap((ingress) =>
                (input(ingress, "spec", "rules") as { http: { paths: { backend: IngressBackend }[] } }[]).flatMap(
                    (rule) => rule.http.paths.map((path) => path.backend.service),
                ),
            );
            assert.ok(backends.length > 0, `${where}: no Ingress backend`);
            for (const backend of backends) {
                const target = appServices.find((s) => input(s, "metadata", "name") === backend.name);
                const ports = target ? (input(target, "spec", "ports") as { name: string }[]) : [];
                assert.ok(
                    ports.some((p) => p.name === backend.port.name),
                    `${where}: the Ingress sends traffic to ${backend.name}:${backend.port.name}, which no app Service has`,
                );
            }
        });

        it(`${stack} on lambda: every function's environment passes its handler's reader`, async () => {
            const where = `${stack} lambda`;
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "lambda" } });
            const functionsRead: string[] = [];
            for (const fn of ofType(run, "aws:lambda/function:Function")) {
                const service = APP_SERVICES.find((s) => fn.name.endsWith(`-${s}`));
                if (!service) continue;
                const env = (input(fn, "environment", "variables") ?? {}) as Record<string, string>;
                read(FUNCTION_CONFIG_READERS[service], env, `${where} ${fn.name}`);
                functionsRead.push(service);
            }
            assert.deepStrictEqual(functionsRead.sort(), [...APP_SERVICES].sort(), `${where}: functions`);
        });
    }
});
