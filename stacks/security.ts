import { AccountSecurityBaseline, type AccountWorkloads } from "../components/security/accountSecurityBaseline";
import type { Platform, VoteAppConfig } from "./config";
import type { BaseFoundation } from "./foundation";

/**
 * What each platform runs, for the GuardDuty features and Inspector scans the baseline enables. ecs and eks run
 * a Lambda function too: the database setup (components/databaseSetup.ts), the only code holding the RDS master
 * credential, so its network activity and code are watched like the app's.
 */
export const PLATFORM_WORKLOADS: Readonly<Record<Platform, AccountWorkloads>> = {
    ecs: { ecsFargate: true, rds: true, lambda: true },
    eks: { eks: true, ec2: true, rds: true, lambda: true },
    lambda: { lambda: true },
};

/**
 * The account's security baseline when this stack owns it (securityBaseline = stack); nothing when a
 * central security account does (the policy pack is then run with centralSecurityAccount, see
 * policy/enforcement.ts packConfigFor).
 */
export function secureAccount(config: VoteAppConfig, foundation: BaseFoundation): AccountSecurityBaseline | undefined {
    const baseline = config.safety.securityBaseline;
    if (baseline.owner === "central") return undefined;
    return new AccountSecurityBaseline(
        "account-security",
        {
            namePrefix: foundation.namePrefix,
            accountId: config.account.id,
            region: config.region,
            workloads: PLATFORM_WORKLOADS[config.platform],
            guardDutyFindingFrequency: baseline.guardDutyFindingFrequency,
            auditLogRetentionDays: baseline.auditLogRetentionDays,
            securityHub: baseline.securityHub,
            protection: config.protection,
            ecrScanning: config.cost.ecrScanning,
            lambdaCodeScanning: config.cost.lambdaCodeScanning,
            roleScope: config.account.roleScope,
        },
        foundation.componentOptions,
    );
}
