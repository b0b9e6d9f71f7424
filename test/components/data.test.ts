import * as assert from "assert";
import { REDIS_CLIENTS, redisAccessString } from "../../shared/appContract";
import { REDIS_DEFAULT_USER_ACCESS } from "../../components/data";
import { mountData, TEST_DATA_ARGS, TEST_KMS_KEY_ARN, TEST_NAME_PREFIX, TEST_NETWORK } from "../support/fixtures";
import { input, named, ofType, single } from "../support/resources";

/** Data mounted alone with the args each test chooses (test/support/fixtures.ts). */
describe("Data", function () {
    this.timeout(180_000);

    it("runs Redis with TLS in transit, encryption at rest and no password: one IAM-authenticated user per client, the default user off", async () => {
        const run = await mountData();
        const redis = single(run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.strictEqual(redis.inputs.transitEncryptionEnabled, true);
        assert.strictEqual(redis.inputs.atRestEncryptionEnabled, true);
        assert.strictEqual(redis.inputs.kmsKeyId, TEST_KMS_KEY_ARN);
        // IAM authentication needs Redis OSS 7 or later (docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html).
        assert.ok(
            Number(String(redis.inputs.engineVersion).split(".")[0]) >= 7,
            `engine ${redis.inputs.engineVersion}`,
        );
        assert.strictEqual(redis.inputs.authToken, undefined, "an AUTH token would be a password in state");
        assert.deepStrictEqual(redis.secretInputKeys, []);
        const group = single(run, "aws:elasticache/userGroup:UserGroup");
        assert.deepStrictEqual(redis.inputs.userGroupIds, [group.inputs.userGroupId]);
        const users = ofType(run, "aws:elasticache/user:User");
        assert.deepStrictEqual(
            (group.inputs.userIds as string[]).slice().sort(),
            users.map((u) => String(u.inputs.userId)).sort(),
        );
        const byName = Object.fromEntries(users.map((u) => [String(u.inputs.userName), u]));
        assert.deepStrictEqual(Object.keys(byName).sort(), [
            "default",
            `${TEST_NAME_PREFIX}-vote`,
            `${TEST_NAME_PREFIX}-worker`,
        ]);
        assert.deepStrictEqual(
            [byName.default.inputs.accessString, input(byName.default, "authenticationMode", "type")],
            [REDIS_DEFAULT_USER_ACCESS, "no-password-required"],
        );
        assert.ok(String(byName.default.inputs.accessString).startsWith("off "), "the default user is switched off");
        for (const client of REDIS_CLIENTS) {
            const user = byName[`${TEST_NAME_PREFIX}-${client}`];
            assert.strictEqual(user.inputs.userId, user.inputs.userName, "IAM users' id is their name");
            assert.deepStrictEqual(user.inputs.authenticationMode, { type: "iam" });
            assert.strictEqual(user.inputs.accessString, redisAccessString(client));
            assert.strictEqual(user.inputs.passwords, undefined);
        }
        for (const type of [
            "random:index/randomPassword:RandomPassword",
            "aws:secretsmanager/secretVersion:SecretVersion",
        ])
            assert.deepStrictEqual(ofType(run, type), [], `${type}: no generated secret`);
    });

    it("gives Redis a replica with automatic failover when multiAz, one node without; snapshots kept backupRetentionDays", async () => {
        const single_ = single(
            await mountData({ multiAz: false }),
            "aws:elasticache/replicationGroup:ReplicationGroup",
        );
        const multi = single(
            await mountData({ multiAz: true, backupRetentionDays: 9, redisNodeType: "cache.r7g.large" }),
            "aws:elasticache/replicationGroup:ReplicationGroup",
        );
        assert.deepStrictEqual(
            [single_.inputs.numCacheClusters, single_.inputs.automaticFailoverEnabled, single_.inputs.multiAzEnabled],
            [1, false, false],
        );
        assert.deepStrictEqual(
            [multi.inputs.numCacheClusters, multi.inputs.automaticFailoverEnabled, multi.inputs.multiAzEnabled],
            [2, true, true],
        );
        assert.deepStrictEqual([multi.inputs.snapshotRetentionLimit, multi.inputs.nodeType], [9, "cache.r7g.large"]);
    });

    it("serverless: Valkey (IAM authentication needs 7.2+) with the same posture: the stack key, the IAM user group, the private subnets, the clients' group on the one port", async () => {
        const run = await mountData({ redisServerless: true, backupRetentionDays: 5 });
        assert.deepStrictEqual(ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup"), []);
        const cache = single(run, "aws:elasticache/serverlessCache:ServerlessCache");
        assert.strictEqual(cache.inputs.engine, "valkey");
        assert.ok(Number(cache.inputs.majorEngineVersion) >= 8, `Valkey ${String(cache.inputs.majorEngineVersion)}`);
        assert.strictEqual(cache.inputs.kmsKeyId, TEST_DATA_ARGS.kmsKeyArn, "encrypted at rest with the stack key");
        assert.strictEqual(
            cache.inputs.userGroupId,
            single(run, "aws:elasticache/userGroup:UserGroup").inputs.userGroupId,
        );
        assert.deepStrictEqual(cache.inputs.subnetIds, TEST_DATA_ARGS.subnetIds);
        const group = named(run, "aws:ec2/securityGroup:SecurityGroup", "data-redis");
        assert.ok(cache.dependencies.includes(group.urn), "the cache sits in the Redis security group");
        assert.deepStrictEqual(
            ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => r.name.startsWith("data-redis-client"))
                .map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
            [["sg-redis-client", 6379, 6379]],
        );
        assert.strictEqual(cache.inputs.snapshotRetentionLimit, 5);
        assert.deepStrictEqual(cache.secretInputKeys, []);
        for (const user of ofType(run, "aws:elasticache/user:User").filter((u) => u.inputs.userName !== "default"))
            assert.deepStrictEqual(user.inputs.authenticationMode, { type: "iam" });
    });

    it("keeps PostgreSQL private, encrypted, SSL-only, with its password generated and kept by RDS", async () => {
        const run = await mountData();
        const rds = single(run, "aws:rds/instance:Instance");
        assert.strictEqual(rds.inputs.publiclyAccessible, false);
        assert.strictEqual(rds.inputs.storageEncrypted, true);
        assert.strictEqual(rds.inputs.manageMasterUserPassword, true);
        assert.strictEqual(rds.inputs.password, undefined, "a password must never be passed in");
        assert.strictEqual(rds.inputs.masterUserSecretKmsKeyId, TEST_KMS_KEY_ARN);
        assert.deepStrictEqual(rds.inputs.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
        const parameters = single(run, "aws:rds/parameterGroup:ParameterGroup");
        assert.strictEqual(parameters.inputs.family, `postgres${TEST_DATA_ARGS.postgresMajorVersion}`);
        assert.ok(
            (parameters.inputs.parameters as { name: string; value: string }[]).some(
                (p) => p.name === "rds.force_ssl" && p.value === "1",
            ),
        );
        assert.strictEqual(rds.inputs.parameterGroupName, parameters.inputs.name ?? rds.inputs.parameterGroupName);
    });

    it("runs PostgreSQL Multi-AZ, sized and backed up as its args say", async () => {
        const run = await mountData({
            multiAz: true,
            backupRetentionDays: 11,
            postgresInstanceClass: "db.m7g.xlarge",
            postgresAllocatedStorageGb: 55,
        });
        const rds = single(run, "aws:rds/instance:Instance");
        assert.deepStrictEqual(
            [
                rds.inputs.multiAz,
                rds.inputs.backupRetentionPeriod,
                rds.inputs.copyTagsToSnapshot,
                rds.inputs.instanceClass,
                rds.inputs.allocatedStorage,
            ],
            [true, 11, true, "db.m7g.xlarge", 55],
        );
        const oneZone = single(await mountData({ multiAz: false }), "aws:rds/instance:Instance");
        assert.strictEqual(oneZone.inputs.multiAz, false);
    });

    it("admits only the client security groups given, each on its store's one port", async () => {
        const clients = { redis: ["sg-vote", "sg-worker"], postgres: ["sg-result", "sg-worker"] };
        const run = await mountData({
            redisClientSecurityGroupIds: clients.redis,
            postgresClientSecurityGroupIds: clients.postgres,
        });
        const groupIds = new Map(ofType(run, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.name, g]));
        for (const [store, port, admitted, others] of [
            ["redis", 6379, clients.redis, 0],
            // The database setup function is the third Postgres client (the only one using the master user).
            ["postgres", 5432, clients.postgres, 1],
        ] as const) {
            const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
                r.name.startsWith(`data-${store}-client`),
            );
            const referenced = rules.map((r) => String(r.inputs.referencedSecurityGroupId));
            assert.strictEqual(rules.length, admitted.length + others, `${store}: ${referenced.join(", ")}`);
            for (const group of admitted) assert.ok(referenced.includes(group), `${store} does not admit ${group}`);
            for (const rule of rules) {
                assert.deepStrictEqual(
                    [rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.ipProtocol],
                    [port, port, "tcp"],
                );
                assert.strictEqual(rule.inputs.cidrIpv4, undefined, `${rule.name} opens a CIDR`);
                assert.ok(typeof rule.inputs.referencedSecurityGroupId === "string");
            }
            assert.ok(groupIds.has(`data-${store}`));
        }
        const rdsGroups = input(
            named(run, "aws:rds/instance:Instance", "data-postgres"),
            "vpcSecurityGroupIds",
        ) as string[];
        assert.ok(
            rdsGroups.length === 1 && rdsGroups[0].startsWith("sg-"),
            `RDS security groups: ${rdsGroups.join(", ")}`,
        );
    });

    it("puts both stores in private subnets only", async () => {
        const run = await mountData();
        for (const group of [
            single(run, "aws:rds/subnetGroup:SubnetGroup"),
            single(run, "aws:elasticache/subnetGroup:SubnetGroup"),
        ]) {
            assert.deepStrictEqual(group.inputs.subnetIds, TEST_NETWORK.privateSubnetIds, group.type);
        }
    });
});
