import { accountId, iamRoleName, type Tier, TIERS } from "../../shared/config/values";
import { partitionOf } from "../../components/partition";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";

/** The stack's AWS account, the role deployed through, and the other environments' accounts it must not touch. */
export const accountKeys = {
    accountId,
    deployRoleName: iamRoleName,
    devAccountId: accountId.optional(),
    stagingAccountId: accountId.optional(),
    prodAccountId: accountId.optional(),
};

export type AccountFlatConfig = FlatOf<typeof accountKeys> & { readonly environment: string; readonly region: string };

export interface AccountConfig {
    readonly id: string;
    readonly deployRoleName: string;
    readonly deployRoleArn: string;
}

/** One account per environment, and this stack must target its own environment's account. */
export const checkAccounts: ConfigCheck<AccountFlatConfig> = (flat, tier, report) => {
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
    if (flat.environment === tier && ownKnown !== undefined && ownKnown !== flat.accountId) {
        report(
            "accountId",
            flat.accountId,
            `differs from ${qualifiedKey(`${tier}AccountId`)} (${ownKnown}); a ${tier} stack must deploy into the ${tier} account`,
        );
    }
    for (const other of TIERS.filter((t) => t !== tier)) {
        if (known[other] === flat.accountId) {
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

export function resolveAccount(flat: AccountFlatConfig): AccountConfig {
    return { id: flat.accountId, deployRoleName: flat.deployRoleName, deployRoleArn: deployRoleArnOf(flat) };
}
