import { z } from "zod";
import type { AppServiceSpec } from "../../shared/appContract";
import { registryHost } from "../../components/registryNames";
import type { ConfigCheck, FlatOf } from "./check";
import { IMAGE_DIGEST, IMAGE_TAG } from "./rules";
import { type ConfiguredService, serviceKeyName } from "./serviceKeys";

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
/** The stack's image tag; each service's `<service>Image` pin is a service key (serviceKeys.ts). */
export const deliveryKeys = {
    imageTag: imageTagOrDigest,
};

export type DeliveryFlatConfig = FlatOf<typeof deliveryKeys> & { readonly accountId: string; readonly region: string };

export interface ImagesConfig {
    readonly tag: string;
    /** Explicit references overriding the stack's ECR repositories, by service. */
    readonly overrides: Readonly<Partial<Record<string, string>>>;
}

/** The services whose image the stack file pins by a full reference (`<service>Image`), with the reference. */
export function pinnedServices(
    services: readonly ConfiguredService[],
): { readonly spec: AppServiceSpec; readonly reference: string }[] {
    return services.flatMap(({ spec, values }) =>
        values.Image === undefined ? [] : [{ spec, reference: values.Image }],
    );
}

export const checkDelivery: ConfigCheck<DeliveryFlatConfig> = (flat, tier, report, services) => {
    if (tier === "dev") return;
    const why = `${tier} deploys only images pinned by digest (promotion copies the exact image that ran before)`;
    if (!IMAGE_DIGEST.test(flat.imageTag))
        report("imageTag", flat.imageTag, `must be an image digest sha256:<64 hex> in ${tier}: ${why}`);
    const host = registryHost(flat.accountId, flat.region);
    for (const { spec, reference } of pinnedServices(services)) {
        const key = serviceKeyName(spec.name, "Image");
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

export function resolveImages(flat: DeliveryFlatConfig, services: readonly ConfiguredService[]): ImagesConfig {
    const overrides = Object.fromEntries(pinnedServices(services).map(({ spec, reference }) => [spec.name, reference]));
    return { tag: flat.imageTag, overrides };
}
