import * as assert from "assert";
import { SECURITY_GROUP_POLICY } from "../../components/eks/voteAppOnKubernetes";
import type { StackRun } from "../../plan/stackRun";
import { recordOf } from "../../shared/record";
import { assertProblem, parseWith } from "../support/config";
import {
    assertOneDeploymentPerService,
    assertLiveSlot,
    assertSlotsUnchanged,
    DEPLOYMENT,
    imageOf,
    HTTP_SERVICES,
    slotImages,
    slotName,
    SLOTS,
} from "../support/eksSlots";
import { assertRejectsWith, input, named, ofType, single, stackRun } from "../support/stacks";

/**
 * What each shipped stack's config makes of the app on eks (VoteAppOnKubernetes, its pod groups and the data
 * layer admitting them): sizes, rollout and blue/green keys, certificate and domain, protection per tier, the
 * node types the pods need, Auto Mode refused. What the components do with their args is test/components/eks, on
 * the components mounted alone.
 */
const EKS = { "voteapp:platform": "eks" };
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SGP = `kubernetes:${SECURITY_GROUP_POLICY.apiVersion}:${SECURITY_GROUP_POLICY.kind}`;
const REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
const eks = (stack: string, overrides: Record<string, string> = {}) =>
    stackRun(stack, { overrides: { ...EKS, ...overrides } });
const annotationsOf = (run: StackRun) =>
    input(single(run, "kubernetes:networking.k8s.io/v1:Ingress"), "metadata", "annotations") as Record<string, string>;

