import * as aws from "@pulumi/aws";
import { resourceRule, stringList, validateResourceOfType } from "./util";

/**
 * ElastiCache Serverless caches (`aws.elasticache.ServerlessCache`). The FSBP ElastiCache controls judge
 * replication groups and clusters only, so these are house rules; a serverless cache is always encrypted in
 * transit and at rest, and always Multi-AZ, so what is left to judge is whose key, which network, which
 * users, how many backups, which engine, and where it may run.
 */

/** Engines and major versions a serverless cache may run: IAM authentication needs Redis OSS 7+ or Valkey 7.2+. */
export const DEFAULT_SUPPORTED_SERVERLESS_ENGINES = ["valkey 7", "valkey 8", "redis 7"];

/**
 * Why prod refuses ElastiCache Serverless, said once: the policy rule reports it and stacks/config/cost.ts's
 * refusal of `voteapp:redisCapacity: serverless` in prod cites it (a test keeps them equal).
 */
export const SERVERLESS_PROD_REFUSAL =
    "@pulumi/aws's ServerlessCache takes no final snapshot (CloudFormation's FinalSnapshotName has no input there) and has no maintenance window, so deleting or replacing it loses the queued votes and AWS applies changes when it chooses; prod's protection promises a final snapshot of every data store and changes in its maintenance window";

export const redisServerlessKms = resourceRule(
    {
        name: "redis-serverless-kms",
        passes: "`kmsKeyId` names a customer managed key (not unset, not an `alias/aws/...` key)",
        description:
            "ElastiCache Serverless caches encrypt data at rest with the stack's customer managed KMS key (`kmsKeyId`): without one AWS's service key is used, whose policy the account cannot restrict or audit per key.",
        remediation: "Set kmsKeyId to the stack's data key ARN.",
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (cache, _args, report) => {
        if (!cache.kmsKeyId) report("kmsKeyId is unset: data at rest is encrypted with AWS's service key.");
        else if (/(?:^|:)alias\/aws\//.test(cache.kmsKeyId))
            report(`kmsKeyId ${cache.kmsKeyId} is an AWS managed key, not a customer managed one.`);
    }),
);

export const redisServerlessNetwork = resourceRule(
    {
        name: "redis-serverless-security-groups",
        passes: "`securityGroupIds` and `subnetIds` are both non-empty",
        description:
            "ElastiCache Serverless caches are placed in the stack's subnets (`subnetIds`) behind their own security groups (`securityGroupIds`): unset, AWS uses the default VPC's subnets and its default security group, open to every member.",
        remediation: "Set subnetIds to the private subnets and securityGroupIds to the cache's own security group.",
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (cache, _args, report) => {
        if ((cache.securityGroupIds ?? []).length === 0)
            report("securityGroupIds is empty: the VPC's default security group would be attached.");
        if ((cache.subnetIds ?? []).length === 0)
            report("subnetIds is empty: the default VPC's subnets would be used.");
    }),
);

export const redisServerlessAuth = resourceRule(
    {
        name: "redis-serverless-auth",
        passes: "`userGroupId` is set (an RBAC user group, whose users authenticate with IAM or a password)",
        description:
            "ElastiCache Serverless caches require authentication through a user group (`userGroupId`): without one, every client that reaches the endpoint is the default user with full access.",
        remediation: "Attach the stack's user group (its default user off, one IAM-authenticated user per client).",
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (cache, _args, report) => {
        if (!cache.userGroupId) report("userGroupId is unset: any client reaching the endpoint gets full access.");
    }),
);

export const redisServerlessBackups = resourceRule(
    {
        name: "redis-serverless-backups",
        passes: "`snapshotRetentionLimit` is at least `minimumDays` (unset counts as 0)",
        description:
            "ElastiCache Serverless caches keep daily snapshots for at least `minimumDays` (default 7) days (`snapshotRetentionLimit`), so the vote queue can be restored.",
        remediation: "Set snapshotRetentionLimit (voteapp:backupRetentionDays) to the environment's minimum or more.",
        configSchema: {
            properties: {
                minimumDays: {
                    type: "integer",
                    minimum: 1,
                    maximum: 35,
                    default: 7,
                    description: "Minimum snapshotRetentionLimit in days.",
                },
            },
        },
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (cache, args, report) => {
        const minimum = args.getConfig<{ minimumDays?: number }>().minimumDays ?? 7;
        if ((cache.snapshotRetentionLimit ?? 0) < minimum)
            report(
                `snapshotRetentionLimit is ${cache.snapshotRetentionLimit ?? "unset (0)"}; at least ${minimum} days are required.`,
            );
    }),
);

export const redisServerlessSupportedEngine = resourceRule(
    {
        name: "redis-serverless-supported-engine",
        passes: "`engine` and `majorEngineVersion` together are listed in `supportedEngines` (`<engine> <major>`); an unset major fails, since AWS would pick one",
        description:
            "ElastiCache Serverless caches run an engine and major version the pack config's `supportedEngines` lists (default Valkey 7 and 8, Redis OSS 7: the ones offering IAM authentication and user groups; Memcached has neither).",
        remediation: 'Set engine "valkey" and majorEngineVersion "8".',
        configSchema: {
            properties: {
                supportedEngines: stringList(
                    'Engine and major version pairs, e.g. "valkey 8".',
                    DEFAULT_SUPPORTED_SERVERLESS_ENGINES,
                ),
            },
        },
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (cache, args, report) => {
        const supported =
            args.getConfig<{ supportedEngines?: string[] }>().supportedEngines ?? DEFAULT_SUPPORTED_SERVERLESS_ENGINES;
        if (!cache.majorEngineVersion)
            report(`majorEngineVersion is unset, so AWS picks one; pin one of ${supported.join(", ")}.`);
        else if (!supported.includes(`${cache.engine} ${cache.majorEngineVersion}`))
            report(
                `${cache.engine} ${cache.majorEngineVersion} is not in the supported list (${supported.join(", ")}).`,
            );
    }),
);

export const redisServerlessNotInProd = resourceRule(
    {
        name: "redis-serverless-not-in-prod",
        passes: "the stack plans no ElastiCache Serverless cache, or the environment's pack config sets `allowed` (dev; staging, whose cost floor runs one)",
        description: `ElastiCache Serverless only where the pack config allows it (\`allowed\`: dev and staging; never prod): ${SERVERLESS_PROD_REFUSAL}.`,
        remediation:
            "Set voteapp:redisCapacity to nodes (a replication group with final snapshots and a maintenance window).",
        configSchema: {
            properties: {
                allowed: {
                    type: "boolean",
                    default: false,
                    description: "Whether the environment may run ElastiCache Serverless caches.",
                },
            },
        },
    },
    validateResourceOfType(aws.elasticache.ServerlessCache, (_cache, args, report) => {
        if (args.getConfig<{ allowed?: boolean }>().allowed === true) return;
        report(`a serverless cache cannot keep prod's protection: ${SERVERLESS_PROD_REFUSAL}.`);
    }),
);

export const elasticacheServerlessPolicies = [
    redisServerlessKms,
    redisServerlessNetwork,
    redisServerlessAuth,
    redisServerlessBackups,
    redisServerlessSupportedEngine,
    redisServerlessNotInProd,
];
