import * as assert from "assert";
import { VPC_CNI_CONFIGURATION } from "../../../components/eks/eksCluster";
import { ENI_LIMITS } from "../../../components/eks/eniLimits";
import { SECURITY_GROUP_POLICY } from "../../../components/eks/voteAppOnKubernetes";
import { appLabels } from "../../../components/eks/workloadSpec";
import type { MockedRun } from "../../../plan/harness";
import {
    mountEksCluster,
    mountKubernetesApp,
    TEST_CERTIFICATE_ARN,
    TEST_CLUSTER,
    TEST_NETWORK,
} from "../../support/fixtures";
import { input, named, ofType, single } from "../../support/resources";

/**
 * Only the app's pods reach Redis and PostgreSQL on EKS (managed node groups): each service's pods carry their
 * own security group (security groups for pods), which the data layer admits instead of the cluster security
 * group every pod of every namespace shares. On EksPodSecurityGroups, Data and VoteAppOnKubernetes mounted
 * together as the eks stack composes them (test/support/fixtures.ts mountKubernetesApp), and EksCluster's
 * add-ons mounted alone; the stacks' own composition and the node-type config checks are
 * test/stacks/eksComposition.test.ts.
 */
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SGP = `kubernetes:${SECURITY_GROUP_POLICY.apiVersion}:${SECURITY_GROUP_POLICY.kind}`;

/** Each service's pod group id, as its SecurityGroupPolicy names it. */
function podGroups(run: MockedRun): Record<string, string> {
    return Object.fromEntries(
        ofType(run, SGP).map((p) => {
            const ids = input(p, "spec", "securityGroups", "groupIds") as string[];
            assert.strictEqual(ids.length, 1, `${p.name} gives pods ${ids.length} groups`);
            return [String(input(p, "metadata", "name")), ids[0]];
        }),
    );
}

const admitted = (run: MockedRun, store: "redis" | "postgres"): string[] =>
    ofType(run, INGRESS)
        .filter((r) => r.name.startsWith(`data-${store}-client`))
        .map((r) => String(r.inputs.referencedSecurityGroupId))
        .sort();

const rulesOf = (run: MockedRun, type: string, service: string): [number, string, string][] =>
    ofType(run, type)
        .filter((r) => r.name.startsWith(`eks-pod-security-groups-${service}-`))
        .map((r): [number, string, string] => [
            Number(r.inputs.fromPort),
            String(r.inputs.ipProtocol),
            String(r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId).replace(
                TEST_CLUSTER.securityGroupId,
                "cluster",
            ),
        ])
        .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
const byPort = (a: [number, string, string], b: [number, string, string]) => a[0] - b[0] || a[1].localeCompare(b[1]);

let defaults: Promise<MockedRun> | undefined;
/** The app over HTTP, rolling, with its pod groups and the data layer admitting them. */
const plainApp = () => (defaults ??= mountKubernetesApp());
const httpsBlueGreen = () =>
    mountKubernetesApp({
        certificateArn: TEST_CERTIFICATE_ARN,
        blueGreen: {
            liveSlot: "blue",
            images: {
                blue: { vote: "registry.test/vote:1", result: "registry.test/result:1" },
                green: { vote: "registry.test/vote:2", result: "registry.test/result:2" },
            },
        },
    });

