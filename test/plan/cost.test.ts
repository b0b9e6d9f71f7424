import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import { accountPlanFor, bootstrapStackFor } from "../../plan/cost/account";
import {
    estimateCost,
    scheduledRunningShare,
    spotTasks,
    type CostEstimate,
    type CostLine,
} from "../../plan/cost/estimate";
import { EC2_VCPUS, PRICE_TABLES, PRICED_REGIONS, PRICES_READ } from "../../plan/cost/prices";
import { renderCostEstimate } from "../../plan/cost/render";
import { planCli } from "../support/plan";
import { runStack } from "../../plan/runStack";
import { assertRejectsWith, stackConfigWith, stackRun } from "../support/stacks";

const PLATFORMS = ["ecs", "eks", "lambda"] as const;
const STACKS = ["dev", "staging", "prod"] as const;

/** The estimate `npm run plan` prints: the stack's plan, priced with its account's bootstrap plan. */
async function estimateOf(
    stack: string,
    platform: string,
    votesPerMonth?: number,
    overrides: Record<string, string> = {},
): Promise<CostEstimate> {
    const run = await stackRun(stack, { overrides: { "voteapp:platform": platform, ...overrides } });
    const account = await accountPlanFor(run);
    assert.ok(account, `no bootstrap stack for ${stack}'s account`);
    return estimateCost(run.resources, { region: run.stackConfig.config["voteapp:region"], votesPerMonth, account });
}

function line(estimate: CostEstimate, name: string, item: RegExp): CostLine {
    const found = estimate.lines.filter((l) => l.name === name && item.test(l.item));
    assert.strictEqual(
        found.length,
        1,
        `expected one line ${name} ${item}, found ${found.map((l) => l.item).join("; ")}`,
    );
    return found[0];
}

const cents = (value: number) => Math.round(value * 100) / 100;

