import { oneOf, type Tier } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import type { Platform } from "./rules";

/**
 * Cost options: what dev can do without and staging/prod keep. Each key is optional; unset, the stack's
 * tier decides ({@link COST_DEFAULTS}). Prod refuses the cheaper choice where it would weaken what prod
 * promises (monitoring, vulnerability scanning, capacity that is not taken back).
 */

export const CONTAINER_INSIGHTS_MODES = ["disabled", "enabled", "enhanced"] as const;
export type ContainerInsightsMode = (typeof CONTAINER_INSIGHTS_MODES)[number];
export const ECR_SCANNING_MODES = ["basic", "enhanced"] as const;
export type EcrScanningMode = (typeof ECR_SCANNING_MODES)[number];

/**
 * A switch whose unset value means "the tier decides". Declared as a string ("true" or "false"): the Pulumi
 * CLI refuses an empty default for a boolean key, and an optional key needs one (shared/config/reader.ts).
 */
const tierSwitch = () =>
    oneOf(["true", "false"] as const)
        .transform((value) => value === "true")
        .optional();

export const costKeys = {
    containerInsights: oneOf(CONTAINER_INSIGHTS_MODES).optional(),
    dashboard: tierSwitch(),
    fargateSpot: tierSwitch(),
    ecrScanning: oneOf(ECR_SCANNING_MODES).optional(),
    apiDetailedMetrics: tierSwitch(),
};

export type CostFlatConfig = FlatOf<typeof costKeys> & { readonly platform: Platform };

/** The resolved cost options. */
export interface CostOptions {
    /** ECS cluster Container Insights (platform ecs). */
    readonly containerInsights: ContainerInsightsMode;
    /** The stack's CloudWatch dashboard (every platform). */
    readonly dashboard: boolean;
    /** Fargate Spot capacity for the ECS services (platform ecs). */
    readonly fargateSpot: boolean;
    /** ECR image scanning of the account baseline (container platforms). */
    readonly ecrScanning: EcrScanningMode;
    /** Per-route API Gateway metrics (platform lambda). */
    readonly apiDetailedMetrics: boolean;
}

/** dev pays for what it uses; staging rehearses prod, which keeps its monitoring and scanning. */
export const COST_DEFAULTS: Readonly<Record<Tier, CostOptions>> = {
    dev: {
        containerInsights: "disabled",
        dashboard: false,
        fargateSpot: true,
        ecrScanning: "basic",
        apiDetailedMetrics: false,
    },
    staging: {
        containerInsights: "enhanced",
        dashboard: true,
        fargateSpot: false,
        ecrScanning: "enhanced",
        apiDetailedMetrics: true,
    },
    prod: {
        containerInsights: "enhanced",
        dashboard: true,
        fargateSpot: false,
        ecrScanning: "enhanced",
        apiDetailedMetrics: true,
    },
};

/** The platforms a key acts on; set explicitly on another platform it would silently do nothing. */
const APPLIES_TO: Readonly<Partial<Record<keyof typeof costKeys, readonly Platform[]>>> = {
    containerInsights: ["ecs"],
    fargateSpot: ["ecs"],
    ecrScanning: ["ecs", "eks"],
    apiDetailedMetrics: ["lambda"],
};

export const checkCost: ConfigCheck<CostFlatConfig> = (flat, tier, report) => {
    for (const [key, platforms] of Object.entries(APPLIES_TO) as [keyof typeof costKeys, readonly Platform[]][]) {
        if (flat[key] !== undefined && !platforms.includes(flat.platform))
            report(key, flat[key], `has no effect on platform ${flat.platform}; it applies to ${platforms.join(", ")}`);
    }
    if (tier !== "prod") return;
    if (flat.containerInsights === "disabled")
        report(
            "containerInsights",
            flat.containerInsights,
            "must be enabled or enhanced in prod (ECS.12: the task metrics)",
        );
    if (flat.dashboard === false) report("dashboard", flat.dashboard, "must be true in prod: on-call reads it");
    if (flat.fargateSpot === true)
        report(
            "fargateSpot",
            flat.fargateSpot,
            "must be false in prod: Fargate Spot may take tasks back at two minutes' notice",
        );
    if (flat.ecrScanning === "basic")
        report(
            "ecrScanning",
            flat.ecrScanning,
            "must be enhanced in prod (continuous Inspector scanning of the released images)",
        );
};

export function resolveCost(flat: CostFlatConfig, tier: Tier): CostOptions {
    const defaults = COST_DEFAULTS[tier];
    return {
        containerInsights: flat.containerInsights ?? defaults.containerInsights,
        dashboard: flat.dashboard ?? defaults.dashboard,
        fargateSpot: flat.fargateSpot ?? defaults.fargateSpot,
        ecrScanning: flat.ecrScanning ?? defaults.ecrScanning,
        apiDetailedMetrics: flat.apiDetailedMetrics ?? defaults.apiDetailedMetrics,
    };
}
