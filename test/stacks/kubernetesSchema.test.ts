import * as assert from "assert";
import { readStackConfig } from "../../plan/stackFile";
import { parseVoteAppConfig } from "../../stacks/config";
import { kubernetesObjectsOf, SCHEMA_KUBERNETES_VERSION, validateKubernetesObject } from "../support/kubernetesSchema";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * Every Kubernetes object the eks stacks create (the app's, the cluster's add-ons, the preview access),
 * validated against the Kubernetes schema the stacks pin by default (test/support/kubernetesSchema.ts). The app's
 * objects under each of VoteAppOnKubernetes's args are test/components/eks/kubernetesSchema.test.ts.
 */
describe("Kubernetes objects of the eks stacks against the Kubernetes schema", function () {
    this.timeout(180_000);

    it(`the stacks pin Kubernetes ${SCHEMA_KUBERNETES_VERSION} by default, the schema version validated`, () => {
        const file = readStackConfig("dev");
        assert.strictEqual(
            parseVoteAppConfig({ ...file.config, "voteapp:platform": "eks" }, { project: file.project, stack: "dev" })
                .eks.kubernetesVersion,
            SCHEMA_KUBERNETES_VERSION,
        );
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack} (managedNodeGroup): every object validates`, async () => {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": "eks" } });
            const objects = kubernetesObjectsOf(run);
            assert.ok(objects.length >= 25, `only ${objects.length} objects`);
            for (const object of objects) validateKubernetesObject(object);
        });
    }
});
