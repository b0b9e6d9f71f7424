import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    type DatabaseClient,
    ELASTICACHE_ID,
    isDatabaseClient,
    isRedisClient,
    REDIS_CLIENTS,
    redisAccessString,
    type RedisClient,
} from "../shared/appContract";
import { recordOf } from "../shared/record";
import { DatabaseSetup } from "./databaseSetup";
import { physicalName } from "./naming";
import { type ResourceTransform, transformed } from "./transform";
import type { CpuArchitecture } from "../shared/cpuArchitecture";
import { type WorkloadRoleScope } from "./delivery/workloadRoles";
import { NO_PROTECTION, type Protection } from "./vocabulary";

export interface DataArgs {
    /** Name prefix for physical names, `<project>-<environment>`. @example "voteapp-dev" */
    readonly namePrefix: string;
    /** Region and account of the stack: the database setup function and the IAM database user ARNs. */
    readonly region: string;
    readonly accountId: string;
    /** CPU architecture of the database setup function: the stack's. @default "arm64" */
    readonly cpuArchitecture?: CpuArchitecture;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the data stores live in (never public ones). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed to reach Redis on its port, and nothing else. */
    readonly redisClientSecurityGroupIds: pulumi.Input<string>[];
    /** Security groups allowed to reach PostgreSQL on its port, and nothing else. */
    readonly postgresClientSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for data at rest: RDS storage, Redis, secrets, log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ElastiCache node type (node-based Redis). @example "cache.t4g.micro" */
    readonly redisNodeType: string;
    /**
     * ElastiCache Serverless (Valkey) instead of a node-based replication group: billed for the data stored (at
     * least 100 MB) and the requests, spread over the AZs by AWS, with the same posture (TLS always, encrypted
     * at rest with `kmsKeyArn`, the same IAM-authenticated users, the same security group on the same port).
     * @default false
     */
    readonly redisServerless?: boolean;
    /** RDS instance class. @example "db.t4g.micro" */
    readonly postgresInstanceClass: string;
    /** RDS storage in GiB; autoscaling may double it. */
    readonly postgresAllocatedStorageGb: number;
    /** PostgreSQL version, e.g. "17" or "16.4". */
    readonly postgresEngineVersion: string;
    /** Major version, for the parameter group family. */
    readonly postgresMajorVersion: number;
    /** RDS Multi-AZ and a Redis replica with automatic failover. */
    readonly multiAz: boolean;
    /** Days of RDS backups and Redis snapshots. */
    readonly backupRetentionDays: number;
    /** Retention of the data stores' log groups. */
    readonly logRetentionDays: number;
    /**
     * With `deletionProtection`: deletion protection, Pulumi `protect`, final snapshots of the database and the
     * cache, a 30-day recovery window for secrets, changes in the maintenance window.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /** Name of the application database. @default "votes" */
    readonly databaseName?: string;
    /** Master user of the database: only the database setup function uses it, never the app. @default "voteapp" */
    readonly databaseUser?: string;
    /** Last-word adjustments of the underlying resources (see {@link ResourceTransform}). */
    readonly transform?: {
        readonly redis?: ResourceTransform<aws.elasticache.ReplicationGroupArgs>;
        readonly postgres?: ResourceTransform<aws.rds.InstanceArgs>;
    };
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/** A Redis client's ElastiCache user id (= user name, as IAM authentication requires). @example "voteapp-dev-vote" */
export function redisUserId(namePrefix: string, client: RedisClient): string {
    return elastiCacheId(`${namePrefix}-${client}`);
}

function elastiCacheId(id: string): string {
    if (!ELASTICACHE_ID.test(id))
        throw new Error(
            `"${id}" is not a valid ElastiCache id: lowercase letters, digits and single hyphens, starting with a letter`,
        );
    return id;
}

export const REDIS_PORT = 6379;

/** The serverless cache's engine: Valkey, pinned to a major version (AWS would otherwise pick one). */
export const REDIS_SERVERLESS_ENGINE = { engine: "valkey", majorVersion: "8" } as const;

/** Nodes of the Multi-AZ Redis replication group: a primary and a replica in another AZ, for automatic failover. */
export const MULTI_AZ_REDIS_NODES = 2;

/**
 * The serverless cache's usage limits (`cacheUsageLimits`): what a runaway client can cost, and what its alarms
 * measure against (observability's serverless Redis signals read these, not a copy).
 */
export const REDIS_SERVERLESS_LIMITS = {
    /** Maximum data stored, in GB (ElastiCache's unit). */
    dataStorageGb: 1,
    /** Maximum ElastiCache Processing Units per second. */
    ecpuPerSecond: 5000,
} as const;
/** The user group's mandatory "default" user: off (no connection may use it) and allowed no key or command. */
export const REDIS_DEFAULT_USER_ACCESS = "off -@all";
export const POSTGRES_PORT = 5432;

/**
 * The CA that signs the database's server certificate (RDS `caCertIdentifier`). The clients trust the RDS CA
 * bundle (app/src/containers/rdsCa.ts), which test/app/rdsCa.test.ts checks holds this CA for every region.
 */
export const POSTGRES_CA_IDENTIFIER = "rds-ca-rsa2048-g1";

/**
 * The data layer: ElastiCache Redis (TLS in transit, encrypted at rest, one IAM-authenticated user per client
 * holding exactly its keys and commands, no password anywhere) and
 * RDS PostgreSQL (encrypted, private, SSL forced, master password generated and kept by RDS in Secrets
 * Manager, IAM database authentication), each behind a security group that admits only the given client
 * groups on its one port; and the database setup, the only user of the master secret, giving each Postgres
 * client its own least-privilege IAM user.
 */
export class Data extends pulumi.ComponentResource {
    /** The node-based replication group; undefined with `redisServerless`. */
    readonly redis?: aws.elasticache.ReplicationGroup;
    /** The serverless cache; undefined without `redisServerless`. */
    readonly redisServerlessCache?: aws.elasticache.ServerlessCache;
    /** The serverless cache's usage limits; undefined without `redisServerless`. */
    readonly redisServerlessLimits?: typeof REDIS_SERVERLESS_LIMITS;
    /**
     * Member cluster ids of the replication group (`<id>-001`, …): ElastiCache publishes its metrics per node.
     * Empty for a serverless cache, which has no nodes.
     */
    readonly redisNodeIds: readonly string[];
    readonly postgres: aws.rds.Instance;
    readonly redisSecurityGroup: aws.ec2.SecurityGroup;
    readonly postgresSecurityGroup: aws.ec2.SecurityGroup;
    /** The cache the clients connect to, either kind: what their IAM tokens and role policies name. */
    readonly redisCache: {
        readonly arn: pulumi.Output<string>;
        readonly host: pulumi.Output<string>;
        readonly name: pulumi.Output<string>;
    };
    /** Each Redis client's ElastiCache user (authentication mode iam). */
    readonly redisUsers: Readonly<Record<RedisClient, aws.elasticache.User>>;
    readonly endpoints: {
        readonly redisHost: pulumi.Output<string>;
        readonly redisPort: pulumi.Output<string>;
        readonly pgHost: pulumi.Output<string>;
        readonly pgPort: pulumi.Output<string>;
        readonly pgDatabase: pulumi.Output<string>;
        /** Each Postgres client's own database user (IAM authentication; never the master user). */
        readonly pgUsers: Readonly<Record<DatabaseClient, pulumi.Output<string>>>;
        /** The replication group id the Redis IAM tokens are signed for. */
        readonly redisCacheName: pulumi.Output<string>;
        /** Each Redis client's own ElastiCache user id (IAM authentication). */
        readonly redisUsers: Readonly<Record<RedisClient, pulumi.Output<string>>>;
        readonly region: pulumi.Output<string>;
    };
    /** Creates the app's database users; clients wait for `databaseSetup.invocation` and use `connectStatement`. */
    readonly databaseSetup: DatabaseSetup;
    /** The database setup function's group: the database admits it besides the clients. */
    readonly databaseSetupSecurityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:data:Data", name, {}, opts);
        const parent = this;
        const production = (args.protection ?? NO_PROTECTION).deletionProtection;
        const finalSnapshot = production;
        const stateful = { parent, protect: production };
        const databaseName = args.databaseName ?? "votes";
        const databaseUser = args.databaseUser ?? "voteapp";

