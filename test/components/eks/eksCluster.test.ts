import * as assert from "assert";
import { EKS_ADDON_VERSIONS, EKS_ADDONS, SUPPORTED_KUBERNETES_VERSIONS } from "../../../components/eks/addonVersions";
import {
    CLOUDWATCH_AGENT_IDENTITY,
    CONTAINER_INSIGHTS_LOG_GROUPS,
    EKS_CONTROL_PLANE_LOG_TYPES,
} from "../../../components/eks/eksCluster";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import type { MockedRun } from "../../../plan/harness";
import { MOUNT_ACCOUNT } from "../../support/mount";
import {
    mountEksCluster,
    TEST_DEPLOY_ROLE_ARN,
    TEST_EKS_ARGS,
    TEST_KMS_KEY_ARN,
    TEST_NETWORK,
} from "../../support/fixtures";
import { descendantsOf, input, named, ofType, single } from "../../support/resources";

/**
 * EksCluster mounted with the args each test chooses (test/support/fixtures.ts); that each stack's config
 * reaches these args is test/stacks/eksComposition.test.ts.
 */
const CLUSTER = "aws:eks/cluster:Cluster";
let defaults: Promise<MockedRun> | undefined;
/** The cluster with the fixture's args: Kubernetes 1.33, private endpoint, no protection, no admin role. */
const plainCluster = () => (defaults ??= mountEksCluster());
const ADMIN_ROLE_ARN = `arn:aws:iam::${MOUNT_ACCOUNT.accountId}:role/platform-admin`;

