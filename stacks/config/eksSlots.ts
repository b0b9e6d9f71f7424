import { qualifiedKey } from "./keys";
import type { ConfigProblem } from "./reader";
import { IMAGE_DIGEST, IMAGE_TAG } from "./rules";
import { DEFAULT_DEPLOYMENT_STRATEGY } from "./safety";
import type { Platform, Tier } from "./types";

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

/** What the slot rules need from the rest of the config. */
export interface EksSlotContext {
    readonly platform: Platform;
    readonly tier: Tier;
    /** The stack file's deploymentStrategy, if set (else the tier's default applies). */
    readonly configuredStrategy?: string;
    readonly imageTag: string;
    /** Services whose image is pinned by a full reference (voteImage, resultImage, workerImage). */
    readonly overriddenServices: readonly string[];
}

const isSlot = (value: string): value is EksSlot => (EKS_SLOTS as readonly string[]).includes(value);

/**
 * Validates the slot keys and returns the blue/green config when the stack runs blue/green on EKS
 * (undefined otherwise). Every problem names the key, its value and what is allowed.
 */
export function readEksSlots(
    values: Readonly<Record<string, unknown>>,
    context: EksSlotContext,
    problems: ConfigProblem[],
): EksBlueGreenConfig | undefined {
    const problem = (key: string, value: unknown, message: string) =>
        problems.push({ key: qualifiedKey(key), value, message });
    const text = (key: string): string | undefined =>
        typeof values[key] === "string" ? (values[key] as string) : undefined;
    const strategy = context.configuredStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[context.tier][context.platform];
    const blueGreen = context.platform === "eks" && strategy === "blueGreen";
    const slotKeys = [EKS_SLOT_KEYS.liveSlot, EKS_SLOT_KEYS.imageTag.blue, EKS_SLOT_KEYS.imageTag.green];

    if (!blueGreen) {
        const why =
            context.platform === "eks" ? `deploymentStrategy is ${strategy}` : `platform is ${context.platform}`;
        for (const key of slotKeys) {
            const value = text(key);
            if (value !== undefined)
                problem(
                    key,
                    value,
                    `is only used on platform eks with ${qualifiedKey("deploymentStrategy")} = blueGreen (here ${why}); remove it or switch the strategy`,
                );
        }
        return undefined;
    }

    const live = text(EKS_SLOT_KEYS.liveSlot) ?? "blue";
    if (!isSlot(live)) problem(EKS_SLOT_KEYS.liveSlot, live, `must be one of ${EKS_SLOTS.join(", ")}`);

    const imageTags = {} as Record<EksSlot, string>;
    for (const slot of EKS_SLOTS) {
        const key = EKS_SLOT_KEYS.imageTag[slot];
        const tag = text(key);
        imageTags[slot] = tag ?? context.imageTag;
        if (tag === undefined) continue;
        if (!IMAGE_TAG.test(tag) && !IMAGE_DIGEST.test(tag))
            problem(key, tag, "must be an image tag (letters, digits, _ . -, up to 128) or a digest sha256:<64 hex>");
        else if (context.tier !== "dev" && !IMAGE_DIGEST.test(tag))
            problem(
                key,
                tag,
                `must be an image digest sha256:<64 hex> in ${context.tier}: ${context.tier} deploys only images pinned by digest`,
            );
    }
    const slotted = context.overriddenServices.filter((service) => service !== "worker");
    const tagged = EKS_SLOTS.filter((slot) => text(EKS_SLOT_KEYS.imageTag[slot]) !== undefined);
    if (tagged.length > 0) {
        for (const service of slotted) {
            problem(
                `${service}Image`,
                "(set)",
                `pins ${service} to one image in both blue/green slots, so ${tagged.map((s) => qualifiedKey(EKS_SLOT_KEYS.imageTag[s])).join(" and ")} would not reach it; unset it and release through the slot image tags`,
            );
        }
    }
    const slotTagSet = {
        blue: text(EKS_SLOT_KEYS.imageTag.blue) !== undefined,
        green: text(EKS_SLOT_KEYS.imageTag.green) !== undefined,
    };
    return isSlot(live) ? { liveSlot: live, imageTags, slotTagSet } : undefined;
}
