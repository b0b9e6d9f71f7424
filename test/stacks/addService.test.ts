import * as assert from "assert";
import { APP_SERVICE_TABLE, type AppServiceSpec, APP_HEALTH_PATH, type ServiceTable } from "../../shared/appContract";
import { readStackConfig } from "../../plan/stackFile";
import { estimateCost } from "../../plan/cost/estimate";
import { SERVICE_TRAFFIC } from "../../plan/cost/assumptions";
import { ConfigValidationError, parseVoteAppConfig, type VoteAppConfig } from "../../stacks/config";
import { projectConfigDeclarations } from "../../stacks/config/projectFile";
import { deployWarnings } from "../../stacks/warnings";
import { input, named, ofType, stackRun } from "../support/stacks";

/**
 * Issue 16.2: adding a service is one row of the service table (shared/appContract.ts). A sixth service, an
 * HTTP "stats" service on /stats, is added to a copy of the table handed to the program, and each platform
 * plans it: its own task definition, ECS service, target group(s) and listener rule on ecs; its Deployment(s),
 * Service and Ingress path on eks; its function and routes on lambda; its alarms everywhere.
 */
const STATS: AppServiceSpec = {
    name: "stats",
    http: {
        pathPatterns: ["/stats", "/stats/*"],
        priority: 20,
        lambdaRoutes: ["GET /stats", `GET /stats${APP_HEALTH_PATH}`],
    },
    redis: false,
    postgres: false,
    singleReplica: false,
    lambda: {
        bundle: "result-lambda",
        description: "Vote statistics from DynamoDB",
        access: ["readTotals"],
        defaultSize: { memoryMb: 512, reservedConcurrency: 5 },
    },
    defaultSize: { cpu: 512, memory: 1024, maxCount: 3 },
};
/** What a vote asks of stats (three requests to /stats), beside the shipped services' (the estimate's traffic). */
const WITH_STATS_TRAFFIC = { ...SERVICE_TRAFFIC, stats: { requests: 3, lambdaDurationMs: 50 } };
const WITH_STATS: ServiceTable = [...APP_SERVICE_TABLE, STATS];

/** An image pin for stats (dev accepts a tag). */
const STATS_PIN = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/voteapp-dev/stats:1.2.0";

/** The stats row's keys, as its name derives them (stacks/config/serviceKeys.ts). */
const STATS_KEYS = {
    statsCpu: { type: "integer", default: 512 },
    statsMemory: { type: "integer", default: 1024 },
    statsDesiredCount: { type: "integer", default: 1 },
    statsMinCount: { type: "integer", default: 1 },
    statsMaxCount: { type: "integer", default: 3 },
    statsImage: { type: "string", default: "" },
    lambdaStatsMemory: { type: "integer", default: 512 },
    lambdaStatsReservedConcurrency: { type: "integer", default: 5 },
} as const;

/** A stack file's config with `voteapp:` keys changed, parsed for a service table. */
function parseFor(
    stack: string,
    services: ServiceTable,
    changes: Readonly<Record<string, string>> = {},
): VoteAppConfig {
    const file = readStackConfig(stack);
    const raw = { ...file.config };
    for (const [key, value] of Object.entries(changes)) raw[`voteapp:${key}`] = value;
    return parseVoteAppConfig(raw, { project: file.project, stack }, services);
}

/** The problems a parse reports, as "key = value: message" lines. */
function problemsOf(parse: () => unknown): string[] {
    try {
        parse();
    } catch (e) {
        if (e instanceof ConfigValidationError) return e.message.split("\n").slice(1);
        throw e;
    }
    return [];
}

const alarmNames = (run: Awaited<ReturnType<typeof stackRun>>) =>
    ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => String(input(alarm, "name")));

