import * as pulumi from "@pulumi/pulumi";
import type { CapturedResource } from "../shared/capturedResource";
import {
    installMockEngine,
    type MockEngine,
    mockUrn,
    waitForOutstandingRpcs,
    withoutSdkDiagnostics,
} from "./sdkInternals";
import { type MockChildren, type MockContext, mockCallOutputs, mockResourceOutputs } from "./mockOutputs";

/**
 * The one mock harness: runs a Pulumi program in-process against a mocked engine and captures every
 * resource it registers (type, name, inputs, parent, provider, options). Tests, the offline plan and the
 * offline policy evaluation all build on it.
 */

export interface MockedRunOptions {
    readonly project: string;
    readonly stack: string;
    /** Flat `namespace:key` → string config, as Pulumi hands it to a program. */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys?: readonly string[];
    /** Region and account that mocked ARNs and endpoints are made in. */
    readonly context: MockContext;
}

/** A resource a remote component's mocked outputs say it created (awsx's subnets, route tables...). */
export interface RemoteChild {
    readonly urn: string;
    readonly type: string;
    readonly id: string;
    readonly state: Readonly<Record<string, unknown>>;
}

export interface MockedRun {
    readonly resources: readonly CapturedResource[];
    /** What remote components created inside, as their mocked outputs reference it (not judged, not planned). */
    readonly remoteChildren: readonly RemoteChild[];
    /** Stack outputs, resolved. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Names of stack outputs marked secret. */
    readonly secretOutputs: readonly string[];
    /** The provider functions (invokes) the program called while it ran, in order: what a preview role must be allowed. */
    readonly invokes: readonly { readonly token: string; readonly inputs: Readonly<Record<string, unknown>> }[];
}

interface SecretWrapper {
    readonly value: unknown;
}

