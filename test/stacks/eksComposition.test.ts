import * as assert from "assert";
import { descendantsOf, input, named, ofType, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of EksCluster on platform eks. What the component does with its args
 * is test/components/eks/eksCluster.test.ts, on the component mounted alone.
 */
const EKS = { "voteapp:platform": "eks" };
const CLUSTER = "aws:eks/cluster:Cluster";

describe("stacks on eks: config reaches EksCluster", function () {
    this.timeout(180_000);

    it("dev: its name, version default, log retention, the stack's KMS key, the network's private subnets, the deploy and preview roles, its account's provider, no protection", async () => {
        const run = await stackRun("dev", { overrides: EKS });
        const cluster = single(run, CLUSTER);
        assert.deepStrictEqual(
            [input(cluster, "name"), input(cluster, "version"), input(cluster, "deletionProtection")],
            ["voteapp-dev", "1.33", false],
        );
        assert.strictEqual(
            input(named(run, "aws:cloudwatch/logGroup:LogGroup", "eks-control-plane"), "retentionInDays"),
            14,
        );
        assert.ok(single(run, "aws:kms/key:Key", "data-key"), "the stack's key");
        assert.match(
            String(input(cluster, "encryptionConfig", "provider", "keyArn")),
            /^arn:aws:kms:eu-west-1:111111111111:key\//,
        );
        const subnets = input(cluster, "vpcConfig", "subnetIds") as string[];
        assert.ok(subnets.length === 2 && subnets.every((s) => s.includes("priv")), `subnets: ${subnets.join(", ")}`);
        assert.strictEqual(input(cluster, "vpcConfig", "endpointPublicAccess"), false);
        assert.deepStrictEqual(
            ofType(run, "aws:eks/accessEntry:AccessEntry")
                .map((e) => input(e, "principalArn"))
                .sort(),
            ["arn:aws:iam::111111111111:role/voteapp-deploy", "arn:aws:iam::111111111111:role/voteapp-preview"],
            "the deploy role's entry, and the read-only preview role's (test/workflows/eksPreviewAccess.test.ts)",
        );
        for (const r of descendantsOf(run, single(run, "voteapp:eks:EksCluster")).filter(
            (r) => r.custom && r.type.startsWith("aws:"),
        ))
            assert.match(String(r.provider), /pulumi:providers:aws::dev-account/, `${r.type} ${r.name}`);
    });

    it("the eks keys reach the cluster: version, public access CIDRs, admin role, node group sizes", async () => {
        const run = await stackRun("dev", {
            overrides: {
                ...EKS,
                "voteapp:eksKubernetesVersion": "1.31",
                "voteapp:eksPublicAccessCidrs": "52.94.76.0/22",
                "voteapp:eksAdminRoleArn": "arn:aws:iam::111111111111:role/platform-admin",
                "voteapp:eksNodeInstanceTypes": "m7g.large,c7g.large",
                "voteapp:eksNodeMinSize": "1",
                "voteapp:eksNodeDesiredSize": "3",
                "voteapp:eksNodeMaxSize": "5",
            },
        });
        const cluster = single(run, CLUSTER);
        assert.strictEqual(input(cluster, "version"), "1.31");
        assert.deepStrictEqual(input(cluster, "vpcConfig", "publicAccessCidrs"), ["52.94.76.0/22"]);
        assert.deepStrictEqual(
            ofType(run, "aws:eks/accessEntry:AccessEntry")
                .map((e) => input(e, "principalArn"))
                .sort(),
            [
                "arn:aws:iam::111111111111:role/platform-admin",
                "arn:aws:iam::111111111111:role/voteapp-deploy",
                "arn:aws:iam::111111111111:role/voteapp-preview",
            ],
        );
        const group = single(run, "aws:eks/nodeGroup:NodeGroup");
        assert.deepStrictEqual(input(group, "instanceTypes"), ["m7g.large", "c7g.large"]);
        assert.deepStrictEqual(input(group, "scalingConfig"), { minSize: 1, desiredSize: 3, maxSize: 5 });
    });

    it("prod: deletion protection, 365-day Container Insights log groups, metrics-server replicated", async () => {
        const run = await stackRun("prod", { overrides: EKS });
        assert.strictEqual(input(single(run, CLUSTER), "deletionProtection"), true);
        const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) =>
            String(input(g, "name")).startsWith("/aws/containerinsights/"),
        );
        assert.ok(groups.length > 0, "no Container Insights log group");
        for (const group of groups)
            assert.strictEqual(input(group, "retentionInDays"), 365, String(input(group, "name")));
        assert.strictEqual(
            input(named(run, "kubernetes:helm.sh/v3:Release", "eks-metrics-server"), "values", "replicas"),
            2,
        );
    });
});
