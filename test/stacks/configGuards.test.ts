import * as assert from "assert";
import { readStackConfig } from "../../plan/stackFile";
import { ConfigValidationError, parseVoteAppConfig } from "../../stacks/config";
import {
    AWS_REGIONS,
    cacheEngineVersionProblem,
    CATALOGUE_SOURCES,
    ec2InstanceTypeProblem,
    rdsInstanceClassProblem,
} from "../../stacks/config/catalogues";
import { WIDEST_PUBLIC_ACCESS_PREFIX } from "../../stacks/config/eks";
import { assertProblem, parseWith } from "../support/config";
import { single, stackRun } from "../support/stacks";

/** Raw stack-file keys (any namespace) changed; undefined removes one. */
function parseRaw(stack: string, changes: Record<string, string | undefined>) {
    const file = readStackConfig(stack);
    const raw = { ...file.config };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete raw[key];
        else raw[key] = value;
    }
    return parseVoteAppConfig(raw, { project: file.project, stack });
}

function assertRawProblem(stack: string, changes: Record<string, string | undefined>, key: string, fragment: string) {
    assert.throws(
        () => parseRaw(stack, changes),
        (err: unknown) => {
            assert.ok(err instanceof ConfigValidationError, String(err));
            const problem = err.problems.find((p) => p.key === key);
            assert.ok(problem, `no problem for ${key}:\n${err.message}`);
            assert.ok(problem.message.includes(fragment), `${key}: "${problem.message}" lacks "${fragment}"`);
            return true;
        },
    );
}

