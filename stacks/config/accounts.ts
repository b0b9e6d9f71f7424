import { accountId, iamRoleName, type Tier, TIERS } from "../../shared/config/values";
import { partitionOf } from "../../components/partition";
import { type WorkloadRoleScope, workloadRoleScope } from "../../components/delivery/workloadRoles";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";

/** The stack's AWS account, the role deployed through, and the other environments' accounts it must not touch. */
export const accountKeys = {
    accountId,
    deployRoleName: iamRoleName,
    previewRoleName: iamRoleName,
    devAccountId: accountId,
    stagingAccountId: accountId,
    prodAccountId: accountId,
};

export type AccountFlatConfig = FlatOf<typeof accountKeys> & {
    readonly environment: string;
    readonly region: string;
    /** The tier as the stack file sets it (undefined: derived from the environment name). */
    readonly tier?: Tier;
};

const RANK: Readonly<Record<Tier, number>> = { dev: 0, staging: 1, prod: 2 };

/** The environment whose account the stack deploys into, from the (required) account map; undefined for a fourth account. */
export function accountTierOf(
    flat: Pick<AccountFlatConfig, "accountId" | "devAccountId" | "stagingAccountId" | "prodAccountId">,
): Tier | undefined {
    if (flat.accountId === flat.prodAccountId) return "prod";
    if (flat.accountId === flat.stagingAccountId) return "staging";
    if (flat.accountId === flat.devAccountId) return "dev";
    return undefined;
}

export interface AccountConfig {
    readonly id: string;
    readonly deployRoleName: string;
    readonly deployRoleArn: string;
    /**
     * The bootstrap's read-only preview role (pull requests' `pulumi preview`): on eks it gets read access to the
     * cluster's Kubernetes API where pull requests preview the stack (components/eks/previewAccess.ts).
     */
    readonly previewRoleName: string;
    readonly previewRoleArn: string;
    /**
     * Path and permissions boundary of every role the stack creates: the bootstrap's deploy role creates
     * roles only under that path, only with that boundary (components/delivery/workloadRoles.ts).
     */
    readonly roleScope: WorkloadRoleScope;
}

/**
 * One account per environment, and this stack must target its own environment's account. The account map
 * is required, so the account a stack deploys into decides its tier's floor: a stack in the prod account is
 * tier prod, one in the staging account staging or prod, whatever the stack file says. A tier set against
 * that (or against an environment named like a tier) is refused naming `tier`, the key the user changed.
 */
export const checkAccounts: ConfigCheck<AccountFlatConfig> = (flat, tier, report) => {
    const named = TIERS.find((t) => t === flat.environment);
    if (flat.tier !== undefined && named !== undefined && flat.tier !== named)
        report(
            "tier",
            flat.tier,
            `contradicts ${qualifiedKey("environment")} (${named}): an environment named like a tier has that tier; remove the key or set ${named}`,
        );
    const accountTier = accountTierOf(flat);
    const tierBelowAccount =
        flat.tier !== undefined && accountTier !== undefined && RANK[flat.tier] < RANK[accountTier];
    if (tierBelowAccount) {
        report(
            "tier",
            flat.tier,
            `is below what the account allows: ${qualifiedKey("accountId")} ${flat.accountId} is ${qualifiedKey(`${accountTier}AccountId`)}, and a stack in the ${accountTier} account must have tier ${accountTier === "prod" ? "prod" : "staging or prod"} (its protections and rules)`,
        );
    }
    const known: Partial<Record<Tier, string>> = {
        dev: flat.devAccountId,
        staging: flat.stagingAccountId,
        prod: flat.prodAccountId,
    };
    for (const [a, b] of [
        ["dev", "staging"],
        ["dev", "prod"],
        ["staging", "prod"],
    ] as const) {
        const ida = known[a];
        if (ida !== undefined && ida === known[b]) {
            report(
                `${b}AccountId`,
                known[b],
                `equals ${qualifiedKey(`${a}AccountId`)}; every environment needs its own AWS account`,
            );
        }
    }
    const ownKnown = known[tier];
    if (flat.environment === tier && ownKnown !== undefined && ownKnown !== flat.accountId && !tierBelowAccount) {
        report(
            "accountId",
            flat.accountId,
            `differs from ${qualifiedKey(`${tier}AccountId`)} (${ownKnown}); a ${tier} stack must deploy into the ${tier} account`,
        );
    }
    for (const other of TIERS.filter((t) => t !== tier)) {
        if (known[other] === flat.accountId && !tierBelowAccount) {
            report(
                "accountId",
                flat.accountId,
                `is the ${other} account (${qualifiedKey(`${other}AccountId`)}); a ${tier} stack must not deploy into another environment's account`,
            );
        }
    }
};

/** The ARN of the role the provider assumes to deploy. */
export function deployRoleArnOf(flat: Pick<AccountFlatConfig, "region" | "accountId" | "deployRoleName">): string {
    return `arn:${partitionOf(flat.region)}:iam::${flat.accountId}:role/${flat.deployRoleName}`;
}

/** The ARN of the account's read-only preview role. */
export function previewRoleArnOf(flat: Pick<AccountFlatConfig, "region" | "accountId" | "previewRoleName">): string {
    return `arn:${partitionOf(flat.region)}:iam::${flat.accountId}:role/${flat.previewRoleName}`;
}

export function resolveAccount(flat: AccountFlatConfig, project: string): AccountConfig {
    return {
        id: flat.accountId,
        deployRoleName: flat.deployRoleName,
        deployRoleArn: deployRoleArnOf(flat),
        previewRoleName: flat.previewRoleName,
        previewRoleArn: previewRoleArnOf(flat),
        roleScope: workloadRoleScope(partitionOf(flat.region), flat.accountId, project),
    };
}
