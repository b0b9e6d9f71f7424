import { z } from "zod";
import { APP_SERVICES, type AppService } from "../../shared/appContract";
import { matching } from "../../shared/config/values";
import { registryHost } from "../../components/registry";
import type { ConfigCheck, FlatOf } from "./check";
import { IMAGE_DIGEST, IMAGE_REFERENCE, IMAGE_TAG } from "./rules";

/**
 * Delivery rules: which images run. Staging and prod run images named by digest only. A tag can be pushed
 * again (or, in a registry with immutable tags, deleted and re-pushed); a digest names exactly the bytes
 * that ran in the environment before, which is what promotion means. The deploy workflow sets these keys.
 */
export const DIGEST_REFERENCE = /@sha256:[a-f0-9]{64}$/;

/** The digest an obviously-placeholder stack file carries until the first deploy sets a real one. */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/** The stack's own ECR registry host: staging and prod images are copied there before a deploy. */
export { registryHost };

/** An image tag, or a digest, in the stack's own repositories. */
export const imageTagOrDigest = z.string().refine((v) => IMAGE_TAG.test(v) || IMAGE_DIGEST.test(v), {
    error: "must be an image tag (letters, digits, _ . -, up to 128) or a digest sha256:<64 hex>",
});
const imageReference = matching(
    IMAGE_REFERENCE,
    "a full image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/vote@sha256:<64 hex>",
);

export const deliveryKeys = {
    imageTag: imageTagOrDigest,
    voteImage: imageReference.optional(),
    resultImage: imageReference.optional(),
    workerImage: imageReference.optional(),
};

export type DeliveryFlatConfig = FlatOf<typeof deliveryKeys> & { readonly accountId: string; readonly region: string };

export interface ImagesConfig {
    readonly tag: string;
    /** Explicit references overriding the stack's ECR repositories. */
    readonly overrides: Readonly<Partial<Record<AppService, string>>>;
}

/** The services whose image the stack file pins by a full reference (`<service>Image`). */
export function pinnedServices(flat: DeliveryFlatConfig): AppService[] {
    return APP_SERVICES.filter((service) => flat[`${service}Image`] !== undefined);
}

export const checkDelivery: ConfigCheck<DeliveryFlatConfig> = (flat, tier, report) => {
    if (tier === "dev") return;
    const why = `${tier} deploys only images pinned by digest (promotion copies the exact image that ran before)`;
    if (!IMAGE_DIGEST.test(flat.imageTag))
        report("imageTag", flat.imageTag, `must be an image digest sha256:<64 hex> in ${tier}: ${why}`);
    const host = registryHost(flat.accountId, flat.region);
    for (const service of APP_SERVICES) {
        const key = `${service}Image` as const;
        const reference = flat[key];
        if (reference === undefined) continue;
        if (!DIGEST_REFERENCE.test(reference)) {
            report(key, reference, `must end in @sha256:<64 hex> in ${tier}: ${why}`);
        } else if (!reference.startsWith(`${host}/`)) {
            report(
                key,
                reference,
                `must be in this account's registry ${host} in ${tier}: images are copied into each environment's ECR, so ${tier} never depends on another account's registry`,
            );
        }
    }
};

export function resolveImages(flat: DeliveryFlatConfig): ImagesConfig {
    const overrides: Partial<Record<AppService, string>> = {};
    for (const service of pinnedServices(flat)) overrides[service] = flat[`${service}Image`];
    return { tag: flat.imageTag, overrides };
}
