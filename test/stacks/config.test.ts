import * as assert from "assert";
import { ConfigValidationError } from "../../stacks/config";
import { fargateMemoryOptions } from "../../stacks/config/fargate";
import { checkVpcCidr } from "../../stacks/config/rules";
import { assertProblem, parseWith } from "../support/config";

describe("stack config validation", () => {
    it("accepts every shipped stack file and freezes the result", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const config = parseWith(stack);
            assert.strictEqual(config.environment, stack);
            assert.ok(
                Object.isFrozen(config) && Object.isFrozen(config.services.vote),
                `${stack} config is not deeply frozen`,
            );
        }
    });

    it("derives the deploy role ARN from the account id and role name", () => {
        const config = parseWith("prod");
        assert.strictEqual(config.account.deployRoleArn, "arn:aws:iam::333333333333:role/voteapp-deploy");
    });

    it("refuses an unknown platform, naming what is allowed", () =>
        assertProblem("dev", { platform: "ec2" }, "platform", '"ec2"', "ecs, eks, lambda"));

    it("refuses an account id that is not 12 digits", () => {
        assertProblem("dev", { accountId: "12345" }, "accountId", '"12345"', "12-digit");
        assertProblem("dev", { accountId: "11111111111a" }, "accountId", "12-digit");
    });

    it("refuses environments sharing one account", () =>
        assertProblem(
            "dev",
            { prodAccountId: "111111111111" },
            "prodAccountId",
            "equals voteapp:devAccountId",
            "own AWS account",
        ));

    it("refuses a stack targeting another environment's account", () =>
        assertProblem("prod", { accountId: "111111111111" }, "accountId", "111111111111"));

    it("refuses a malformed CIDR", () => {
        assertProblem("dev", { vpcCidr: "10.0.0/16" }, "vpcCidr", "not an IPv4 CIDR");
        assertProblem("dev", { vpcCidr: "10.0.0.0/33" }, "vpcCidr", "not an IPv4 CIDR");
        assertProblem("dev", { vpcCidr: "10.0.1.0/16" }, "vpcCidr", "host bits", "10.0.0.0/16");
        assertProblem("dev", { vpcCidr: "8.8.0.0/16" }, "vpcCidr", "not in a private range");
    });

    it("refuses a CIDR too small for the subnets of its AZs", () => {
        assertProblem("dev", { vpcCidr: "10.0.0.0/21" }, "vpcCidr", "too small", "2 AZs");
        assert.ok(checkVpcCidr("10.0.0.0/21", 1).ok, "a /21 holds one AZ's subnets");
        // awsx gives each of 3 AZs a quarter of the VPC: a /20's quarters (/22) cannot hold a /22 and a /24.
        assert.ok(!checkVpcCidr("10.0.0.0/20", 3).ok, "a /20 cannot hold three AZs' subnets");
        assert.ok(checkVpcCidr("10.0.0.0/19", 3).ok, "a /19 holds three AZs' subnets");
    });

    it("allows 1 AZ in dev only, never behind a load balancer (AWS needs two AZs for an ALB), and never more than 3", () => {
        assertProblem("dev", { azCount: "1" }, "azCount", "1", "at least two Availability Zones");
        assertProblem("staging", { azCount: "1", multiAz: "false" }, "azCount", "1 is allowed in dev only");
        assertProblem("dev", { azCount: "4" }, "azCount", "between 1 and 3");
    });

    it("keeps the worker to one replica on the container platforms (it shares Redis's processing list)", () => {
        assertProblem("dev", { workerMaxCount: "2" }, "workerMaxCount", "2", "must be 1", "one replica");
        assertProblem(
            "prod",
            { workerMinCount: "2", workerDesiredCount: "2", workerMaxCount: "2" },
            "workerMinCount",
            "must be 1",
        );
        assertProblem(
            "dev",
            { platform: "eks", workerDesiredCount: "3", workerMaxCount: "3" },
            "workerDesiredCount",
            "must be 1",
        );
        assert.strictEqual(
            parseWith("dev", { platform: "lambda", workerMaxCount: "3" }).platform,
            "lambda",
            "lambda has no worker replicas to count",
        );
    });

    it("refuses Fargate cpu/memory pairs AWS rejects, quoting AWS's table", () => {
        assertProblem(
            "dev",
            { voteCpu: "256", voteMemory: "4096" },
            "voteMemory",
            "4096",
            "voteCpu = 256",
            "512, 1024 or 2048",
        );
        assertProblem("dev", { resultCpu: "1024", resultMemory: "1024" }, "resultMemory", "2048–8192");
        assertProblem("dev", { workerCpu: "300" }, "workerCpu", "256, 512, 1024, 2048, 4096, 8192, 16384");
        assertProblem(
            "dev",
            { voteCpu: "8192", voteMemory: "18432" },
            "voteMemory",
            "16384–61440 MiB in steps of 4096",
        );
        assert.deepStrictEqual(fargateMemoryOptions(512), [1024, 2048, 3072, 4096]);
        assert.ok(fargateMemoryOptions(4096).includes(30720) && !fargateMemoryOptions(4096).includes(31744));
        assert.strictEqual(parseWith("dev", { voteCpu: "16384", voteMemory: "122880" }).services.vote.memory, 122880);
    });

    it("refuses min > desired and desired > max", () => {
        assertProblem(
            "dev",
            { voteMinCount: "2", voteDesiredCount: "1" },
            "voteMinCount",
            "must not exceed voteapp:voteDesiredCount (1)",
        );
        assertProblem(
            "dev",
            { resultDesiredCount: "3", resultMaxCount: "2" },
            "resultDesiredCount",
            "must not exceed voteapp:resultMaxCount (2)",
        );
    });

    it("requires a domain and certificate in prod", () => {
        assertProblem("prod", { domainName: undefined, certificateArn: undefined }, "domainName", "required in prod");
        assertProblem("prod", { certificateArn: undefined }, "certificateArn", "required");
    });

    it("refuses a certificate from another region or account", () => {
        assertProblem(
            "prod",
            { certificateArn: "arn:aws:acm:us-east-1:333333333333:certificate/00000000-0000-4000-8000-000000000003" },
            "certificateArn",
            "region us-east-1",
        );
        assertProblem(
            "prod",
            { certificateArn: "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000003" },
            "certificateArn",
            "account 111111111111",
        );
    });

    it("requires Multi-AZ, 7+ days of backups and one NAT per AZ in prod", () => {
        assertProblem("prod", { multiAz: "false" }, "multiAz", "false", "must be true in prod");
        assertProblem("prod", { backupRetentionDays: "3" }, "backupRetentionDays", "3", "at least 7 in prod");
        assertProblem("prod", { natGateways: "single" }, "natGateways", "onePerAz in prod");
        assertProblem("prod", { voteMinCount: "1" }, "voteMinCount", "at least 2 in prod");
    });

    it("refuses unknown keys, suggesting the closest known one", () => {
        assertProblem("dev", { vpcCdir: "10.0.0.0/16" }, "vpcCdir", "not a known key", "did you mean voteapp:vpcCidr");
        assertProblem("dev", { natGateway: "single" }, "natGateway", "did you mean voteapp:natGateways");
    });

    it("refuses values of the wrong type", () => {
        assertProblem("dev", { azCount: "two" }, "azCount", '"two"', "whole number");
        assertProblem("dev", { multiAz: "yes" }, "multiAz", "true or false");
    });

    it("requires keys without default and names them", () =>
        assertProblem("dev", { owner: undefined }, "owner", "(not set)", "required"));

    it("requires a tier for a custom environment name, then applies it", () => {
        assertProblem("dev", { environment: "int" }, "tier", "not one of dev, staging, prod");
        const config = parseWith("dev", { environment: "int", tier: "dev", accountId: "444444444444" });
        assert.strictEqual(config.tier, "dev");
        assert.strictEqual(config.environment, "int");
    });

    it("refuses log retention values CloudWatch does not offer", () =>
        assertProblem("dev", { logRetentionDays: "10" }, "logRetentionDays", "1, 3, 5, 7, 14"));

    it("refuses NAT none without interface endpoints, and on eks", () => {
        assertProblem("dev", { natGateways: "none" }, "natGateways", "vpcInterfaceEndpoints");
        // eks cannot run without NAT: its add-ons' images are on public registries, its pods' credentials from EKS Auth.
        assertProblem(
            "dev",
            { platform: "eks", natGateways: "none", vpcInterfaceEndpoints: "true" },
            "natGateways",
            "not supported on platform eks",
        );
        assert.strictEqual(
            parseWith("dev", { natGateways: "none", vpcInterfaceEndpoints: "true" }).network.natGateways,
            "none",
        );
    });

    it("refuses malformed image references and tags", () => {
        assertProblem("dev", { voteImage: "vote:latest" }, "voteImage", "full image reference");
        assertProblem("dev", { imageTag: "bad tag" }, "imageTag", "image tag");
        const digest = `sha256:${"a".repeat(64)}`;
        assert.strictEqual(parseWith("dev", { imageTag: digest }).images.tag, digest);
    });

    it("reports every problem at once", () => {
        assert.throws(
            () => parseWith("dev", { platform: "ec2", accountId: "1", azCount: "9" }),
            (err: unknown) => err instanceof ConfigValidationError && err.problems.length === 3,
        );
    });

    it("treats an empty optional value (Pulumi.yaml's declared default) as unset", () => {
        assert.strictEqual(parseWith("dev", { domainName: "", certificateArn: "" }).domain, undefined);
    });
});