describe("cost estimate (plan/cost)", function () {
    this.timeout(300_000);

    it("prices dev on ecs from its captured inputs: lines recomputed by hand from eu-west-1 list prices", async () => {
        const estimate = await estimateOf("dev", "ecs");
        // dev's NAT is one t4g.nano NAT instance ($0.0046/h × 730 h; its lines in test/plan/natCost.test.ts).
        assert.strictEqual(cents(line(estimate, "network-nat", /1 × t4g\.nano/).monthlyUsd), 3.36);
        // dev's ingress is the HTTP API (voteapp:ecsIngress httpApi): its Cloud Map namespace is a private hosted zone
        // at $0.50 a month, and each running task one registered instance at $0.10 a month for the hours it runs.
        assert.strictEqual(line(estimate, "vote-app-api-namespace", /private hosted zone/).monthlyUsd, 0.5);
        for (const service of ["vote", "result"])
            assert.strictEqual(
                cents(line(estimate, `vote-app-api-${service}`, /Cloud Map instances/).monthlyUsd),
                cents(0.1 * (60 / 168)),
            );
        const load = await estimateOf("dev", "ecs", 1_000_000);
        // At most one discovery call per API request, $1.00 per million: the same request count the stage is billed for.
        assert.strictEqual(
            line(load, "vote-app-api-namespace", /discovery calls/).quantity,
            line(load, "vote-app-api-stage", /HTTP API requests/).quantity,
        );
        // With the load balancer instead: an internet-facing ALB over two public subnets, $0.0252/h, two public IPv4 addresses.
        const alb = await estimateOf("dev", "ecs", undefined, { "voteapp:ecsIngress": "loadBalancer" });
        assert.strictEqual(cents(line(alb, "voteapp-dev", /Load Balancer: hours/).monthlyUsd), 18.4);
        assert.strictEqual(cents(line(alb, "voteapp-dev", /public IPv4/).monthlyUsd), 7.3);
        // vote: 1 Spot task (dev) × 256 CPU units / 512 MiB on ARM64, running dev's working hours (Monday to
        // Friday, 07:00-19:00: 60 of 168 hours a week): 0.25 vCPU × $0.009714 × 730 × 60/168, 0.5 GB × $0.001068 × ….
        const week = 60 / 168;
        assert.strictEqual(
            cents(line(estimate, "vote-app-vote", /Fargate Spot .*: vCPU/).monthlyUsd),
            cents(0.25 * 0.009714 * 730 * week),
        );
        assert.strictEqual(
            cents(line(estimate, "vote-app-vote", /Fargate Spot .*: memory/).monthlyUsd),
            cents(0.5 * 0.001068 * 730 * week),
        );
        assert.match(line(estimate, "vote-app-vote", /Fargate Spot .*: vCPU/).item, /working hours: 261 of 730 h/);
        // db.t4g.micro Single-AZ $0.018/h, stopped outside the working hours (EventBridge Scheduler); 20 GB gp3 at
        // $0.127/GB-month, billed while stopped too.
        assert.strictEqual(
            cents(line(estimate, "data-postgres", /db\.t4g\.micro Single-AZ/).monthlyUsd),
            cents(0.018 * 730 * week),
        );
        assert.strictEqual(cents(line(estimate, "data-postgres", /gp3 storage/).monthlyUsd), 2.54);
        // ElastiCache Serverless for Valkey (dev's default): the 100 MB it meters at least, $0.0924/GB-hour × 730 h.
        assert.strictEqual(cents(line(estimate, "data-redis", /Serverless valkey: data stored/).monthlyUsd), 6.75);
        // A replication group instead: cache.t4g.micro, one node, $0.017/h.
        const nodes = await estimateOf("dev", "ecs", undefined, { "voteapp:redisCapacity": "nodes" });
        assert.strictEqual(cents(line(nodes, "data-redis", /cache\.t4g\.micro/).monthlyUsd), 12.41);
        // Two customer managed keys of the stack at $1, the data key and the trail's (dev's alarm topic uses the
        // data key; the account's two are its own lines); dev has no dashboard (staging's is $3).
        assert.strictEqual(
            estimate.lines.filter((l) => l.priceKey === "kms.key.month" && l.scope === "stack").length,
            2,
        );
        assert.strictEqual(estimate.lines.filter((l) => l.priceKey === "cloudwatch.dashboard.month").length, 0);
        assert.strictEqual(cents(line(await estimateOf("staging", "ecs"), "observability", /dashboard/).monthlyUsd), 3);
    });

    it("prices the account's bootstrap plan as account lines, totalled apart from the stack's", async () => {
        const estimate = await estimateOf("dev", "ecs");
        assert.strictEqual(estimate.account?.bootstrapStack, "dev");
        const account = estimate.lines.filter((l) => l.scope === "account");
        // The registry's and the state backend's keys, $1 each; 30 kept images × 0.06 GB × $0.10 per repository.
        assert.deepStrictEqual(
            account
                .filter((l) => l.priceKey === "kms.key.month")
                .map((l) => l.name)
                .sort(),
            ["images-key", "state-key"],
        );
        for (const repository of ["registry-vote", "registry-worker", "registry-result"])
            assert.strictEqual(cents(line(estimate, repository, /image storage \(30 images kept\)/).monthlyUsd), 0.18);
        // The state bucket: 100 updates × 12 PUTs at $0.005 per 1,000; 300 operations × 6 GETs at $0.0004 per
        // 1,000; each write keeps a 1 MB version 90 days (the lifecycle rule): 1.2 GB × 90 / (365 / 12) × $0.023.
        assert.strictEqual(line(estimate, "state", /checkpoint writes/).monthlyUsd, 1.2 * 0.005);
        assert.ok(Math.abs(line(estimate, "state", /reads/).monthlyUsd - 1.8 * 0.0004) < 1e-12);
        assert.strictEqual(
            cents(line(estimate, "state", /versions/).monthlyUsd),
            cents(1.2 * (90 / (365 / 12)) * 0.023),
        );
        assert.ok(line(estimate, "state-bucket", /server access logs/).monthlyUsd > 0);
        const sum = (lines: readonly CostLine[]) => cents(lines.reduce((s, l) => s + l.monthlyUsd, 0));
        assert.strictEqual(estimate.account?.totals.idleUsd, sum(account));
        assert.strictEqual(
            estimate.totals.idleUsd,
            sum(estimate.lines.filter((l) => l.scope === "stack" && l.driver === "idle")),
        );
        assert.ok(estimate.lines.some((l) => l.scope === "stack"));
        for (const l of account) assert.ok(l.driver === "idle", `${l.item} is paid per vote`);
    });

    it("prices Inspector's image scans on the bootstrap's repositories when the stack scans enhanced (staging), not in dev", async () => {
        const staging = await estimateOf("staging", "ecs");
        for (const repository of ["registry-vote", "registry-worker", "registry-result"]) {
            // 20 images pushed a month at $0.09; continuous rescans of the 30 kept images at $0.01.
            const pushed = line(staging, repository, /images scanned on push/);
            assert.strictEqual(cents(pushed.monthlyUsd), 1.8);
            assert.strictEqual(pushed.scope, "account");
            assert.strictEqual(cents(line(staging, repository, /continuous rescans/).monthlyUsd), 0.3);
        }
        const dev = await estimateOf("dev", "ecs");
        assert.deepStrictEqual(
            dev.lines.filter((l) => l.priceKey.startsWith("inspector.ecr")),
            [],
            "dev's basic scan on push is free",
        );
    });

    it("finds the bootstrap stack by account and environment, and says when none bootstraps the account", () => {
        for (const stack of STACKS) assert.strictEqual(bootstrapStackFor(stackConfigWith(stack, {})), stack);
        const elsewhere = stackConfigWith("dev", { "voteapp:accountId": "999999999999" });
        assert.strictEqual(bootstrapStackFor(elsewhere), undefined);
        const stackOnly = estimateCost([], { region: "eu-west-1" });
        assert.strictEqual(stackOnly.account, undefined);
        assert.match(renderCostEstimate(stackOnly), /Account costs: not estimated/);
    });

    it("prices prod's Multi-AZ database twice and one NAT gateway per AZ", async () => {
        const estimate = await estimateOf("prod", "ecs");
        // db.m7g.large Multi-AZ: 2 × 730 h × $0.186; 100 GB gp3 × 2 × $0.127.
        assert.strictEqual(cents(line(estimate, "data-postgres", /db\.m7g\.large Multi-AZ/).monthlyUsd), 271.56);
        assert.strictEqual(cents(line(estimate, "data-postgres", /gp3 storage/).monthlyUsd), 25.4);
        // vote: 3 on-demand tasks × 512 CPU units / 1024 MiB on ARM64: 1.5 vCPU × $0.03238 × 730, 3 GB × $0.00356 × 730.
        assert.strictEqual(cents(line(estimate, "vote-app-vote", /Fargate 3 × .*: vCPU/).monthlyUsd), 35.46);
        assert.strictEqual(cents(line(estimate, "vote-app-vote", /Fargate 3 × .*: memory/).monthlyUsd), 7.8);
        // Three AZs: three gateways, 3 × 730 × $0.048.
        assert.strictEqual(cents(line(estimate, "network", /NAT gateways \(3\): hours/).monthlyUsd), 105.12);
    });

    it("prices the EKS control plane and node group from their inputs", async () => {
        const estimate = await estimateOf("dev", "eks");
        assert.strictEqual(cents(line(estimate, "eks", /EKS control plane/).monthlyUsd), 73);
        // 2 × c7g.large (trunk network interfaces for pod security groups) at $0.0791/h; 2 × 30 GB gp3 at $0.088;
        // dev's node group has no nodes (nor their disks) outside the working hours, 60 of 168 hours a week.
        const week = 60 / 168;
        assert.strictEqual(
            cents(line(estimate, "eks-nodes", /2 × c7g\.large/).monthlyUsd),
            cents(2 * 0.0791 * 730 * week),
        );
        assert.strictEqual(
            cents(line(estimate, "eks-nodes", /EBS gp3 30 GB × 2/).monthlyUsd),
            cents(2 * 30 * 0.088 * week),
        );
        const staging = await estimateOf("staging", "eks");
        assert.doesNotMatch(line(staging, "eks-nodes", /c7g\.large/).item, /working hours/);
    });

    it("adds the votes' cost in proportion to the load, on top of the idle total", async () => {
        const none = await estimateOf("dev", "lambda", 0);
        const million = await estimateOf("dev", "lambda", 1_000_000);
        const two = await estimateOf("dev", "lambda", 2_000_000);
        assert.strictEqual(none.totals.atLoadUsd, none.totals.idleUsd);
        assert.strictEqual(million.totals.idleUsd, none.totals.idleUsd);
        // HTTP API: 8 requests per vote × 1M at $1.11 per million.
        assert.strictEqual(cents(line(million, "vote-app-api", /HTTP API requests/).monthlyUsd), 8.88);
        // vote: 2M invocations × 0.25 GB × 40 ms × $0.0000133334 per GB-second.
        assert.strictEqual(cents(line(million, "vote-app-vote", /compute/).monthlyUsd), 0.27);
        // Per-request lines grow with the votes; traces (sampled), route metrics and KMS data keys (per period
        // while traffic flows) do not.
        const notLinear = ["xray.million-traces", "cloudwatch.metric.month", "kms.ten-thousand-requests"];
        const added = (e: CostEstimate, traces: boolean) =>
            e.lines
                .filter((l) => l.driver === "load")
                .filter((l) => (traces ? l.priceKey === "xray.million-traces" : !notLinear.includes(l.priceKey)))
                .reduce((sum, l) => sum + l.monthlyUsd, 0);
        assert.ok(added(million, false) > 0, "votes add nothing");
        assert.ok(Math.abs(added(two, false) - 2 * added(million, false)) < 1e-6, "request-priced lines are linear");
        // X-Ray's reservoir (the first request each second) makes traces grow less than the load.
        assert.ok(added(two, true) > added(million, true) && added(two, true) < 2 * added(million, true));
    });

    for (const stack of STACKS) {
        for (const platform of PLATFORMS) {
            it(`${stack}/${platform}: every billable resource it plans has a price (nothing "not priced")`, async () => {
                const estimate = await estimateOf(stack, platform);
                assert.deepStrictEqual(
                    estimate.notPriced.map((n) => `${n.type} ${n.name}: ${n.item} — ${n.reason}`),
                    [],
                );
                assert.ok(estimate.totals.idleUsd > 0);
                for (const l of estimate.lines) {
                    assert.ok(
                        l.monthlyUsd > 0 && Number.isFinite(l.monthlyUsd),
                        `${l.name} ${l.item}: ${l.monthlyUsd}`,
                    );
                    assert.ok(
                        Math.abs(l.monthlyUsd - l.quantity * l.unitPrice) < 1e-9,
                        `${l.item} is not quantity × price`,
                    );
                }
            });
        }
    }

    it("lists a billable type without a pricing rule as not priced, never as zero", () => {
        const unknown: CapturedResource = {
            urn: "urn:pulumi:dev::voteapp::aws:opensearch/domain:Domain::search",
            type: "aws:opensearch/domain:Domain",
            name: "search",
            custom: true,
            remote: false,
            inputs: { clusterConfig: { instanceType: "t3.small.search" } },
            secretInputKeys: [],
            protect: false,
            retainOnDelete: false,
            dependencies: [],
        };
        const estimate = estimateCost([unknown], { region: "eu-west-1" });
        assert.deepStrictEqual(estimate.lines, []);
        assert.strictEqual(estimate.notPriced.length, 1);
        assert.match(estimate.notPriced[0].reason, /no pricing rule/);
        assert.match(renderCostEstimate(estimate), /Not priced \(1; not counted in the totals, not zero\)/);
    });

    it("lists a planned size the table has no price for as not priced (e.g. an instance class it does not carry)", async () => {
        const run = await stackRun("dev", { overrides: { "voteapp:postgresInstanceClass": "db.r6g.large" } });
        const estimate = estimateCost(run.resources, { region: "eu-west-1" });
        assert.deepStrictEqual(
            estimate.notPriced.map((n) => `${n.name}: ${n.reason}`),
            [
                "account-security-rds-login-events: vCPUs of db.r6g.large unknown",
                'data-postgres: no price "rds.postgres.db.r6g.large.hour" in the eu-west-1 price table',
            ],
        );
    });

    it("prices nothing in a region without a table, and says so for every line", async () => {
        const run = await stackRun("dev");
        const estimate = estimateCost(run.resources, { region: "ap-south-1" });
        assert.strictEqual(estimate.lines.length, 0);
        assert.ok(estimate.notPriced.length > 10);
        assert.strictEqual(estimate.totals.idleUsd, 0);
        assert.ok(estimate.notPriced.every((n) => /ap-south-1 price table/.test(n.reason)));
    });

    it("places a capacity provider strategy's tasks on Fargate Spot by base, then weight", () => {
        assert.strictEqual(spotTasks(3, []), 0);
        assert.strictEqual(spotTasks(3, [{ capacityProvider: "FARGATE_SPOT", weight: 1 }]), 3);
        assert.strictEqual(
            spotTasks(3, [
                { capacityProvider: "FARGATE", base: 1, weight: 0 },
                { capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]),
            2,
        );
        assert.strictEqual(
            spotTasks(4, [
                { capacityProvider: "FARGATE", weight: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]),
            2,
        );
    });

    it("knows the vCPUs of every EC2 type it prices (GuardDuty and Inspector price per vCPU)", () => {
        const priced = Object.keys(PRICE_TABLES["eu-west-1"].prices)
            .map((key) => /^ec2\.([a-z0-9]+\.[a-z0-9]+)\.hour$/.exec(key)?.[1])
            .filter((type): type is string => type !== undefined);
        assert.ok(priced.includes("c7g.large"), priced.join(", "));
        assert.deepStrictEqual(
            priced.filter((type) => EC2_VCPUS[type] === undefined),
            [],
        );
    });

    it("keeps dated price tables for us-east-1 and eu-west-1, every entry citing its AWS pricing page", () => {
        assert.deepStrictEqual([...PRICED_REGIONS].sort(), ["eu-west-1", "us-east-1"]);
        assert.match(PRICES_READ, /^\d{4}-\d{2}-\d{2}$/);
        const keys = (region: keyof typeof PRICE_TABLES) => Object.keys(PRICE_TABLES[region].prices).sort();
        assert.deepStrictEqual(keys("eu-west-1"), keys("us-east-1"), "both regions price the same dimensions");
        for (const table of Object.values(PRICE_TABLES)) {
            assert.strictEqual(table.read, PRICES_READ);
            for (const [key, entry] of Object.entries(table.prices)) {
                assert.ok(entry.usd > 0, `${table.region} ${key}`);
                assert.match(entry.source, /^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/$/, `${table.region} ${key}`);
            }
        }
    });
});

describe("npm run plan: the cost estimate", function () {
    this.timeout(180_000);

    it("prints the estimate with both totals, and --json carries the same lines and totals", async () => {
        const text = await planCli("--stack", "dev", "--votes", "2000000");
        assert.strictEqual(text.code, 0, text.err);
        assert.match(text.out, /## Estimated monthly cost \(eu-west-1, on-demand list prices read \d{4}-\d{2}-\d{2}/);
        assert.match(text.out, /Added by 2,000,000 votes\/month/);
        const json = await planCli("--stack", "dev", "--json", "--votes", "2000000");
        assert.strictEqual(json.code, 0, json.err);
        const cost = (JSON.parse(json.out) as { cost: CostEstimate }).cost;
        const expected = await estimateOf("dev", "ecs", 2_000_000);
        assert.deepStrictEqual(cost.totals, expected.totals);
        assert.strictEqual(cost.lines.length, expected.lines.length);
        assert.ok(
            text.out.includes(
                `Total: $${cost.totals.idleUsd.toFixed(2)}/month idle, $${cost.totals.atLoadUsd.toFixed(2)}/month`,
            ),
        );
        assert.deepStrictEqual(cost.account, expected.account);
        const account = cost.account?.totals.idleUsd ?? Number.NaN;
        assert.match(text.out, /Account costs \(bootstrap stack dev: .*\$\d+\.\d\d\/month idle/);
        assert.ok(
            text.out.includes(`With the account's costs: $${(cost.totals.idleUsd + account).toFixed(2)}/month idle`),
            text.out,
        );
    });

    it("refuses a --votes value that is not a whole number, naming it (exit 2)", async () => {
        const { code, err } = await planCli("--stack", "dev", "--votes", "lots");
        assert.strictEqual(code, 2);
        assert.match(err, /--votes lots: expected a whole number of votes a month/);
    });
});

describe("cost options in the plan and its estimate", function () {
    this.timeout(300_000);

    it("prices dev's ECS tasks for its working hours only, and reads the share of the week from the scheduled actions", async () => {
        const dev = await estimateOf("dev", "ecs");
        const always = await estimateOf("dev", "ecs", undefined, { "voteapp:workingHours": "always" });
        const fargate = (e: CostEstimate) =>
            e.lines.filter((l) => l.priceKey.startsWith("fargate")).reduce((s, l) => s + l.monthlyUsd, 0);
        assert.ok(
            Math.abs(fargate(dev) - (60 / 168) * fargate(always)) < 1e-9,
            `${fargate(dev)} vs ${fargate(always)}`,
        );
        assert.ok(dev.totals.idleUsd < always.totals.idleUsd);
        assert.strictEqual(scheduledRunningShare([]), 1);
        assert.strictEqual(
            scheduledRunningShare([
                { schedule: "cron(0 19 ? * MON-FRI *)", maxCapacity: 0 },
                { schedule: "cron(0 7 ? * MON-FRI *)", maxCapacity: 2 },
            ]),
            60 / 168,
        );
        assert.strictEqual(
            scheduledRunningShare([
                { schedule: "cron(30 8 ? * MON,WED,FRI *)", maxCapacity: 1 },
                { schedule: "cron(0 18 ? * MON,WED,FRI *)", maxCapacity: 0 },
            ]),
            (3 * 9.5) / 168,
        );
        assert.strictEqual(scheduledRunningShare([{ schedule: "rate(5 minutes)", maxCapacity: 0 }]), undefined);
    });

    it('reads the tier switches as "true"/"false" strings (unset: the tier decides) and names a bad value', async () => {
        const dev = await stackRun("dev", { overrides: { "voteapp:dashboard": "true" } });
        assert.strictEqual(dev.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard").length, 1);
        await assertRejectsWith(
            runStack("dev", { overrides: { "voteapp:fargateSpot": "yes" } }),
            "voteapp:fargateSpot",
            "must be one of true, false",
        );
    });

    it("dev has no dashboard and outputs no dashboard URL; staging and prod keep theirs", async () => {
        for (const platform of PLATFORMS) {
            const dev = await stackRun("dev", { overrides: { "voteapp:platform": platform } });
            assert.strictEqual(
                dev.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard").length,
                0,
                platform,
            );
            assert.ok(!("dashboardUrl" in dev.outputs), platform);
            assert.ok(
                dev.resources.some((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm"),
                "the alarms stay",
            );
            const staging = await stackRun("staging", { overrides: { "voteapp:platform": platform } });
            assert.strictEqual(
                staging.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard").length,
                1,
            );
        }
    });

    it("dev scans images with ECR's basic scan on push and Inspector scans no images; staging scans continuously", async () => {
        const dev = await stackRun("dev");
        const scanning = dev.resources.find(
            (r) => r.type === "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
        );
        assert.strictEqual(scanning?.inputs.scanType, "BASIC");
        assert.deepStrictEqual(scanning?.inputs.rules, [
            { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
        ]);
        const inspected = (run: { resources: readonly CapturedResource[] }) =>
            run.resources
                .filter((r) => r.type === "aws:inspector2/enabler:Enabler")
                .flatMap((r) => r.inputs.resourceTypes as string[]);
        assert.ok(!inspected(dev).includes("ECR"), `dev's Inspector scans ${inspected(dev).join(", ")}`);
        const eks = await stackRun("dev", { overrides: { "voteapp:platform": "eks" } });
        assert.ok(!inspected(eks).includes("ECR") && inspected(eks).includes("EC2"), "Inspector still scans the nodes");
        const staging = await stackRun("staging");
        assert.strictEqual(
            staging.resources.find(
                (r) => r.type === "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
            )?.inputs.scanType,
            "ENHANCED",
        );
    });

    it("dev's API publishes no per-route metrics; staging's does", async () => {
        const stage = async (stack: string) =>
            (await stackRun(stack, { overrides: { "voteapp:platform": "lambda" } })).resources.find(
                (r) => r.type === "aws:apigatewayv2/stage:Stage",
            );
        assert.strictEqual(
            ((await stage("dev"))?.inputs.defaultRouteSettings as Record<string, unknown>).detailedMetricsEnabled,
            false,
        );
        assert.strictEqual(
            ((await stage("staging"))?.inputs.defaultRouteSettings as Record<string, unknown>).detailedMetricsEnabled,
            true,
        );
    });

    it("the estimate shows what dev's options save: Spot tasks, and no Container Insights, dashboard or Inspector image scans", async () => {
        const dev = await estimateOf("dev", "ecs");
        const full = await estimateOf("dev", "ecs", undefined, {
            "voteapp:containerInsights": "enhanced",
            "voteapp:dashboard": "true",
            "voteapp:fargateSpot": "false",
            "voteapp:ecrScanning": "enhanced",
            "voteapp:workingHours": "always",
        });
        const keys = (e: CostEstimate) => new Set(e.lines.map((l) => l.priceKey));
        for (const key of [
            "cloudwatch.container-insights-enhanced.metric-month",
            "cloudwatch.dashboard.month",
            "inspector.ecr.initial-scan",
            "fargate.linux.arm64.vcpu-hour",
        ]) {
            assert.ok(keys(full).has(key), `the full dev stack pays ${key}`);
            assert.ok(!keys(dev).has(key), `dev still pays ${key}`);
        }
        assert.ok(keys(dev).has("fargate-spot.linux.arm64.vcpu-hour"));
        // Spot: 3 tasks × 0.25 vCPU × 730 h × $0.009714 instead of $0.03238, for the working hours (60 of 168 a week).
        const spotVcpu = dev.lines
            .filter((l) => l.priceKey === "fargate-spot.linux.arm64.vcpu-hour")
            .reduce((s, l) => s + l.monthlyUsd, 0);
        assert.strictEqual(cents(spotVcpu), cents(3 * 0.25 * 730 * 0.009714 * (60 / 168)));
        // With the account's lines: Inspector scans the bootstrap's repositories.
        const withAccount = (e: CostEstimate) => e.totals.idleUsd + (e.account?.totals.idleUsd ?? 0);
        assert.ok(withAccount(full) - withAccount(dev) > 30, `${withAccount(full)} → ${withAccount(dev)}`);
    });
});