describe("stacks on eks: config reaches the app's components, and they are joined", function () {
    this.timeout(180_000);

    describe("blue/green (deploymentStrategy blueGreen)", () => {
        const blueGreen = (changes: Record<string, string> = {}) =>
            eks("dev", { "voteapp:deploymentStrategy": "blueGreen", ...changes });
        /** The blue slot on imageTag, the green on its own tag. */
        const SLOT_TAGS = { "voteapp:imageTag": "1.4.0", "voteapp:eksGreenImageTag": "2.0.0" };

        it("eksLiveSlot chooses the slot the Services select (blue by default); flipping it changes no Deployment", async () => {
            // Both on the slot-tags test's config (one run for both tests), the flip the only difference.
            const before = await blueGreen(SLOT_TAGS);
            const after = await blueGreen({ ...SLOT_TAGS, "voteapp:eksLiveSlot": "green" });
            assertLiveSlot(before, "blue");
            assertLiveSlot(after, "green");
            assertSlotsUnchanged(before, after);
        });

        it("each slot runs its own tag from the stack's registry, else imageTag; the worker imageTag", async () => {
            const r = await blueGreen(SLOT_TAGS);
            assert.deepStrictEqual(
                slotImages(r),
                recordOf(HTTP_SERVICES, (service) => ({
                    blue: `${REGISTRY}/voteapp-dev/${service}:1.4.0`,
                    green: `${REGISTRY}/voteapp-dev/${service}:2.0.0`,
                })),
            );
            assert.strictEqual(
                imageOf(named(r, DEPLOYMENT, "vote-app-worker")),
                `${REGISTRY}/voteapp-dev/worker:1.4.0`,
            );
        });

        it("a slot without its own tag runs what a rolling stack would, a voteImage pin included (never silently ignored)", async () => {
            const pinned = `${REGISTRY}/voteapp-dev/vote@sha256:${"b".repeat(64)}`;
            const r = await blueGreen({ "voteapp:voteImage": pinned });
            for (const slot of SLOTS) assert.strictEqual(imageOf(named(r, DEPLOYMENT, slotName("vote", slot))), pinned);
        });

        it("rolling (dev's default) keeps one Deployment per service with the original names", async () => {
            assertOneDeploymentPerService(await eks("dev"));
        });
    });

    describe("pod security groups", () => {
        for (const stack of ["dev", "prod"]) {
            it(`${stack}: the data layer admits exactly the app's pod groups (and the setup function), never the cluster group`, async () => {
                const run = await eks(stack);
                const groups = Object.fromEntries(
                    ofType(run, SGP).map((p) => [
                        String(input(p, "metadata", "name")),
                        String(input(p, "spec", "securityGroups", "groupIds", 0)),
                    ]),
                );
                assert.deepStrictEqual(Object.keys(groups).sort(), ["result", "vote", "worker"]);
                const admitted = (store: string) =>
                    ofType(run, INGRESS)
                        .filter((r) => r.name.startsWith(`data-${store}-client`))
                        .map((r) => String(r.inputs.referencedSecurityGroupId))
                        .sort();
                assert.deepStrictEqual(admitted("redis"), [groups.vote, groups.worker].sort());
                const setup = String(
                    input(single(run, "aws:lambda/function:Function", "db-setup"), "vpcConfig", "securityGroupIds", 0),
                );
                assert.deepStrictEqual(admitted("postgres"), [groups.result, groups.worker, setup].sort());
                for (const store of ["redis", "postgres"])
                    assert.ok(!admitted(store).some((id) => id.startsWith("sg-cluster")), `${store} admits every pod`);
                // The pod groups' store rules open the stack's VPC CIDR.
                assert.ok(
                    ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                        .filter((r) => r.name.startsWith("eks-pod-security-groups-vote-"))
                        .some(
                            (r) =>
                                r.inputs.fromPort === 6379 &&
                                r.inputs.cidrIpv4 === single(run, "awsx:ec2:Vpc").inputs.cidrBlock,
                        ),
                );
            });
        }

        it("refuses node types that cannot trunk, types the controller does not know, and too few branch interfaces for the app's minimum pods", () => {
            const platform = { platform: "eks" };
            assertProblem(
                "dev",
                { ...platform, eksNodeInstanceTypes: "t4g.medium" },
                "eksNodeInstanceTypes",
                "cannot trunk",
            );
            assertProblem(
                "dev",
                { ...platform, eksNodeInstanceTypes: "c7g.large,c9g.2xlarge" },
                "eksNodeInstanceTypes",
                "limits.go",
            );
            // prod blue/green: 2 slots × (3 vote + 3 result) + 1 worker = 13 pods; 2 m7g.medium nodes hold 8.
            assertProblem(
                "prod",
                {
                    ...platform,
                    eksNodeInstanceTypes: "m7g.medium",
                    eksNodeMinSize: "2",
                    eksNodeDesiredSize: "2",
                    eksNodeMaxSize: "2",
                },
                "eksNodeMaxSize",
                "at least 13",
            );
            assert.deepStrictEqual(parseWith("dev", platform).eks.nodes.instanceTypes, ["c7g.large"]);
            // ecs never uses the nodes.
            parseWith("dev", { eksNodeInstanceTypes: "t4g.medium" });
        });

        it("refuses Auto Mode before any resource exists: without security groups for pods every pod would reach Redis and PostgreSQL", async () => {
            await assertRejectsWith(
                eks("dev", { "voteapp:eksCapacity": "autoMode" }),
                `voteapp:eksCapacity = "autoMode"`,
                "Redis and PostgreSQL",
                "Kubernetes 1.36",
                "https://docs.aws.amazon.com/eks/latest/userguide/auto-sgp.html",
                "allowed: managedNodeGroup",
            );
        });
    });

    describe("the app", () => {
        it("prod's sizes reach the pods (512 CPU units → 500m, 1024 MiB; HPAs 3 to 12)", async () => {
            const run = await eks("prod", { "voteapp:deploymentStrategy": "rolling" });
            const [vote] = input(named(run, DEPLOYMENT, "vote-app-vote"), "spec", "template", "spec", "containers") as {
                resources: unknown;
            }[];
            assert.deepStrictEqual(vote.resources, {
                requests: { cpu: "500m", memory: "1024Mi" },
                limits: { cpu: "1000m", memory: "1024Mi" },
            });
            for (const service of HTTP_SERVICES) {
                const hpa = named(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `vote-app-${service}`);
                assert.deepStrictEqual([input(hpa, "spec", "minReplicas"), input(hpa, "spec", "maxReplicas")], [3, 12]);
            }
        });

        it("eksMaxSurge and eksMaxUnavailable reach the rolling Deployments", async () => {
            const run = await eks("dev", { "voteapp:eksMaxSurge": "1", "voteapp:eksMaxUnavailable": "50%" });
            for (const service of HTTP_SERVICES)
                assert.deepStrictEqual(input(named(run, DEPLOYMENT, `vote-app-${service}`), "spec", "strategy"), {
                    type: "RollingUpdate",
                    rollingUpdate: { maxSurge: 1, maxUnavailable: "50%" },
                });
        });

        it("prod: HTTPS on the configured certificate and domain, deletion protection, the url output; dev: HTTP only", async () => {
            const prod = await eks("prod");
            const annotations = annotationsOf(prod);
            assert.strictEqual(
                annotations["alb.ingress.kubernetes.io/certificate-arn"],
                "arn:aws:acm:eu-west-1:333333333333:certificate/00000000-0000-4000-8000-000000000003",
            );
            assert.ok(
                annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].includes(
                    "deletion_protection.enabled=true",
                ),
            );
            assert.strictEqual(
                input(single(prod, "kubernetes:networking.k8s.io/v1:Ingress"), "spec", "rules", 0, "host"),
                "vote.example.com",
            );
            assert.strictEqual(prod.outputs.url, "https://vote.example.com");
            const dev = annotationsOf(await eks("dev"));
            assert.strictEqual(dev["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP":80}]');
            assert.ok(dev["alb.ingress.kubernetes.io/subnets"].split(",").every((s) => s.includes("pub")));
        });

        it("staging and prod keep ALB access logs; dev none", async () => {
            for (const [stack, logged] of [
                ["prod", true],
                ["staging", true],
                ["dev", false],
            ] as const) {
                const run = await eks(stack);
                assert.strictEqual(
                    ofType(run, "aws:s3/bucket:Bucket").filter((b) => b.name.includes("alb-access-logs")).length,
                    logged ? 1 : 0,
                    stack,
                );
                assert.strictEqual(
                    annotationsOf(run)["alb.ingress.kubernetes.io/load-balancer-attributes"].includes(
                        "access_logs.s3.enabled=true",
                    ),
                    logged,
                    stack,
                );
            }
        });

        it("the load balancer controller runs two replicas in staging and prod (staging rehearses prod), one in dev, for the stack's cluster", async () => {
            for (const [stack, replicas] of [
                ["prod", 2],
                ["staging", 2],
                ["dev", 1],
            ] as const) {
                const release = named(await eks(stack), "kubernetes:helm.sh/v3:Release", "vote-app-lb-controller");
                assert.strictEqual(input(release, "values", "replicaCount"), replicas, stack);
                assert.strictEqual(input(release, "values", "clusterName"), `voteapp-${stack}`, stack);
            }
        });

        it("prod: the pod roles trust EKS Pod Identity of the stack's account and cluster; associations name the stack's cluster", async () => {
            const run = await eks("prod");
            for (const service of ["vote", "worker", "result", "lb-controller"]) {
                const trust = JSON.parse(
                    String(input(named(run, "aws:iam/role:Role", `vote-app-${service}`), "assumeRolePolicy")),
                ) as { Statement: { Condition: Record<string, Record<string, string>> }[] };
                assert.strictEqual(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], "333333333333");
                assert.match(
                    trust.Statement[0].Condition.ArnEquals["aws:SourceArn"],
                    /^arn:aws:eks:eu-west-1:333333333333:cluster\//,
                );
            }
            for (const association of ofType(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation"))
                assert.strictEqual(input(association, "clusterName"), "voteapp-prod", association.name);
        });
    });
});
