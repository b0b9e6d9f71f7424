import * as assert from "assert";
import { SLOT_LABEL } from "../../../components/eks/workloadSpec";
import type { CapturedResource } from "../../../shared/capturedResource";
import type { StackRun } from "../../../plan/runStack";
import { input, named, ofType, stackRun } from "../../support/stacks";

/** Blue/green of vote and result on EKS (VoteAppOnKubernetes with blueGreen), on captured inputs. */

const BLUE_GREEN = { "voteapp:platform": "eks", "voteapp:deploymentStrategy": "blueGreen" };
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const HTTP = ["vote", "result"] as const;
const SLOTS = ["blue", "green"] as const;
const REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";

const run = (changes: Record<string, string> = {}) => stackRun("dev", { overrides: { ...BLUE_GREEN, ...changes } });
const selectorOf = (r: StackRun, name: string) =>
    input(named(r, SERVICE, name), "spec", "selector") as Record<string, string>;
const imageOf = (deployment: CapturedResource) =>
    String((input(deployment, "spec", "template", "spec", "containers") as { image: string }[])[0].image);
const podLabelsOf = (deployment: CapturedResource) =>
    input(deployment, "spec", "template", "metadata", "labels") as Record<string, string>;
/** True when a label selector selects pods with these labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("EKS blue/green (deploymentStrategy blueGreen)", function () {
    this.timeout(180_000);

    it("runs vote and result as a blue and a green Deployment each, labelled by slot; the worker stays one Deployment of one pod", async () => {
        const r = await run();
        assert.deepStrictEqual(
            ofType(r, DEPLOYMENT)
                .map((d) => input(d, "metadata", "name"))
                .sort(),
            ["result-blue", "result-green", "vote-blue", "vote-green", "worker"],
        );
        for (const service of HTTP) {
            for (const slot of SLOTS) {
                const deployment = named(r, DEPLOYMENT, `vote-app-${service}-${slot}`);
                const labels = {
                    "app.kubernetes.io/name": service,
                    "app.kubernetes.io/part-of": "voteapp",
                    [SLOT_LABEL]: slot,
                };
                assert.deepStrictEqual(input(deployment, "spec", "selector", "matchLabels"), labels);
                assert.deepStrictEqual(podLabelsOf(deployment), labels);
                assert.deepStrictEqual(
                    input(deployment, "spec", "strategy", "type"),
                    "RollingUpdate",
                    "a slot itself rolls when its image changes",
                );
            }
        }
        const worker = named(r, DEPLOYMENT, "vote-app-worker");
        assert.ok(!(SLOT_LABEL in podLabelsOf(worker)), "the worker has no slots");
        assert.strictEqual(
            input(worker, "spec", "strategy", "type"),
            "Recreate",
            "one worker pod, replaced, never two side by side",
        );
    });

    it("points each Service at the live slot (blue by default) and a -preview Service at the idle one", async () => {
        const r = await run();
        for (const service of HTTP) {
            assert.strictEqual(selectorOf(r, `vote-app-${service}`)[SLOT_LABEL], "blue");
            assert.strictEqual(selectorOf(r, `vote-app-${service}-preview`)[SLOT_LABEL], "green");
            // The selector selects exactly the live slot's pods.
            assert.ok(
                selects(
                    selectorOf(r, `vote-app-${service}`),
                    podLabelsOf(named(r, DEPLOYMENT, `vote-app-${service}-blue`)),
                ),
            );
            assert.ok(
                !selects(
                    selectorOf(r, `vote-app-${service}`),
                    podLabelsOf(named(r, DEPLOYMENT, `vote-app-${service}-green`)),
                ),
            );
        }
    });

    it("promotes by flipping eksLiveSlot (and rolls back by flipping it again): only the selectors change, the slots keep their images", async () => {
        const before = await run({ "voteapp:eksGreenImageTag": "2.0.0" });
        const after = await run({ "voteapp:eksGreenImageTag": "2.0.0", "voteapp:eksLiveSlot": "green" });
        for (const service of HTTP) {
            assert.deepStrictEqual(
                [
                    selectorOf(before, `vote-app-${service}`)[SLOT_LABEL],
                    selectorOf(after, `vote-app-${service}`)[SLOT_LABEL],
                ],
                ["blue", "green"],
            );
            assert.deepStrictEqual(
                [
                    selectorOf(before, `vote-app-${service}-preview`)[SLOT_LABEL],
                    selectorOf(after, `vote-app-${service}-preview`)[SLOT_LABEL],
                ],
                ["green", "blue"],
            );
            for (const slot of SLOTS) {
                const name = `vote-app-${service}-${slot}`;
                assert.deepStrictEqual(
                    named(after, DEPLOYMENT, name).inputs,
                    named(before, DEPLOYMENT, name).inputs,
                    `${name} changed on a flip`,
                );
            }
        }
    });

    it("gives each slot its own image: the slot tag from the stack's registry, else imageTag", async () => {
        const r = await run({ "voteapp:imageTag": "1.4.0", "voteapp:eksGreenImageTag": "2.0.0" });
        for (const service of HTTP) {
            assert.strictEqual(
                imageOf(named(r, DEPLOYMENT, `vote-app-${service}-blue`)),
                `${REGISTRY}/voteapp-dev/${service}:1.4.0`,
            );
            assert.strictEqual(
                imageOf(named(r, DEPLOYMENT, `vote-app-${service}-green`)),
                `${REGISTRY}/voteapp-dev/${service}:2.0.0`,
            );
        }
        assert.strictEqual(imageOf(named(r, DEPLOYMENT, "vote-app-worker")), `${REGISTRY}/voteapp-dev/worker:1.4.0`);
    });

    it("a slot without its own tag runs what a rolling stack would, a voteImage pin included (never silently ignored)", async () => {
        const pinned = `${REGISTRY}/voteapp-dev/vote@sha256:${"b".repeat(64)}`;
        const r = await run({ "voteapp:voteImage": pinned });
        for (const slot of SLOTS) assert.strictEqual(imageOf(named(r, DEPLOYMENT, `vote-app-vote-${slot}`)), pinned);
    });

    it("keeps a PDB and an HPA per slot, each selecting or scaling only its slot", async () => {
        const r = await run();
        for (const service of HTTP) {
            for (const slot of SLOTS) {
                const pdb = named(r, "kubernetes:policy/v1:PodDisruptionBudget", `vote-app-${service}-${slot}`);
                assert.deepStrictEqual(
                    input(pdb, "spec", "selector", "matchLabels"),
                    input(named(r, DEPLOYMENT, `vote-app-${service}-${slot}`), "spec", "selector", "matchLabels"),
                );
                const hpa = named(
                    r,
                    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                    `vote-app-${service}-${slot}`,
                );
                assert.strictEqual(input(hpa, "spec", "scaleTargetRef", "name"), `${service}-${slot}`);
            }
        }
    });

    it("NetworkPolicies select by app label, so both slots get the same ingress and egress rules", async () => {
        const r = await run();
        const policies = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        for (const service of HTTP) {
            for (const name of [`ingress-to-${service}`, `${service}-to-data`]) {
                const policy = policies.find((p) => input(p, "metadata", "name") === name);
                assert.ok(policy, name);
                const selector = input(policy, "spec", "podSelector", "matchLabels") as Record<string, string>;
                assert.ok(!(SLOT_LABEL in selector), `${name} selects a slot`);
                for (const slot of SLOTS)
                    assert.ok(
                        selects(selector, podLabelsOf(named(r, DEPLOYMENT, `vote-app-${service}-${slot}`))),
                        `${name} misses ${service}-${slot}`,
                    );
            }
        }
    });

    it("the Ingress still targets the Services (vote, result), which follow the live slot", async () => {
        const r = await run();
        const ingress = ofType(r, "kubernetes:networking.k8s.io/v1:Ingress")[0];
        const backends = JSON.stringify(input(ingress, "spec", "rules"));
        assert.ok(backends.includes('"name":"vote"') && backends.includes('"name":"result"'), backends);
        assert.ok(
            !backends.includes("preview") && !backends.includes("-blue") && !backends.includes("-green"),
            backends,
        );
    });

    it("rolling (dev's default) keeps one Deployment per service with the original names", async () => {
        const r = await stackRun("dev", { overrides: { "voteapp:platform": "eks" } });
        assert.deepStrictEqual(
            ofType(r, DEPLOYMENT)
                .map((d) => d.name)
                .sort(),
            ["vote-app-result", "vote-app-vote", "vote-app-worker"],
        );
        assert.ok(!ofType(r, SERVICE).some((s) => s.name.endsWith("-preview")));
    });
});
