import { defaultTagsOf } from "./providerProps";
import { TAGGABLE_TYPES } from "./taggableTypes";
import { asArray, isRecord, isResourceType, prop, stackRule, stringList, tagsOf, UNKNOWN } from "./util";

/** Cost and ownership tags (house rule). */

export const DEFAULT_REQUIRED_TAGS = ["environment", "project", "owner", "cost-centre"];

const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/** What a launch template's instances launch with that cost money and carry tags only from `tagSpecifications`. */
export const LAUNCHED_RESOURCE_TYPES = ["instance", "volume"] as const;

/** An auto-scaling group's own tags (a list of `{ key, value, propagateAtLaunch }`). */
function groupTags(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const tag of asArray(value))
        if (isRecord(tag) && typeof tag.key === "string" && typeof tag.value === "string") out[tag.key] = tag.value;
    return out;
}

/** The tags a launch template gives what it launches of a resource type (`tagSpecifications`). */
function launchedTags(specifications: unknown, resourceType: string): Record<string, string> {
    const spec = asArray(specifications).find((s) => isRecord(s) && s.resourceType === resourceType);
    return isRecord(spec) ? tagsOf(spec.tags) : {};
}

export const requiredTags = stackRule(
    {
        name: "required-tags",
        passes: "every resource of a taggable type has each `requiredTags` key with a non-empty value in its own `tags` or its provider's `defaultTags.tags` (an auto-scaling group in its own `tags` only), and every launch template tags the instances and volumes it launches with them (`tagSpecifications`)",
        description:
            "Every taggable AWS resource carries the `requiredTags` (default environment, project, owner, cost-centre) with non-empty values, counting the provider's default tags (`defaultTags.tags`, read from JSON strings or objects) together with the resource's own `tags`. The provider's default tags reach neither auto-scaling groups nor what they launch (@pulumi/aws getDefaultTags: for \"the instances underneath an Auto Scaling group or the volumes created for an EC2 instance\"), so an auto-scaling group lists the tags itself and a launch template names them in `tagSpecifications` for its instances and volumes: otherwise the bill's largest EC2 lines carry no cost allocation tags.",
        remediation:
            "Set the tags in the stack's aws.Provider defaultTags (or on the resource); give auto-scaling groups and launch template tagSpecifications (instance, volume) the same tags.",
        configSchema: {
            properties: {
                requiredTags: stringList("Tag keys every taggable resource must carry.", DEFAULT_REQUIRED_TAGS),
            },
        },
    },
    (args, report) => {
        const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? DEFAULT_REQUIRED_TAGS;
        const lacking = (tags: Record<string, string>) => required.filter((key) => !tags[key]);
        for (const r of args.resources) {
            if (!TAGGABLE_TYPES.has(r.type)) continue;
            const own = prop(r, "tags");
            if (own === UNKNOWN) continue;
            if (isResourceType(r.type, AUTOSCALING_GROUP)) {
                const missing = lacking(groupTags(own));
                if (missing.length)
                    report(
                        `${r.type} "${r.name}" lacks tag(s) ${missing.join(", ")} in its own tags (the provider's default tags do not reach auto-scaling groups).`,
                        r.urn,
                    );
                continue;
            }
            const defaults = defaultTagsOf(r.provider);
            if (defaults === UNKNOWN) continue;
            const missing = lacking({ ...defaults, ...tagsOf(own) });
            if (missing.length) report(`${r.type} "${r.name}" lacks tag(s) ${missing.join(", ")}.`, r.urn);
            if (isResourceType(r.type, LAUNCH_TEMPLATE)) {
                const specifications = prop(r, "tagSpecifications");
                if (specifications === UNKNOWN) continue;
                for (const launched of LAUNCHED_RESOURCE_TYPES) {
                    const gaps = lacking(launchedTags(specifications, launched));
                    if (gaps.length)
                        report(
                            `${r.type} "${r.name}" launches ${launched}s without tag(s) ${gaps.join(", ")}: the provider's default tags do not reach them; add them to a tagSpecifications entry for ${launched}.`,
                            r.urn,
                        );
                }
            }
        }
    },
);

export const taggingPolicies = [requiredTags];
