import * as assert from "assert";
import { ENI_LIMITS } from "../../../components/eks/eniLimits";
import { SECURITY_GROUP_POLICY } from "../../../components/eks/voteAppOnKubernetes";
import { VPC_CNI_CONFIGURATION } from "../../../components/eks/eksCluster";
import { appLabels } from "../../../components/eks/workloadSpec";
import type { CapturedResource } from "../../../shared/capturedResource";
import { assertProblem, parseWith } from "../../support/config";
import { input, named, ofType, single, stackRun } from "../../support/stacks";

/**
 * Only the app's pods reach Redis and PostgreSQL on EKS (managed node groups): each service's pods carry their
 * own security group (security groups for pods), which the data layer admits instead of the cluster security
 * group every pod of every namespace shares. On the captured groups, rules, SecurityGroupPolicies and add-ons.
 */

type Run = Awaited<ReturnType<typeof stackRun>>;
const EKS = { "voteapp:platform": "eks" };
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SGP = `kubernetes:${SECURITY_GROUP_POLICY.apiVersion}:${SECURITY_GROUP_POLICY.kind}`;

/** Each service's pod group id, as its SecurityGroupPolicy names it. */
function podGroups(run: Run): Record<string, string> {
    return Object.fromEntries(
        ofType(run, SGP).map((p) => {
            const ids = input(p, "spec", "securityGroups", "groupIds") as string[];
            assert.strictEqual(ids.length, 1, `${p.name} gives pods ${ids.length} groups`);
            return [String(input(p, "metadata", "name")), ids[0]];
        }),
    );
}

const admitted = (run: Run, store: "redis" | "postgres"): string[] =>
    ofType(run, INGRESS)
        .filter((r) => r.name.startsWith(`data-${store}-client`))
        .map((r) => String(r.inputs.referencedSecurityGroupId))
        .sort();

const rulesOf = (run: Run, type: string, service: string): [number, string, string][] =>
    ofType(run, type)
        .filter((r) => r.name.startsWith(`eks-pod-security-groups-${service}-`))
        .map((r): [number, string, string] => [
            Number(r.inputs.fromPort),
            String(r.inputs.ipProtocol),
            String(r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId).replace(/^sg-cluster.*/, "cluster"),
        ])
        .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));

