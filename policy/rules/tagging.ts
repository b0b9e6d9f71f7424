import { defaultTagsOf } from "./providerProps";
import { TAGGABLE_TYPES } from "./taggableTypes";
import { prop, stackRule, stringList, tagsOf, UNKNOWN } from "./util";

/** Cost and ownership tags (house rule). */

export const DEFAULT_REQUIRED_TAGS = ["environment", "project", "owner", "cost-centre"];

export const requiredTags = stackRule(
    {
        name: "required-tags",
        passes: "every resource of a taggable type has each `requiredTags` key with a non-empty value in its own `tags` or its provider's `defaultTags.tags`",
        description:
            "Every taggable AWS resource carries the `requiredTags` (default environment, project, owner, cost-centre) with non-empty values, counting the provider's default tags (`defaultTags.tags`, read from JSON strings or objects) together with the resource's own `tags`.",
        remediation: "Set the tags in the stack's aws.Provider defaultTags (or on the resource).",
        configSchema: {
            properties: {
                requiredTags: stringList("Tag keys every taggable resource must carry.", DEFAULT_REQUIRED_TAGS),
            },
        },
    },
    (args, report) => {
        const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? DEFAULT_REQUIRED_TAGS;
        for (const r of args.resources) {
            if (!TAGGABLE_TYPES.has(r.type)) continue;
            const defaults = defaultTagsOf(r.provider);
            const own = prop(r, "tags");
            if (defaults === UNKNOWN || own === UNKNOWN) continue;
            const tags = { ...defaults, ...tagsOf(own) };
            const missing = required.filter((key) => !tags[key]);
            if (missing.length) report(`${r.type} "${r.name}" lacks tag(s) ${missing.join(", ")}.`, r.urn);
        }
    },
);

export const taggingPolicies = [requiredTags];
