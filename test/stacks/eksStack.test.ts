import * as assert from "assert";
import { runStack } from "../../plan/runStack";
import { ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";

const EKS = { "voteapp:platform": "eks" };
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("shipped stacks with platform eks: strategy and observability", function () {
    this.timeout(180_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: has the golden-signal dashboard (workloads, nodes, RDS, Redis) and its alarms on a KMS-encrypted topic, and outputs both`, async () => {
            // dev creates no dashboard by default (voteapp:dashboard); ask for one to check what it shows.
            // Redis on nodes: the per-node ElastiCache signals (serverless ones: test/stacks/redisSignals.test.ts).
            const run = await stackRun(stack, {
                overrides: { ...EKS, "voteapp:dashboard": "true", "voteapp:redisCapacity": "nodes" },
            });
            const prefix = `voteapp-${stack}`;
            const dashboards = run.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard");
            assert.strictEqual(dashboards.length, 1);
            const body = String(dashboards[0].inputs.dashboardBody);
            for (const namespace of ["ContainerInsights", "AWS/RDS", "AWS/ElastiCache"])
                assert.ok(body.includes(namespace), `dashboard lacks ${namespace}`);
            const alarms = run.resources.filter((r) => r.type === ALARM).map((r) => String(r.inputs.name));
            for (const name of [
                "vote-cpu",
                "vote-memory",
                "result-cpu",
                "result-memory",
                "eks-failed-nodes",
                "postgres-cpu",
                "postgres-free-storage",
                "postgres-connections",
                "redis-cpu",
                "redis-memory",
            ]) {
                assert.ok(alarms.includes(`${prefix}-${name}`), `no alarm ${prefix}-${name} in ${alarms.join(", ")}`);
            }
            const voteCpu = run.resources.find((r) => r.type === ALARM && r.inputs.name === `${prefix}-vote-cpu`);
            assert.deepStrictEqual(voteCpu?.inputs.dimensions, {
                ClusterName: prefix,
                Namespace: "voteapp",
                Service: "vote",
            });
            const topic = run.resources.find((r) => r.type === "aws:sns/topic:Topic");
            assert.ok(
                topic && String(topic.inputs.kmsMasterKeyId).startsWith("arn:aws:kms:"),
                "the alarm topic is not KMS-encrypted",
            );
            assert.strictEqual(topic.inputs.name, `${prefix}-alarms`);
            assert.match(String(run.outputs.dashboardUrl), new RegExp(`#dashboards/dashboard/${prefix}$`));
            assert.match(String(run.outputs.alarmTopicArn), /^arn:aws:sns:eu-west-1:\d{12}:/);
        });
    }

    it("outputs the strategy, and under blue/green the live slot and each slot's image tag", async () => {
        const dev = await stackRun("dev", { overrides: EKS });
        assert.strictEqual(dev.outputs.deploymentStrategy, "rolling");
        assert.ok(!("liveSlot" in dev.outputs));
        const prod = await stackRun("prod", { overrides: EKS });
        assert.strictEqual(prod.outputs.deploymentStrategy, "blueGreen");
        assert.strictEqual(prod.outputs.liveSlot, "blue");
        const tags = prod.outputs.slotImageTags as Record<string, string>;
        assert.deepStrictEqual(Object.keys(tags).sort(), ["blue", "green"]);
        assert.match(tags.blue, /^sha256:[a-f0-9]{64}$/);
    });

    it("hands the data transform to the data layer, as ecs does (a transform is never silently ignored on eks)", async () => {
        for (const platform of ["ecs", "eks"]) {
            const run = await runStack("dev", {
                overrides: { "voteapp:platform": platform },
                transforms: { data: { postgres: (args) => ({ ...args, instanceClass: "db.t4g.large" }) } },
            });
            const instances = ofType(run, "aws:rds/instance:Instance");
            assert.deepStrictEqual(
                instances.map((i) => i.inputs.instanceClass),
                ["db.t4g.large"],
                `${platform}: the transform did not reach the database`,
            );
        }
    });
});
