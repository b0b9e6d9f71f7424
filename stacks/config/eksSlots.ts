import { oneOf, type Tier } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { type DeliveryFlatConfig, imageTagOrDigest, pinnedServices } from "./delivery";
import { qualifiedKey } from "./keys";
import { IMAGE_DIGEST, type Platform } from "./rules";
import { serviceKeyName } from "./serviceKeys";
import { DEFAULT_DEPLOYMENT_STRATEGY } from "./safety";

/**
 * Blue/green on EKS (platform eks, deploymentStrategy blueGreen): vote and result run as two Deployments
 * each, the blue and the green slot, each on its own image; their Services send traffic to the live slot.
 * Release = set the idle slot's image tag and `pulumi up` (the idle slot rolls, live traffic is
 * untouched); promote = flip `eksLiveSlot` and `pulumi up` (the Services' selectors switch in one
 * update each); roll back = flip it back (the old slot is still running, nothing to redeploy).
 */
export const EKS_SLOTS = ["blue", "green"] as const;
export type EksSlot = (typeof EKS_SLOTS)[number];

export const EKS_SLOT_KEYS = {
    liveSlot: "eksLiveSlot",
    imageTag: { blue: "eksBlueImageTag", green: "eksGreenImageTag" },
} as const;

export interface EksBlueGreenConfig {
    /** The slot the Services select: the one serving users. */
    readonly liveSlot: EksSlot;
    /** Image tag (or digest) each slot runs from the stack's registry; unset slots run `imageTag`. */
    readonly imageTags: Readonly<Record<EksSlot, string>>;
    /** Whether the slot's tag was set (else the slot runs what a rolling stack would, voteImage/resultImage pins included). */
    readonly slotTagSet: Readonly<Record<EksSlot, boolean>>;
}

export const eksSlotKeys = {
    eksLiveSlot: oneOf(EKS_SLOTS).optional(),
    eksBlueImageTag: imageTagOrDigest.optional(),
    eksGreenImageTag: imageTagOrDigest.optional(),
};

export type EksSlotsFlatConfig = FlatOf<typeof eksSlotKeys> &
    DeliveryFlatConfig & { readonly platform: Platform; readonly deploymentStrategy?: string };

/** True when the stack runs blue/green on EKS: the configured strategy, else the tier's default. */
function runsBlueGreen(flat: EksSlotsFlatConfig, tier: Tier): boolean {
    const strategy = flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier][flat.platform];
    return flat.platform === "eks" && strategy === "blueGreen";
}

export const checkEksSlots: ConfigCheck<EksSlotsFlatConfig> = (flat, tier, report, services) => {
    const slotKeys = [EKS_SLOT_KEYS.liveSlot, EKS_SLOT_KEYS.imageTag.blue, EKS_SLOT_KEYS.imageTag.green] as const;
    if (!runsBlueGreen(flat, tier)) {
        const strategy = flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier][flat.platform];
        const why = flat.platform === "eks" ? `deploymentStrategy is ${strategy}` : `platform is ${flat.platform}`;
        for (const key of slotKeys) {
            const value = flat[key];
            if (value !== undefined)
                report(
                    key,
                    value,
                    `is only used on platform eks with ${qualifiedKey("deploymentStrategy")} = blueGreen (here ${why}); remove it or switch the strategy`,
                );
        }
        return;
    }
    for (const slot of EKS_SLOTS) {
        const key = EKS_SLOT_KEYS.imageTag[slot];
        const tag = flat[key];
        if (tag !== undefined && tier !== "dev" && !IMAGE_DIGEST.test(tag))
            report(
                key,
                tag,
                `must be an image digest sha256:<64 hex> in ${tier}: ${tier} deploys only images pinned by digest`,
            );
    }
    const tagged = EKS_SLOTS.filter((slot) => flat[EKS_SLOT_KEYS.imageTag[slot]] !== undefined);
    if (tagged.length > 0) {
        for (const { spec } of pinnedServices(services).filter(({ spec }) => spec.http !== undefined)) {
            const service = spec.name;
            report(
                serviceKeyName(service, "Image"),
                "(set)",
                `pins ${service} to one image in both blue/green slots, so ${tagged.map((s) => qualifiedKey(EKS_SLOT_KEYS.imageTag[s])).join(" and ")} would not reach it; unset it and release through the slot image tags`,
            );
        }
    }
};

/** The blue/green config when the stack runs blue/green on EKS, else undefined. */
export function resolveEksSlots(flat: EksSlotsFlatConfig, tier: Tier): EksBlueGreenConfig | undefined {
    if (!runsBlueGreen(flat, tier)) return undefined;
    return {
        liveSlot: flat.eksLiveSlot ?? "blue",
        imageTags: { blue: flat.eksBlueImageTag ?? flat.imageTag, green: flat.eksGreenImageTag ?? flat.imageTag },
        slotTagSet: { blue: flat.eksBlueImageTag !== undefined, green: flat.eksGreenImageTag !== undefined },
    };
}
