import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { packConfigFor } from "../../policy/enforcement";
import { evaluatePolicies, formatReport, type PolicyReport } from "../../policy/evaluate";
import type { VoteAppTransforms } from "../../stacks/transforms";
import { stackRun } from "../support/stacks";

/**
 * Weakening a secure default through a component's own `transform` argument is caught by the pack, as a
 * mandatory violation even in dev (these rules are mandatory everywhere), on exactly the weakened resource.
 */
async function devVerdicts(transforms?: VoteAppTransforms): Promise<PolicyReport> {
    const run = await stackRun("dev", transforms ? { transforms } : {});
    return evaluatePolicies(run.resources, { config: packConfigFor("dev") });
}

function assertFires(report: PolicyReport, rule: string, resourceName: string, messageFragment: string): void {
    const hits = report.violations.filter((v) => v.policyName === rule);
    assert.ok(
        hits.some((v) => v.level === "mandatory" && v.name === resourceName && v.message.includes(messageFragment)),
        `${rule} should fire as mandatory on ${resourceName} ("${messageFragment}"); got:\n${formatReport(report)}`,
    );
}

/** A container definitions JSON with one more plaintext environment variable in every container. */
function withPlaintextEnv(definitions: pulumi.Input<string>, name: string, value: string): pulumi.Output<string> {
    return pulumi.output(definitions).apply((json) => {
        const containers = JSON.parse(json) as { environment?: { name: string; value: string }[] }[];
        return JSON.stringify(
            containers.map((c) => ({ ...c, environment: [...(c.environment ?? []), { name, value }] })),
        );
    });
}

describe("secure defaults flipped through component transforms fire the matching rule", function () {
    this.timeout(180_000);
    const FLIPPED_RULES = ["rds-not-public", "ecr-scan-on-push", "sg-no-public-ingress", "ecs-task-no-secrets-in-env"];

    it("the unflipped dev stack triggers none of these rules", async () => {
        const report = await devVerdicts();
        const fired = report.violations.filter((v) => FLIPPED_RULES.includes(v.policyName));
        assert.deepStrictEqual(fired, [], formatReport(report));
    });

    it("a publicly accessible database (Data transform) fires rds-not-public", async () => {
        const report = await devVerdicts({ data: { postgres: (args) => ({ ...args, publiclyAccessible: true }) } });
        assertFires(report, "rds-not-public", "data-postgres", "publiclyAccessible");
    });

    it("0.0.0.0/0 on a service security group (FargateSecurityGroups transform) fires sg-no-public-ingress", async () => {
        const report = await devVerdicts({
            fargateSecurityGroups: {
                serviceSecurityGroup: (args, name) =>
                    name.endsWith("-vote")
                        ? {
                              ...args,
                              ingress: [
                                  {
                                      protocol: "tcp",
                                      fromPort: 8080,
                                      toPort: 8080,
                                      cidrBlocks: ["0.0.0.0/0"],
                                      description: "debugging",
                                  },
                              ],
                          }
                        : args,
            },
        });
        assertFires(report, "sg-no-public-ingress", "fargate-security-groups-vote", "0.0.0.0/0");
    });

    it("a password in a container's plaintext environment (VoteAppOnFargate transform) fires ecs-task-no-secrets-in-env", async () => {
        const report = await devVerdicts({
            fargate: {
                taskDefinition: (args, name) =>
                    name.endsWith("-worker")
                        ? {
                              ...args,
                              containerDefinitions: withPlaintextEnv(
                                  args.containerDefinitions,
                                  "PGPASSWORD",
                                  "hunter2",
                              ),
                          }
                        : args,
            },
        });
        assertFires(report, "ecs-task-no-secrets-in-env", "vote-app-worker", "PGPASSWORD");
    });
});
