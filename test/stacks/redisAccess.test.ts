import * as assert from "assert";
import { APP_SERVICES, type AppService, AppEnv, isRedisClient, redisAccessString } from "../../shared/appContract";
import { isServerlessCacheEndpoint } from "../../app/src/core/config";
import type { CapturedResource } from "../../shared/capturedResource";
import { ofType, stackRun } from "../support/stacks";
import { containerWorkloads } from "../support/workloads";

/**
 * The Redis credential on ECS and EKS, on the captured resources of the shipped stacks, joining both sides of
 * ElastiCache IAM authentication: the user and replication group a container signs its tokens for (its
 * environment) are the ones the data layer creates, and its role (ECS task role, EKS Pod Identity role) may
 * elasticache:Connect to exactly that replication group as exactly that user. The app side (the token, the
 * users' rules against a real Redis) is test/app/redisAccess.test.ts.
 */

type Run = Awaited<ReturnType<typeof stackRun>>;

/**
 * The stack's one cache, either kind (dev runs ElastiCache Serverless, prod a replication group): the id its
 * clients' tokens name and the ARN their roles may connect to.
 */
function cacheOf(r: Run): { id: string; arn: string; serverless: boolean } {
    const groups = ofType(r, "aws:elasticache/replicationGroup:ReplicationGroup");
    const serverless = ofType(r, "aws:elasticache/serverlessCache:ServerlessCache");
    assert.strictEqual(groups.length + serverless.length, 1, "one cache");
    const account = accountOf(r);
    if (serverless.length === 1) {
        const id = String(serverless[0].inputs.name);
        return { id, arn: `arn:aws:elasticache:eu-west-1:${account}:serverlesscache:${id}`, serverless: true };
    }
    const id = String(groups[0].inputs.replicationGroupId);
    return { id, arn: `arn:aws:elasticache:eu-west-1:${account}:replicationgroup:${id}`, serverless: false };
}
const PLATFORMS = {
    "ecs dev": () => stackRun("dev"),
    "ecs prod": () => stackRun("prod"),
    "eks dev": () => stackRun("dev", { overrides: { "voteapp:platform": "eks" } }),
    "eks prod": () => stackRun("prod", { overrides: { "voteapp:platform": "eks" } }),
} as const;

interface Statement {
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
}
const statementsOf = (policy: CapturedResource): Statement[] =>
    (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;

/** Each container's plain environment and the name of the role it runs as, by service. */
function containers(run: Run): { service: AppService; env: Record<string, string>; role: string }[] {
    const serviceNamed = (name: string): AppService => {
        const service = APP_SERVICES.find((s) => s === name);
        assert.ok(service, `a container named ${name}`);
        return service;
    };
    return containerWorkloads(run).map(({ service, env, roleArn }) => ({
        service: serviceNamed(service),
        env: { ...env },
        role: roleArn.replace(/^arn:aws:iam::\d{12}:role\//, ""),
    }));
}

describe("Redis access on ecs and eks: IAM authentication as each client's own user, no password", function () {
    this.timeout(180_000);

    for (const [platform, run] of Object.entries(PLATFORMS)) {
        describe(platform, () => {
            it("each Redis client signs for the cache (replication group or serverless, as its endpoint tells the app) and its own IAM user; result has no Redis settings", async () => {
                const r = await run();
                const cache = cacheOf(r);
                const users = ofType(r, "aws:elasticache/user:User");
                const seen = containers(r);
                assert.ok(seen.length >= 3, `containers: ${seen.map((c) => c.service).join(", ")}`);
                for (const { service, env } of seen) {
                    if (!isRedisClient(service)) {
                        assert.ok(
                            !Object.keys(env).some((name) => name.startsWith("REDIS_")),
                            `${service} gets Redis settings`,
                        );
                        continue;
                    }
                    assert.strictEqual(env[AppEnv.redisAuth], "iam", service);
                    assert.strictEqual(env[AppEnv.redisTls], "true", service);
                    assert.strictEqual(env[AppEnv.redisCacheName], cache.id, service);
                    // The app signs serverless tokens (ResourceType=ServerlessCache) when the endpoint is one.
                    assert.strictEqual(isServerlessCacheEndpoint(env[AppEnv.redisHost]), cache.serverless, service);
                    assert.strictEqual(env[AppEnv.awsRegion], "eu-west-1", service);
                    const user = users.find((u) => u.inputs.userId === env[AppEnv.redisUser]);
                    assert.ok(user, `${service}: no ElastiCache user ${env[AppEnv.redisUser]}`);
                    assert.deepStrictEqual(user.inputs.authenticationMode, { type: "iam" });
                    assert.strictEqual(user.inputs.accessString, redisAccessString(service));
                }
            });

            it("only the Redis clients' roles may elasticache:Connect, each to the cache as its own user only", async () => {
                const r = await run();
                const cache = cacheOf(r);
                const connecting = ofType(r, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
                    statementsOf(p).some((s) => [s.Action].flat().some((a) => a.startsWith("elasticache:"))),
                );
                const roleNameOf = (policy: CapturedResource) => String(policy.inputs.role).replace(/-id$/, "");
                const byRole = new Map(connecting.map((p) => [roleNameOf(p), p]));
                const clients = containers(r).filter((c) => isRedisClient(c.service));
                assert.deepStrictEqual(
                    [...new Set(clients.map((c) => c.role))].sort(),
                    [...byRole.keys()].sort(),
                    "the roles allowed to connect are exactly the Redis clients' roles",
                );
                for (const { service, env, role } of clients) {
                    const [statement, ...others] = statementsOf(byRole.get(role) as CapturedResource).filter((s) =>
                        [s.Action].flat().some((a) => a.startsWith("elasticache:")),
                    );
                    assert.deepStrictEqual(others, [], service);
                    assert.deepStrictEqual([statement.Effect, statement.Action], ["Allow", "elasticache:Connect"]);
                    assert.deepStrictEqual(
                        [statement.Resource].flat(),
                        [cache.arn, `arn:aws:elasticache:eu-west-1:${accountOf(r)}:user:${env[AppEnv.redisUser]}`],
                        `${service} may connect elsewhere or as another user`,
                    );
                }
                assert.deepStrictEqual(
                    APP_SERVICES.filter(isRedisClient).sort(),
                    [...new Set(clients.map((c) => c.service))].sort(),
                );
            });
        });
    }
});

function accountOf(run: Run): string {
    const provider = run.resources.find((r) => r.type === "pulumi:providers:aws");
    const ids = provider?.inputs.allowedAccountIds;
    const id = Array.isArray(ids) ? String(ids[0]) : JSON.parse(String(ids ?? "[]"))[0];
    assert.match(String(id), /^\d{12}$/);
    return String(id);
}
