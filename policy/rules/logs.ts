import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** CloudWatch log groups (FSBP CloudWatch.16). */

export interface LogsRetentionConfig {
    /** Minimum retention for every log group (days). */
    readonly minimumDays?: number;
    /** Minimum retention for audit log groups (days). */
    readonly auditMinimumDays?: number;
    /** Regular expression (case-insensitive) over the log group's name or logical name marking audit logs. */
    readonly auditPattern?: string;
}

export const DEFAULT_AUDIT_PATTERN = "audit|flow-log|cloudtrail|trail";

export const logsRetention = resourceRule(
    {
        name: "logs-retention",
        passes: "`retentionInDays` is set (not 0), at least `minimumDays`, and at least `auditMinimumDays` for groups whose name or logical name matches `auditPattern`",
        control: "CloudWatch.16",
        description:
            "Log groups set `retentionInDays` (never-expiring groups are refused) of at least `minimumDays`; audit logs (name or logical name matching `auditPattern`: flow logs, CloudTrail, audit) keep at least `auditMinimumDays` (365 in prod).",
        remediation: "Set retentionInDays (365 or more for audit logs in prod).",
        configSchema: {
            properties: {
                minimumDays: {
                    type: "integer",
                    minimum: 1,
                    default: 1,
                    description: "Minimum retention of any log group.",
                },
                auditMinimumDays: {
                    type: "integer",
                    minimum: 1,
                    default: 365,
                    description: "Minimum retention of audit log groups.",
                },
                auditPattern: {
                    type: "string",
                    default: DEFAULT_AUDIT_PATTERN,
                    description: "Case-insensitive regular expression marking audit log groups by name.",
                },
            },
        },
    },
    validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
        const config = args.getConfig<LogsRetentionConfig>();
        const days = group.retentionInDays;
        if (days === undefined || days === 0) {
            report("retentionInDays is not set: the logs never expire and their retention is unmanaged.");
            return;
        }
        const minimum = config.minimumDays ?? 1;
        if (days < minimum) report(`retentionInDays is ${days}; at least ${minimum} is required.`);
        const audit = new RegExp(config.auditPattern ?? DEFAULT_AUDIT_PATTERN, "i");
        const auditMinimum = config.auditMinimumDays ?? 365;
        if ((audit.test(group.name ?? "") || audit.test(args.name)) && days < auditMinimum)
            report(`Audit log group keeps ${days} days; audit logs need at least ${auditMinimum}.`);
    }),
);

export const logsKms = resourceRule(
    {
        name: "logs-kms",
        passes: "`kmsKeyId` is set",
        description:
            "Log groups are encrypted with a customer-managed KMS key (`kmsKeyId` set), so reading them needs key access too.",
        remediation: "Set kmsKeyId (the key's policy must allow logs.<region>.amazonaws.com).",
    },
    validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
        if (!group.kmsKeyId) report("kmsKeyId is not set.");
    }),
);

export const logsPolicies = [logsRetention, logsKms];
