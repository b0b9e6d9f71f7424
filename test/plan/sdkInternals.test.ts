import * as assert from "assert";
import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import pulumiPackage from "@pulumi/pulumi/package.json";
import { runMocked } from "../../plan/harness";
import { plainRegisterResponse, promiseTracking, withoutSdkDiagnostics } from "../../plan/sdkInternals";

const OPTIONS = {
    project: "voteapp",
    stack: "dev",
    config: {},
    context: { region: "eu-west-1", accountId: "111111111111" },
} as const;

const SDK_VERSION = pulumiPackage.version;
const BROKEN = `@pulumi/pulumi ${SDK_VERSION} changed what plan/sdkInternals.ts relies on (issue 16.8)`;

/**
 * The SDK internals the mock harness relies on (plan/sdkInternals.ts), each checked against the installed
 * @pulumi/pulumi: when an upgrade moves one, these fail and name it, before the captures of every other test
 * quietly go wrong.
 */
describe("the SDK internals the mock harness relies on (plan/sdkInternals.ts)", function () {
    this.timeout(60_000);

    it("MockMonitor can be subclassed around registerResource and keeps its table of resources in `resources`", () => {
        const monitor = new MockMonitor({ newResource: () => ({ id: "x", state: {} }), call: () => ({}) });
        assert.strictEqual(typeof MockMonitor.prototype.registerResource, "function", `${BROKEN}: registerResource`);
        assert.ok(monitor.resources instanceof Map, `${BROKEN}: MockMonitor.resources is no longer a Map`);
    });

    it("the plain registration answer has every method the SDK reads from a response, and from its Struct", () => {
        // The SDK's own source is the oracle: runtime/resource.js's registerResource reads the monitor's answer
        // (`resp.getX()` from the RPC to resolveOutputs), and rpc.js's deserializeProperties reads the Struct.
        const sdkFile = (file: string) => fs.readFileSync(require.resolve(`@pulumi/pulumi/${file}`), "utf8");
        const resource = sdkFile("runtime/resource.js");
        const start = resource.indexOf("monitor.registerResource(req");
        const last = "resolveOutputs(res, t, name, props, resp.getObject()";
        const end = resource.indexOf(last, start);
        assert.ok(start > 0 && end > start, `${BROKEN}: registerResource's use of the monitor's response moved`);
        const read = new Set(
            [...resource.slice(start, end + last.length).matchAll(/\bresp\.(\w+)\(/g)].map((m) => m[1]),
        );
        const answer = plainRegisterResponse("urn:pulumi:dev::voteapp::aws:sns/topic:Topic::t", "t-id", { a: 1 });
        assert.deepStrictEqual(
            [...read].filter((method) => typeof (answer as unknown as Record<string, unknown>)[method] !== "function"),
            [],
            `${BROKEN}: the SDK reads more of a RegisterResourceResponse`,
        );
        assert.ok(read.has("getObject") && read.has("getUrn"), [...read].join(", "));
        const rpc = sdkFile("runtime/rpc.js");
        const body = /function deserializeProperties\((\w+)[^)]*\) \{([\s\S]*?)\n\}/.exec(rpc);
        assert.ok(body, `${BROKEN}: rpc.js deserializeProperties moved`);
        const used = new Set([...body[2].matchAll(new RegExp(`\\b${body[1]}\\.(\\w+)`, "g"))].map((m) => m[1]));
        assert.deepStrictEqual([...used], ["toJavaScript"], `${BROKEN}: deserializeProperties reads more of a Struct`);
        assert.deepStrictEqual(pulumi.runtime.deserializeProperties(answer.getObject() as never), { a: 1 });
    });

    it("the runtime still exports waitForRPCs and setMockOptions", () => {
        const runtime = pulumi.runtime as unknown as Record<string, unknown>;
        for (const name of ["waitForRPCs", "setMockOptions"])
            assert.strictEqual(typeof runtime[name], "function", `${BROKEN}: pulumi.runtime.${name} is gone`);
    });

    it("records every registration option the engine receives, with the URNs MockMonitor gives", async () => {
        const run = await runMocked(() => {
            const provider = new aws.Provider("account", { region: "eu-west-1" });
            const parent = new pulumi.ComponentResource("voteapp:test:Parent", "parent");
            const key = new aws.kms.Key("key", {}, { parent, provider });
            const other = new aws.sns.Topic("other", {}, { parent, provider });
            new aws.sns.Topic(
                "alarms",
                { kmsMasterKeyId: key.arn },
                {
                    parent,
                    provider,
                    protect: true,
                    retainOnDelete: true,
                    dependsOn: [other],
                    deletedWith: key,
                    replaceWith: [other],
                },
            );
            return {};
        }, OPTIONS);
        const byName = (name: string) => {
            const found = run.resources.find((r) => r.name === name);
            assert.ok(found, `${BROKEN}: ${name} not captured; have ${run.resources.map((r) => r.name).join(", ")}`);
            return found;
        };
        const urnOf = (type: string, name: string) => `urn:pulumi:dev::voteapp::voteapp:test:Parent$${type}::${name}`;
        const topic = byName("alarms");
        const expected = {
            urn: urnOf("aws:sns/topic:Topic", "alarms"),
            parent: "urn:pulumi:dev::voteapp::pulumi:pulumi:Stack$voteapp:test:Parent::parent",
            custom: true,
            remote: false,
            protect: true,
            retainOnDelete: true,
            deletedWith: urnOf("aws:kms/key:Key", "key"),
            replaceWith: [urnOf("aws:sns/topic:Topic", "other")],
        };
        assert.deepStrictEqual(
            Object.fromEntries(Object.keys(expected).map((k) => [k, topic[k as keyof typeof topic]])),
            expected,
            BROKEN,
        );
        assert.match(topic.provider ?? "", /pulumi:providers:aws::account::/, `${BROKEN}: provider reference`);
        assert.deepStrictEqual(
            [...topic.dependencies].sort(),
            [urnOf("aws:kms/key:Key", "key"), urnOf("aws:sns/topic:Topic", "other")],
            `${BROKEN}: dependencies`,
        );
        assert.match(String(topic.inputs.kmsMasterKeyId), /^arn:aws:kms:eu-west-1:111111111111:/);
        const unprotected = byName("other");
        assert.deepStrictEqual([unprotected.protect, unprotected.retainOnDelete], [false, false], BROKEN);
    });

    it("a remote component's children go into the engine's table, so references to them resolve (awsx's subnets)", async () => {
        const run = await runMocked(() => {
            const provider = new aws.Provider("account", { region: "eu-west-1" });
            const vpc = new awsx.ec2.Vpc(
                "net",
                { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 2 },
                { providers: { aws: provider } },
            );
            return { subnetIds: vpc.subnets.apply((subnets) => pulumi.all(subnets.map((s) => s.id))) };
        }, OPTIONS);
        const children = run.remoteChildren.filter((c) => c.type === "aws:ec2/subnet:Subnet").map((c) => c.id);
        assert.strictEqual(children.length, 4, `expected 2 private + 2 public subnets, got ${children.join(", ")}`);
        assert.deepStrictEqual(run.outputs.subnetIds, children, `${BROKEN}: subnet references no longer resolve`);
        const vpc = run.resources.find((r) => r.type === "awsx:ec2:Vpc");
        assert.ok(vpc?.remote, `${BROKEN}: the Vpc is not recorded as remote`);
        assert.match(vpc.provider ?? "", /pulumi:providers:aws::account/, `${BROKEN}: a remote's aws provider`);
    });

    it("waits for registrations made late, inside an apply, before returning the run", async () => {
        const run = await runMocked(() => {
            const provider = new aws.Provider("account", { region: "eu-west-1" });
            const topic = new aws.sns.Topic("t", {}, { provider });
            topic.arn.apply(
                (arn) =>
                    new aws.sns.TopicPolicy(
                        "late",
                        { arn, policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
                        { provider },
                    ),
            );
            return {};
        }, OPTIONS);
        assert.ok(
            run.resources.some((r) => r.name === "late"),
            `${BROKEN}: a resource registered inside an apply was not waited for`,
        );
    });

    it("a resource captures its source position through the private static Resource.callsites", async () => {
        const capture = pulumi.Resource as unknown as { callsites: () => unknown[] };
        assert.strictEqual(typeof capture.callsites, "function", `${BROKEN}: Resource.callsites is gone`);
        let calls = 0;
        await runMocked(() => {
            const installed = capture.callsites;
            capture.callsites = () => {
                calls++;
                return installed();
            };
            try {
                new aws.sns.Topic("t", {}, { provider: new aws.Provider("account", { region: "eu-west-1" }) });
            } finally {
                capture.callsites = installed;
            }
            return {};
        }, OPTIONS);
        assert.strictEqual(
            calls,
            2,
            `${BROKEN}: resources no longer capture their position through Resource.callsites`,
        );
    });

    it("every promise the SDK makes goes through runtime/debuggable's exported debuggablePromise, which tags it", async () => {
        assert.strictEqual(
            typeof promiseTracking.debuggablePromise,
            "function",
            `${BROKEN}: debuggablePromise is gone`,
        );
        const wrapped = Promise.resolve(1);
        await promiseTracking.debuggablePromise(wrapped, "test");
        assert.ok(
            Object.getOwnPropertyNames(wrapped).includes("_debugId"),
            `${BROKEN}: debuggablePromise tags no more`,
        );
        const installed = promiseTracking.debuggablePromise;
        const diagnostics = process.env.VOTEAPP_SDK_DIAGNOSTICS;
        let calls = 0;
        process.env.VOTEAPP_SDK_DIAGNOSTICS = "1"; // the harness keeps the SDK's own wrapper: count its calls
        promiseTracking.debuggablePromise = (promise, context) => {
            calls++;
            return installed(promise, context);
        };
        try {
            await runMocked(() => {
                new aws.sns.Topic("t", {}, { provider: new aws.Provider("account", { region: "eu-west-1" }) });
                return {};
            }, OPTIONS);
        } finally {
            promiseTracking.debuggablePromise = installed;
            if (diagnostics === undefined) delete process.env.VOTEAPP_SDK_DIAGNOSTICS;
            else process.env.VOTEAPP_SDK_DIAGNOSTICS = diagnostics;
        }
        assert.ok(calls > 0, `${BROKEN}: the SDK no longer wraps its promises through the module's export`);
    });
});

/** The settings withoutSdkDiagnostics changes, as they are now. */
function stackSettings() {
    return {
        stackTraceLimit: Error.stackTraceLimit,
        prepareStackTrace: Object.getOwnPropertyDescriptor(Error, "prepareStackTrace"),
        callsites: (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites,
        debuggablePromise: promiseTracking.debuggablePromise,
    };
}

describe("turning the SDK's diagnostics off for runs (withoutSdkDiagnostics)", () => {
    let before: ReturnType<typeof stackSettings>;
    beforeEach(() => (before = stackSettings()));
    afterEach(() => {
        Error.stackTraceLimit = before.stackTraceLimit;
        if (before.prepareStackTrace) Object.defineProperty(Error, "prepareStackTrace", before.prepareStackTrace);
        else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    });

    it("keeps them off until the last of overlapping runs is done, then puts back exactly what was set", () => {
        const custom = (error: Error) => `custom ${error.message}`;
        Error.stackTraceLimit = 17;
        Error.prepareStackTrace = custom;
        const first = withoutSdkDiagnostics();
        const second = withoutSdkDiagnostics();
        const off = () => {
            const now = stackSettings();
            assert.strictEqual(now.stackTraceLimit, 0);
            assert.strictEqual(now.prepareStackTrace?.value, undefined);
            assert.deepStrictEqual(now.callsites(), []);
            assert.notStrictEqual(now.debuggablePromise, before.debuggablePromise, "promises are still tracked");
        };
        off();
        first();
        first(); // a second call of one restore function must not end the other run's quiet
        off();
        second();
        assert.strictEqual(Error.stackTraceLimit, 17);
        assert.strictEqual(Error.prepareStackTrace, custom);
        assert.strictEqual(stackSettings().callsites, before.callsites);
        assert.strictEqual(stackSettings().debuggablePromise, before.debuggablePromise);
    });

    it("while off, the SDK's promises settle as before (a value, a rejection) without tags or leak tracking", async () => {
        const restore = withoutSdkDiagnostics();
        try {
            const inner = Promise.resolve("value");
            assert.strictEqual(await promiseTracking.debuggablePromise(inner, "context"), "value");
            assert.deepStrictEqual(Object.getOwnPropertyNames(inner), [], "the promise was tagged");
            const failure = new Error("rejected");
            await assert.rejects(promiseTracking.debuggablePromise(Promise.reject(failure), "context"), failure);
        } finally {
            restore();
        }
        const inner = Promise.resolve(1);
        await promiseTracking.debuggablePromise(inner, "context");
        assert.ok(Object.getOwnPropertyNames(inner).includes("_debugId"), "restored: the SDK's wrapper tags again");
    });

    it("leaves no prepareStackTrace behind where there was none (Node without a source mapper)", () => {
        delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        withoutSdkDiagnostics()();
        assert.strictEqual(Object.getOwnPropertyDescriptor(Error, "prepareStackTrace"), undefined);
    });

    it("an error made while they are off keeps its name and message", () => {
        const restore = withoutSdkDiagnostics();
        let error: Error;
        try {
            error = new TypeError("no such platform: mainframe");
            assert.strictEqual(error.stack, "TypeError: no such platform: mainframe");
        } finally {
            restore();
        }
        assert.strictEqual(String(error), "TypeError: no such platform: mainframe");
    });
});
