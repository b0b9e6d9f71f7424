import * as assert from "assert";
import { ENI_LIMITS } from "../../../components/eks/eniLimits";
import { INSTANCE_SIZES } from "../../../components/eks/instanceSizes";
import { clusterSystemPods, PER_NODE_SYSTEM_PODS, type SystemPod } from "../../../components/eks/systemPods";
import { EXAMPLE_INSTANCE_TYPES, instanceTypeArchitecture } from "../../../shared/cpuArchitecture";
import { FULL_PROTECTION, NO_PROTECTION } from "../../../components/vocabulary";
import type { CapturedResource } from "../../../shared/capturedResource";
import {
    allocatableOf,
    appPods,
    capacityInputs,
    eksCapacityFit,
    maxPodsOf,
    systemPods,
} from "../../../stacks/config/eksCapacity";
import { deployWarnings } from "../../../stacks/warnings";
import { assertProblem, parseWith } from "../../support/config";
import { input, ofType, stackRun } from "../../support/stacks";

/**
 * Issue 11.10: on eks nothing adds nodes, so the minimum pods (both blue/green slots) and the system pods must
 * fit the node group's desired nodes, by the EKS AMI's own arithmetic. The shipped prod stack on eks needed
 * 13,404 MiB on nodes that leave 6,538 MiB (after the per-node DaemonSets): refused before any resource, and the stack
 * file now asks for 5 nodes.
 */

const EKS = { platform: "eks" } as const;

/** "500m" → 500, "1" → 1000; "1024Mi" → 1024, "1Gi" → 1024. */
function millicores(quantity: unknown): number {
    const text = String(quantity);
    return text.endsWith("m") ? Number(text.slice(0, -1)) : Number(text) * 1000;
}
function mebibytes(quantity: unknown): number {
    const text = String(quantity);
    if (text.endsWith("Gi")) return Number(text.slice(0, -2)) * 1024;
    assert.ok(text.endsWith("Mi"), `memory quantity ${text}`);
    return Number(text.slice(0, -2));
}

