import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runMocked } from "../../plan/harness";

const OPTIONS = {
    project: "voteapp",
    stack: "dev",
    config: {},
    context: { region: "eu-west-1", accountId: "111111111111" },
} as const;

/** The harness itself: what it captures, and that a broken program never passes for a working one. */
describe("mock harness", function () {
    this.timeout(60_000);

    it("captures type, name, inputs, parent and provider of every resource, and the program's outputs", async () => {
        const run = await runMocked(() => {
            const provider = new aws.Provider("account", { region: "eu-west-1", allowedAccountIds: ["111111111111"] });
            const parent = new pulumi.ComponentResource("voteapp:test:Parent", "parent");
            const topic = new aws.sns.Topic("alarms", { kmsMasterKeyId: "alias/x" }, { parent, provider });
            return { topicArn: topic.arn };
        }, OPTIONS);
        const topic = run.resources.find((r) => r.type === "aws:sns/topic:Topic");
        assert.ok(topic, run.resources.map((r) => r.type).join(", "));
        assert.strictEqual(topic.name, "alarms");
        assert.strictEqual(topic.inputs.kmsMasterKeyId, "alias/x");
        assert.ok(topic.parent?.endsWith("voteapp:test:Parent::parent"), topic.parent);
        assert.ok(topic.provider?.includes("pulumi:providers:aws::account"), topic.provider);
        assert.match(String(run.outputs.topicArn), /^arn:aws:sns:eu-west-1:111111111111:/);
    });

    it("fails the run when an input throws inside an apply (e.g. an IAM document refused by our validation)", async () => {
        await assert.rejects(
            runMocked(() => {
                const provider = new aws.Provider("account", { region: "eu-west-1" });
                const role = new aws.iam.Role("r", { assumeRolePolicy: "{}" }, { provider });
                new aws.iam.RolePolicy(
                    "rp",
                    {
                        role: role.name,
                        policy: role.arn.apply((arn): string => {
                            throw new Error(`refused policy for ${arn}`);
                        }),
                    },
                    { provider },
                );
                return {};
            }, OPTIONS),
            /refused policy for arn:aws:iam::111111111111:role\/r/,
        );
    });

    describe("with the SDK's diagnostics off during a run (plan/sdkInternals.ts withoutSdkDiagnostics)", () => {
        const stackSettings = () => ({
            stackTraceLimit: Error.stackTraceLimit,
            prepareStackTrace: Error.prepareStackTrace,
            callsites: (pulumi.Resource as unknown as { callsites: unknown }).callsites,
        });
        const failing = (message: string) => () => {
            new aws.sns.Topic(
                "before-the-error",
                {},
                { provider: new aws.Provider("account", { region: "eu-west-1" }) },
            );
            throw new RangeError(message);
        };
        const working = () => ({ topicArn: new aws.sns.Topic("t", {}).arn });

        it("an error the program throws reaches the caller with its message, and the settings are back", async () => {
            const before = stackSettings();
            let limitDuringRun: number | undefined;
            await assert.rejects(
                runMocked(() => {
                    limitDuringRun = Error.stackTraceLimit;
                    return failing("voteapp:platform must be one of ecs, eks, lambda")();
                }, OPTIONS),
                (error: Error) => {
                    assert.strictEqual(error.message, "voteapp:platform must be one of ecs, eks, lambda");
                    assert.match(String(error.stack), /^RangeError: voteapp:platform must be one of ecs, eks, lambda/);
                    return true;
                },
            );
            assert.strictEqual(limitDuringRun, 0, "the run did not turn the SDK's stack capture off");
            assert.deepStrictEqual(stackSettings(), before);
        });

        it("runs started together, one failing, each get their own outcome and leave the settings as they were", async () => {
            const before = stackSettings();
            const [first, failed, last] = await Promise.allSettled([
                runMocked(working, OPTIONS),
                runMocked(failing("refused in the middle"), OPTIONS),
                runMocked(working, OPTIONS),
            ]);
            assert.strictEqual(failed.status, "rejected");
            assert.match(String(failed.reason), /refused in the middle/);
            for (const run of [first, last]) {
                assert.strictEqual(run.status, "fulfilled", run.status === "rejected" ? String(run.reason) : "");
                assert.match(String(run.value.outputs.topicArn), /^arn:aws:sns:eu-west-1:111111111111:/);
            }
            assert.deepStrictEqual(stackSettings(), before);
        });

        it("VOTEAPP_SDK_DIAGNOSTICS=1 keeps them, for debugging an error thrown in the program", async () => {
            const before = stackSettings();
            process.env.VOTEAPP_SDK_DIAGNOSTICS = "1";
            try {
                await assert.rejects(runMocked(failing("with frames"), OPTIONS), (error: Error) => {
                    assert.match(String(error.stack), /^RangeError: with frames\n\s+at /);
                    return true;
                });
            } finally {
                delete process.env.VOTEAPP_SDK_DIAGNOSTICS;
            }
            assert.deepStrictEqual(stackSettings(), before);
        });
    });
});