function isSecretWrapper(value: unknown): value is SecretWrapper {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** Replaces Pulumi's RPC secret wrappers by their values, at any depth. */
function unwrapSecrets(value: unknown): unknown {
    if (isSecretWrapper(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Captures what the program registers, and answers with plan/mockOutputs' deterministic outputs. */
class Capture {
    readonly captured: CapturedResource[] = [];
    readonly children: RemoteChild[] = [];
    readonly invokes: { token: string; inputs: Record<string, unknown> }[] = [];
    readonly engine: MockEngine;

    constructor(context: MockContext, project: string, stack: string) {
        this.engine = installMockEngine(
            {
                newResource: (args, urn) =>
                    mockResourceOutputs(
                        args.type,
                        args.name,
                        args.inputs as Record<string, unknown>,
                        context,
                        this.childrenOf(urn),
                    ),
                call: (args) => {
                    this.invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
                    return mockCallOutputs(args.token, args.inputs as Record<string, unknown>, context);
                },
                registered: (r) =>
                    this.captured.push({
                        urn: r.urn,
                        type: r.type,
                        name: r.name,
                        parent: r.parent,
                        provider: r.provider,
                        custom: r.custom,
                        remote: r.remote,
                        inputs: unwrapSecrets(r.serializedInputs) as Record<string, unknown>,
                        secretInputKeys: Object.entries(r.serializedInputs)
                            .filter(([, v]) => isSecretWrapper(v))
                            .map(([k]) => k),
                        protect: r.protect,
                        retainOnDelete: r.retainOnDelete,
                        dependencies: r.dependencies,
                        deletedWith: r.deletedWith,
                        replaceWith: r.replaceWith,
                    }),
            },
            project,
            stack,
        );
    }

    /**
     * Lets a remote component's mock outputs reference the resources it would create inside (awsx's subnets,
     * route tables...), as the real component's outputs do: each child is added to the mocked engine's table,
     * so the SDK can rehydrate the reference. Children are not captured: the plan cannot see inside remote
     * components, and does not pretend to.
     */
    private childrenOf(urn: string): MockChildren {
        const register: MockChildren["register"] = (childType, childName, parentUrn, id, state) => {
            const childUrn = mockUrn(parentUrn, childType, childName);
            this.engine.addResource(childUrn, id, state);
            this.children.push({ urn: childUrn, type: childType, id, state });
            return {
                urn: childUrn,
                reference: {
                    [pulumi.runtime.specialSigKey]: pulumi.runtime.specialResourceSig,
                    urn: childUrn,
                    id,
                    packageVersion: "",
                },
            };
        };
        return { urn, register };
    }
}

async function resolveOutput(value: unknown): Promise<{ value: unknown; secret: boolean }> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
    const secret = await pulumi.isSecret(output);
    const resolved = await new Promise<unknown>((resolve) => output.apply((v: unknown) => resolve(v)));
    return { value: resolved, secret };
}

/**
 * Runs `program` under mocks with the given config and returns what it registered. The program runs
 * inside a root `pulumi:pulumi:Stack` resource, as under the CLI. Errors thrown by the program (e.g. a
 * config validation error) reject the returned promise.
 */
export function runMocked(program: () => object | Promise<object>, options: MockedRunOptions): Promise<MockedRun> {
    // The Pulumi runtime keeps one global monitor, config and stack: runs must never overlap.
    const run = previousRun.then(() => runExclusively(program, options));
    previousRun = run.catch(() => undefined);
    return run;
}

let previousRun: Promise<unknown> = Promise.resolve();

async function runExclusively(program: () => object | Promise<object>, options: MockedRunOptions): Promise<MockedRun> {
    const monitor = new Capture(options.context, options.project, options.stack);
    pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);

    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // Nothing offline reads the stack traces and debug text the SDK records, and they cost a fifth of a run
    // (see withoutSdkDiagnostics); VOTEAPP_SDK_DIAGNOSTICS=1 keeps them, to debug an error thrown in the program.
    const restoreDiagnostics = process.env.VOTEAPP_SDK_DIAGNOSTICS === "1" ? () => undefined : withoutSdkDiagnostics();
    try {
        // The program's own return value: runInPulumiStack resolves outputs to plain values, losing which are secret.
        let stackOutputs: object = {};
        await pulumi.runtime.runInPulumiStack(async () => (stackOutputs = (await program()) ?? {}));
        await waitForOutstandingRpcs();
        const outputs: Record<string, unknown> = {};
        const secretOutputs: string[] = [];
        for (const [key, value] of Object.entries(stackOutputs)) {
            const resolved = await resolveOutput(value);
            outputs[key] = resolved.value;
            if (resolved.secret) secretOutputs.push(key);
        }
        await waitForOutstandingRpcs();
        // Node reports a rejection nobody handled (e.g. an input that failed to serialize, such as a Lambda
        // bundle that did not build) only once the current turn's microtasks are done: let it, then judge.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures[0];
        assertUniqueUrns(monitor.captured);
        return {
            resources: [...monitor.captured],
            remoteChildren: [...monitor.children],
            outputs,
            secretOutputs,
            invokes: [...monitor.invokes],
        };
    } catch (error) {
        // What the SDK chained on the program's result (the stack's outputs) rejects with its error too, a turn
        // later and unhandled: let that happen while this run still listens, or it fails the next run (or, with
        // nobody listening, ends the process).
        await waitForOutstandingRpcs().catch(() => undefined);
        await new Promise<void>((resolve) => setImmediate(resolve));
        throw error;
    } finally {
        restoreDiagnostics();
        process.off("unhandledRejection", onRejection);
    }
}

/** The engine rejects two resources with one URN; catch it here, where the plan runs without an engine. */
function assertUniqueUrns(resources: readonly CapturedResource[]): void {
    const seen = new Set<string>();
    for (const resource of resources) {
        if (seen.has(resource.urn))
            throw new Error(
                `Duplicate resource URN ${resource.urn}: two resources share a type and name under one parent`,
            );
        seen.add(resource.urn);
    }
}
