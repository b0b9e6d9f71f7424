import { z } from "zod";
import { accountId, fromList, intBetween, matching, oneOf, type Tier } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { LOG_RETENTION_DAYS, type Platform } from "./rules";

/**
 * Production safety config: deployment strategy per platform, alarm email, and who owns the account's
 * security baseline. One domain of the config (see check.ts): keys, relations, resolution.
 */

/** The deployment strategies each platform supports, in the order the docs list them. */
export const DEPLOYMENT_STRATEGIES = {
    ecs: ["rolling", "blueGreen", "canary", "linear", "codeDeployAllAtOnce", "codeDeployCanary", "codeDeployLinear"],
    lambda: ["allAtOnce", "canary", "linear"],
    eks: ["rolling", "blueGreen"],
} as const satisfies Record<Platform, readonly [string, ...string[]]>;

export type EcsDeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES.ecs)[number];
export type LambdaDeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES.lambda)[number];
export type EksDeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES.eks)[number];
export type DeploymentStrategy = EcsDeploymentStrategy | LambdaDeploymentStrategy | EksDeploymentStrategy;

/** dev deploys fast; staging and prod shift traffic gradually and watch alarms (staging rehearses prod). */
export const DEFAULT_DEPLOYMENT_STRATEGY: Readonly<Record<Tier, Readonly<Record<Platform, DeploymentStrategy>>>> = {
    dev: { ecs: "rolling", eks: "rolling", lambda: "allAtOnce" },
    staging: { ecs: "blueGreen", eks: "blueGreen", lambda: "canary" },
    prod: { ecs: "blueGreen", eks: "blueGreen", lambda: "canary" },
};

export const SECURITY_BASELINE_OWNERS = ["stack", "central"] as const;
export type SecurityBaselineOwner = (typeof SECURITY_BASELINE_OWNERS)[number];
export const GUARDDUTY_FREQUENCIES = ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] as const;
export type GuardDutyFindingFrequency = (typeof GUARDDUTY_FREQUENCIES)[number];

/** Minimum audit log retention in prod (CIS/FSBP expect a year of CloudTrail history). */
export const PROD_MINIMUM_AUDIT_LOG_DAYS = 365;

