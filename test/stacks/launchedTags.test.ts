import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import { parseJsonish, tagsOf } from "../../policy/rules/util";
import { defaultTags } from "../../stacks/accountProvider";
import { parseWith } from "../support/config";
import { input, ofType, stackRun } from "../support/stacks";

/**
 * The seam between the provider's default tags (stacks/accountProvider.ts, the one source) and what EC2 Auto
 * Scaling launches, which those tags do not reach: the NAT instance's group and the EKS node group launch from
 * launch templates whose tagSpecifications must carry every default tag, and the NAT's group tags itself.
 */

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";

/** The provider a resource is created through, and its default tags as the engine hands them over. */
function providerDefaultTags(run: { resources: readonly CapturedResource[] }, resource: CapturedResource) {
    const provider = run.resources.find(
        (r) => r.type === "pulumi:providers:aws" && resource.provider?.startsWith(`${r.urn}::`),
    );
    assert.ok(provider, `no provider for ${resource.name}`);
    const parsed = parseJsonish(provider.inputs.defaultTags) as { tags?: unknown } | undefined;
    return tagsOf(parsed?.tags);
}

const VARIANTS = [
    { stack: "dev", platform: "ecs", templates: ["network-nat"], groups: ["network-nat"] },
    { stack: "staging", platform: "ecs", templates: ["network-nat"], groups: ["network-nat"] },
    { stack: "dev", platform: "eks", templates: ["network-nat", "eks-nodes"], groups: ["network-nat"] },
    { stack: "prod", platform: "eks", templates: ["eks-nodes"], groups: [] },
] as const;

describe("instances that auto-scaling groups launch carry the stack's cost allocation tags", function () {
    this.timeout(300_000);

    for (const { stack, platform, templates, groups } of VARIANTS) {
        it(`${stack} on ${platform}: every default tag reaches the launched instances and volumes (${templates.join(", ")})`, async () => {
            const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
            const expected = defaultTags(parseWith(stack, { platform }));
            assert.deepStrictEqual(
                ofType(run, LAUNCH_TEMPLATE)
                    .map((t) => t.name)
                    .sort(),
                [...templates].sort(),
            );
            for (const template of ofType(run, LAUNCH_TEMPLATE)) {
                // The provider's default tags are the one source: the same tags, and the ones launched resources get.
                assert.deepStrictEqual(providerDefaultTags(run, template), expected, template.name);
                const specifications = (input(template, "tagSpecifications") ?? []) as {
                    resourceType: string;
                    tags: Record<string, string>;
                }[];
                for (const launched of ["instance", "volume", "network-interface"]) {
                    const spec = specifications.find((s) => s.resourceType === launched);
                    assert.ok(spec, `${template.name} has no tagSpecifications for ${launched}`);
                    for (const [key, value] of Object.entries(expected))
                        assert.strictEqual(spec.tags[key], value, `${template.name}: ${launched} tag ${key}`);
                }
            }
            assert.deepStrictEqual(
                ofType(run, AUTOSCALING_GROUP)
                    .map((g) => g.name)
                    .sort(),
                [...groups].sort(),
            );
            for (const group of ofType(run, AUTOSCALING_GROUP)) {
                const tags = (input(group, "tags") ?? []) as { key: string; value: string }[];
                assert.deepStrictEqual(
                    Object.fromEntries(tags.map((t) => [t.key, t.value])),
                    expected,
                    `${group.name}'s own tags`,
                );
            }
        });
    }
});