describe("EksCluster", function () {
    this.timeout(180_000);

    it("pins the Kubernetes version given, standard support only, no self-managed add-ons", async () => {
        const cluster = single(await plainCluster(), CLUSTER);
        assert.strictEqual(input(cluster, "version"), "1.33");
        assert.strictEqual(input(cluster, "name"), TEST_EKS_ARGS.clusterName);
        assert.deepStrictEqual(input(cluster, "upgradePolicy"), { supportType: "STANDARD" });
        assert.strictEqual(input(cluster, "bootstrapSelfManagedAddons"), false);
        const other = single(await mountEksCluster({ kubernetesVersion: "1.31" }), CLUSTER);
        assert.strictEqual(input(other, "version"), "1.31");
    });

    it("authenticates through access entries only, without implicit creator admin", async () => {
        const cluster = single(await plainCluster(), CLUSTER);
        assert.deepStrictEqual(input(cluster, "accessConfig"), {
            authenticationMode: "API",
            bootstrapClusterCreatorAdminPermissions: false,
        });
    });

    it("sends all five control-plane log types to a log group it creates with the retention and KMS key given", async () => {
        const run = await plainCluster();
        const cluster = single(run, CLUSTER);
        assert.deepStrictEqual(input(cluster, "enabledClusterLogTypes"), [...EKS_CONTROL_PLANE_LOG_TYPES]);
        assert.strictEqual(EKS_CONTROL_PLANE_LOG_TYPES.length, 5);
        const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "eks-control-plane");
        assert.strictEqual(input(group, "name"), `/aws/eks/${TEST_EKS_ARGS.clusterName}/cluster`);
        assert.strictEqual(input(group, "retentionInDays"), TEST_EKS_ARGS.logRetentionDays);
        assert.strictEqual(input(group, "kmsKeyId"), TEST_KMS_KEY_ARN);
        assert.ok(
            cluster.dependencies.includes(group.urn),
            "the cluster does not wait for its log group, so EKS could create an unencrypted one first",
        );
    });

    it("envelope-encrypts Kubernetes Secrets with the KMS key given, which the cluster role may use", async () => {
        const run = await plainCluster();
        const cluster = single(run, CLUSTER);
        assert.deepStrictEqual(input(cluster, "encryptionConfig", "resources"), ["secrets"]);
        assert.strictEqual(input(cluster, "encryptionConfig", "provider", "keyArn"), TEST_KMS_KEY_ARN);
        const kmsPolicy = JSON.parse(
            String(input(named(run, "aws:iam/rolePolicy:RolePolicy", "eks-cluster-kms"), "policy")),
        ) as { Statement: { Action: string[]; Resource: string }[] };
        assert.deepStrictEqual(kmsPolicy.Statement[0].Action.sort(), [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:ListGrants",
        ]);
        assert.strictEqual(kmsPolicy.Statement[0].Resource, TEST_KMS_KEY_ARN);
    });

    it("keeps the API endpoint private by default, in the private subnets", async () => {
        const cluster = single(await plainCluster(), CLUSTER);
        assert.strictEqual(input(cluster, "vpcConfig", "endpointPrivateAccess"), true);
        assert.strictEqual(input(cluster, "vpcConfig", "endpointPublicAccess"), false);
        assert.strictEqual(input(cluster, "vpcConfig", "publicAccessCidrs"), undefined);
        assert.deepStrictEqual(input(cluster, "vpcConfig", "subnetIds"), TEST_NETWORK.privateSubnetIds);
    });

    it("opens the public endpoint only to the CIDRs given", async () => {
        const cluster = single(await mountEksCluster({ publicAccessCidrs: ["52.94.76.0/22"] }), CLUSTER);
        assert.strictEqual(input(cluster, "vpcConfig", "endpointPublicAccess"), true);
        assert.deepStrictEqual(input(cluster, "vpcConfig", "publicAccessCidrs"), ["52.94.76.0/22"]);
    });

    it("deletion protection with protection, none without", async () => {
        assert.strictEqual(input(single(await plainCluster(), CLUSTER), "deletionProtection"), false);
        const protectedCluster = await mountEksCluster({ protection: FULL_PROTECTION });
        assert.strictEqual(input(single(protectedCluster, CLUSTER), "deletionProtection"), true);
    });

    it("grants cluster admin to the deploy role and, when given, the admin role, through access entries", async () => {
        const run = await mountEksCluster({ adminRoleArn: ADMIN_ROLE_ARN });
        const entries = ofType(run, "aws:eks/accessEntry:AccessEntry")
            .map((e) => input(e, "principalArn"))
            .sort();
        assert.deepStrictEqual(entries, [ADMIN_ROLE_ARN, TEST_DEPLOY_ROLE_ARN]);
        const associations = ofType(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.strictEqual(associations.length, 2);
        for (const a of associations) {
            assert.strictEqual(
                input(a, "policyArn"),
                "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            );
            assert.deepStrictEqual(input(a, "accessScope"), { type: "cluster" });
        }
        assert.deepStrictEqual(
            ofType(await plainCluster(), "aws:eks/accessEntry:AccessEntry").map((e) => input(e, "principalArn")),
            [TEST_DEPLOY_ROLE_ARN],
            "without adminRoleArn only the deploy role has an entry",
        );
    });

    it("runs nodes from a launch template requiring IMDSv2 with hop limit 1 and an encrypted root volume", async () => {
        const run = await plainCluster();
        const template = single(run, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.deepStrictEqual(input(template, "metadataOptions"), {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        const ebs = input(template, "blockDeviceMappings", 0, "ebs") as Record<string, unknown>;
        assert.strictEqual(ebs.encrypted, "true");
        assert.strictEqual(ebs.volumeType, "gp3");
        const group = single(run, "aws:eks/nodeGroup:NodeGroup");
        assert.strictEqual(input(group, "launchTemplate", "version"), "1");
        assert.strictEqual(input(group, "launchTemplate", "id"), `${template.name}-id`);
    });

    it("sizes the managed node group as given, Graviton AMI, private subnets", async () => {
        const run = await mountEksCluster({
            nodes: { instanceTypes: ["m7g.large", "c7g.large"], minSize: 1, desiredSize: 3, maxSize: 5 },
        });
        const group = single(run, "aws:eks/nodeGroup:NodeGroup");
        assert.deepStrictEqual(input(group, "instanceTypes"), ["m7g.large", "c7g.large"]);
        assert.deepStrictEqual(input(group, "scalingConfig"), { minSize: 1, desiredSize: 3, maxSize: 5 });
        assert.strictEqual(input(group, "amiType"), "AL2023_ARM_64_STANDARD");
        assert.strictEqual(input(group, "version"), "1.33");
        assert.deepStrictEqual(input(group, "subnetIds"), TEST_NETWORK.privateSubnetIds);
    });

    it("gives nodes only the minimal managed policies", async () => {
        const run = await plainCluster();
        const nodeRole = named(run, "aws:iam/role:Role", "eks-node");
        const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
            (a) => input(a, "role") === nodeRole.name,
        );
        const policies = attached.map((a) => String(input(a, "policyArn")).split("/").pop()).sort();
        assert.deepStrictEqual(policies, [
            "AmazonEC2ContainerRegistryPullOnly",
            "AmazonEKSWorkerNodeMinimalPolicy",
            "AmazonEKS_CNI_Policy",
        ]);
    });

    it("installs the five add-ons at the versions pinned for the cluster's Kubernetes version, CNI enforcing NetworkPolicies", async () => {
        for (const version of ["1.33", "1.34"] as const) {
            const run =
                version === "1.33" ? await plainCluster() : await mountEksCluster({ kubernetesVersion: version });
            const addons = ofType(run, "aws:eks/addon:Addon");
            assert.deepStrictEqual(addons.map((a) => input(a, "addonName")).sort(), [...EKS_ADDONS].sort());
            for (const addon of addons) {
                const name = input(addon, "addonName") as keyof (typeof EKS_ADDON_VERSIONS)["1.33"];
                assert.strictEqual(
                    input(addon, "addonVersion"),
                    EKS_ADDON_VERSIONS[version][name],
                    `${name} on ${version}`,
                );
            }
            const cni = addons.find((a) => input(a, "addonName") === "vpc-cni");
            assert.deepStrictEqual(JSON.parse(String(input(cni!, "configurationValues"))), {
                enableNetworkPolicy: "true",
                // Security groups for pods (test/components/eks/podSecurityGroups.test.ts).
                env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
                init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
            });
            const coredns = addons.find((a) => input(a, "addonName") === "coredns")!;
            assert.ok(
                coredns.dependencies.includes(single(run, "aws:eks/nodeGroup:NodeGroup").urn),
                "coredns needs nodes to schedule on",
            );
        }
    });

    it("the add-on table pins every add-on for every supported version, kube-proxy matching its minor", () => {
        for (const version of SUPPORTED_KUBERNETES_VERSIONS) {
            const row = EKS_ADDON_VERSIONS[version];
            for (const addon of EKS_ADDONS)
                assert.match(row[addon], /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, `${addon} for ${version}`);
            assert.ok(
                row["kube-proxy"].startsWith(`v${version}.`),
                `kube-proxy ${row["kube-proxy"]} does not match Kubernetes ${version}`,
            );
        }
    });

    it("creates Container Insights' log groups first, with the retention and KMS key given (Fluent Bit would create them bare)", async () => {
        const run = await mountEksCluster({ logRetentionDays: 365 });
        const addon = single(run, "aws:eks/addon:Addon", "amazon-cloudwatch-observability");
        const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) =>
            String(input(g, "name")).startsWith("/aws/containerinsights/"),
        );
        assert.deepStrictEqual(
            groups.map((g) => String(input(g, "name")).split("/").pop()).sort(),
            [...CONTAINER_INSIGHTS_LOG_GROUPS].sort(),
        );
        for (const group of groups) {
            assert.strictEqual(input(group, "retentionInDays"), 365, String(input(group, "name")));
            assert.strictEqual(input(group, "kmsKeyId"), TEST_KMS_KEY_ARN);
            assert.ok(
                addon.dependencies.includes(group.urn),
                "the add-on may start writing before its log group exists",
            );
        }
    });

    for (const capacity of ["managedNodeGroup"] as const) {
        it(`installs Container Insights (amazon-cloudwatch-observability), pinned, its agent on a Pod Identity role (${capacity})`, async () => {
            for (const version of ["1.31", "1.34"] as const) {
                const run = await mountEksCluster({ capacity, kubernetesVersion: version });
                const addon = single(run, "aws:eks/addon:Addon", "amazon-cloudwatch-observability");
                assert.strictEqual(input(addon, "addonName"), "amazon-cloudwatch-observability");
                assert.strictEqual(
                    input(addon, "addonVersion"),
                    EKS_ADDON_VERSIONS[version]["amazon-cloudwatch-observability"],
                    `on ${version}`,
                );

                const role = named(run, "aws:iam/role:Role", "eks-cloudwatch-agent");
                const associations = input(addon, "podIdentityAssociations") as {
                    serviceAccount: string;
                    roleArn: string;
                }[];
                assert.strictEqual(associations.length, 1);
                assert.strictEqual(associations[0].serviceAccount, "cloudwatch-agent");
                assert.match(associations[0].roleArn, new RegExp(`^arn:aws:iam::${MOUNT_ACCOUNT.accountId}:role/`));
                assert.ok(addon.dependencies.includes(role.urn), "the association does not use the agent's role");
                // No stand-alone association: the add-on owns it (namespace amazon-cloudwatch, where it creates the ServiceAccount).
                assert.ok(
                    !ofType(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation").some(
                        (a) => input(a, "namespace") === CLOUDWATCH_AGENT_IDENTITY.namespace,
                    ),
                );

                const trust = JSON.parse(String(input(role, "assumeRolePolicy"))) as {
                    Statement: {
                        Effect: string;
                        Principal: { Service: string };
                        Action: string[];
                        Condition: Record<string, Record<string, string>>;
                    }[];
                };
                assert.strictEqual(trust.Statement.length, 1);
                assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
                assert.deepStrictEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
                assert.strictEqual(
                    trust.Statement[0].Condition.StringEquals["aws:SourceAccount"],
                    MOUNT_ACCOUNT.accountId,
                );
                assert.match(
                    trust.Statement[0].Condition.ArnEquals["aws:SourceArn"],
                    new RegExp(`^arn:aws:eks:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:cluster/`),
                );

                const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
                    (a) => input(a, "role") === role.name,
                );
                assert.deepStrictEqual(
                    attached.map((a) => input(a, "policyArn")),
                    ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
                );
                assert.ok(
                    ofType(run, "aws:iam/rolePolicy:RolePolicy").every((p) => input(p, "role") !== role.name),
                    "the agent's role has inline permissions beyond the managed policy",
                );
                assert.ok(
                    attached.every((a) => addon.dependencies.includes(a.urn)),
                    "the add-on starts before its role may publish",
                );

                // The node role stays minimal: the agent never uses node credentials.
                const nodeRole = named(run, "aws:iam/role:Role", "eks-node");
                assert.ok(
                    !ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").some(
                        (a) =>
                            input(a, "role") === nodeRole.name &&
                            String(input(a, "policyArn")).endsWith("/CloudWatchAgentServerPolicy"),
                    ),
                );
                if (capacity === "managedNodeGroup") {
                    assert.ok(
                        addon.dependencies.includes(single(run, "aws:eks/nodeGroup:NodeGroup").urn),
                        "the agent's DaemonSets need nodes",
                    );
                    assert.ok(
                        addon.dependencies.includes(single(run, "aws:eks/addon:Addon", "eks-pod-identity-agent").urn),
                        "the agent needs the Pod Identity agent for credentials",
                    );
                }
            }
        });
    }

    it("builds one Kubernetes provider from the cluster's outputs, authenticating as the caller (the deploy job's deploy role) through aws eks get-token, naming no role", async () => {
        const run = await plainCluster();
        const provider = single(run, "pulumi:providers:kubernetes");
        const kubeconfig = JSON.parse(String(input(provider, "kubeconfig"))) as {
            clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
            users: { user: { exec: { command: string; args: string[] } } }[];
        };
        assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/.+\.eks\.amazonaws\.com$/);
        assert.ok(kubeconfig.clusters[0].cluster["certificate-authority-data"].length > 0);
        assert.strictEqual(kubeconfig.users[0].user.exec.command, "aws");
        assert.deepStrictEqual(kubeconfig.users[0].user.exec.args, [
            "eks",
            "get-token",
            "--cluster-name",
            TEST_EKS_ARGS.clusterName,
            "--region",
            MOUNT_ACCOUNT.region,
            "--output",
            "json",
        ]);
        // It waits for admin access and for capacity, so Kubernetes objects are not applied to a cluster that cannot run them.
        for (const type of ["aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "aws:eks/nodeGroup:NodeGroup"]) {
            assert.ok(
                provider.dependencies.includes(single(run, type).urn),
                `the Kubernetes provider does not wait for ${type}`,
            );
        }
    });

    it("installs metrics-server from a pinned chart, so the HPAs have CPU metrics, replicated on a node group of two or more", async () => {
        const nodes = { ...TEST_EKS_ARGS.nodes, minSize: 2, desiredSize: 2 };
        const release = named(await mountEksCluster({ nodes }), "kubernetes:helm.sh/v3:Release", "eks-metrics-server");
        assert.deepStrictEqual(
            [input(release, "chart"), input(release, "version"), input(release, "namespace")],
            ["metrics-server", "3.12.2", "kube-system"],
        );
        assert.strictEqual(input(release, "values", "replicas"), 2);
    });

    it("every AWS resource of the cluster goes through the AWS provider it is given", async () => {
        const run = await plainCluster();
        const component = single(run, "voteapp:eks:EksCluster");
        for (const r of descendantsOf(run, component).filter((r) => r.custom && r.type.startsWith("aws:"))) {
            assert.match(
                String(r.provider),
                /pulumi:providers:aws::mount::/,
                `${r.type} ${r.name} uses ${String(r.provider)}`,
            );
        }
    });
});