/** Requests × replicas of the app's Deployments as planned (replicas, or the HPA's minimum for scaled ones). */
function plannedAppDemand(resources: readonly CapturedResource[]) {
    const hpaMinimum = new Map(
        resources
            .filter((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
            .map((hpa) => [
                String(input(hpa, "spec", "scaleTargetRef", "name")),
                Number(input(hpa, "spec", "minReplicas")),
            ]),
    );
    return resources
        .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && input(r, "metadata", "namespace") === "voteapp")
        .reduce(
            (sum, deployment) => {
                const name = String(input(deployment, "metadata", "name"));
                const replicas = (input(deployment, "spec", "replicas") as number | undefined) ?? hpaMinimum.get(name);
                assert.ok(replicas !== undefined, `${name}: no replicas and no HPA`);
                const containers = input(deployment, "spec", "template", "spec", "containers") as {
                    resources: { requests: { cpu: string; memory: string } };
                }[];
                for (const c of containers) {
                    sum.cpuMillis += replicas * millicores(c.resources.requests.cpu);
                    sum.memoryMiB += replicas * mebibytes(c.resources.requests.memory);
                }
                sum.pods += replicas;
                return sum;
            },
            { pods: 0, cpuMillis: 0, memoryMiB: 0 },
        );
}

describe("eks capacity: the pods that must run fit the node group (stacks/config/eksCapacity.ts)", () => {
    it("node capacity is the ENI table's max pods and what the EKS AMI's kubelet leaves allocatable", () => {
        // c7g.large: 3 interfaces × (10 − 1) + 2 = 29 pods; 4096 − (11 × 29 + 255) − 100 MiB; 2000 − 60 − 10 m.
        assert.deepStrictEqual(allocatableOf("c7g.large"), {
            type: "c7g.large",
            pods: 29,
            cpuMillis: 1930,
            memoryMiB: 3422,
        });
        // t4g.medium (2 vCPU, 4 GiB): 3 × (6 − 1) + 2 = 17 pods.
        assert.deepStrictEqual(allocatableOf("t4g.medium"), {
            type: "t4g.medium",
            pods: 17,
            cpuMillis: 1930,
            memoryMiB: 3554,
        });
        // m7g.xlarge (4 vCPU, 16 GiB): 4 × (15 − 1) + 2 = 58 pods; 4000 − 60 − 10 − 10 m.
        assert.deepStrictEqual(allocatableOf("m7g.xlarge"), {
            type: "m7g.xlarge",
            pods: 58,
            cpuMillis: 3920,
            memoryMiB: 15391,
        });
        assert.strictEqual(maxPodsOf("c7g.large.nope"), undefined);
    });

    it("sizes every instance type the config accepts for nodes (both architectures), so the check never skips one", () => {
        // The config accepts exactly the ENI table's types (stacks/config/eksPodNetworking.ts); each has a size
        // from the cluster autoscaler's list, whose architecture agrees with the one the config derives from the name.
        assert.deepStrictEqual(Object.keys(INSTANCE_SIZES).sort(), Object.keys(ENI_LIMITS).sort());
        for (const [type, [vcpus, memoryMiB, architecture]] of Object.entries(INSTANCE_SIZES)) {
            assert.ok(vcpus > 0 && memoryMiB > 0, type);
            assert.strictEqual(instanceTypeArchitecture(type), architecture, type);
            assert.ok(allocatableOf(type), `${type}: no allocatable capacity`);
        }
        // Sizes the per-vCPU ratios used to miss: bare metal and storage-optimized Graviton types.
        for (const type of ["c6g.metal", "c8g.metal-24xl", "im4gn.large", "i4g.large", "is4gen.large", "m8gb.large"])
            assert.ok(allocatableOf(type), type);
        for (const architecture of ["arm64", "x86_64"] as const)
            for (const type of EXAMPLE_INSTANCE_TYPES[architecture].split(/, | or /))
                assert.strictEqual(INSTANCE_SIZES[type]?.[2], architecture, type);
        // c7i.large (x86_64, 2 vCPU, 4 GiB): 3 × (10 − 1) + 2 = 29 pods, as c7g.large.
        assert.deepStrictEqual(allocatableOf("c7i.large"), {
            type: "c7i.large",
            pods: 29,
            cpuMillis: 1930,
            memoryMiB: 3422,
        });
        // m5.xlarge (4 vCPU, 16 GiB): 4 × (15 − 1) + 2 = 58 pods.
        assert.strictEqual(maxPodsOf("m5.xlarge"), 58);
    });

    it("prod on eks with 2 c7g.large nodes is refused: both slots' minimum pods and the system pods need 5", () => {
        assertProblem(
            "prod",
            { ...EKS, eksNodeDesiredSize: "2" },
            "eksNodeDesiredSize",
            "2 × c7g.large",
            "3010 m CPU, 6538 MiB",
            "(both blue/green slots)",
            "20 pods, 6750 m CPU, 13404 MiB",
            "at least 5",
        );
        // The shipped prod stack file asks for 5 nodes; staging and dev fit their defaults.
        for (const stack of ["dev", "staging", "prod"]) assert.doesNotThrow(() => parseWith(stack, EKS), stack);
        // Rolling in prod (one slot) fits where blue/green does not.
        assert.doesNotThrow(() =>
            parseWith("prod", { ...EKS, eksNodeDesiredSize: "4", deploymentStrategy: "rolling" }),
        );
    });

    it("a pod larger than one node is refused on its service's size; other platforms are not checked", () => {
        assertProblem(
            "dev",
            { ...EKS, voteCpu: "1024", voteMemory: "8192" },
            "voteMemory",
            "a vote pod request 1000 m CPU and 8192 MiB",
            "1505 m CPU, 3269 MiB",
        );
        assert.doesNotThrow(() => parseWith("prod", { eksNodeDesiredSize: "2" }));
    });

    it("counts what the components create: the planned Deployments' requests × replicas and the system charts' replicas", async () => {
        const config = parseWith("prod", EKS);
        const run = await stackRun("prod", { overrides: { "voteapp:platform": "eks" } });
        const expected = appPods(capacityInputs(config), config.tier, "min").reduce(
            (sum, pod) => ({
                pods: sum.pods + pod.count,
                cpuMillis: sum.cpuMillis + pod.count * pod.requests.cpuMillis,
                memoryMiB: sum.memoryMiB + pod.count * pod.requests.memoryMiB,
            }),
            { pods: 0, cpuMillis: 0, memoryMiB: 0 },
        );
        assert.deepStrictEqual(plannedAppDemand(run.resources), expected);
        assert.deepStrictEqual(expected, { pods: 13, cpuMillis: 6250, memoryMiB: 12800 });

        const releases = ofType(run, "kubernetes:helm.sh/v3:Release");
        const release = (chart: string) => {
            const found = releases.find((r) => input(r, "chart") === chart);
            assert.ok(found, `no ${chart} release`);
            return found;
        };
        const system = Object.fromEntries(
            systemPods(capacityInputs(config), config.tier).map((p) => [p.name, p.count]),
        );
        assert.strictEqual(input(release("metrics-server"), "values", "replicas"), system["metrics-server"]);
        assert.strictEqual(
            input(release("aws-load-balancer-controller"), "values", "replicaCount"),
            system["aws-load-balancer-controller"],
        );
        assert.deepStrictEqual(
            clusterSystemPods({ nodeMinSize: 2, autoMode: false, protection: FULL_PROTECTION }).map((p) => p.replicas),
            [2, 2, 2, 1],
        );
    });

    it("counts a pod for every add-on and chart the stack installs, with the requests the pinned versions give them", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:platform": "eks" } });
        const pods: readonly Omit<SystemPod, "replicas">[] = [
            ...PER_NODE_SYSTEM_PODS,
            ...clusterSystemPods({ nodeMinSize: 1, autoMode: false, protection: NO_PROTECTION }),
        ];
        const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
        assert.deepStrictEqual(
            sorted(pods.flatMap((p) => ("addon" in p.from ? [p.from.addon] : []))),
            sorted(ofType(run, "aws:eks/addon:Addon").map((a) => String(input(a, "addonName")))),
            "every planned add-on's pods are counted, and only those",
        );
        assert.deepStrictEqual(
            sorted(pods.flatMap((p) => ("chart" in p.from ? [p.from.chart] : []))),
            sorted(ofType(run, "kubernetes:helm.sh/v3:Release").map((r) => String(input(r, "chart")))),
            "every planned Helm release's pods are counted, and only those",
        );
        // Per node: aws-node 25m, kube-proxy 100m, the CloudWatch agent 250m/128Mi and Fluent Bit 50m/25Mi.
        const perNode = PER_NODE_SYSTEM_PODS.reduce(
            (sum, pod) => ({
                cpuMillis: sum.cpuMillis + pod.requests.cpuMillis,
                memoryMiB: sum.memoryMiB + pod.requests.memoryMiB,
            }),
            { cpuMillis: 0, memoryMiB: 0 },
        );
        assert.deepStrictEqual(perNode, { cpuMillis: 425, memoryMiB: 153 });
        for (const pod of pods) assert.ok(pod.source.length > 0, pod.name);
    });

    it("warns when the HPAs' maximum pods outgrow the desired nodes (scaling out would stop with pods Pending)", () => {
        const prod = parseWith("prod", EKS);
        const [warning] = deployWarnings(prod).filter((w) => w.key === "voteapp:eksNodeDesiredSize");
        assert.ok(warning, "prod on eks: 49 app pods at the HPAs' maximum (plus 7 system pods) do not fit 5 nodes");
        assert.match(warning.message, /would need \d+ × c7g\.large/);
        const fit = eksCapacityFit(capacityInputs(prod), prod.tier, "max");
        assert.ok(fit && fit.demand.pods === 56 && fit.nodesNeeded > 5, JSON.stringify(fit));
        assert.deepStrictEqual(
            deployWarnings(parseWith("dev", { ...EKS, ciRunnerLabels: "self-hosted", ciRunnerCidrs: "52.94.76.0/28" })),
            [],
        );
    });
});