        const securityGroup = (store: string, port: number, clients: pulumi.Input<string>[]) => {
            const group = new aws.ec2.SecurityGroup(
                `${name}-${store}`,
                { vpcId: args.vpcId, description: `${store}: only the app's clients, on ${port}` },
                { parent },
            );
            clients.forEach((client, index) => {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-${store}-client-${index}`,
                    {
                        securityGroupId: group.id,
                        referencedSecurityGroupId: client,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `${store} clients`,
                    },
                    { parent },
                );
            });
            return group;
        };
        this.redisSecurityGroup = securityGroup("redis", REDIS_PORT, args.redisClientSecurityGroupIds);
        // The database setup function: PostgreSQL in the VPC, and HTTPS for Secrets Manager (through NAT or an endpoint).
        this.databaseSetupSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-db-setup`,
            { vpcId: args.vpcId, description: "Database setup function: PostgreSQL and HTTPS out, nothing in" },
            { parent },
        );
        this.postgresSecurityGroup = securityGroup("postgres", POSTGRES_PORT, [
            ...args.postgresClientSecurityGroupIds,
            this.databaseSetupSecurityGroup.id,
        ]);
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-db-setup-postgres`,
            {
                securityGroupId: this.databaseSetupSecurityGroup.id,
                referencedSecurityGroupId: this.postgresSecurityGroup.id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: "PostgreSQL",
            },
            { parent },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-db-setup-https`,
            {
                securityGroupId: this.databaseSetupSecurityGroup.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "Secrets Manager over HTTPS",
            },
            { parent },
        );

        const logGroup = (store: string) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${store}`,
                {
                    name: `/voteapp/${args.namePrefix}/${store}`,
                    retentionInDays: args.logRetentionDays,
                    kmsKeyId: args.kmsKeyArn,
                },
                { parent },
            );

        // Redis: no password anywhere (nothing in state, in Secrets Manager or in a Kubernetes Secret). Each client
        // authenticates as its own user with an IAM token signed by its task or pod role
        // (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html: Redis OSS 7+, TLS, user id = name).
        // A user group must hold a user named "default": ours is switched off and may run nothing.
        const redisDefaultUser = new aws.elasticache.User(
            `${name}-redis-default`,
            {
                userId: elastiCacheId(`${args.namePrefix}-redis-default`),
                userName: "default",
                engine: "redis",
                accessString: REDIS_DEFAULT_USER_ACCESS,
                authenticationMode: { type: "no-password-required" },
            },
            { parent },
        );
        this.redisUsers = recordOf(REDIS_CLIENTS, (client) => {
            const userId = redisUserId(args.namePrefix, client);
            return new aws.elasticache.User(
                `${name}-redis-${client}`,
                {
                    userId,
                    userName: userId,
                    engine: "redis",
                    accessString: redisAccessString(client),
                    authenticationMode: { type: "iam" },
                },
                { parent },
            );
        });
        const redisUserGroup = new aws.elasticache.UserGroup(
            `${name}-redis`,
            {
                userGroupId: elastiCacheId(`${args.namePrefix}-redis`),
                engine: "redis",
                userIds: [redisDefaultUser.userId, ...REDIS_CLIENTS.map((client) => this.redisUsers[client].userId)],
            },
            { parent },
        );
        const redisSubnets = new aws.elasticache.SubnetGroup(
            `${name}-redis`,
            { subnetIds: args.subnetIds, description: "Private subnets for Redis" },
            { parent },
        );
        let redisCache: {
            readonly arn: pulumi.Output<string>;
            readonly host: pulumi.Output<string>;
            readonly name: pulumi.Output<string>;
        };
        if (args.redisServerless) {
            // Serverless: the same user group (a Valkey cache takes user groups of engine redis:
            // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html), TLS always on, the
            // stack key at rest. Clients reach the primary endpoint on REDIS_PORT only (the reader endpoint, 6380,
            // is not used and not opened). Usage limits cap what a runaway client can cost.
            this.redisNodeIds = [];
            const serverless = new aws.elasticache.ServerlessCache(
                `${name}-redis`,
                {
                    name: elastiCacheId(`${args.namePrefix}-redis`),
                    description: `Vote queue for ${args.namePrefix}`,
                    engine: REDIS_SERVERLESS_ENGINE.engine,
                    majorEngineVersion: REDIS_SERVERLESS_ENGINE.majorVersion,
                    kmsKeyId: args.kmsKeyArn,
                    userGroupId: redisUserGroup.userGroupId,
                    subnetIds: args.subnetIds,
                    securityGroupIds: [this.redisSecurityGroup.id],
                    snapshotRetentionLimit: args.backupRetentionDays,
                    cacheUsageLimits: {
                        dataStorage: { maximum: REDIS_SERVERLESS_LIMITS.dataStorageGb, unit: "GB" },
                        ecpuPerSeconds: [{ maximum: REDIS_SERVERLESS_LIMITS.ecpuPerSecond }],
                    },
                },
                stateful,
            );
            this.redisServerlessCache = serverless;
            this.redisServerlessLimits = REDIS_SERVERLESS_LIMITS;
            redisCache = {
                arn: serverless.arn,
                host: serverless.endpoints.apply((e) => {
                    const address = e?.[0]?.address;
                    if (!address) throw new Error("ElastiCache did not report the serverless cache's endpoint");
                    return address;
                }),
                name: serverless.name,
            };
        } else {
            const redisReplicationGroupId = physicalName("elasticacheReplicationGroup", args.namePrefix, "redis");
            const redisNodeCount = args.multiAz ? MULTI_AZ_REDIS_NODES : 1;
            this.redisNodeIds = Array.from(
                { length: redisNodeCount },
                (_, i) => `${redisReplicationGroupId}-${String(i + 1).padStart(3, "0")}`,
            );
            this.redis = new aws.elasticache.ReplicationGroup(
                `${name}-redis`,
                transformed(
                    args.transform?.redis,
                    {
                        replicationGroupId: redisReplicationGroupId,
                        description: `Vote queue for ${args.namePrefix}`,
                        engine: "redis",
                        engineVersion: "7.1",
                        parameterGroupName: "default.redis7",
                        nodeType: args.redisNodeType,
                        port: REDIS_PORT,
                        numCacheClusters: redisNodeCount,
                        automaticFailoverEnabled: args.multiAz,
                        multiAzEnabled: args.multiAz,
                        atRestEncryptionEnabled: true,
                        kmsKeyId: args.kmsKeyArn,
                        transitEncryptionEnabled: true,
                        userGroupIds: [redisUserGroup.userGroupId],
                        subnetGroupName: redisSubnets.name,
                        securityGroupIds: [this.redisSecurityGroup.id],
                        snapshotRetentionLimit: args.backupRetentionDays,
                        finalSnapshotIdentifier: finalSnapshot ? `${redisReplicationGroupId}-final` : undefined,
                        autoMinorVersionUpgrade: true,
                        logDeliveryConfigurations: [
                            {
                                destination: logGroup("redis-slow-log").name,
                                destinationType: "cloudwatch-logs",
                                logFormat: "json",
                                logType: "slow-log",
                            },
                        ],
                    },
                    `${name}-redis`,
                ),
                stateful,
            );
            redisCache = {
                arn: this.redis.arn,
                host: this.redis.primaryEndpointAddress,
                name: this.redis.replicationGroupId,
            };
        }
        this.redisCache = redisCache;

        // PostgreSQL: RDS generates the master password and keeps it in Secrets Manager (never in Pulumi state).
        const postgresSubnets = new aws.rds.SubnetGroup(
            `${name}-postgres`,
            { subnetIds: args.subnetIds, description: "Private subnets for PostgreSQL" },
            { parent },
        );
        const parameters = new aws.rds.ParameterGroup(
            `${name}-postgres`,
            {
                family: `postgres${args.postgresMajorVersion}`,
                description: "Forces SSL and logs slow statements",
                parameters: [
                    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                    { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
                ],
            },
            { parent },
        );
        const identifier = physicalName("rdsInstance", args.namePrefix, "postgres");
        this.postgres = new aws.rds.Instance(
            `${name}-postgres`,
            transformed(
                args.transform?.postgres,
                {
                    identifier,
                    engine: "postgres",
                    engineVersion: args.postgresEngineVersion,
                    instanceClass: args.postgresInstanceClass,
                    allocatedStorage: args.postgresAllocatedStorageGb,
                    maxAllocatedStorage: args.postgresAllocatedStorageGb * 2,
                    storageType: "gp3",
                    storageEncrypted: true,
                    kmsKeyId: args.kmsKeyArn,
                    dbName: databaseName,
                    username: databaseUser,
                    manageMasterUserPassword: true,
                    masterUserSecretKmsKeyId: args.kmsKeyArn,
                    iamDatabaseAuthenticationEnabled: true,
                    dbSubnetGroupName: postgresSubnets.name,
                    vpcSecurityGroupIds: [this.postgresSecurityGroup.id],
                    publiclyAccessible: false,
                    parameterGroupName: parameters.name,
                    multiAz: args.multiAz,
                    backupRetentionPeriod: args.backupRetentionDays,
                    copyTagsToSnapshot: true,
                    deletionProtection: production,
                    skipFinalSnapshot: !finalSnapshot,
                    finalSnapshotIdentifier: finalSnapshot ? `${identifier}-final` : undefined,
                    autoMinorVersionUpgrade: true,
                    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                    caCertIdentifier: POSTGRES_CA_IDENTIFIER,
                    applyImmediately: !production,
                },
                `${name}-postgres`,
            ),
            stateful,
        );

        const masterSecretArn = this.postgres.masterUserSecrets.apply((secrets) => {
            const arn = secrets?.[0]?.secretArn;
            if (!arn) throw new Error("RDS did not report the master user secret; manageMasterUserPassword must be on");
            return arn;
        });
        this.databaseSetup = new DatabaseSetup(
            `${name}-db-setup`,
            {
                roleScope: args.roleScope,
                namePrefix: args.namePrefix,
                region: args.region,
                accountId: args.accountId,
                subnetIds: args.subnetIds,
                securityGroupId: this.databaseSetupSecurityGroup.id,
                instance: this.postgres,
                database: databaseName,
                masterSecretArn,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                cpuArchitecture: args.cpuArchitecture,
            },
            { parent },
        );
        this.endpoints = {
            redisHost: this.redisCache.host,
            redisPort: pulumi.output(String(REDIS_PORT)),
            pgHost: this.postgres.address,
            pgPort: pulumi.output(String(POSTGRES_PORT)),
            pgDatabase: pulumi.output(databaseName),
            pgUsers: {
                worker: pulumi.output(this.databaseSetup.users.worker),
                result: pulumi.output(this.databaseSetup.users.result),
            },
            // The id as ElastiCache reports it once the cache exists, so clients start after it (and its users) do.
            redisCacheName: this.redisCache.name,
            redisUsers: recordOf(REDIS_CLIENTS, (client) => this.redisUsers[client].userId),
            region: pulumi.output(args.region),
        };
        this.registerOutputs({ redisHost: this.endpoints.redisHost, pgHost: this.endpoints.pgHost });
    }

    /**
     * Everything a service's task or pod role may do: connect to the stores it uses as its own IAM-authenticated
     * user (Redis: elasticache:Connect; PostgreSQL: rds-db:connect), nothing else; empty for a service using neither.
     */
    connectStatementsFor(service: string): {
        readonly statements: ReturnType<Data["redisConnectStatement"] | DatabaseSetup["connectStatement"]>[];
        /** What the statements allow, for role descriptions. @example "Redis as voteapp-dev-worker and PostgreSQL as voteapp_worker" */
        readonly purpose: string;
    } {
        const redis = isRedisClient(service);
        const postgres = isDatabaseClient(service);
        return {
            statements: [
                ...(redis ? [this.redisConnectStatement(service)] : []),
                ...(postgres ? [this.databaseSetup.connectStatement(service)] : []),
            ],
            purpose: [
                ...(redis ? [`Redis as its own user`] : []),
                ...(postgres ? [`PostgreSQL as ${this.databaseSetup.users[service]}`] : []),
            ].join(" and "),
        };
    }

    /**
     * The statement a Redis client's task or pod role needs to sign its IAM tokens: elasticache:Connect on this
     * replication group as its own user, nothing else (both resources are required, per the AWS page above).
     */
    redisConnectStatement(client: RedisClient): {
        Sid: string;
        Effect: "Allow";
        Action: string;
        Resource: pulumi.Output<string>[];
    } {
        return {
            Sid: "ConnectToRedisAsOwnUser",
            Effect: "Allow",
            Action: "elasticache:Connect",
            Resource: [this.redisCache.arn, this.redisUsers[client].arn],
        };
    }
}
