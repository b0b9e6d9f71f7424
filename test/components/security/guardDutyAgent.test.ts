import * as assert from "assert";
import {
    GUARDDUTY_FARGATE_AGENT_ACCOUNTS,
    GUARDDUTY_FARGATE_AGENT_REPOSITORY,
    guardDutyFargateAgentRepositoryArn,
} from "../../../components/security/guardDutyAgent";
import { AccountSecurityBaseline } from "../../../components/security/accountSecurityBaseline";
import { mountFargateApp, TEST_NAME_PREFIX } from "../../support/fixtures";
import { MOUNT_ACCOUNT, mountComponent } from "../../support/mount";
import { ofType } from "../../support/resources";
import { executionRolesMayPull } from "../../support/taskRoles";

/**
 * Issue 11.13: GuardDuty Runtime Monitoring with automated agent management adds its security agent as a sidecar
 * to every new Fargate task, which starts only if the task's execution role may pull the agent image from
 * GuardDuty's ECR repository in the region. Here on the components mounted alone: the baseline turns the agent
 * management on for Fargate workloads, VoteAppOnFargate lets every execution role pull from the repository it is
 * given. That every stack joins the two (and its network reaches ECR and guardduty-data) is
 * test/stacks/guardDutyAgent.test.ts.
 */
describe("GuardDuty runtime monitoring: the Fargate agent sidecar can start", function () {
    this.timeout(180_000);

    it("the agent repository table is well formed (12-digit accounts, region's partition)", () => {
        for (const [region, account] of Object.entries(GUARDDUTY_FARGATE_AGENT_ACCOUNTS)) {
            assert.match(account, /^\d{12}$/, region);
            const partition = region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
            assert.strictEqual(
                guardDutyFargateAgentRepositoryArn(region),
                `arn:${partition}:ecr:${region}:${account}:repository/${GUARDDUTY_FARGATE_AGENT_REPOSITORY}`,
            );
        }
    });

    it("every task's execution role may pull the agent from the repository VoteAppOnFargate is given, and from no other region's", async () => {
        const here = guardDutyFargateAgentRepositoryArn(MOUNT_ACCOUNT.region);
        const elsewhere = guardDutyFargateAgentRepositoryArn("us-east-1");
        assert.ok(here && elsewhere && here !== elsewhere);
        for (const [given, other] of [
            [here, elsewhere],
            [elsewhere, here],
        ]) {
            const run = await mountFargateApp({ guardDutyAgentRepositoryArn: given });
            const may = executionRolesMayPull(run, given);
            assert.strictEqual(Object.keys(may).length, 3);
            assert.deepStrictEqual(
                Object.entries(may).filter(([, yes]) => !yes),
                [],
                `roles that may not pull the agent from ${given}`,
            );
            assert.ok(
                Object.values(executionRolesMayPull(run, other)).every((yes) => !yes),
                `a role may pull from ${other}, which it was not given`,
            );
        }
    });

    it("the baseline has GuardDuty manage the agent for Fargate workloads, and only for them", async () => {
        const runtimeOf = async (ecsFargate: boolean) => {
            const run = await mountComponent(
                (opts) =>
                    new AccountSecurityBaseline(
                        "account-security",
                        {
                            namePrefix: TEST_NAME_PREFIX,
                            accountId: MOUNT_ACCOUNT.accountId,
                            region: MOUNT_ACCOUNT.region,
                            workloads: { ecsFargate, rds: true },
                            auditLogRetentionDays: 90,
                        },
                        opts,
                    ),
            );
            return ofType(run, "aws:guardduty/detectorFeature:DetectorFeature").find(
                (f) => f.inputs.name === "RUNTIME_MONITORING",
            );
        };
        assert.deepStrictEqual((await runtimeOf(true))?.inputs.additionalConfigurations, [
            { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
        ]);
        assert.strictEqual(await runtimeOf(false), undefined);
    });
});
