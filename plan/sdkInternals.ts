import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { ResourceRegistration } from "../shared/capturedResource";

/**
 * Everything the mock harness needs from @pulumi/pulumi beyond its documented API, in one module (issue
 * 16.8). `pulumi.runtime.setMocks` only answers "what outputs does this resource get"; the harness must also
 * see how each resource was registered (parent, provider, protect, retainOnDelete, dependencies...), put the
 * resources a remote component creates into the mocked engine's table, and wait for the SDK's outstanding
 * RPCs. For that it relies on:
 *   1. replacing `MockMonitor.registerResource`: reading the protobuf `RegisterResourceRequest` it gets (typed
 *      here from the SDK's proto/resource_pb, so a renamed field fails the type-check), and answering with a plain
 *      object of the shape runtime/resource.js reads (it builds such objects itself when it has no monitor)
 *      instead of a protobuf message;
 *   2. `MockMonitor.resources`, the mocked engine's table of registered resources, and the URN scheme of its
 *      private `newUrn` (mockUrn below);
 *   3. `pulumi.runtime.waitForRPCs`, exported by runtime/settings.js but absent from the typings;
 *   4. `pulumi.runtime.setMockOptions`, to install a monitor subclass (setMocks builds its own);
 *   5. the private static `Resource.callsites`, through which every resource captures its source position,
 *      and runtime/debuggable's `debuggablePromise`,
 *      through which it tags and tracks every promise it makes (withoutSdkDiagnostics below).
 * These are why @pulumi/pulumi is pinned to an exact version. test/plan/sdkInternals.test.ts checks each of
 * them against the installed SDK, so an upgrade that moves one fails there, naming it, instead of as wrong
 * captures in a hundred other tests. No other module imports the SDK's mocks or calls waitForRPCs (a
 * conventions test holds that).
 */

/** How the program registered one resource, as the engine received it, with its inputs as the SDK serialized them. */
export interface Registration extends ResourceRegistration {
    /** Inputs as the SDK serialized them (secrets still wrapped). */
    readonly serializedInputs: Record<string, unknown>;
}

/** What the harness answers and records; the engine side is this module's. */
export interface MockEngineHooks {
    /** Outputs of a new resource; `urn` is the URN it is getting (so it can name children under it). */
    newResource(args: pulumi.runtime.MockResourceArgs, urn: string): pulumi.runtime.MockResourceResult;
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult;
    /** A resource registered successfully. */
    registered(registration: Registration): void;
}

export interface MockEngine {
    /**
     * Adds a resource to the mocked engine's table (a remote component's child), so the SDK can rehydrate a
     * reference to it (pulumi:pulumi:getResource).
     */
    addResource(urn: string, id: string, state: Readonly<Record<string, unknown>>): void;
}

