import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** RDS instances and parameter groups (FSBP RDS.*). */

export const rdsNotPublic = resourceRule(
    {
        name: "rds-not-public",
        passes: "`publiclyAccessible` is unset or false",
        control: "RDS.2",
        description:
            "RDS instances are never publicly accessible (`publiclyAccessible` false): a public database is refused in every environment.",
        remediation: "Set publiclyAccessible: false and reach the database from inside the VPC.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.publiclyAccessible === true) report("publiclyAccessible is true: the database gets a public endpoint.");
    }),
);

export const rdsEncrypted = resourceRule(
    {
        name: "rds-encrypted",
        passes: "`storageEncrypted` is true, or the instance is a read replica (`replicateSourceDb`, encrypted like its source)",
        control: "RDS.3",
        description:
            "RDS instances encrypt storage at rest (`storageEncrypted` true): unencrypted data stores are refused in every environment.",
        remediation: "Set storageEncrypted: true (and kmsKeyId for a customer key).",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.storageEncrypted !== true && !db.replicateSourceDb) report("storageEncrypted is not true.");
    }),
);

export const rdsMultiAz = resourceRule(
    {
        name: "rds-multi-az",
        passes: "`multiAz` is true",
        control: "RDS.5",
        description: "RDS instances run Multi-AZ (`multiAz` true), so a zone failure means a failover, not an outage.",
        remediation: "Set multiAz: true.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.multiAz !== true) report("multiAz is not true.");
    }),
);

export const rdsDeletionProtection = resourceRule(
    {
        name: "rds-deletion-protection",
        passes: "`deletionProtection` is true",
        control: "RDS.8",
        description: "RDS instances enable deletion protection (`deletionProtection` true).",
        remediation: "Set deletionProtection: true.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.deletionProtection !== true) report("deletionProtection is not true.");
    }),
);

export const rdsLogsExported = resourceRule(
    {
        name: "rds-logs-exported",
        passes: "PostgreSQL instances list `postgresql` (MySQL/MariaDB `error`) in `enabledCloudwatchLogsExports`; other engines pass",
        control: "RDS.9",
        description:
            "PostgreSQL instances export their `postgresql` log to CloudWatch (`enabledCloudwatchLogsExports`), for auditing connections and errors.",
        remediation: 'Set enabledCloudwatchLogsExports: ["postgresql", "upgrade"].',
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        const engine = db.engine ?? "";
        const needed = engine.includes("postgres")
            ? "postgresql"
            : engine.includes("mysql") || engine.includes("mariadb")
              ? "error"
              : undefined;
        if (needed && !(db.enabledCloudwatchLogsExports ?? []).includes(needed))
            report(`enabledCloudwatchLogsExports does not include ${needed}.`);
    }),
);

export const rdsIamAuth = resourceRule(
    {
        name: "rds-iam-auth",
        passes: "`iamDatabaseAuthenticationEnabled` is true",
        control: "RDS.10",
        description:
            "RDS instances enable IAM database authentication (`iamDatabaseAuthenticationEnabled`), so access can use short-lived credentials.",
        remediation: "Set iamDatabaseAuthenticationEnabled: true.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.iamDatabaseAuthenticationEnabled !== true) report("iamDatabaseAuthenticationEnabled is not true.");
    }),
);

export const rdsBackups = resourceRule(
    {
        name: "rds-backups",
        passes: "`backupRetentionPeriod` is at least `minimumDays` (unset counts as 0)",
        control: "RDS.11",
        description:
            "RDS instances keep automated backups for at least `minimumDays` (default 7) days (`backupRetentionPeriod`).",
        remediation: "Set backupRetentionPeriod to 7 or more.",
        configSchema: {
            properties: {
                minimumDays: {
                    type: "integer",
                    minimum: 1,
                    default: 7,
                    description: "Minimum backupRetentionPeriod in days.",
                },
            },
        },
    },
    validateResourceOfType(aws.rds.Instance, (db, args, report) => {
        const minimum = args.getConfig<{ minimumDays?: number }>().minimumDays ?? 7;
        const days = db.backupRetentionPeriod ?? 0;
        if (days < minimum)
            report(
                `backupRetentionPeriod is ${db.backupRetentionPeriod ?? "unset (0)"}; at least ${minimum} days are required.`,
            );
    }),
);

export const rdsMinorUpgrades = resourceRule(
    {
        name: "rds-minor-upgrades",
        passes: "`autoMinorVersionUpgrade` is unset or true",
        control: "RDS.13",
        description: "RDS instances take minor engine upgrades automatically (`autoMinorVersionUpgrade` not false).",
        remediation: "Remove autoMinorVersionUpgrade: false.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.autoMinorVersionUpgrade === false) report("autoMinorVersionUpgrade is false.");
    }),
);

export const rdsCopyTags = resourceRule(
    {
        name: "rds-copy-tags",
        passes: "`copyTagsToSnapshot` is true",
        control: "RDS.17",
        description:
            "RDS instances copy their tags to snapshots (`copyTagsToSnapshot` true), so snapshots keep their owner and classification.",
        remediation: "Set copyTagsToSnapshot: true.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.copyTagsToSnapshot !== true) report("copyTagsToSnapshot is not true.");
    }),
);

export const rdsFinalSnapshot = resourceRule(
    {
        name: "rds-final-snapshot",
        passes: "`skipFinalSnapshot` is false and `finalSnapshotIdentifier` is set",
        description:
            "Deleting an RDS instance takes a final snapshot (`skipFinalSnapshot` false with a `finalSnapshotIdentifier`), so a mistaken delete is recoverable.",
        remediation: "Set skipFinalSnapshot: false and finalSnapshotIdentifier.",
    },
    validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
        if (db.skipFinalSnapshot !== false) report(`skipFinalSnapshot is ${db.skipFinalSnapshot ?? "unset (true)"}.`);
        else if (!db.finalSnapshotIdentifier)
            report("finalSnapshotIdentifier is not set, so the final snapshot cannot be taken.");
    }),
);

export const rdsForceSsl = resourceRule(
    {
        name: "rds-force-ssl",
        passes: "the parameter group's family is not postgres*, or it sets `rds.force_ssl` to 1",
        description: "PostgreSQL parameter groups force TLS connections (`rds.force_ssl` = 1).",
        remediation: 'Add the parameter { name: "rds.force_ssl", value: "1" }.',
    },
    validateResourceOfType(aws.rds.ParameterGroup, (pg, _args, report) => {
        if (!pg.family.startsWith("postgres")) return;
        const p = (pg.parameters ?? []).find((x) => x.name === "rds.force_ssl");
        if (!p || String(p.value) !== "1")
            report(`rds.force_ssl is ${p ? JSON.stringify(p.value) : "not set"}; set it to 1.`);
    }),
);

export const rdsPolicies = [
    rdsNotPublic,
    rdsEncrypted,
    rdsMultiAz,
    rdsDeletionProtection,
    rdsLogsExported,
    rdsIamAuth,
    rdsBackups,
    rdsMinorUpgrades,
    rdsCopyTags,
    rdsFinalSnapshot,
    rdsForceSsl,
];
