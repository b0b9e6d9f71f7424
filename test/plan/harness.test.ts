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
});
