import * as assert from "assert";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import { mountKubernetesApp, TEST_CERTIFICATE_ARN } from "../../support/fixtures";
import {
    kubernetesObjectsOf,
    SCHEMA_KUBERNETES_VERSION,
    validateKubernetesObject,
} from "../../support/kubernetesSchema";

/**
 * Every Kubernetes object VoteAppOnKubernetes creates, mounted alone with each arg that changes its objects
 * (blue/green, HTTPS with protection, no pod security groups, x86_64), validated against the Kubernetes
 * schema the stacks pin by default (test/support/kubernetesSchema.ts). The objects every eks stack creates (the
 * cluster's add-ons and the preview access included) are validated in test/stacks/kubernetesSchema.test.ts.
 */
const images = (tag: string) => ({ vote: `registry.test/vote:${tag}`, result: `registry.test/result:${tag}` });
const VARIANTS = {
    "rolling, HTTP, no protection": () => mountKubernetesApp(),
    "blue/green": () =>
        mountKubernetesApp({ blueGreen: { liveSlot: "green", images: { blue: images("1"), green: images("2") } } }),
    "HTTPS with full protection": () =>
        mountKubernetesApp({
            certificateArn: TEST_CERTIFICATE_ARN,
            domainName: "vote.example.test",
            protection: FULL_PROTECTION,
        }),
    "without pod security groups, on x86_64": () =>
        mountKubernetesApp({ cpuArchitecture: "x86_64" }, { withoutPodSecurityGroups: true }),
} as const;

describe(`VoteAppOnKubernetes's objects against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} schema`, function () {
    this.timeout(180_000);

    for (const [variant, mount] of Object.entries(VARIANTS)) {
        it(`${variant}: every object validates`, async () => {
            const objects = kubernetesObjectsOf(await mount());
            assert.ok(objects.length >= 25, `only ${objects.length} objects`);
            for (const object of objects) validateKubernetesObject(object);
        });
    }

    it("the validation catches a malformed object (the check can fail)", async () => {
        const run = await VARIANTS["rolling, HTTP, no protection"]();
        const deployment = run.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
        assert.ok(deployment);
        const broken = structuredClone(deployment.inputs) as {
            spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } };
        };
        broken.spec.template.spec.containers[0].securityContext.runAsUser = "root";
        assert.throws(
            () => validateKubernetesObject({ ...deployment, inputs: broken as unknown as Record<string, unknown> }),
            /does not match the Kubernetes/,
        );
        const noContainers = structuredClone(deployment.inputs) as {
            spec: { template: { spec: Record<string, unknown> } };
        };
        delete noContainers.spec.template.spec.containers;
        assert.throws(
            () =>
                validateKubernetesObject({ ...deployment, inputs: noContainers as unknown as Record<string, unknown> }),
            /does not match the Kubernetes/,
        );
    });
});