describe("EKS: only the app's pods reach Redis and PostgreSQL (security groups for pods)", function () {
    this.timeout(180_000);

    it("the data layer admits exactly the app's pod groups (and the setup function), never the cluster group", async () => {
        const run = await plainApp();
        const groups = podGroups(run);
        assert.deepStrictEqual(Object.keys(groups).sort(), ["result", "vote", "worker"]);
        assert.deepStrictEqual(admitted(run, "redis"), [groups.vote, groups.worker].sort());
        const setup = String(
            input(single(run, "aws:lambda/function:Function", "db-setup"), "vpcConfig", "securityGroupIds", 0),
        );
        assert.deepStrictEqual(admitted(run, "postgres"), [groups.result, groups.worker, setup].sort());
        for (const store of ["redis", "postgres"] as const)
            assert.ok(!admitted(run, store).includes(TEST_CLUSTER.securityGroupId), `${store} admits every pod`);
    });

    it("each service's SecurityGroupPolicy selects exactly its pods (both blue/green slots), and pods start after it", async () => {
        const run = await httpsBlueGreen();
        const policies = ofType(run, SGP);
        assert.strictEqual(policies.length, 3);
        for (const policy of policies) {
            const service = String(input(policy, "metadata", "name")) as "vote" | "result" | "worker";
            assert.strictEqual(input(policy, "metadata", "namespace"), "voteapp");
            assert.deepStrictEqual(input(policy, "spec", "podSelector"), { matchLabels: appLabels(service) });
            const deployments = ofType(run, "kubernetes:apps/v1:Deployment").filter((d) =>
                new RegExp(`^vote-app-${service}(-blue|-green)?$`).test(d.name),
            );
            assert.strictEqual(deployments.length, service === "worker" ? 1 : 2, service);
            for (const deployment of deployments) {
                const podLabels = input(deployment, "spec", "template", "metadata", "labels") as Record<string, string>;
                for (const [key, value] of Object.entries(appLabels(service)))
                    assert.strictEqual(podLabels[key], value, `${deployment.name}'s pods escape their policy`);
                assert.ok(
                    deployment.dependencies.includes(policy.urn),
                    `${deployment.name} may start before its policy`,
                );
            }
        }
    });

    it("without pod security groups VoteAppOnKubernetes makes no SecurityGroupPolicy (pods keep the node's groups)", async () => {
        const run = await mountKubernetesApp({}, { withoutPodSecurityGroups: true });
        assert.strictEqual(ofType(run, SGP).length, 0);
    });

    it("pod groups allow only what each service needs: the app port from the load balancer and the nodes, DNS, its stores in the VPC, the Pod Identity agent", async () => {
        const run = await plainApp();
        const alb = String(
            named(run, INGRESS, "eks-pod-security-groups-vote-from-alb").inputs.referencedSecurityGroupId,
        );
        const vpc = TEST_NETWORK.cidr;
        const dns: [number, string, string][] = [
            [53, "tcp", "cluster"],
            [53, "udp", "cluster"],
        ];
        assert.deepStrictEqual(
            new Set(rulesOf(run, INGRESS, "vote").map((r) => r.join(" "))),
            new Set([`8080 tcp ${alb}`, "8080 tcp cluster"]),
        );
        // vote signs Redis IAM tokens with its pod role: credentials from the Pod Identity agent.
        assert.deepStrictEqual(rulesOf(run, EGRESS, "vote"), [
            ...dns,
            [80, "tcp", "169.254.170.23/32"],
            [6379, "tcp", vpc],
        ]);
        assert.deepStrictEqual(rulesOf(run, INGRESS, "worker"), []);
        assert.deepStrictEqual(
            rulesOf(run, EGRESS, "worker"),
            (
                [...dns, [80, "tcp", "169.254.170.23/32"], [5432, "tcp", vpc], [6379, "tcp", vpc]] as [
                    number,
                    string,
                    string,
                ][]
            ).sort(byPort),
        );
        assert.deepStrictEqual(
            rulesOf(run, EGRESS, "result"),
            ([...dns, [80, "tcp", "169.254.170.23/32"], [5432, "tcp", vpc]] as [number, string, string][]).sort(byPort),
        );
        // CoreDNS keeps the cluster group: it admits DNS from each pod group.
        const dnsIn = ofType(run, INGRESS).filter((r) => r.name.startsWith("eks-pod-security-groups-dns-"));
        assert.strictEqual(dnsIn.length, 6);
        for (const rule of dnsIn) assert.strictEqual(rule.inputs.securityGroupId, TEST_CLUSTER.securityGroupId);
    });

    it("the load balancer uses our group (80, and 443 with HTTPS, from the internet; the app port to vote and result only); the controller adds no rules", async () => {
        for (const [run, ports] of [
            [await httpsBlueGreen(), [80, 443]],
            [await plainApp(), [80]],
        ] as const) {
            const group = named(run, "aws:ec2/securityGroup:SecurityGroup", "eks-pod-security-groups-alb");
            assert.deepStrictEqual(input(group, "tags"), { "voteapp:role": "load-balancer" });
            const ingress = single(run, "kubernetes:networking.k8s.io/v1:Ingress");
            const annotations = input(ingress, "metadata", "annotations") as Record<string, string>;
            assert.strictEqual(annotations["alb.ingress.kubernetes.io/manage-backend-security-group-rules"], "false");
            assert.match(annotations["alb.ingress.kubernetes.io/security-groups"], /^sg-/);
            assert.deepStrictEqual(
                ofType(run, INGRESS)
                    .filter((r) => r.name.startsWith("eks-pod-security-groups-alb-in"))
                    .map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4]),
                ports.map((port) => [port, "0.0.0.0/0"]),
            );
            assert.deepStrictEqual(
                ofType(run, EGRESS)
                    .filter((r) => r.name.startsWith("eks-pod-security-groups-alb-to-"))
                    .map((r) => r.name)
                    .sort(),
                ["eks-pod-security-groups-alb-to-result", "eks-pod-security-groups-alb-to-vote"],
            );
        }
    });

    it("EksCluster's VPC CNI gives pods their own interfaces (ENABLE_POD_ENI, standard enforcement) and the control plane may attach them", async () => {
        const run = await mountEksCluster();
        const cni = ofType(run, "aws:eks/addon:Addon").find((a) => input(a, "addonName") === "vpc-cni");
        assert.ok(cni, "no vpc-cni add-on");
        assert.deepStrictEqual(JSON.parse(String(input(cni, "configurationValues"))), VPC_CNI_CONFIGURATION);
        assert.deepStrictEqual(VPC_CNI_CONFIGURATION.env, {
            ENABLE_POD_ENI: "true",
            POD_SECURITY_GROUP_ENFORCING_MODE: "standard",
        });
        assert.ok(
            ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").some(
                (a) => a.inputs.policyArn === "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController",
            ),
            "the cluster role lacks AmazonEKSVPCResourceController",
        );
    });

    it("node types (the VPC resource controller's table): c7g.large trunks 9 branch interfaces, no t4g type trunks", () => {
        assert.deepStrictEqual(ENI_LIMITS["c7g.large"], [3, 10, 9]);
        assert.deepStrictEqual(ENI_LIMITS["m7g.medium"], [2, 4, 4]);
        for (const [type, limits] of Object.entries(ENI_LIMITS))
            if (type.startsWith("t4g.")) assert.strictEqual(limits[2], 0, type);
    });
});
