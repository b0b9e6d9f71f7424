import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** ElastiCache (Redis/Valkey) replication groups (FSBP ElastiCache.*). */

export const redisEncryptionAtRest = resourceRule(
    {
        name: "redis-encryption-at-rest",
        passes: "`atRestEncryptionEnabled` is true",
        control: "ElastiCache.4",
        description:
            "ElastiCache replication groups encrypt data at rest (`atRestEncryptionEnabled` true): unencrypted data stores are refused in every environment.",
        remediation: "Set atRestEncryptionEnabled: true (and kmsKeyId for a customer key).",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (rg.atRestEncryptionEnabled !== true) report("atRestEncryptionEnabled is not true.");
    }),
);

export const redisEncryptionInTransit = resourceRule(
    {
        name: "redis-encryption-in-transit",
        passes: "`transitEncryptionEnabled` is true and `transitEncryptionMode` is not `preferred`",
        control: "ElastiCache.5",
        description:
            "ElastiCache replication groups encrypt connections (`transitEncryptionEnabled` true, mode not `preferred`), so votes and the AUTH token never cross the network in clear text.",
        remediation: 'Set transitEncryptionEnabled: true (transitEncryptionMode "required").',
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (rg.transitEncryptionEnabled !== true) report("transitEncryptionEnabled is not true.");
        else if (rg.transitEncryptionMode === "preferred")
            report('transitEncryptionMode is "preferred", which still accepts clear-text connections.');
    }),
);

export const redisAuth = resourceRule(
    {
        name: "redis-auth",
        passes: "`authToken` or `authTokenWo` is set, or `userGroupIds` lists an RBAC user group",
        control: "ElastiCache.6",
        description:
            "ElastiCache replication groups require authentication: an AUTH token (`authToken` / `authTokenWo`, from a secret) or RBAC user groups (`userGroupIds`).",
        remediation: "Set authToken from a Secrets Manager secret, or attach an RBAC user group.",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (!rg.authToken && !rg.authTokenWo && (rg.userGroupIds ?? []).length === 0)
            report("Neither an AUTH token nor an RBAC user group: any client in the network can connect.");
    }),
);

export const redisFailover = resourceRule(
    {
        name: "redis-failover",
        passes: "`automaticFailoverEnabled` and `multiAzEnabled` are both true",
        control: "ElastiCache.3",
        description:
            "ElastiCache replication groups fail over automatically across zones (`automaticFailoverEnabled` and `multiAzEnabled` true).",
        remediation: "Set automaticFailoverEnabled: true and multiAzEnabled: true with at least two cache clusters.",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (rg.automaticFailoverEnabled !== true) report("automaticFailoverEnabled is not true.");
        if (rg.multiAzEnabled !== true) report("multiAzEnabled is not true.");
    }),
);

export const redisBackups = resourceRule(
    {
        name: "redis-backups",
        passes: "`snapshotRetentionLimit` is at least 1",
        control: "ElastiCache.1",
        description: "ElastiCache replication groups keep automatic backups (`snapshotRetentionLimit` at least 1 day).",
        remediation: "Set snapshotRetentionLimit to 1 or more.",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if ((rg.snapshotRetentionLimit ?? 0) < 1)
            report(`snapshotRetentionLimit is ${rg.snapshotRetentionLimit ?? "unset (0)"}.`);
    }),
);

export const redisMinorUpgrades = resourceRule(
    {
        name: "redis-minor-upgrades",
        passes: "`autoMinorVersionUpgrade` is unset or true",
        control: "ElastiCache.2",
        description:
            "ElastiCache replication groups take minor engine upgrades automatically (`autoMinorVersionUpgrade` not false), which carry security fixes.",
        remediation: "Remove autoMinorVersionUpgrade: false.",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (rg.autoMinorVersionUpgrade === false) report("autoMinorVersionUpgrade is false.");
    }),
);

export const redisOwnSubnetGroup = resourceRule(
    {
        name: "redis-own-subnet-group",
        passes: "`subnetGroupName` is set and is not `default`",
        control: "ElastiCache.7",
        description:
            "ElastiCache replication groups use their own subnet group (`subnetGroupName` set, not `default`), placing them in the private subnets instead of the default VPC.",
        remediation: "Create an aws.elasticache.SubnetGroup over the private subnets and set subnetGroupName.",
    },
    validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
        if (!rg.subnetGroupName || rg.subnetGroupName === "default")
            report(`subnetGroupName is ${JSON.stringify(rg.subnetGroupName ?? "unset")}.`);
    }),
);

export const elasticachePolicies = [
    redisEncryptionAtRest,
    redisEncryptionInTransit,
    redisAuth,
    redisFailover,
    redisBackups,
    redisMinorUpgrades,
    redisOwnSubnetGroup,
];
