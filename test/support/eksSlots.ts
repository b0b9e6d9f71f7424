import * as assert from "assert";
import { idleSlotOf, type Slot, SLOT_LABEL, SLOTS } from "../../components/eks/workloadSpec";
import type { MockedRun } from "../../plan/harness";
import { APP_SERVICE_TABLE, httpServices } from "../../shared/appContract";
import type { CapturedResource } from "../../shared/capturedResource";
import { recordOf } from "../../shared/record";
import { input, named, ofType } from "./resources";

/**
 * Reading EKS blue/green slots out of a run, a mounted VoteAppOnKubernetes (test/components/eks/blueGreen.test.ts)
 * or a stack on eks (test/stacks/eksAppComposition.test.ts), written once: the slot loop both walk.
 */
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export { SLOTS, type Slot } from "../../components/eks/workloadSpec";

/** The HTTP rows of the service table: the services that run a blue and a green slot (and scale). */
export const HTTP_SERVICES: readonly string[] = httpServices(APP_SERVICE_TABLE).map((spec) => spec.name);

/** The logical name of one service's slot Deployment (and its PDB and HPA). */
export const slotName = (service: string, slot: Slot) => `vote-app-${service}-${slot}`;

/** Without blue/green: one Deployment per service under its own name, and no -preview Service. */
export function assertOneDeploymentPerService(run: MockedRun): void {
    assert.deepStrictEqual(
        ofType(run, DEPLOYMENT)
            .map((d) => d.name)
            .sort(),
        ["vote-app-result", "vote-app-vote", "vote-app-worker"],
    );
    assert.ok(!ofType(run, SERVICE).some((s) => s.name.endsWith("-preview")));
}

/** Every slot of every HTTP service, in one loop. */
export function forEachSlot(visit: (service: string, slot: Slot, name: string) => void): void {
    for (const service of HTTP_SERVICES) for (const slot of SLOTS) visit(service, slot, slotName(service, slot));
}

export const selectorOf = (run: MockedRun, name: string) =>
    input(named(run, SERVICE, name), "spec", "selector") as Record<string, string>;

export const imageOf = (deployment: CapturedResource) =>
    String((input(deployment, "spec", "template", "spec", "containers") as { image: string }[])[0].image);

/** The image of each slot of each HTTP service. */
export function slotImages(run: MockedRun): Record<string, Record<Slot, string>> {
    return recordOf(HTTP_SERVICES, (service) =>
        recordOf(SLOTS, (slot) => imageOf(named(run, DEPLOYMENT, slotName(service, slot)))),
    );
}

/** Each HTTP service's Service selects the live slot's pods, its -preview Service the idle slot's. */
export function assertLiveSlot(run: MockedRun, live: Slot): void {
    for (const service of HTTP_SERVICES) {
        assert.strictEqual(selectorOf(run, `vote-app-${service}`)[SLOT_LABEL], live, `${service}'s Service`);
        assert.strictEqual(
            selectorOf(run, `vote-app-${service}-preview`)[SLOT_LABEL],
            idleSlotOf(live),
            `${service}'s -preview Service`,
        );
    }
}

/** A flip of the live slot (before → after) left every slot's Deployment as it was. */
export function assertSlotsUnchanged(before: MockedRun, after: MockedRun): void {
    forEachSlot((_service, _slot, name) =>
        assert.deepStrictEqual(
            named(after, DEPLOYMENT, name).inputs,
            named(before, DEPLOYMENT, name).inputs,
            `${name} changed on a flip`,
        ),
    );
}
