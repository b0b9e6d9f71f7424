import type { CapturedResource } from "../../shared/capturedResource";

/** The stack × platform plans whose per-service URNs the snapshot pins (every shipped stack on every platform). */
export const URN_SNAPSHOT_PLATFORMS = ["ecs", "eks", "lambda"] as const;

/**
 * True when a resource's name speaks of one of the services (a dash- or slash-separated word of it, once the
 * app's own name, "vote-app" / "voteapp", is taken out): the resources the service table derives, whose
 * URNs a refactoring of the table must leave as they were (a changed URN replaces a live resource).
 */
export function namesAService(urn: string, services: readonly string[]): boolean {
    const name = urn.slice(urn.lastIndexOf("::") + 2);
    const words = name
        .replace(/vote-app|voteapp/g, " ")
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word.length > 0);
    return words.some((word) => services.includes(word));
}

/** The sorted URNs of a plan's resources that name a service. */
export function serviceUrns(resources: readonly CapturedResource[], services: readonly string[]): string[] {
    return resources
        .map((r) => r.urn)
        .filter((urn) => namesAService(urn, services))
        .sort();
}
