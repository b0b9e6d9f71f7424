import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { runMocked } from "../../plan/harness";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";
import { planCli } from "../support/plan";

describe("npm run plan on platform eks", function () {
    this.timeout(300_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: shows the cluster, node capacity, add-ons and the app's Kubernetes objects; the kubeconfig stays secret`, async () => {
            const { code, out, err } = await planCli("--stack", stack, "--set", "voteapp:platform=eks");
            assert.strictEqual(code, 0, err);
            for (const fragment of [
                "voteapp:eks:EksCluster  eks",
                "aws:eks/cluster:Cluster",
                "aws:eks/nodeGroup:NodeGroup",
                "aws:eks/addon:Addon  eks-coredns",
                "kubernetes:apps/v1:Deployment  vote-app-worker",
                "kubernetes:networking.k8s.io/v1:Ingress",
                "kubernetes:helm.sh/v3:Release",
                'platform: "eks"',
                "kubeconfig: [secret]",
            ]) {
                assert.ok(out.includes(fragment), `plan output lacks "${fragment}"`);
            }
        });
    }

    it("the harness reports which stack outputs are secret (the program's outputs, not their resolved copies)", async () => {
        const run = await runMocked(
            () => ({
                hidden: pulumi.secret("x"),
                derived: pulumi.secret(pulumi.output("y").apply((v) => `${v}!`)),
                shown: "z",
            }),
            {
                project: "p",
                stack: "s",
                config: {},
                context: { region: "eu-west-1", accountId: "111111111111" },
            },
        );
        assert.deepStrictEqual(run.outputs, { hidden: "x", derived: "y!", shown: "z" });
        assert.deepStrictEqual([...run.secretOutputs].sort(), ["derived", "hidden"]);
        assert.ok(
            (await stackRun("dev", { overrides: { "voteapp:platform": "eks" } })).secretOutputs.includes("kubeconfig"),
        );
    });
});
