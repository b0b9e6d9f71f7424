import * as assert from "assert";
import { EKS_ADDON_VERSIONS, SUPPORTED_KUBERNETES_VERSIONS } from "../../../components/eks/addonVersions";
import { readStackConfig } from "../../../plan/stackFile";
import { DEFAULT_SUPPORTED_EKS_VERSIONS } from "../../../policy/rules/eks";
import { ConfigValidationError, parseVoteAppConfig, type VoteAppConfig } from "../../../stacks/config";

/** Parses a shipped stack file's config on platform eks, with some keys changed (undefined removes the key). */
function parseEks(stack: string, changes: Record<string, string | undefined> = {}): VoteAppConfig {
    const file = readStackConfig(stack);
    const raw: Record<string, string> = { ...file.config, "voteapp:platform": "eks" };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete raw[`voteapp:${key}`];
        else raw[`voteapp:${key}`] = value;
    }
    return parseVoteAppConfig(raw, { project: file.project, stack });
}

/** Asserts the change is refused with a problem line for the key containing every fragment. */
function assertProblem(stack: string, changes: Record<string, string>, key: string, ...fragments: string[]): void {
    assert.throws(
        () => parseEks(stack, changes),
        (err: unknown) => {
            assert.ok(err instanceof ConfigValidationError, `expected ConfigValidationError, got ${String(err)}`);
            const lines = err.message.split("\n").filter((l) => l.includes(`voteapp:${key} =`));
            assert.ok(lines.length > 0, `no problem for voteapp:${key}; got:\n${err.message}`);
            assert.ok(
                lines.some((line) => fragments.every((f) => line.includes(f))),
                `no message for voteapp:${key} contains all of ${fragments.map((f) => `"${f}"`).join(", ")}:\n${lines.join("\n")}`,
            );
            return true;
        },
    );
}

