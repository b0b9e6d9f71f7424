import { z } from "zod";
import type { WorkingHours } from "../../components/workingHours";
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
/** Redis on ElastiCache nodes (a replication group) or ElastiCache Serverless (Valkey). */
export const REDIS_CAPACITY_MODES = ["nodes", "serverless"] as const;
export type RedisCapacityMode = (typeof REDIS_CAPACITY_MODES)[number];
/**
 * Why prod refuses a serverless cache; the policy pack's rule of that name refuses it at prod's enforcement too and
 * states the same reason (test/policy/elasticacheServerless.test.ts joins the two).
 */
export const REDIS_SERVERLESS_PROD_RULE = "redis-serverless-not-in-prod";
export const REDIS_SERVERLESS_PROD_REFUSAL = `a serverless cache takes no final snapshot and has no maintenance window (policy rule ${REDIS_SERVERLESS_PROD_RULE})`;
/** Which KMS key encrypts the alarm topic: its own, or the stack's data key (one key-month less). */
export const ALARM_TOPIC_KEYS = ["own", "stack"] as const;
export type AlarmTopicKey = (typeof ALARM_TOPIC_KEYS)[number];

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
    workingHours: z.string().optional(),
    lambdaCodeScanning: tierSwitch(),
    alarmTopicKey: oneOf(ALARM_TOPIC_KEYS).optional(),
    redisCapacity: oneOf(REDIS_CAPACITY_MODES).optional(),
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
    /**
     * When the app runs (platforms ecs and eks): `always`, or days and hours (`MON-FRI 07:00-19:00 UTC`) outside
     * which the ECS services scale to zero, the EKS node group has no nodes and the database is stopped.
     */
    readonly workingHours: "always" | WorkingHours;
    /**
     * Inspector's Lambda code scanning (LAMBDA_CODE: the functions' own code) besides its standard Lambda
     * scanning (their packages' CVEs), which every tier keeps. Without it, the code is scanned in staging,
     * which runs the same code before prod does.
     */
    readonly lambdaCodeScanning: boolean;
    /**
     * The alarm topic's KMS key: `own` (a key only CloudWatch's alarm publishing and the account use) or
     * `stack` (the stack's data key, whose policy then also lets CloudWatch publish alarms of this account).
     */
    readonly alarmTopicKey: AlarmTopicKey;
    /**
     * Redis as ElastiCache nodes (a replication group of `redisNodeType`, Multi-AZ with `multiAz`) or ElastiCache
     * Serverless (Valkey: billed for the data stored, at least 100 MB, and the requests; spread over AZs by AWS).
     */
    readonly redisCapacity: RedisCapacityMode;
}

/** What prod keeps: its monitoring, scanning and node-based Redis (see REDIS_SERVERLESS_PROD_REFUSAL); staging rehearses it with the same. */
const PRODUCTION_COST_OPTIONS: CostOptions = {
    containerInsights: "enhanced",
    dashboard: true,
    fargateSpot: false,
    ecrScanning: "enhanced",
    apiDetailedMetrics: true,
    workingHours: "always",
    lambdaCodeScanning: true,
    alarmTopicKey: "own",
    redisCapacity: "nodes",
};

/** dev pays for what it uses; staging rehearses prod, which keeps its monitoring and scanning. */
export const COST_DEFAULTS: Readonly<Record<Tier, CostOptions>> = {
    dev: {
        containerInsights: "disabled",
        dashboard: false,
        fargateSpot: true,
        ecrScanning: "basic",
        apiDetailedMetrics: false,
        workingHours: { days: "MON-FRI", start: "07:00", stop: "19:00", timezone: "UTC" },
        lambdaCodeScanning: false,
        alarmTopicKey: "stack",
        redisCapacity: "serverless",
    },
    staging: PRODUCTION_COST_OPTIONS,
    prod: PRODUCTION_COST_OPTIONS,
};

/** The platforms a key acts on; set explicitly on another platform it would silently do nothing. */
const APPLIES_TO: Readonly<Partial<Record<keyof typeof costKeys, readonly Platform[]>>> = {
    containerInsights: ["ecs"],
    fargateSpot: ["ecs"],
    ecrScanning: ["ecs", "eks"],
    apiDetailedMetrics: ["lambda"],
    workingHours: ["ecs", "eks"],
    redisCapacity: ["ecs", "eks"],
};