describe("config: values checked against AWS catalogues, not patterns", () => {
    it("a region that fits the pattern but does not exist is refused, with the closest real one", () => {
        assertProblem("dev", { region: "eu-west-9" }, "region", "is not an AWS region", "did you mean eu-west-");
        assertProblem("dev", { region: "us-gov-north-1" }, "region", "is not an AWS region");
        for (const region of ["eu-central-2", "us-east-1", "ap-southeast-4"])
            assert.strictEqual(parseWith("dev", { region }).region, region);
        assert.ok(AWS_REGIONS.size >= 30 && AWS_REGIONS.get("cn-north-1") === "aws-cn");
    });

    it("RDS instance classes: a size the family never had, an unknown family and burstable nano are refused", () => {
        assertProblem(
            "prod",
            { postgresInstanceClass: "db.t4g.24xlarge" },
            "postgresInstanceClass",
            "db.t4g has no size 24xlarge",
        );
        assertProblem(
            "prod",
            { postgresInstanceClass: "db.m9z.large" },
            "postgresInstanceClass",
            "family db.m9z is not offered",
        );
        assertProblem("dev", { postgresInstanceClass: "db.t4g.nano" }, "postgresInstanceClass", "has no size nano");
        for (const cls of ["db.m7g.large", "db.r8g.2xlarge", "db.t3.micro", "db.m6idn.large"])
            assert.strictEqual(rdsInstanceClassProblem(cls), undefined, cls);
        assert.strictEqual(
            parseWith("prod", { postgresInstanceClass: "db.r7g.xlarge" }).data.postgresInstanceClass,
            "db.r7g.xlarge",
        );
    });

    it("ElastiCache node types: burstable sizes beyond medium and unknown families are refused", () => {
        assertProblem("prod", { redisNodeType: "cache.t4g.2xlarge" }, "redisNodeType", "cache.t4g has no size 2xlarge");
        assertProblem("prod", { redisNodeType: "cache.x9.large" }, "redisNodeType", "family cache.x9 is not offered");
        assertProblem("prod", { redisNodeType: "cache.m7g.metal" }, "redisNodeType", "has no size metal");
        assert.strictEqual(
            parseWith("prod", { redisNodeType: "cache.r7g.large" }).data.redisNodeType,
            "cache.r7g.large",
        );
    });

    it("EC2 (EKS node) instance types: a Graviton-looking type that does not exist is refused", () => {
        assertProblem(
            "dev",
            { eksNodeInstanceTypes: "t4g.24xlarge" },
            "eksNodeInstanceTypes",
            "family t4g has no size 24xlarge",
        );
        assertProblem(
            "dev",
            { eksNodeInstanceTypes: "m7g.large,z9g.large" },
            "eksNodeInstanceTypes",
            '"z9g.large" is not an EC2 instance type',
        );
        assert.strictEqual(ec2InstanceTypeProblem("c8g.xlarge"), undefined);
        assert.deepStrictEqual(
            parseWith("dev", { eksNodeInstanceTypes: "m7g.large,c7g.xlarge" }).eks.nodes.instanceTypes,
            ["m7g.large", "c7g.xlarge"],
        );
    });

    it("PostgreSQL versions: a minor RDS never had or has retired is refused; the major alone and current minors pass", () => {
        assertProblem("dev", { postgresEngineVersion: "17.99" }, "postgresEngineVersion", "17 offers 17.5");
        assertProblem(
            "dev",
            { postgresEngineVersion: "16.5" },
            "postgresEngineVersion",
            "is not an RDS for PostgreSQL version one can create",
        );
        for (const v of ["17", "17.6", "16.10", "14.20"])
            assert.strictEqual(parseWith("dev", { postgresEngineVersion: v }).data.postgresEngineVersion, v);
    });

    it("the Redis engine version the Data component pins is one ElastiCache offers", async () => {
        // dev defaults to ElastiCache Serverless (no engine version to pin): ask for the node-based group.
        const group = single(
            await stackRun("dev", { overrides: { "voteapp:redisCapacity": "nodes" } }),
            "aws:elasticache/replicationGroup:ReplicationGroup",
        );
        assert.strictEqual(
            cacheEngineVersionProblem(String(group.inputs.engine), String(group.inputs.engineVersion)),
            undefined,
        );
        assert.ok(cacheEngineVersionProblem("redis", "7.9"));
        assert.strictEqual(cacheEngineVersionProblem("valkey", "8.1"), undefined);
    });

    it("an ARN in another partition than the region's is refused (certificate, EKS admin role)", () => {
        assertProblem(
            "prod",
            {
                certificateArn:
                    "arn:aws-cn:acm:eu-west-1:333333333333:certificate/00000000-0000-4000-8000-000000000003",
            },
            "certificateArn",
            "is in partition aws-cn, but region eu-west-1 is in partition aws",
        );
        assertProblem(
            "dev",
            { eksAdminRoleArn: "arn:aws-us-gov:iam::111111111111:role/admin" },
            "eksAdminRoleArn",
            "partition aws-us-gov",
        );
    });

    it("every catalogue names its source and date (the README prints them)", () => {
        for (const c of CATALOGUE_SOURCES) {
            assert.ok(c.source.length > 10, c.catalogue);
            assert.match(c.checked, /^(20\d\d-\d\d-\d\d|with the installed package)$/, c.catalogue);
        }
    });
});