describe("stack config: eks keys", () => {
    it("defaults: Kubernetes 1.33, managed node group of Graviton nodes 2/2/4, private endpoint, no extra admin, surge 25% / unavailable 0", () => {
        const { eks } = parseEks("dev");
        assert.deepStrictEqual(eks, {
            kubernetesVersion: "1.33",
            capacity: "managedNodeGroup",
            nodes: { instanceTypes: ["c7g.large"], minSize: 2, desiredSize: 2, maxSize: 4 },
            publicAccessCidrs: [],
            adminRoleArn: undefined,
            rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
        });
    });

    it("accepts every shipped stack on eks, and reads lists, counts and percentages", () => {
        for (const stack of ["dev", "staging", "prod"]) assert.strictEqual(parseEks(stack).platform, "eks");
        const { eks } = parseEks("prod", {
            eksKubernetesVersion: "1.34",
            eksNodeInstanceTypes: "m7g.large, c7gn.xlarge",
            eksPublicAccessCidrs: "52.94.76.0/22,3.5.140.2/32",
            eksAdminRoleArn: "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AdminAccess",
            eksMaxSurge: "1",
            eksMaxUnavailable: "10%",
        });
        assert.strictEqual(eks.kubernetesVersion, "1.34");
        assert.strictEqual(eks.capacity, "managedNodeGroup");
        assert.deepStrictEqual(eks.nodes.instanceTypes, ["m7g.large", "c7gn.xlarge"]);
        assert.deepStrictEqual(eks.publicAccessCidrs, ["52.94.76.0/22", "3.5.140.2/32"]);
        assert.strictEqual(
            eks.adminRoleArn,
            "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AdminAccess",
        );
        assert.deepStrictEqual(eks.rollingUpdate, { maxSurge: 1, maxUnavailable: "10%" });
    });

    it("refuses a Kubernetes version without pinned add-ons, listing the supported ones", () => {
        assertProblem(
            "dev",
            { eksKubernetesVersion: "1.29" },
            "eksKubernetesVersion",
            '"1.29"',
            "1.31, 1.32, 1.33, 1.34",
        );
        assertProblem("dev", { eksKubernetesVersion: "1.33.2" }, "eksKubernetesVersion", '"1.33.2"', "must be one of");
    });

    it("supported versions are exactly the add-on table's keys and the policy pack's default list", () => {
        assert.deepStrictEqual(SUPPORTED_KUBERNETES_VERSIONS, Object.keys(EKS_ADDON_VERSIONS).sort());
        assert.deepStrictEqual([...SUPPORTED_KUBERNETES_VERSIONS], DEFAULT_SUPPORTED_EKS_VERSIONS);
    });

    it("refuses an unknown capacity mode", () =>
        assertProblem("dev", { eksCapacity: "fargate" }, "eksCapacity", "fargate", "must be managedNodeGroup"));

    it("refuses Auto Mode in every tier, saying why and what is allowed (its pods get no security groups of their own before Kubernetes 1.36)", () => {
        for (const stack of ["dev", "prod"])
            assertProblem(
                stack,
                { eksCapacity: "autoMode" },
                "eksCapacity",
                "autoMode",
                "every pod of every namespace would reach the data stores",
                `supported versions are ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
                "https://docs.aws.amazon.com/eks/latest/userguide/auto-sgp.html",
                "allowed: managedNodeGroup",
            );
    });

    it("refuses non-Graviton, malformed, duplicate or empty instance types", () => {
        assertProblem(
            "dev",
            { eksNodeInstanceTypes: "m5.large" },
            "eksNodeInstanceTypes",
            '"m5.large" is not a Graviton',
            "ARM64",
        );
        assertProblem("dev", { eksNodeInstanceTypes: "t4g" }, "eksNodeInstanceTypes", '"t4g" is not a Graviton');
        assertProblem("dev", { eksNodeInstanceTypes: "t4g.medium,t4g.medium" }, "eksNodeInstanceTypes", "twice");
        assertProblem("dev", { eksNodeInstanceTypes: " , " }, "eksNodeInstanceTypes", "at least one instance type");
    });

    it("refuses node sizes out of order or out of range, and a single node in prod", () => {
        assertProblem(
            "dev",
            { eksNodeMinSize: "3", eksNodeDesiredSize: "2" },
            "eksNodeMinSize",
            "3",
            "must not exceed voteapp:eksNodeDesiredSize (2)",
        );
        assertProblem(
            "dev",
            { eksNodeDesiredSize: "5" },
            "eksNodeDesiredSize",
            "5",
            "must not exceed voteapp:eksNodeMaxSize (4)",
        );
        assertProblem("dev", { eksNodeMaxSize: "101" }, "eksNodeMaxSize", "101", "between 0 and 100");
        assertProblem("prod", { eksNodeMinSize: "1" }, "eksNodeMinSize", "1", "at least 2 in prod");
        assert.strictEqual(parseEks("dev", { eksNodeMinSize: "1" }).eks.nodes.minSize, 1);
    });

    it("refuses an API endpoint open to the internet in prod, and says so outside prod too", () => {
        assertProblem(
            "prod",
            { eksPublicAccessCidrs: "0.0.0.0/0" },
            "eksPublicAccessCidrs",
            '"0.0.0.0/0"',
            "prod refuses",
        );
        assertProblem(
            "dev",
            { eksPublicAccessCidrs: "52.94.76.0/22,0.0.0.0/0" },
            "eksPublicAccessCidrs",
            "whole internet",
        );
    });

    it("refuses malformed, host-bit or private public-access CIDRs", () => {
        assertProblem("dev", { eksPublicAccessCidrs: "52.94.76.0" }, "eksPublicAccessCidrs", "not an IPv4 CIDR");
        assertProblem(
            "dev",
            { eksPublicAccessCidrs: "52.94.76.5/22" },
            "eksPublicAccessCidrs",
            "host bits",
            "52.94.76.0/22",
        );
        assertProblem("dev", { eksPublicAccessCidrs: "10.0.0.0/8" }, "eksPublicAccessCidrs", "private range");
    });

    it("refuses an admin role that is not a role ARN of the stack's account, or is the deploy role", () => {
        assertProblem(
            "dev",
            { eksAdminRoleArn: "arn:aws:iam::111111111111:user/alice" },
            "eksAdminRoleArn",
            "must be an IAM role ARN",
        );
        assertProblem("dev", { eksAdminRoleArn: "admin" }, "eksAdminRoleArn", '"admin"', "must be an IAM role ARN");
        assertProblem(
            "dev",
            { eksAdminRoleArn: "arn:aws:iam::222222222222:role/admin" },
            "eksAdminRoleArn",
            "account 222222222222",
            "111111111111",
        );
        assertProblem(
            "dev",
            { eksAdminRoleArn: "arn:aws:iam::111111111111:role/voteapp-deploy" },
            "eksAdminRoleArn",
            "is the deploy role",
        );
    });

    it("refuses rolling-update values that are not counts or percentages, and a rollout that cannot progress", () => {
        assertProblem("dev", { eksMaxSurge: "lots" }, "eksMaxSurge", '"lots"', "pod count", "percentage");
        assertProblem("dev", { eksMaxUnavailable: "150%" }, "eksMaxUnavailable", '"150%"', "0%–100%");
        assertProblem("dev", { eksMaxSurge: "0", eksMaxUnavailable: "0%" }, "eksMaxUnavailable", "must be above 0");
    });

    it("refuses a typo in an eks key with a did-you-mean", () =>
        assertProblem("dev", { eksCapacityMode: "autoMode" }, "eksCapacityMode", "did you mean voteapp:eksCapacity"));
});