const DAY = "(?:SUN|MON|TUE|WED|THU|FRI|SAT)";
const WORKING_HOURS = new RegExp(
    `^(${DAY}(?:-${DAY}|(?:,${DAY})*)) ([01]\\d|2[0-3]):([0-5]\\d)-([01]\\d|2[0-3]):([0-5]\\d) (\\S+)$`,
);
const WEEK = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const WORKING_HOURS_FORMAT =
    'must be "always" or days, hours and an IANA time zone, e.g. "MON-FRI 07:00-19:00 Europe/Dublin" (days as a range SUN..SAT in cron\'s order, or a list such as "SAT,SUN"; start before stop on the same day)';

/** Parses `voteapp:workingHours`: a schedule, "always", or the reason it is neither. */
export function parseWorkingHours(value: string): "always" | WorkingHours | { readonly problem: string } {
    if (value === "always") return "always";
    const m = WORKING_HOURS.exec(value);
    if (!m) return { problem: WORKING_HOURS_FORMAT };
    const [, days, startH, startM, stopH, stopM, timezone] = m;
    const range = days.split("-");
    if (range.length === 2 && WEEK.indexOf(range[0]) >= WEEK.indexOf(range[1]))
        return {
            problem: `names the days ${days}, which do not run forwards in cron's week (SUN first): list them instead, e.g. "${range[0]},${range[1]}"`,
        };
    if (`${startH}:${startM}` >= `${stopH}:${stopM}`)
        return {
            problem: `starts at ${startH}:${startM}, not before it stops at ${stopH}:${stopM} (no overnight windows)`,
        };
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
        return { problem: `names the time zone ${timezone}, which is not an IANA time zone (e.g. Europe/Dublin, UTC)` };
    }
    return { days, start: `${startH}:${startM}`, stop: `${stopH}:${stopM}`, timezone };
}

export const checkCost: ConfigCheck<CostFlatConfig> = (flat, tier, report) => {
    for (const [key, platforms] of Object.entries(APPLIES_TO) as [keyof typeof costKeys, readonly Platform[]][]) {
        if (flat[key] !== undefined && !platforms.includes(flat.platform))
            report(key, flat[key], `has no effect on platform ${flat.platform}; it applies to ${platforms.join(", ")}`);
    }
    if (flat.workingHours !== undefined) {
        const parsed = parseWorkingHours(flat.workingHours);
        if (typeof parsed === "object" && "problem" in parsed)
            report("workingHours", flat.workingHours, parsed.problem);
        else if (tier === "prod" && parsed !== "always")
            report("workingHours", flat.workingHours, "must be always in prod: prod serves around the clock");
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
    if (flat.lambdaCodeScanning === false)
        report(
            "lambdaCodeScanning",
            flat.lambdaCodeScanning,
            "must be true in prod (Inspector.4: the code prod runs is scanned where it runs)",
        );
    if (flat.redisCapacity === "serverless")
        report("redisCapacity", flat.redisCapacity, `must be nodes in prod: ${REDIS_SERVERLESS_PROD_REFUSAL}`);
    if (flat.alarmTopicKey === "stack")
        report(
            "alarmTopicKey",
            flat.alarmTopicKey,
            "must be own in prod: the key protecting prod's data is used by nothing but the data's own services",
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
        workingHours: resolveWorkingHours(flat, defaults.workingHours),
        lambdaCodeScanning: flat.lambdaCodeScanning ?? defaults.lambdaCodeScanning,
        alarmTopicKey: flat.alarmTopicKey ?? defaults.alarmTopicKey,
        redisCapacity: flat.redisCapacity ?? defaults.redisCapacity,
    };
}

/** The schedule the stack runs: the key's, else the tier's; "always" on platforms it does not act on. */
function resolveWorkingHours(
    flat: CostFlatConfig,
    tierDefault: CostOptions["workingHours"],
): CostOptions["workingHours"] {
    if (!APPLIES_TO.workingHours?.includes(flat.platform)) return "always";
    if (flat.workingHours === undefined) return tierDefault;
    const parsed = parseWorkingHours(flat.workingHours);
    return typeof parsed === "object" && "problem" in parsed ? "always" : parsed; // checkCost has refused a problem before any resource
}