describe("EKS: only the app's pods reach Redis and PostgreSQL (security groups for pods)", function () {
    this.timeout(180_000);

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the data layer admits exactly the app's pod groups (and the setup function), never the cluster group`, async () => {
            const run = await stackRun(stack, { overrides: EKS });
            const groups = podGroups(run);
            assert.deepStrictEqual(Object.keys(groups).sort(), ["result", "vote", "worker"]);
            assert.deepStrictEqual(admitted(run, "redis"), [groups.vote, groups.worker].sort());
            const setup = String(
                input(single(run, "aws:lambda/function:Function", "db-setup"), "vpcConfig", "securityGroupIds", 0),
            );
            assert.deepStrictEqual(admitted(run, "postgres"), [groups.result, groups.worker, setup].sort());
            for (const store of ["redis", "postgres"] as const)
                assert.ok(!admitted(run, store).some((id) => id.startsWith("sg-cluster")), `${store} admits every pod`);
        });
    }

    it("each service's SecurityGroupPolicy selects exactly its pods (both blue/green slots), and pods start after it", async () => {
        const run = await stackRun("prod", { overrides: EKS });
        for (const policy of ofType(run, SGP)) {
            const service = String(input(policy, "metadata", "name")) as "vote" | "result" | "worker";
            assert.strictEqual(input(policy, "metadata", "namespace"), "voteapp");
            assert.deepStrictEqual(input(policy, "spec", "podSelector"), { matchLabels: appLabels(service) });
            const deployments = ofType(run, "kubernetes:apps/v1:Deployment").filter((d) =>
                new RegExp(`^vote-app-${service}(-blue|-green)?$`).test(d.name),
            );
            assert.ok(deployments.length >= 1);
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

    it("pod groups allow only what each service needs: the app port from the load balancer and the nodes, DNS, its stores, the Pod Identity agent", async () => {
        const run = await stackRun("dev", { overrides: EKS });
        const alb = String(
            named(run, INGRESS, "eks-pod-security-groups-vote-from-alb").inputs.referencedSecurityGroupId,
        );
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
            [6379, "tcp", "10.10.0.0/16"],
        ]);
        assert.deepStrictEqual(rulesOf(run, INGRESS, "worker"), []);
        assert.deepStrictEqual(
            rulesOf(run, EGRESS, "worker"),
            [
                ...dns,
                [80, "tcp", "169.254.170.23/32"],
                [5432, "tcp", "10.10.0.0/16"],
                [6379, "tcp", "10.10.0.0/16"],
            ].sort((a, b) => Number(a[0]) - Number(b[0])),
        );
        assert.deepStrictEqual(
            rulesOf(run, EGRESS, "result"),
            [...dns, [80, "tcp", "169.254.170.23/32"], [5432, "tcp", "10.10.0.0/16"]].sort(
                (a, b) => Number(a[0]) - Number(b[0]),
            ),
        );
        // CoreDNS keeps the cluster group: it admits DNS from each pod group.
        const dnsIn = ofType(run, INGRESS).filter((r) => r.name.startsWith("eks-pod-security-groups-dns-"));
        assert.strictEqual(dnsIn.length, 6);
        for (const rule of dnsIn) assert.match(String(rule.inputs.securityGroupId), /^sg-cluster/);
    });

    it("the load balancer uses our group (80/443 from the internet, the app port to vote and result only); the controller adds no rules", async () => {
        const run = await stackRun("prod", { overrides: EKS });
        const group = named(run, "aws:ec2/securityGroup:SecurityGroup", "eks-pod-security-groups-alb");
        assert.deepStrictEqual(input(group, "tags"), { "voteapp:role": "load-balancer" });
        const ingress = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress")[0];
        const annotations = input(ingress, "metadata", "annotations") as Record<string, string>;
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/manage-backend-security-group-rules"], "false");
        assert.match(annotations["alb.ingress.kubernetes.io/security-groups"], /^sg-/);
        assert.deepStrictEqual(
            ofType(run, INGRESS)
                .filter((r) => r.name.startsWith("eks-pod-security-groups-alb-in"))
                .map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4]),
            [
                [80, "0.0.0.0/0"],
                [443, "0.0.0.0/0"],
            ],
        );
        assert.deepStrictEqual(
            ofType(run, EGRESS)
                .filter((r) => r.name.startsWith("eks-pod-security-groups-alb-to-"))
                .map((r) => r.name)
                .sort(),
            ["eks-pod-security-groups-alb-to-result", "eks-pod-security-groups-alb-to-vote"],
        );
    });

    it("the VPC CNI gives pods their own interfaces (ENABLE_POD_ENI, standard enforcement) and the control plane may attach them", async () => {
        const run = await stackRun("dev", { overrides: EKS });
        const cni = ofType(run, "aws:eks/addon:Addon").find(
            (a) => input(a, "addonName") === "vpc-cni",
        ) as CapturedResource;
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

    describe("node types (the VPC resource controller's table)", () => {
        it("holds the controller's numbers: c7g.large trunks 9 branch interfaces, no t4g type trunks", () => {
            assert.deepStrictEqual(ENI_LIMITS["c7g.large"], [3, 10, 9]);
            assert.deepStrictEqual(ENI_LIMITS["m7g.medium"], [2, 4, 4]);
            for (const [type, limits] of Object.entries(ENI_LIMITS))
                if (type.startsWith("t4g.")) assert.strictEqual(limits[2], 0, type);
        });

        it("refuses types that cannot trunk, types the controller does not know, and too few branch interfaces for the app's minimum pods", () => {
            const eks = { platform: "eks" };
            assertProblem(
                "dev",
                { ...eks, eksNodeInstanceTypes: "t4g.medium" },
                "eksNodeInstanceTypes",
                "cannot trunk",
            );
            assertProblem(
                "dev",
                { ...eks, eksNodeInstanceTypes: "c7g.large,c9g.2xlarge" },
                "eksNodeInstanceTypes",
                "limits.go",
            );
            // prod blue/green: 2 slots × (3 vote + 3 result) + 1 worker = 13 pods; 2 m7g.medium nodes hold 8.
            assertProblem(
                "prod",
                {
                    ...eks,
                    eksNodeInstanceTypes: "m7g.medium",
                    eksNodeMinSize: "2",
                    eksNodeDesiredSize: "2",
                    eksNodeMaxSize: "2",
                },
                "eksNodeMaxSize",
                "at least 13",
            );
            assert.deepStrictEqual(parseWith("dev", eks).eks.nodes.instanceTypes, ["c7g.large"]);
            // ecs never uses the nodes.
            parseWith("dev", { eksNodeInstanceTypes: "t4g.medium" });
        });
    });
});
