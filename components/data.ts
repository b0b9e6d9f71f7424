import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type AppService, AppSecretName, appSecretNames, type DatabaseClient } from "../shared/appContract";
import { DatabaseSetup } from "./databaseSetup";
import { physicalName } from "./naming";
import { type ResourceTransform, transformed } from "./transform";
import { type WorkloadRoleScope } from "./delivery/workloadRoles";
import { NO_PROTECTION, type Protection } from "./vocabulary";

export interface DataArgs {
    /** Name prefix for physical names, `<project>-<environment>`. @example "voteapp-dev" */
    readonly namePrefix: string;
    /** Region and account of the stack: the database setup function and the IAM database user ARNs. */
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the data stores live in (never public ones). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed to reach Redis on its port, and nothing else. */
    readonly redisClientSecurityGroupIds: pulumi.Input<string>[];
    /** Security groups allowed to reach PostgreSQL on its port, and nothing else. */
    readonly postgresClientSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for data at rest: RDS storage, Redis, secrets, log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ElastiCache node type. @example "cache.t4g.micro" */
    readonly redisNodeType: string;
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

/** A secret the platforms inject: its ARN and, when it holds JSON, the key to read. */
export interface InjectedSecret {
    readonly arn: pulumi.Output<string>;
    readonly jsonKey?: string;
}

/** The secrets one service needs (app contract names), and where each is kept: shared by every platform. */
export function injectedSecretsFor(
    service: AppService,
    secrets: Data["secrets"],
): { readonly name: string; readonly secret: InjectedSecret }[] {
    const byName: Readonly<Record<string, InjectedSecret>> = {
        [AppSecretName.redisPassword]: secrets.redisPassword,
    };
    return appSecretNames(service).map((name) => ({ name, secret: byName[name] }));
}

export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;

/**
 * The CA that signs the database's server certificate (RDS `caCertIdentifier`). The clients trust the RDS CA
 * bundle (app/src/containers/rdsCa.ts), which test/app/rdsCa.test.ts checks holds this CA for every region.
 */
export const POSTGRES_CA_IDENTIFIER = "rds-ca-rsa2048-g1";

/**
 * The data layer: ElastiCache Redis (TLS in transit, encrypted at rest, AUTH token in Secrets Manager) and
 * RDS PostgreSQL (encrypted, private, SSL forced, master password generated and kept by RDS in Secrets
 * Manager, IAM database authentication), each behind a security group that admits only the given client
 * groups on its one port; and the database setup, the only user of the master secret, giving each Postgres
 * client its own least-privilege IAM user.
 */
export class Data extends pulumi.ComponentResource {
    readonly redis: aws.elasticache.ReplicationGroup;
    /** Member cluster ids of the replication group (`<id>-001`, …): ElastiCache publishes its metrics per node. */
    readonly redisNodeIds: readonly string[];
    readonly postgres: aws.rds.Instance;
    readonly redisSecurityGroup: aws.ec2.SecurityGroup;
    readonly postgresSecurityGroup: aws.ec2.SecurityGroup;
    readonly redisAuthSecret: aws.secretsmanager.Secret;
    readonly endpoints: {
        readonly redisHost: pulumi.Output<string>;
        readonly redisPort: pulumi.Output<string>;
        readonly pgHost: pulumi.Output<string>;
        readonly pgPort: pulumi.Output<string>;
        readonly pgDatabase: pulumi.Output<string>;
        /** Each Postgres client's own database user (IAM authentication; never the master user). */
        readonly pgUsers: Readonly<Record<DatabaseClient, pulumi.Output<string>>>;
        readonly region: pulumi.Output<string>;
    };
    readonly secrets: { readonly redisPassword: InjectedSecret };
    /** The Redis AUTH token (a Pulumi secret) for platforms that inject it from their own secret store (EKS). */
    readonly redisAuthToken: pulumi.Output<string>;
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

        // Redis: the AUTH token is generated here, kept in Secrets Manager for the platforms to inject.
        const redisToken = new random.RandomPassword(`${name}-redis-auth`, { length: 64, special: false }, { parent });
        this.redisAuthSecret = new aws.secretsmanager.Secret(
            `${name}-redis-auth`,
            {
                name: `${args.namePrefix}/redis-auth-token`,
                description: "ElastiCache Redis AUTH token",
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: production ? 30 : 7,
            },
            stateful,
        );
        const redisAuthVersion = new aws.secretsmanager.SecretVersion(
            `${name}-redis-auth`,
            { secretId: this.redisAuthSecret.id, secretString: redisToken.result },
            { parent },
        );
        const redisSubnets = new aws.elasticache.SubnetGroup(
            `${name}-redis`,
            { subnetIds: args.subnetIds, description: "Private subnets for Redis" },
            { parent },
        );
        const redisReplicationGroupId = physicalName("elasticacheReplicationGroup", args.namePrefix, "redis");
        const redisNodeCount = args.multiAz ? 2 : 1;
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
                    authToken: redisToken.result,
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
            },
            { parent },
        );
        this.endpoints = {
            redisHost: this.redis.primaryEndpointAddress,
            redisPort: pulumi.output(String(REDIS_PORT)),
            pgHost: this.postgres.address,
            pgPort: pulumi.output(String(POSTGRES_PORT)),
            pgDatabase: pulumi.output(databaseName),
            pgUsers: {
                worker: pulumi.output(this.databaseSetup.users.worker),
                result: pulumi.output(this.databaseSetup.users.result),
            },
            region: pulumi.output(args.region),
        };
        // Readers of the token (ECS secrets, the EKS Secret) must wait for its value, not just for the empty secret.
        const redisAuthArn = pulumi.all([this.redisAuthSecret.arn, redisAuthVersion.versionId]).apply(([arn]) => arn);
        this.secrets = { redisPassword: { arn: redisAuthArn } };
        this.redisAuthToken = pulumi.secret(redisToken.result);
        this.registerOutputs({ redisHost: this.endpoints.redisHost, pgHost: this.endpoints.pgHost });
    }
}
