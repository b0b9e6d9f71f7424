import * as assert from "assert";
import {
    GUARDDUTY_FARGATE_AGENT_ACCOUNTS,
    guardDutyFargateAgentRepositoryArn,
} from "../../components/security/guardDutyAgent";
import type { StackRun } from "../../plan/stackRun";
import { readStackConfig } from "../../plan/stackFile";
import { ConfigValidationError, parseVoteAppConfig } from "../../stacks/config";
import { input, ofType, stackRun } from "../support/stacks";
import { executionRolesMayPull } from "../support/taskRoles";

/**
 * Issue 11.13: GuardDuty Runtime Monitoring with automated agent management adds its security agent as a
 * sidecar to every new Fargate task. The sidecar starts only if the task's execution role may pull the
 * agent image from GuardDuty's ECR repository in the region, and the task can reach ECR (NAT, or ECR
 * endpoints) and the guardduty-data endpoint GuardDuty creates in the VPC (VPC DNS on, HTTPS egress to
 * the VPC). Joined here over every stack's planned task definitions, execution role policies and network. What
 * the components do with the agent's repository and the workloads they are given is
 * test/components/security/guardDutyAgent.test.ts, on the components mounted alone.
 */

const ecs = (stack: string, overrides: Record<string, string> = {}) =>
    stackRun(stack, { overrides: { "voteapp:platform": "ecs", ...overrides } });

const CENTRAL = {
    "voteapp:securityBaseline": "central",
    "voteapp:securityAccountId": "444455556666",
    "voteapp:securityHub": "false",
};

describe("GuardDuty runtime monitoring: the Fargate agent sidecar can start", function () {
    this.timeout(180_000);

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: runtime monitoring manages the Fargate agent, and every task's execution role may pull it`, async () => {
            const run = await ecs(stack);
            const features = ofType(run, "aws:guardduty/detectorFeature:DetectorFeature");
            const runtime = features.find((f) => f.inputs.name === "RUNTIME_MONITORING");
            assert.ok(runtime, "no RUNTIME_MONITORING feature");
            assert.ok(
                (runtime.inputs.additionalConfigurations as { name: string; status: string }[]).some(
                    (c) => c.name === "ECS_FARGATE_AGENT_MANAGEMENT" && c.status === "ENABLED",
                ),
                "ECS_FARGATE_AGENT_MANAGEMENT is not enabled",
            );
            assertAgentPullable(run, stack);
        });
    }

    it("with a central security account (which may manage the agent for the organisation) the roles may pull it too", async () => {
        const run = await ecs("prod", CENTRAL);
        assert.strictEqual(ofType(run, "aws:guardduty/detectorFeature:DetectorFeature").length, 0);
        assertAgentPullable(run, "prod");
    });

    for (const [label, overrides] of [
        ["dev (one NAT instance)", {}],
        ["dev (one NAT gateway)", { "voteapp:natGateways": "single" }],
        [
            "dev without NAT (ECR interface endpoints)",
            { "voteapp:natGateways": "none", "voteapp:vpcInterfaceEndpoints": "true" },
        ],
        ["prod (NAT per AZ)", {}],
    ] as const) {
        it(`${label}: the tasks reach ECR, and the guardduty-data endpoint GuardDuty creates in the VPC`, async () => {
            const run = await ecs(label.startsWith("prod") ? "prod" : "dev", overrides);
            const vpc = ofType(run, "awsx:ec2:Vpc")[0];
            assert.ok(vpc, "no VPC");
            // GuardDuty's endpoint is private-DNS: the VPC must resolve and hand out DNS names.
            assert.deepStrictEqual([vpc.inputs.enableDnsSupport, vpc.inputs.enableDnsHostnames], [true, true]);
            // NAT: awsx's gateways, or the NAT instance's default routes (components/network/natInstance.ts).
            const natInstanceRoutes = ofType(run, "aws:ec2/route:Route").filter(
                (r) => r.inputs.destinationCidrBlock === "0.0.0.0/0" && r.inputs.networkInterfaceId !== undefined,
            );
            const strategy =
                natInstanceRoutes.length > 0 ? "NAT instance" : String(input(vpc, "natGateways", "strategy"));
            const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => String(e.inputs.serviceName));
            if (strategy === "None")
                for (const service of ["ecr.api", "ecr.dkr"])
                    assert.ok(
                        endpoints.some((e) => e.endsWith(`.${service}`)),
                        `no NAT and no ${service} endpoint: the agent image cannot be pulled`,
                    );
            // ECR serves image layers from S3: without NAT, only an S3 gateway endpoint in the private route
            // tables (components/network.ts) lets the pull finish.
            const s3Gateways = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
                (e) =>
                    String(e.inputs.serviceName).endsWith(".s3") &&
                    e.inputs.vpcEndpointType === "Gateway" &&
                    ((e.inputs.routeTableIds ?? []) as unknown[]).length > 0,
            );
            assert.ok(strategy !== "None" || s3Gateways.length > 0, "no NAT and no routed S3 gateway endpoint");
            // Our own guardduty-data endpoint with private DNS would clash with the one GuardDuty creates.
            assert.ok(
                !endpoints.some((e) => e.endsWith(".guardduty-data")),
                "the stack must not create guardduty-data",
            );
            // Each task's groups let HTTPS out to the VPC (the endpoint's group admits the VPC CIDR on 443).
            const cidr = String(input(vpc, "cidrBlock"));
            const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
            for (const service of ofType(run, "aws:ecs/service:Service")) {
                const groups = input(service, "networkConfiguration", "securityGroups") as string[];
                assert.ok(
                    egress.some(
                        (rule) =>
                            groups.includes(String(rule.inputs.securityGroupId)) &&
                            ["0.0.0.0/0", cidr].includes(String(rule.inputs.cidrIpv4)) &&
                            Number(rule.inputs.fromPort) <= 443 &&
                            Number(rule.inputs.toPort) >= 443,
                    ),
                    `${service.name}: no HTTPS egress to the VPC`,
                );
            }
        });
    }

    it("an ecs stack in a region the table does not list is refused, naming the key and the source", () => {
        const file = readStackConfig("dev");
        const unlisted = "cn-north-1";
        assert.ok(!(unlisted in GUARDDUTY_FARGATE_AGENT_ACCOUNTS));
        assert.throws(
            () =>
                parseVoteAppConfig(
                    { ...file.config, "voteapp:region": unlisted },
                    { project: file.project, stack: "dev" },
                ),
            (err: unknown) =>
                err instanceof ConfigValidationError &&
                err.message.includes(`voteapp:region = "${unlisted}"`) &&
                err.message.includes("ecs-runtime-agent-ecr-image-uri"),
        );
        // Lambda and eks tasks do not run the Fargate agent.
        parseVoteAppConfig(
            { ...file.config, "voteapp:region": unlisted, "voteapp:platform": "lambda" },
            { project: file.project, stack: "dev" },
        );
    });
});

function assertAgentPullable(run: StackRun, stack: string): void {
    const region = readStackConfig(stack).config["voteapp:region"];
    const repository = guardDutyFargateAgentRepositoryArn(region);
    assert.ok(repository, `no agent repository for ${region}`);
    const may = executionRolesMayPull(run, repository);
    assert.strictEqual(Object.keys(may).length, 3);
    assert.deepStrictEqual(
        Object.entries(may).filter(([, yes]) => !yes),
        [],
        `execution roles that may not log in to ECR or pull ${repository}`,
    );
}
