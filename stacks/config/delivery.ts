import type { AppService } from "../../components/appContract";
import { APP_SERVICES } from "../../components/appContract";
import { registryHost } from "../../components/registry";
import { qualifiedKey } from "./keys";
import type { ConfigProblem } from "./reader";
import { IMAGE_DIGEST } from "./rules";
import type { FlatConfig } from "./schema";
import type { Tier } from "./types";

/**
 * Delivery rules: staging and prod run images named by digest only. A tag can be pushed again (or, in
 * a registry with immutable tags, deleted and re-pushed); a digest names exactly the bytes that ran in
 * the environment before, which is what promotion means. The deploy workflow sets these keys.
 */
export const DIGEST_REFERENCE = /@sha256:[a-f0-9]{64}$/;

/** The digest an obviously-placeholder stack file carries until the first deploy sets a real one. */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/** The stack's own ECR registry host: staging and prod images are copied there before a deploy. */
export { registryHost };

export function checkDeliveryRules(flat: FlatConfig, tier: Tier, problems: ConfigProblem[]): void {
    if (tier === "dev") return;
    const why = `${tier} deploys only images pinned by digest (promotion copies the exact image that ran before)`;
    if (!IMAGE_DIGEST.test(flat.imageTag)) {
        problems.push({
            key: qualifiedKey("imageTag"),
            value: flat.imageTag,
            message: `must be an image digest sha256:<64 hex> in ${tier}: ${why}`,
        });
    }
    const host = registryHost(flat.accountId, flat.region);
    for (const service of APP_SERVICES) {
        const key = `${service}Image` as `${AppService}Image`;
        const reference = flat[key];
        if (reference === undefined) continue;
        if (!DIGEST_REFERENCE.test(reference)) {
            problems.push({
                key: qualifiedKey(key),
                value: reference,
                message: `must end in @sha256:<64 hex> in ${tier}: ${why}`,
            });
        } else if (!reference.startsWith(`${host}/`)) {
            problems.push({
                key: qualifiedKey(key),
                value: reference,
                message: `must be in this account's registry ${host} in ${tier}: images are copied into each environment's ECR, so ${tier} never depends on another account's registry`,
            });
        }
    }
}
