import * as assert from "assert";
import { SLOT_LABEL } from "../../../components/eks/workloadSpec";
import type { CapturedResource } from "../../../shared/capturedResource";
import { recordOf } from "../../../shared/record";
import {
    assertOneDeploymentPerService,
    assertLiveSlot,
    assertSlotsUnchanged,
    DEPLOYMENT,
    forEachSlot,
    imageOf,
    selectorOf,
    type Slot,
    HTTP_SERVICES,
    slotImages,
    slotName,
    SLOTS,
} from "../../support/eksSlots";
import { type KubernetesAppArgs, mountKubernetesApp, TEST_KUBERNETES_ARGS } from "../../support/fixtures";
import { input, named, ofType } from "../../support/resources";

/**
 * Blue/green of vote and result on EKS: VoteAppOnKubernetes mounted alone with `blueGreen` (issue 16.5). What
 * the stack's keys (deploymentStrategy, eksLiveSlot, eks<Slot>ImageTag, a <service>Image pin) make of that arg
 * is test/stacks/eksComposition.test.ts.
 */
const image = (service: string, tag: string) => `registry.test/${service}:${tag}`;
const imagesTagged = (tag: string) => recordOf(HTTP_SERVICES, (service) => image(service, tag));
const blueGreen = (liveSlot: Slot): KubernetesAppArgs["blueGreen"] => ({
    liveSlot,
    images: { blue: imagesTagged("1.4.0"), green: imagesTagged("2.0.0") },
});

/** One mount per live slot, shared by the tests (mountShared). */
const run = (liveSlot: Slot = "blue") => mountKubernetesApp({ blueGreen: blueGreen(liveSlot) });
const podLabelsOf = (deployment: CapturedResource) =>
    input(deployment, "spec", "template", "metadata", "labels") as Record<string, string>;
/** True when a label selector selects pods with these labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("EKS blue/green (VoteAppOnKubernetes with blueGreen)", function () {
    this.timeout(180_000);

    it("runs vote and result as a blue and a green Deployment each, labelled by slot; the worker stays one Deployment of one pod", async () => {
        const r = await run();
        assert.deepStrictEqual(
            ofType(r, DEPLOYMENT)
                .map((d) => input(d, "metadata", "name"))
                .sort(),
            ["result-blue", "result-green", "vote-blue", "vote-green", "worker"],
        );
        forEachSlot((service, slot, name) => {
            const deployment = named(r, DEPLOYMENT, name);
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
        });
        const worker = named(r, DEPLOYMENT, "vote-app-worker");
        assert.ok(!(SLOT_LABEL in podLabelsOf(worker)), "the worker has no slots");
        assert.strictEqual(
            input(worker, "spec", "strategy", "type"),
            "Recreate",
            "one worker pod, replaced, never two side by side",
        );
    });

    for (const [live, idle] of [
        ["blue", "green"],
        ["green", "blue"],
    ] as const) {
        it(`liveSlot ${live}: each Service selects the ${live} pods, a -preview Service the ${idle} ones`, async () => {
            const r = await run(live);
            assertLiveSlot(r, live);
            for (const service of HTTP_SERVICES) {
                const selector = selectorOf(r, `vote-app-${service}`);
                assert.ok(selects(selector, podLabelsOf(named(r, DEPLOYMENT, slotName(service, live)))));
                assert.ok(!selects(selector, podLabelsOf(named(r, DEPLOYMENT, slotName(service, idle)))));
            }
        });
    }

    it("flipping liveSlot (promotion, and rollback by flipping again) changes only the selectors: the slots keep their Deployments", async () => {
        assertSlotsUnchanged(await run("blue"), await run("green"));
    });

    it("gives each slot the images given for it; the worker runs its own image", async () => {
        const r = await run();
        assert.deepStrictEqual(
            slotImages(r),
            recordOf(HTTP_SERVICES, (service) => ({ blue: image(service, "1.4.0"), green: image(service, "2.0.0") })),
        );
        const worker = named(r, DEPLOYMENT, "vote-app-worker");
        assert.strictEqual(imageOf(worker), String(TEST_KUBERNETES_ARGS.images.worker));
    });

    it("keeps a PDB and an HPA per slot, each selecting or scaling only its slot", async () => {
        const r = await run();
        forEachSlot((service, slot, name) => {
            const pdb = named(r, "kubernetes:policy/v1:PodDisruptionBudget", name);
            assert.deepStrictEqual(
                input(pdb, "spec", "selector", "matchLabels"),
                input(named(r, DEPLOYMENT, name), "spec", "selector", "matchLabels"),
            );
            const hpa = named(r, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name);
            assert.strictEqual(input(hpa, "spec", "scaleTargetRef", "name"), `${service}-${slot}`);
        });
    });

    it("NetworkPolicies select by app label, so both slots get the same ingress and egress rules", async () => {
        const r = await run();
        const policies = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        for (const service of HTTP_SERVICES) {
            for (const name of [`ingress-to-${service}`, `${service}-to-data`]) {
                const policy = policies.find((p) => input(p, "metadata", "name") === name);
                assert.ok(policy, name);
                const selector = input(policy, "spec", "podSelector", "matchLabels") as Record<string, string>;
                assert.ok(!(SLOT_LABEL in selector), `${name} selects a slot`);
                for (const slot of SLOTS)
                    assert.ok(
                        selects(selector, podLabelsOf(named(r, DEPLOYMENT, slotName(service, slot)))),
                        `${name} misses ${service}-${slot}`,
                    );
            }
        }
    });

    it("the Ingress still targets the Services (vote, result), which follow the live slot", async () => {
        const ingress = ofType(await run(), "kubernetes:networking.k8s.io/v1:Ingress")[0];
        const backends = JSON.stringify(input(ingress, "spec", "rules"));
        assert.ok(backends.includes('"name":"vote"') && backends.includes('"name":"result"'), backends);
        assert.ok(
            !backends.includes("preview") && !backends.includes("-blue") && !backends.includes("-green"),
            backends,
        );
    });

    it("without blueGreen: one Deployment per service under its own name, no -preview Service", async () => {
        assertOneDeploymentPerService(await mountKubernetesApp());
    });
});