/** A pragmatic address check: one @, no spaces, a dotted domain. SNS confirms the address itself. */
export const EMAIL_ADDRESS =
    /^[^\s@]{1,64}@(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Per-key constraints of the safety keys, spread into the one schema. */
export const safetyKeys = {
    // Checked against the stack's platform in checkSafety, so the message lists what that platform supports.
    deploymentStrategy: z.string().optional(),
    deploymentBakeMinutes: intBetween(0, 1440),
    alarmEmail: matching(EMAIL_ADDRESS, "an email address such as oncall@example.com").optional(),
    securityBaseline: oneOf(SECURITY_BASELINE_OWNERS),
    securityAccountId: accountId.optional(),
    guardDutyFindingFrequency: oneOf(GUARDDUTY_FREQUENCIES),
    auditLogRetentionDays: fromList(LOG_RETENTION_DAYS),
    securityHub: z.boolean(),
};

/** The safety keys after the schema parsed them, and the keys their relations name. */
export type SafetyFlatConfig = FlatOf<typeof safetyKeys> & {
    readonly platform: Platform;
    readonly accountId: string;
    readonly devAccountId?: string;
    readonly stagingAccountId?: string;
    readonly prodAccountId?: string;
};

/** The account's security baseline: created by this stack, or owned by a central security account. */
export type SecurityBaselineConfig =
    | {
          readonly owner: "stack";
          readonly guardDutyFindingFrequency: GuardDutyFindingFrequency;
          readonly auditLogRetentionDays: number;
          readonly securityHub: boolean;
      }
    | { readonly owner: "central"; readonly securityAccountId: string };

export interface SafetyConfig {
    readonly deployment: {
        /** Valid for the stack's platform (checked before any resource). */
        readonly strategy: DeploymentStrategy;
        readonly bakeMinutes: number;
    };
    /** Subscribed to the alarm topic when set. */
    readonly alarmEmail?: string;
    readonly securityBaseline: SecurityBaselineConfig;
}

export function isStrategyOf<P extends Platform>(
    platform: P,
    strategy: string,
): strategy is (typeof DEPLOYMENT_STRATEGIES)[P][number] {
    return (DEPLOYMENT_STRATEGIES[platform] as readonly string[]).includes(strategy);
}

/** Relations of the safety keys to the platform, tier and each other. */
export const checkSafety: ConfigCheck<SafetyFlatConfig> = (flat, tier, report) => {
    const isProd = tier === "prod";

    if (flat.deploymentStrategy !== undefined && !isStrategyOf(flat.platform, flat.deploymentStrategy)) {
        const elsewhere = (Object.keys(DEPLOYMENT_STRATEGIES) as Platform[]).filter(
            (p) => p !== flat.platform && isStrategyOf(p, flat.deploymentStrategy ?? ""),
        );
        report(
            "deploymentStrategy",
            flat.deploymentStrategy,
            `is not supported on platform ${flat.platform}; ${flat.platform} supports ${DEPLOYMENT_STRATEGIES[flat.platform].join(", ")}` +
                (elsewhere.length > 0
                    ? ` (${flat.deploymentStrategy} is a strategy of ${elsewhere.join(" and ")})`
                    : ""),
        );
    }
    const strategy =
        flat.deploymentStrategy !== undefined && isStrategyOf(flat.platform, flat.deploymentStrategy)
            ? flat.deploymentStrategy
            : DEFAULT_DEPLOYMENT_STRATEGY[tier][flat.platform];
    if (isProd && flat.platform === "ecs" && strategy !== "rolling" && flat.deploymentBakeMinutes === 0)
        report(
            "deploymentBakeMinutes",
            flat.deploymentBakeMinutes,
            `must be at least 1 in prod with deployment strategy ${strategy}: the new version must serve (alarms watched) before the old one is dropped, or a bad release cannot be rolled back`,
        );
    if (isProd && flat.alarmEmail === undefined)
        report(
            "alarmEmail",
            undefined,
            "is required in prod: alarms must reach a person (set an on-call address or list)",
        );

    if (flat.securityBaseline === "central") {
        if (flat.securityAccountId === undefined)
            report(
                "securityAccountId",
                undefined,
                `is required when ${qualifiedKey("securityBaseline")} is central: the 12-digit id of the central security account`,
            );
        else if (flat.securityAccountId === flat.accountId)
            report(
                "securityAccountId",
                flat.securityAccountId,
                `equals ${qualifiedKey("accountId")}; a central security account is a different account (use securityBaseline = stack to own the baseline here)`,
            );
        const workload = (["dev", "staging", "prod"] as const).find(
            (env) => flat[`${env}AccountId`] !== undefined && flat[`${env}AccountId`] === flat.securityAccountId,
        );
        if (workload !== undefined && flat.securityAccountId !== flat.accountId)
            report(
                "securityAccountId",
                flat.securityAccountId,
                `equals ${qualifiedKey(`${workload}AccountId`)}; the central security account must be its own account, not an environment's workload account (its findings and audit logs must not be editable from a workload)`,
            );
        if (flat.securityHub)
            report(
                "securityHub",
                flat.securityHub,
                `must be false when ${qualifiedKey("securityBaseline")} is central: the central security account administers Security Hub`,
            );
    } else {
        if (flat.securityAccountId !== undefined)
            report(
                "securityAccountId",
                flat.securityAccountId,
                `is only used when ${qualifiedKey("securityBaseline")} is central; remove it or set securityBaseline = central`,
            );
        if (isProd && !flat.securityHub)
            report(
                "securityHub",
                flat.securityHub,
                `must be true in prod: Security Hub's FSBP standard checks the account continuously (or set ${qualifiedKey("securityBaseline")} = central when a security account administers it)`,
            );
        if (isProd && flat.auditLogRetentionDays < PROD_MINIMUM_AUDIT_LOG_DAYS)
            report(
                "auditLogRetentionDays",
                flat.auditLogRetentionDays,
                `must be at least ${PROD_MINIMUM_AUDIT_LOG_DAYS} in prod (a year of audit history)`,
            );
    }
};

function requireSecurityAccount(id: string | undefined): string {
    if (id === undefined)
        throw new Error(
            "resolveSafety: securityAccountId is unset although securityBaseline is central (checkSafety reports this first)",
        );
    return id;
}

/** The resolved safety config; call after checkSafety reported no problem. */
export function resolveSafety(flat: SafetyFlatConfig, tier: Tier): SafetyConfig {
    const configured = flat.deploymentStrategy;
    const strategy: DeploymentStrategy =
        configured !== undefined && isStrategyOf(flat.platform, configured)
            ? configured
            : DEFAULT_DEPLOYMENT_STRATEGY[tier][flat.platform];
    return {
        deployment: { strategy, bakeMinutes: flat.deploymentBakeMinutes },
        alarmEmail: flat.alarmEmail,
        securityBaseline:
            flat.securityBaseline === "central"
                ? { owner: "central", securityAccountId: requireSecurityAccount(flat.securityAccountId) }
                : {
                      owner: "stack",
                      guardDutyFindingFrequency: flat.guardDutyFindingFrequency,
                      auditLogRetentionDays: flat.auditLogRetentionDays,
                      securityHub: flat.securityHub,
                  },
    };
}