describe("config: prod safety and accounts", () => {
    it("tier dev in the prod stack is refused naming tier (the key the user changed), not accountId", () => {
        assertProblem("prod", { tier: "dev" }, "tier", "contradicts voteapp:environment (prod)");
        assert.throws(
            () => parseWith("prod", { tier: "dev" }),
            (e: unknown) =>
                e instanceof ConfigValidationError && !e.problems.some((p) => p.key === "voteapp:accountId"),
        );
    });

    it("the account decides the tier's floor for any environment name: int in the prod account cannot be dev or staging", () => {
        assertProblem("prod", { environment: "int", tier: "dev" }, "tier", "is below what the account allows");
        assertProblem("prod", { environment: "int", tier: "staging" }, "tier", "must have tier prod");
        assertProblem("staging", { environment: "int", tier: "dev" }, "tier", "staging or prod");
        assert.strictEqual(parseWith("prod", { environment: "int", tier: "prod" }).tier, "prod");
    });

    it("the account map is required, so the floor cannot be skipped by leaving it out", () => {
        assertProblem("prod", { prodAccountId: undefined }, "prodAccountId", "is required");
        assertProblem("dev", { stagingAccountId: undefined }, "stagingAccountId", "is required");
    });

    it("prod without Security Hub is refused (unless a central security account owns the baseline)", () => {
        assertProblem("prod", { securityHub: "false" }, "securityHub", "must be true in prod");
        assert.strictEqual(parseWith("staging", { securityHub: "false" }).tier, "staging");
    });

    it("prod blue/green (the ecs default) with no bake time is refused; rolling or a bake passes", () => {
        assertProblem(
            "prod",
            { deploymentBakeMinutes: "0" },
            "deploymentBakeMinutes",
            "must be at least 1 in prod with deployment strategy blueGreen",
        );
        assertProblem(
            "prod",
            { deploymentBakeMinutes: "0", deploymentStrategy: "canary" },
            "deploymentBakeMinutes",
            "canary",
        );
        assert.strictEqual(
            parseWith("prod", { deploymentBakeMinutes: "0", deploymentStrategy: "rolling" }).safety.deployment
                .bakeMinutes,
            0,
        );
        assert.strictEqual(parseWith("prod", { deploymentBakeMinutes: "0", platform: "lambda" }).platform, "lambda");
    });

    it(`an EKS public endpoint wider than a /${WIDEST_PUBLIC_ACCESS_PREFIX} is refused in every tier`, () => {
        assertProblem(
            "prod",
            { platform: "eks", eksPublicAccessCidrs: "128.0.0.0/1" },
            "eksPublicAccessCidrs",
            "2,147,483,648 addresses",
            "at most a /16",
        );
        assertProblem(
            "dev",
            { platform: "eks", eksPublicAccessCidrs: "8.8.4.0/24,8.0.0.0/8" },
            "eksPublicAccessCidrs",
            '"8.0.0.0/8"',
        );
        assert.deepStrictEqual(
            parseWith("prod", { platform: "eks", eksPublicAccessCidrs: "52.94.0.0/16,8.8.4.0/24" }).eks
                .publicAccessCidrs,
            ["52.94.0.0/16", "8.8.4.0/24"],
        );
    });

    it("a central security account equal to another environment's workload account is refused", () => {
        const central = { securityBaseline: "central", securityHub: "false" };
        assertProblem(
            "prod",
            { ...central, securityAccountId: "222222222222" },
            "securityAccountId",
            "equals voteapp:stagingAccountId",
        );
        assertProblem(
            "dev",
            { ...central, securityAccountId: "333333333333" },
            "securityAccountId",
            "workload account",
        );
        assert.strictEqual(
            parseWith("prod", { ...central, securityAccountId: "555555555555" }).safety.securityBaseline.owner,
            "central",
        );
    });
});

describe("config: stack-file hygiene (keys outside voteapp)", () => {
    it("a misspelled namespace is refused with the key it meant, instead of being dropped", () => {
        assertRawProblem(
            "dev",
            { "votapp:vpcCidr": "10.99.0.0/16" },
            "votapp:vpcCidr",
            "did you mean voteapp:vpcCidr?",
        );
    });

    it("aws:region contradicting voteapp:region is refused naming aws:region; an equal one passes", () => {
        assertRawProblem("dev", { "aws:region": "us-east-1" }, "aws:region", "contradicts voteapp:region (eu-west-1)");
        assert.strictEqual(parseRaw("dev", { "aws:region": "eu-west-1" }).region, "eu-west-1");
    });

    it("other aws:* keys (default provider settings, disabled here) are refused", () => {
        assertRawProblem("dev", { "aws:profile": "admin" }, "aws:profile", "configures the default AWS provider");
    });

    it("a stack file re-enabling the default AWS provider is refused naming pulumi:disable-default-providers", () => {
        assertRawProblem(
            "prod",
            { "pulumi:disable-default-providers": "[]" },
            "pulumi:disable-default-providers",
            'must include "aws"',
        );
        assertRawProblem(
            "prod",
            { "pulumi:disable-default-providers": '["kubernetes"]' },
            "pulumi:disable-default-providers",
            "ambient credentials",
        );
        assert.strictEqual(
            parseRaw("prod", { "pulumi:disable-default-providers": '["aws","kubernetes"]' }).tier,
            "prod",
        );
    });

    it("Pulumi.yaml's own setting reaches the check (the shipped stacks parse with it)", () => {
        assert.strictEqual(readStackConfig("dev").config["pulumi:disable-default-providers"], '["aws"]');
    });
});
