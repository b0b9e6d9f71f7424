import * as assert from "assert";
import { accountPlanFor } from "../../plan/cost/account";
import { estimateCost, type CostEstimate } from "../../plan/cost/estimate";
import { runStack } from "../../plan/runStack";
import { type StackRun } from "../../plan/stackRun";
import { longestStopHours, RDS_AUTO_START_HOURS, universalTarget } from "../../components/workingHoursSchedule";
import { assertRejectsWith, input, ofType, single, stackRun } from "../support/stacks";

const SCHEDULE = "aws:scheduler/schedule:Schedule";

/**
 * Issue 13: outside the working hours the EKS node group has no nodes and the database is stopped, by
 * EventBridge Scheduler universal targets whose one role may do exactly that; the estimate prices the hours.
 */
const schedulesOf = (run: StackRun) => ofType(run, SCHEDULE);
const target = (schedule: StackRun["resources"][number]) =>
    input(schedule, "target") as { arn: string; roleArn: string; input: string };

async function estimateOf(run: StackRun): Promise<CostEstimate> {
    return estimateCost(run.resources, {
        region: run.stackConfig.config["voteapp:region"],
        account: await accountPlanFor(run),
    });
}

describe("working hours, extended (EventBridge Scheduler): EKS nodes to zero and RDS stopped outside them", function () {
    this.timeout(300_000);

    it("dev on eks empties the node group at 19:00 and restores its sizes at 07:00, Monday to Friday (UTC)", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:platform": "eks" } });
        const group = single(run, "aws:eks/nodeGroup:NodeGroup");
        const sizes = input(group, "scalingConfig") as { minSize: number; desiredSize: number; maxSize: number };
        const nodes = schedulesOf(run).filter((s) => s.dependencies.includes(group.urn));
        assert.deepStrictEqual(nodes.map((s) => s.inputs.name).sort(), [
            "voteapp-dev-nodes-0-start",
            "voteapp-dev-nodes-0-stop",
        ]);
        for (const s of nodes) {
            assert.strictEqual(target(s).arn, "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig");
            assert.strictEqual(s.inputs.scheduleExpressionTimezone, "UTC");
            assert.deepStrictEqual(s.inputs.flexibleTimeWindow, { mode: "OFF" });
        }
        const stop = nodes.find((s) => String(s.inputs.name).endsWith("-stop"));
        const start = nodes.find((s) => String(s.inputs.name).endsWith("-start"));
        assert.strictEqual(stop?.inputs.scheduleExpression, "cron(0 19 ? * MON-FRI *)");
        assert.strictEqual(start?.inputs.scheduleExpression, "cron(0 7 ? * MON-FRI *)");
        const cluster = single(run, "aws:eks/cluster:Cluster");
        assert.deepStrictEqual(JSON.parse(target(stop!).input), {
            ClusterName: cluster.inputs.name,
            NodegroupName: group.name,
            ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: sizes.maxSize },
        });
        assert.deepStrictEqual(JSON.parse(target(start!).input).ScalingConfig, {
            MinSize: sizes.minSize,
            DesiredSize: sizes.desiredSize,
            MaxSize: sizes.maxSize,
        });
        assert.ok(sizes.maxSize >= 1, "EKS refuses a maximum of zero");
    });

    it("dev on ecs and eks stops the database at 19:00 and starts it at 07:00; lambda has none", async () => {
        for (const platform of ["ecs", "eks"]) {
            const run = await stackRun("dev", { overrides: { "voteapp:platform": platform } });
            const db = single(run, "aws:rds/instance:Instance");
            const own = schedulesOf(run).filter((s) => s.dependencies.includes(db.urn));
            const byAction = Object.fromEntries(own.map((s) => [target(s).arn, s]));
            assert.deepStrictEqual(Object.keys(byAction).sort(), [
                universalTarget("aws", "rds", "startDBInstance"),
                universalTarget("aws", "rds", "stopDBInstance"),
            ]);
            for (const s of own)
                assert.deepStrictEqual(JSON.parse(target(s).input), { DbInstanceIdentifier: db.inputs.identifier });
            assert.strictEqual(
                byAction[universalTarget("aws", "rds", "stopDBInstance")].inputs.scheduleExpression,
                "cron(0 19 ? * MON-FRI *)",
            );
            assert.strictEqual(
                byAction[universalTarget("aws", "rds", "startDBInstance")].inputs.scheduleExpression,
                "cron(0 7 ? * MON-FRI *)",
            );
            assert.strictEqual(schedulesOf(run).length, platform === "eks" ? 4 : 2, platform);
        }
        assert.strictEqual(
            schedulesOf(await stackRun("dev", { overrides: { "voteapp:platform": "lambda" } })).length,
            0,
        );
    });

    it("the schedules' one role: assumed by EventBridge Scheduler of this account, allowed exactly the node group's scaling and the database's stop and start", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:platform": "eks" } });
        const role = single(run, "aws:iam/role:Role", "working-hours");
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
        assert.deepStrictEqual(
            trust.Statement.map((s) => [s.Principal, s.Action, s.Condition]),
            [
                [
                    { Service: "scheduler.amazonaws.com" },
                    "sts:AssumeRole",
                    { StringEquals: { "aws:SourceAccount": "111111111111" } },
                ],
            ],
        );
        for (const s of schedulesOf(run))
            assert.ok(s.dependencies.includes(role.urn), `${s.name} runs as another role`);
        const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "working-hours");
        const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: { Action: unknown; Resource: unknown }[] };
        const group = single(run, "aws:eks/nodeGroup:NodeGroup");
        const db = single(run, "aws:rds/instance:Instance");
        assert.ok(policy.dependencies.includes(group.urn) && policy.dependencies.includes(db.urn));
        assert.deepStrictEqual(
            doc.Statement.map((s) => [s.Action, (s.Resource as string[]).length]),
            [
                ["eks:UpdateNodegroupConfig", 1],
                [["rds:StopDBInstance", "rds:StartDBInstance"], 1],
            ],
        );
        assert.ok(!JSON.stringify(doc).includes('"*"'), "no wildcard resource");
    });

    it("staging and prod are never scheduled; prod refuses working hours on eks with the key named", async () => {
        for (const stack of ["staging", "prod"])
            for (const platform of ["ecs", "eks"])
                assert.strictEqual(
                    schedulesOf(await stackRun(stack, { overrides: { "voteapp:platform": platform } })).length,
                    0,
                );
        await assertRejectsWith(
            runStack("prod", {
                overrides: { "voteapp:platform": "eks", "voteapp:workingHours": "MON-FRI 07:00-19:00 UTC" },
            }),
            "voteapp:workingHours",
            "must be always in prod",
        );
    });

    it("RDS never restarts itself: any weekly schedule stops the database for less than 7 days", () => {
        assert.strictEqual(longestStopHours({ days: "MON-FRI", start: "07:00", stop: "19:00", timezone: "UTC" }), 60);
        assert.strictEqual(
            longestStopHours({ days: "MON,WED,FRI", start: "08:30", stop: "18:00", timezone: "UTC" }),
            62.5,
        );
        const oneDay = longestStopHours({ days: "SUN", start: "00:00", stop: "00:01", timezone: "UTC" });
        assert.ok(oneDay < RDS_AUTO_START_HOURS && oneDay > 167.9, String(oneDay));
    });

    it("the estimate prices the nodes, their disks and the database for the working hours only (60 of 168 a week)", async () => {
        const scheduled = await estimateOf(await stackRun("dev", { overrides: { "voteapp:platform": "eks" } }));
        const always = await estimateOf(
            await stackRun("dev", { overrides: { "voteapp:platform": "eks", "voteapp:workingHours": "always" } }),
        );
        // The NAT instance (an EC2 instance and its disk too) serves every hour: only the nodes and the database follow.
        const sum = (e: CostEstimate, key: RegExp) =>
            e.lines
                .filter((l) => key.test(l.priceKey) && l.type !== "aws:autoscaling/group:Group")
                .reduce((s, l) => s + l.monthlyUsd, 0);
        for (const key of [/^ec2\./, /^ebs\./, /^rds\.postgres\./]) {
            assert.ok(sum(always, key) > 0, String(key));
            assert.ok(Math.abs(sum(scheduled, key) - (60 / 168) * sum(always, key)) < 1e-9, String(key));
        }
        assert.ok(
            Math.abs(sum(scheduled, /^rds\.gp3/) - sum(always, /^rds\.gp3/)) < 1e-9,
            "stopped storage still bills",
        );
        assert.deepStrictEqual(scheduled.notPriced, []);
        assert.ok(
            scheduled.totals.idleUsd < always.totals.idleUsd - 50,
            `${always.totals.idleUsd} → ${scheduled.totals.idleUsd}`,
        );
    });
});