/** The URN MockMonitor gives a resource (its private newUrn: the parent's own type, then the resource's). */
export function mockUrn(parentUrn: string, type: string, name: string): string {
    const qualified = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$${type}` : type;
    return `urn:pulumi:${[pulumi.getStack(), pulumi.getProject(), qualified, name].join("::")}`;
}

/** A protobuf Struct as the SDK reads one (`deserializeProperties` calls only this): plain values, converted once. */
interface PlainStruct {
    toJavaScript(): Record<string, unknown>;
}

/**
 * A RegisterResourceResponse as the SDK reads one (runtime/resource.js builds such objects itself when it has no
 * monitor): the mocked engine's answer without a protobuf message, whose Struct the SDK would convert straight back.
 */
export type PlainRegisterResponse = Pick<
    RegisterResourceResponse,
    "getUrn" | "getId" | "getPropertydependenciesMap" | "getResult" | "toString"
> & { getObject(): PlainStruct };

/** The mocked engine's answer to one registration: what MockMonitor puts in its protobuf response. */
export function plainRegisterResponse(urn: string, id: string, state: Record<string, unknown>): PlainRegisterResponse {
    return {
        getUrn: () => urn,
        getId: () => id,
        getObject: () => ({ toJavaScript: () => state }),
        getPropertydependenciesMap: () => new Map() as never, // none, as MockMonitor's
        getResult: () => 0, // Result.SUCCESS, as MockMonitor's (unset)
        // The SDK formats the response into a debug log line even when nothing logs it.
        toString: () => `RegisterResourceResponse ${urn}`,
    };
}

class RecordingMonitor extends MockMonitor {
    constructor(private readonly hooks: MockEngineHooks) {
        super({
            // MockMonitor's own use of the mocks: reads (`Resource.get`), which have no children to name.
            newResource: (args) => hooks.newResource(args, mockUrn("", args.type, args.name)),
            call: (args) => hooks.call(args),
        });
    }

    /**
     * MockMonitor's registerResource (outputs from the mocks, the resource into `resources` under the URN its newUrn
     * would give: mockUrn), recording how it was registered, with one conversion of each protobuf Struct instead of three:
     * MockMonitor converted the request's inputs, then its answer into a Struct that the SDK converted back.
     */
    override async registerResource(
        req: RegisterResourceRequest,
        callback: (err: unknown, response: RegisterResourceResponse | undefined) => void,
    ): Promise<void> {
        try {
            const object = req.getObject();
            const plainInputs = object ? (object.toJavaScript() as Record<string, unknown>) : {};
            const inputs: PlainStruct = { toJavaScript: () => plainInputs };
            const remote = req.getRemote();
            const urn = mockUrn(req.getParent(), req.getType(), req.getName());
            const result = this.hooks.newResource(
                {
                    type: req.getType(),
                    name: req.getName(),
                    // deserializeProperties makes new objects and arrays: the mocks cannot change what is recorded.
                    inputs: pulumi.runtime.deserializeProperties(inputs as never) as Record<string, unknown>,
                    provider: req.getProvider(),
                    custom: req.getCustom(),
                    id: req.getImportid(),
                },
                urn,
            );
            const state = (await pulumi.runtime.serializeProperties("", result.state)) as Record<string, unknown>;
            this.resources.set(urn, { urn, id: result.id ?? null, state });
            this.hooks.registered({
                urn,
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent() || undefined,
                provider: req.getProvider() || (remote ? req.getProvidersMap().get("aws") : undefined) || undefined,
                custom: req.getCustom(),
                remote,
                serializedInputs: pulumi.runtime.deserializeProperties(inputs as never) as Record<string, unknown>,
                protect: req.getProtect() === true,
                retainOnDelete: req.getRetainondelete() === true,
                dependencies: req.getDependenciesList(),
                deletedWith: req.getDeletedwith() || undefined,
                replaceWith: req.getReplaceWithList(),
            });
            callback(null, plainRegisterResponse(urn, result.id || "", state) as unknown as RegisterResourceResponse);
        } catch (error) {
            callback(error, undefined);
        }
    }
}

/** Installs a mocked engine with these hooks as the Pulumi runtime's monitor (one per process at a time). */
export function installMockEngine(hooks: MockEngineHooks, project: string, stack: string): MockEngine {
    const monitor = new RecordingMonitor(hooks);
    pulumi.runtime.setMockOptions(monitor, project, stack, false);
    return { addResource: (urn, id, state) => monitor.resources.set(urn, { urn, id, state }) };
}

/** The SDK's "wait until every outstanding RPC has finished" hook (exported, but not in its typings). */
export function waitForOutstandingRpcs(): Promise<void> {
    return (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** How the SDK captures where in the program a resource was created (private: not in its typings). */
interface CallsiteCapture {
    callsites(): readonly { file?: string; line?: number; column?: number }[];
}

/**
 * The SDK's wrapper of every promise it makes (runtime/debuggable.js, internal: its typings export nothing): it
 * tags the promise with an id, a context and a stack, and tracks it for the leak report printed at exit.
 */
export interface PromiseTracking {
    debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T>;
}

/** The SDK's runtime/debuggable module itself: what withoutSdkDiagnostics swaps, and the tests check. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module's typings declare none of its exports (all @internal); this is the one place that reaches them
export const promiseTracking = require("@pulumi/pulumi/runtime/debuggable") as PromiseTracking;

/**
 * The wrapper with only what a run's outcome depends on: the same two chained promises (so everything settles on
 * the same turn as with the SDK's), without the tags, the stack and the leak tracking.
 */
function untrackedPromise<T>(promise: Promise<T>): Promise<T> {
    return promise
        .then((value) => value)
        .catch((error: unknown) => {
            throw error;
        });
}

/** The settings withoutSdkDiagnostics changes, as they were before the first of the runs it covers. */
interface DiagnosticSettings {
    readonly stackTraceLimit: number;
    /** Error.prepareStackTrace's own property (the source mapper's hook under ts-node), or none. */
    readonly prepareStackTrace: PropertyDescriptor | undefined;
    readonly callsites: CallsiteCapture["callsites"];
    readonly debuggablePromise: PromiseTracking["debuggablePromise"];
}

/** While set, the SDK's diagnostics are off: the settings to put back, and how many runs still need them off. */
let diagnosticsOff: { readonly saved: DiagnosticSettings; runs: number } | undefined;

/**
 * Turns off what the SDK records only for diagnostics, until the returned function is called. The SDK captures
 * a full stack (stackTraceLimit raised to Infinity) for every resource's source position and a stack for every
 * promise it tracks for leak reports, and under ts-node each is source-mapped frame by frame; it also formats
 * every registration's response into a debug log line. That was a fifth of a mocked run; tagging and tracking each
 * promise (three properties defined on it, a set of leak candidates) was another fifth of what was left. Offline
 * nothing reads any of it: the positions go to the mocked monitor, which ignores them, and there is no engine to log
 * to. While it is off a resource captures no callsites (its request carries no source position), errors
 * capture no frames and V8 formats what is left itself, without the source mapper; an error the program
 * throws keeps its name and message (its stack is that line alone). Runs may overlap: the first saves the
 * settings, the last to finish restores them exactly, also when it threw; a second call of one restore
 * function does nothing.
 */
export function withoutSdkDiagnostics(): () => void {
    const capture = pulumi.Resource as unknown as CallsiteCapture;
    if (!diagnosticsOff) {
        diagnosticsOff = {
            saved: {
                stackTraceLimit: Error.stackTraceLimit,
                prepareStackTrace: Object.getOwnPropertyDescriptor(Error, "prepareStackTrace"),
                callsites: capture.callsites,
                debuggablePromise: promiseTracking.debuggablePromise,
            },
            runs: 0,
        };
        Error.stackTraceLimit = 0;
        Object.defineProperty(Error, "prepareStackTrace", { value: undefined, writable: true, configurable: true });
        capture.callsites = () => [];
        promiseTracking.debuggablePromise = untrackedPromise;
    }
    diagnosticsOff.runs++;
    let restored = false;
    return () => {
        if (restored || !diagnosticsOff) return;
        restored = true;
        if (--diagnosticsOff.runs > 0) return;
        const { saved } = diagnosticsOff;
        diagnosticsOff = undefined;
        Error.stackTraceLimit = saved.stackTraceLimit;
        if (saved.prepareStackTrace) Object.defineProperty(Error, "prepareStackTrace", saved.prepareStackTrace);
        else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        capture.callsites = saved.callsites;
        promiseTracking.debuggablePromise = saved.debuggablePromise;
    };
}