describe("a sixth service added to the service table", function () {
    this.timeout(300_000);

    describe("its config keys (issue 16: one source of truth per service)", () => {
        it("are declared from the row: names, types and the row's defaults, as Pulumi.yaml would declare them", () => {
            const declared = projectConfigDeclarations(WITH_STATS);
            for (const [key, expected] of Object.entries(STATS_KEYS)) {
                assert.ok(declared[key], `no declaration for ${key}`);
                assert.deepStrictEqual(
                    { type: declared[key].type, default: declared[key].default },
                    expected,
                    `declaration of ${key}`,
                );
                assert.match(declared[key].description, /stats/, `${key}'s description names its service`);
            }
            // The shipped table's declarations (Pulumi.yaml) stay exactly the shipped keys.
            const shipped = projectConfigDeclarations();
            assert.deepStrictEqual(
                Object.keys(declared).filter((key) => !(key in shipped)),
                Object.keys(STATS_KEYS),
            );
        });

        it("are unknown to a program run without the row (did-you-mean), and read with it", () => {
            assert.deepStrictEqual(
                problemsOf(() => parseFor("dev", APP_SERVICE_TABLE, { statsCpu: "1024" })).map((l) =>
                    l.replace(/did you mean .*/, "did you mean"),
                ),
                ['  - voteapp:statsCpu = "1024": is not a known key; did you mean'],
            );
            const config = parseFor("dev", WITH_STATS, { statsCpu: "1024", statsMemory: "4096" });
            assert.deepStrictEqual(config.services.stats, {
                cpu: 1024,
                memory: 4096,
                desiredCount: 1,
                minCount: 1,
                maxCount: 3,
            });
            assert.deepStrictEqual(config.lambda.functions.stats, {
                memoryMb: 512,
                timeoutSeconds: config.lambda.httpTimeoutSeconds,
                reservedConcurrency: 5,
            });
        });

        it("are validated like the shipped rows': a bad value is refused naming the key, the value and what is allowed", () => {
            const lines = problemsOf(() =>
                parseFor("staging", WITH_STATS, {
                    statsCpu: "300",
                    statsMemory: "200000",
                    lambdaStatsMemory: "64",
                    lambdaStatsReservedConcurrency: "0",
                    statsImage: "not an image",
                }),
            );
            const expected = [
                "voteapp:statsCpu = 300: must be one of 256, 512, 1024",
                "voteapp:statsMemory = 200000: must be between 512 and 122880",
                "voteapp:lambdaStatsMemory = 64: must be between 128 and 10240 MiB",
                "voteapp:lambdaStatsReservedConcurrency = 0: must be between 1 and 1000",
                'voteapp:statsImage = "not an image": must be a full image reference',
            ];
            for (const fragment of expected)
                assert.ok(
                    lines.some((line) => line.includes(fragment)),
                    `no problem "${fragment}…" in:\n${lines.join("\n")}`,
                );
            // Relations too: a Fargate size pair, the counts, the prod floor, digest pins outside dev.
            const relations = problemsOf(() =>
                parseFor("prod", WITH_STATS, {
                    statsCpu: "512",
                    statsMemory: "512",
                    statsImage: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/voteapp-prod/stats:1.0",
                }),
            );
            for (const fragment of [
                "voteapp:statsMemory = 512: is not offered by Fargate with statsCpu = 512; allowed: ",
                "voteapp:statsMinCount = 1: must be at least 2 in prod",
                "voteapp:statsImage = ",
            ])
                assert.ok(
                    relations.some((line) => line.includes(fragment)),
                    `no problem "${fragment}…" in:\n${relations.join("\n")}`,
                );
        });

        it("count in the account's Lambda concurrency check, which names the row's key", () => {
            const lines = problemsOf(() =>
                parseFor("dev", WITH_STATS, { lambdaAccountConcurrency: "150", lambdaStatsReservedConcurrency: "10" }),
            );
            const line = lines.find((l) => l.includes("voteapp:lambdaAccountConcurrency")) ?? "";
            assert.match(line, /vote, result, worker and stats functions reserve 55 executions/);
            assert.match(line, /voteapp:lambdaStatsReservedConcurrency/);
        });
    });

    describe("on eks, its pods count in the node-group checks (stacks/config/eksCapacity.ts, eksPodNetworking.ts)", () => {
        /** The problem line for one key, or a failure listing what was reported. */
        const lineFor = (lines: readonly string[], key: string): string => {
            const line = lines.find((l) => l.includes(`voteapp:${key} =`));
            assert.ok(line, `no problem for voteapp:${key} in:\n${lines.join("\n")}`);
            return line;
        };
        // prod's minimum: stats runs 2 pods per blue/green slot (prod's floor of 2, both slots).
        const PROD_STATS = { platform: "eks", statsMinCount: "2", statsDesiredCount: "2" } as const;

        it("a stats pod larger than a node is refused on statsMemory, naming the value and what a node leaves", () => {
            const line = lineFor(
                problemsOf(() =>
                    parseFor("dev", WITH_STATS, { platform: "eks", statsCpu: "1024", statsMemory: "8192" }),
                ),
                "statsMemory",
            );
            assert.match(line, /statsMemory = 8192: makes a stats pod request 1000 m CPU and 8192 MiB/);
            assert.match(line, /one c7g\.large node leaves for pods \(1505 m CPU, 3269 MiB/);
            assert.match(line, /choose larger voteapp:eksNodeInstanceTypes/);
        });

        it("prod's 5 nodes, which hold the shipped services, are refused once stats's 4 pods no longer fit: at least 6", () => {
            assert.doesNotThrow(() => parseFor("prod", APP_SERVICE_TABLE, { platform: "eks" }));
            const line = lineFor(
                problemsOf(() => parseFor("prod", WITH_STATS, PROD_STATS)),
                "eksNodeDesiredSize",
            );
            assert.ok(line.includes("eksNodeDesiredSize = 5: gives 5 × c7g.large"), line);
            assert.ok(line.includes("request 24 pods, 8750 m CPU, 17500 MiB"), line);
            assert.ok(line.includes("(app pods: vote 6, result 6, worker 1, stats 4)"), line);
            assert.ok(line.includes("set voteapp:eksNodeDesiredSize to at least 6"), line);
            assert.doesNotThrow(() =>
                parseFor("prod", WITH_STATS, { ...PROD_STATS, eksNodeDesiredSize: "6", eksNodeMaxSize: "6" }),
            );
        });

        it("stats's pods need branch interfaces too: 4 m7g.medium nodes hold the shipped 13 pods, not 17", () => {
            const nodes = {
                eksNodeInstanceTypes: "m7g.medium",
                eksNodeMinSize: "4",
                eksNodeDesiredSize: "4",
                eksNodeMaxSize: "4",
            };
            const shipped = problemsOf(() => parseFor("prod", APP_SERVICE_TABLE, { platform: "eks", ...nodes }));
            assert.ok(!shipped.some((l) => l.includes("voteapp:eksNodeMaxSize =")), shipped.join("\n"));
            const line = lineFor(
                problemsOf(() => parseFor("prod", WITH_STATS, { ...PROD_STATS, ...nodes })),
                "eksNodeMaxSize",
            );
            assert.ok(line.includes("eksNodeMaxSize = 4: gives at most 16 pods with their own security groups"), line);
            assert.ok(line.includes("the app runs at least 17 (vote 6, result 6, worker 1, stats 4)"), line);
            assert.ok(line.includes("raise voteapp:eksNodeMaxSize to at least 5"), line);
        });

        it("a shipped row the table leaves out is not counted (its keys are still validated), here or in Lambda's reservations", () => {
            const withoutWorker = APP_SERVICE_TABLE.filter((spec) => spec.name !== "worker");
            const oversizedWorker = { platform: "eks", workerCpu: "1024", workerMemory: "8192" };
            lineFor(
                problemsOf(() => parseFor("dev", APP_SERVICE_TABLE, oversizedWorker)),
                "workerMemory",
            );
            assert.deepStrictEqual(
                problemsOf(() => parseFor("dev", withoutWorker, oversizedWorker)),
                [],
            );
            assert.match(
                lineFor(
                    problemsOf(() => parseFor("dev", withoutWorker, { workerMemory: "100" })),
                    "workerMemory",
                ),
                /must be between 512 and 122880/,
            );
            // 140 − 100 unreserved leaves 40: vote and result reserve 20 each; the worker's 5 would not fit.
            const lambda = { platform: "lambda", lambdaAccountConcurrency: "140" };
            lineFor(
                problemsOf(() => parseFor("dev", APP_SERVICE_TABLE, lambda)),
                "lambdaAccountConcurrency",
            );
            assert.deepStrictEqual(
                problemsOf(() => parseFor("dev", withoutWorker, lambda)),
                [],
            );
        });

        it("the deploy warnings count it: the HPAs' ceilings name statsMaxCount, the functions' reservations add stats's", () => {
            const prod = parseFor("prod", WITH_STATS, { ...PROD_STATS, eksNodeDesiredSize: "6", eksNodeMaxSize: "6" });
            const [nodes] = deployWarnings(prod, undefined, WITH_STATS).filter(
                (w) => w.key === "voteapp:eksNodeDesiredSize",
            );
            assert.ok(nodes, "no node warning");
            assert.match(
                nodes.message,
                /\(voteMaxCount 12, resultMaxCount 12, statsMaxCount 3, in both blue\/green slots\)/,
            );
            assert.match(nodes.message, /62 pods, 27750 m CPU, 56412 MiB/);
            const lambda = parseFor("dev", WITH_STATS, { platform: "lambda" });
            const [reserved] = deployWarnings(lambda, undefined, WITH_STATS).filter(
                (w) => w.key === "voteapp:lambdaAccountConcurrency",
            );
            assert.match(reserved.message, /The functions reserve 50 concurrent executions/);
        });
    });

    for (const stack of ["dev", "staging"] as const) {
        describe(`${stack} on ecs`, () => {
            // The ALB path (dev's default ingress is the HTTP API: tested below). dev sets the row's own keys (sizes
            // and an image pin); staging runs on the row's defaults.
            const keys: Record<string, string> =
                stack === "dev"
                    ? {
                          "voteapp:statsCpu": "1024",
                          "voteapp:statsMemory": "2048",
                          "voteapp:statsImage": STATS_PIN,
                      }
                    : {};
            const run = () =>
                stackRun(stack, {
                    overrides: { "voteapp:platform": "ecs", "voteapp:ecsIngress": "loadBalancer", ...keys },
                    services: WITH_STATS,
                });

            if (stack === "dev")
                it("behind the HTTP API (dev's default): a Cloud Map service, its registry, an integration and routes on its paths", async () => {
                    const r = await stackRun(stack, { overrides: { "voteapp:platform": "ecs" }, services: WITH_STATS });
                    const discovery = named(r, "aws:servicediscovery/service:Service", "vote-app-api-stats");
                    const service = named(r, "aws:ecs/service:Service", "vote-app-stats");
                    assert.strictEqual(input(service, "serviceRegistries", "containerName"), "stats");
                    assert.ok(
                        String(input(service, "serviceRegistries", "registryArn")).endsWith(`/${discovery.name}`),
                    );
                    const integration = named(r, "aws:apigatewayv2/integration:Integration", "vote-app-api-stats");
                    const routes = ofType(r, "aws:apigatewayv2/route:Route")
                        .filter((route) => input(route, "target") === `integrations/${integration.name}-id`)
                        .map((route) => String(input(route, "routeKey")))
                        .sort();
                    assert.deepStrictEqual(routes, ["ANY /stats", "ANY /stats/{proxy+}"]);
                    named(
                        r,
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                        "fargate-security-groups-stats-from-vpc-link",
                    );
                });

            it("gets its own task definition, sized by its keys (else the row's defaults), and an ECS service behind its target group", async () => {
                const r = await run();
                const task = named(r, "aws:ecs/taskDefinition:TaskDefinition", "vote-app-stats");
                assert.strictEqual(input(task, "family"), `voteapp-${stack}-stats`);
                assert.strictEqual(input(task, "cpu"), stack === "dev" ? "1024" : "512");
                assert.strictEqual(input(task, "memory"), stack === "dev" ? "2048" : "1024");
                const containers = JSON.parse(String(input(task, "containerDefinitions"))) as { image: string }[];
                if (stack === "dev") assert.strictEqual(containers[0].image, STATS_PIN);
                else
                    assert.match(
                        containers[0].image,
                        /^222222222222\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/voteapp-staging\/stats@sha256:/,
                    );
                const service = named(r, "aws:ecs/service:Service", "vote-app-stats");
                assert.strictEqual(input(service, "name"), "stats");
                const balancers = input(service, "loadBalancers") as { containerName: string }[];
                assert.deepStrictEqual(
                    balancers.map((lb) => lb.containerName),
                    ["stats"],
                );
                named(r, "aws:ec2/securityGroup:SecurityGroup", "fargate-security-groups-stats");
                named(
                    r,
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    "fargate-security-groups-stats-from-alb",
                );
            });

            it("is routed on its path patterns at its priority, with a target group (and an alternate under blue/green)", async () => {
                const r = await run();
                named(r, "aws:lb/targetGroup:TargetGroup", "vote-app-alb-stats");
                const blueGreen = stack !== "dev";
                assert.strictEqual(
                    ofType(r, "aws:lb/targetGroup:TargetGroup").some((tg) => tg.name === "vote-app-alb-stats-alt"),
                    blueGreen,
                );
                const rule = named(r, "aws:lb/listenerRule:ListenerRule", "vote-app-alb-stats");
                assert.strictEqual(input(rule, "priority"), 20);
                assert.deepStrictEqual(input(rule, "conditions", 0, "pathPattern", "values"), ["/stats", "/stats/*"]);
            });

            it("has its own alarms (errors, CPU, target 5xx); only the worker's error alarm says it rolls back", async () => {
                const r = await run();
                const names = alarmNames(r);
                const description = (alarm: string) =>
                    String(input(named(r, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm), "alarmDescription"));
                assert.match(description(`voteapp-${stack}-worker-errors`), /Rolls back a worker deployment/);
                assert.doesNotMatch(description(`voteapp-${stack}-stats-errors`), /Rolls back/);
                for (const signal of ["errors", "cpu", "target-5xx"])
                    assert.ok(
                        names.includes(`voteapp-${stack}-stats-${signal}`),
                        `no ${signal} alarm for stats: ${names.join(", ")}`,
                    );
            });
        });

        describe(`${stack} on eks`, () => {
            // Staging's 2 nodes hold the shipped services' pods but not stats's 2 (blue/green) besides: the capacity
            // check counts the row (tested above), so staging gives it a third node.
            const nodes: Record<string, string> = stack === "staging" ? { "voteapp:eksNodeDesiredSize": "3" } : {};
            const run = () =>
                stackRun(stack, { overrides: { "voteapp:platform": "eks", ...nodes }, services: WITH_STATS });

            it("gets its Deployment(s) (both slots under blue/green), a Service, and an Ingress path before the default route", async () => {
                const r = await run();
                const deployments = ofType(r, "kubernetes:apps/v1:Deployment").map((d) =>
                    String(input(d, "metadata", "name")),
                );
                const expected = stack === "dev" ? ["stats"] : ["stats-blue", "stats-green"];
                for (const name of expected)
                    assert.ok(deployments.includes(name), `no Deployment ${name}: ${deployments.join(", ")}`);
                named(r, "kubernetes:core/v1:Service", "vote-app-stats");
                const ingress = ofType(r, "kubernetes:networking.k8s.io/v1:Ingress")[0];
                const paths = (
                    input(ingress, "spec", "rules", 0, "http", "paths") as {
                        path: string;
                        backend: { service: { name: string } };
                    }[]
                ).map((p) => `${p.path}->${p.backend.service.name}`);
                assert.deepStrictEqual(paths, ["/result->result", "/stats->stats", "/->vote"]);
            });
        });
    }

    describe("dev on lambda", () => {
        const run = () =>
            stackRun("dev", {
                overrides: {
                    "voteapp:platform": "lambda",
                    "voteapp:lambdaStatsMemory": "1024",
                    "voteapp:lambdaStatsReservedConcurrency": "7",
                },
                services: WITH_STATS,
            });

        it("gets its own function, sized by its keys, behind its API routes, with its alarms and deployment group", async () => {
            const r = await run();
            const fn = ofType(r, "aws:lambda/function:Function").find((f) => input(f, "name") === "voteapp-dev-stats");
            assert.ok(fn, "no function voteapp-dev-stats");
            assert.strictEqual(input(fn, "memorySize"), 1024);
            assert.strictEqual(input(fn, "reservedConcurrentExecutions"), 7);
            assert.deepStrictEqual(Object.keys(input(fn, "environment", "variables") as object).sort(), [
                "OPTION_A",
                "OPTION_B",
                "VOTES_TABLE_NAME",
            ]);
            const routes = ofType(r, "aws:apigatewayv2/route:Route").map((route) => String(input(route, "routeKey")));
            for (const key of ["GET /stats", `GET /stats${APP_HEALTH_PATH}`])
                assert.ok(routes.includes(key), `no route ${key}: ${routes.join(", ")}`);
            const policy = JSON.stringify(input(named(r, "aws:iam/rolePolicy:RolePolicy", "vote-app-stats"), "policy"));
            assert.match(policy, /ReadTotals/);
            assert.doesNotMatch(policy, /SendBallots|RecordBallots|ReceiveBallots/);
            const names = alarmNames(r);
            for (const signal of ["errors", "throttles"])
                assert.ok(
                    names.includes(`voteapp-dev-stats-${signal}`),
                    `no ${signal} alarm for stats: ${names.join(", ")}`,
                );
            named(r, "aws:codedeploy/deploymentGroup:DeploymentGroup", "vote-app-codedeploy-stats");
        });

        it("is priced by what its row says (HTTP, invoked per request) and what a vote asks of it, or reported not priced, never zero", async () => {
            const r = await run();
            const votesPerMonth = 1_000_000;
            const priced = estimateCost(r.resources, {
                region: "eu-west-1",
                votesPerMonth,
                services: WITH_STATS,
                traffic: WITH_STATS_TRAFFIC,
            });
            const statsLines = priced.lines.filter((l) => l.item.startsWith("stats: "));
            const requests = statsLines.find((l) => l.item === "stats: requests");
            assert.ok(requests, `no stats request line: ${statsLines.map((l) => l.item).join(", ")}`);
            assert.strictEqual(requests.quantity, 3, "3 invocations per vote × 1M votes, in millions");
            const compute = statsLines.find((l) => l.item.startsWith("stats: compute"));
            assert.ok(compute, "no stats compute line");
            assert.match(compute.item, /1024 MB × 50 ms/);
            assert.ok(compute.monthlyUsd > 0);
            // The entry point carries its requests too: 6 (result) + 3 (stats) + 2 (vote) per vote.
            const api = priced.lines.find((l) => l.item === "HTTP API requests");
            assert.strictEqual(api?.quantity, 11);
            assert.match(api.basis ?? "", /11 HTTP requests per vote \(result 6, stats 3, vote 2\)/);
            // The shipped functions' lines are those of the shipped table (but X-Ray's sampled traces, which every
            // traced function shares, stats now among them).
            const shipped = estimateCost(r.resources, { region: "eu-west-1", votesPerMonth });
            for (const service of ["vote", "result", "worker"]) {
                const lineOf = (e: typeof priced) =>
                    e.lines
                        .filter((l) => l.item.startsWith(`${service}: `) && !l.item.endsWith("X-Ray traces"))
                        .map((l) => [l.item, l.monthlyUsd]);
                assert.deepStrictEqual(lineOf(priced), lineOf(shipped), service);
            }

            // A row no traffic figure covers (the shipped SERVICE_TRAFFIC): its function and its share of the
            // requests are listed as not priced, naming what is missing.
            const unpriced = estimateCost(r.resources, { region: "eu-west-1", votesPerMonth, services: WITH_STATS });
            assert.deepStrictEqual(
                unpriced.lines.filter((l) => l.item.startsWith("stats: ")),
                [],
                "stats priced without per-vote traffic",
            );
            const notPriced = unpriced.notPriced.filter((n) => n.item.includes("stats"));
            assert.deepStrictEqual(notPriced.map((n) => n.item).sort(), [
                "HTTP API requests: stats's requests",
                "stats: Lambda invocations",
            ]);
            for (const item of notPriced)
                assert.match(
                    item.reason,
                    /no per-vote traffic is stated for stats \(plan\/cost\/assumptions.ts SERVICE_TRAFFIC\)/,
                );
        });
    });
});
