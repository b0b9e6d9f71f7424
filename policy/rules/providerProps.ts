import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { asStrings, isRecord, parseJsonish, read, tagsOf, UNKNOWN } from "./util";

/**
 * Reading an AWS provider's inputs. The engine (and Pulumi's mocks) hand provider inputs over as strings:
 * lists and objects as JSON text, booleans as "true"/"false". Both forms are accepted.
 */

export const AWS_PROVIDER = "pulumi:providers:aws";

export type ProviderLike = Pick<PolicyProviderResource, "type" | "name" | "urn" | "props">;

function field(provider: ProviderLike, key: string): unknown {
    return read(() => (provider.props as Record<string, unknown>)[key]);
}

/** `allowedAccountIds`, or UNKNOWN while unknown in preview. */
export function allowedAccountIds(provider: ProviderLike): string[] | typeof UNKNOWN {
    const raw = field(provider, "allowedAccountIds");
    if (raw === UNKNOWN) return UNKNOWN;
    return asStrings(parseJsonish(raw));
}

/** Role ARNs of `assumeRoles` (v7: a list) or the older `assumeRole` object. */
export function assumedRoleArns(provider: ProviderLike): string[] | typeof UNKNOWN {
    const out: string[] = [];
    for (const key of ["assumeRoles", "assumeRole"]) {
        const raw = field(provider, key);
        if (raw === UNKNOWN) return UNKNOWN;
        const parsed = parseJsonish(raw);
        for (const role of Array.isArray(parsed) ? parsed : [parsed]) {
            if (isRecord(role) && typeof role.roleArn === "string") out.push(role.roleArn);
        }
    }
    return out;
}

/** The provider's `defaultTags.tags`, or UNKNOWN while unknown in preview. */
export function defaultTagsOf(provider: ProviderLike | undefined): Record<string, string> | typeof UNKNOWN {
    if (!provider) return {};
    const raw = field(provider, "defaultTags");
    if (raw === UNKNOWN) return UNKNOWN;
    const parsed = parseJsonish(raw);
    return isRecord(parsed) ? tagsOf(parsed.tags) : {};
}

/** The account id in an ARN (`arn:aws:iam::123456789012:role/x`), if any. */
export function accountOfArn(arn: string): string | undefined {
    const parts = arn.split(":");
    return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** AWS provider resources of the stack, and the providers resources reference (default providers included). */
export function awsProviders(resources: readonly PolicyResource[]): ProviderLike[] {
    const byUrn = new Map<string, ProviderLike>();
    for (const r of resources) if (r.type === AWS_PROVIDER) byUrn.set(r.urn, r);
    for (const r of resources)
        if (r.provider?.type === AWS_PROVIDER && !byUrn.has(r.provider.urn)) byUrn.set(r.provider.urn, r.provider);
    return [...byUrn.values()];
}

/** Default providers are named `default` or `default_<version>` by the engine. */
export function isDefaultProvider(provider: ProviderLike): boolean {
    return provider.name === "default" || provider.name.startsWith("default_");
}
