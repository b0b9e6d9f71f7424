import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import type { CapturedResource } from "../../shared/capturedResource";
import { typeScriptChild } from "../support/children";
import { SHIPPED_STACKS, stackRun } from "../support/stacks";

const LAMBDA = { "voteapp:platform": "lambda" };
const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Types of the container platforms' foundation and data layer, which a lambda stack must never pay for. */
const CONTAINER_ONLY = [
    /^awsx:ec2:/,
    /^aws:ec2\//,
    /^aws:ecr\//,
    /^aws:rds\//,
    /^aws:elasticache\//,
    /^aws:ecs\//,
    /^aws:lb\//,
    /^aws:secretsmanager\//,
    /^voteapp:network:/,
    /^voteapp:registry:/,
    /^voteapp:data:/,
];

describe("shipped stacks with platform lambda", function () {
    this.timeout(180_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: builds API, functions, queue and table on the key alone: no VPC, NAT, ECR, RDS, Redis or load balancer`, async () => {
            const all = await stackRun(stack, { overrides: LAMBDA });
            // The account's security baseline (GuardDuty, Inspector incl. ECR scanning, CloudTrail) is account-wide, not the app's.
            const run = { ...all, resources: all.resources.filter((r) => !r.urn.includes("AccountSecurityBaseline")) };
            const containerOnly = run.resources.filter((r) => CONTAINER_ONLY.some((pattern) => pattern.test(r.type)));
            assert.deepStrictEqual(
                containerOnly.map((r) => `${r.type} ${r.name}`),
                [],
            );
            const count = (type: string) => run.resources.filter((r) => r.type === type).length;
            assert.deepStrictEqual(
                [
                    count("aws:apigatewayv2/api:Api"),
                    count("aws:lambda/function:Function"),
                    count("aws:sqs/queue:Queue"),
                    count("aws:dynamodb/table:Table"),
                    count("aws:kms/key:Key"),
                ],
                // Keys: the stack's data key and the alarm topic's (CloudWatch cannot publish with the AWS managed SNS
                // key); dev's topic uses the data key (voteapp:alarmTopicKey).
                [1, 3, 2, 1, stack === "dev" ? 1 : 2],
            );
        });

        it(`${stack}: outputs the URL, queue and table, and nothing of a VPC or registry`, async () => {
            const { outputs } = await stackRun(stack, { overrides: LAMBDA });
            assert.strictEqual(outputs.platform, "lambda");
            assert.match(String(outputs.url), /^https:\/\//);
            assert.strictEqual(
                outputs.votesQueueUrl,
                `https://sqs.eu-west-1.amazonaws.com/${String(outputs.accountId)}/voteapp-${stack}-votes.fifo`,
            );
            assert.strictEqual(outputs.votesTableName, `voteapp-${stack}-votes`);
            assert.deepStrictEqual(outputs.functionNames, {
                vote: `voteapp-${stack}-vote`,
                result: `voteapp-${stack}-result`,
                worker: `voteapp-${stack}-worker`,
            });
            assert.ok(!("vpcId" in outputs) && !("repositoryUrls" in outputs));
        });

        it(`${stack}: creates every AWS resource through the stack's account-pinned provider`, async () => {
            const run = await stackRun(stack, { overrides: LAMBDA });
            const providerUrn = run.resources.find((r) => r.type === "pulumi:providers:aws")?.urn;
            const stray = run.resources
                .filter((r: CapturedResource) => r.custom && r.type.startsWith("aws:"))
                .filter((r) => r.provider?.split("::").slice(0, -1).join("::") !== providerUrn);
            assert.deepStrictEqual(
                stray.map((r) => `${r.type} ${r.name}`),
                [],
            );
        });
    }

    it("keeps the data key protected and retained in prod, as on the container platforms", async () => {
        const key = (await stackRun("prod", { overrides: LAMBDA })).resources.find((r) => r.type === "aws:kms/key:Key");
        assert.ok(key && key.retainOnDelete, "the key is retained");
        const component = (await stackRun("prod", { overrides: LAMBDA })).resources.find(
            (r) => r.type === "voteapp:security:EncryptionKey",
        );
        assert.ok(component?.protect, "the key component is protected");
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: has the golden-signal dashboard and its alarms on a KMS-encrypted topic, and outputs both`, async () => {
            // dev creates no dashboard by default (voteapp:dashboard); ask for one to check what it shows.
            const run = await stackRun(stack, { overrides: { ...LAMBDA, "voteapp:dashboard": "true" } });
            const prefix = `voteapp-${stack}`;
            const dashboard = run.resources.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard");
            assert.ok(dashboard, "no dashboard");
            const body = String(dashboard.inputs.dashboardBody);
            for (const namespace of ["AWS/ApiGateway", "AWS/Lambda", "AWS/SQS", "AWS/DynamoDB"])
                assert.ok(body.includes(namespace), `dashboard lacks ${namespace}`);
            const alarms = run.resources
                .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
                .map((r) => String(r.inputs.name));
            for (const name of [
                "api-5xx",
                "api-latency-p95",
                "queue-oldest-message",
                "dead-letter-queue",
                "vote-errors",
                "result-errors",
                "worker-errors",
                "worker-throttles",
                "dynamodb-throttles-1",
            ]) {
                assert.ok(alarms.includes(`${prefix}-${name}`), `no alarm ${prefix}-${name} in ${alarms.join(", ")}`);
            }
            const dlq = run.resources.find(
                (r) =>
                    r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
                    r.inputs.name === `${prefix}-dead-letter-queue`,
            );
            assert.deepStrictEqual(dlq?.inputs.dimensions, { QueueName: `${prefix}-votes-dlq.fifo` });
            const topic = run.resources.find((r) => r.type === "aws:sns/topic:Topic");
            assert.ok(
                topic && String(topic.inputs.kmsMasterKeyId).startsWith("arn:aws:kms:"),
                "the alarm topic is not KMS-encrypted",
            );
            assert.match(String(run.outputs.dashboardUrl), new RegExp(`#dashboards/dashboard/${prefix}$`));
            assert.match(String(run.outputs.alarmTopicArn), /^arn:aws:sns:eu-west-1:\d{12}:/);
            assert.strictEqual(topic.inputs.name, `${prefix}-alarms`);
        });
    }

    it("fits AWS name limits for the longest environment name config accepts", async () => {
        const run = await stackRun("dev", {
            overrides: {
                ...LAMBDA,
                "voteapp:environment": "abcdefghijklmnop",
                "voteapp:tier": "dev",
                "voteapp:accountId": "444444444444",
            },
        });
        const names = run.resources
            .filter((r) => r.type === "aws:lambda/function:Function")
            .map((r) => String(r.inputs.name));
        assert.ok(
            names.every((n) => n.length <= 64),
            names.join(", "),
        );
    });

    // esbuild does load on ecs and eks: it bundles the database setup function (components/databaseSetup.ts).
    it("an ecs run never loads the handlers or their AWS SDK clients (the Lambda component shares only the app contract with the handlers)", () => {
        // A fresh process (this one has loaded the handlers for the lambda runs), its TypeScript loaded through
        // esbuild (test/support/children.ts), and without the run store: the program itself runs.
        const script = [
            'const { runStack } = require("./plan/runStack");',
            'runStack("dev").then((run) => {',
            "  const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@aws-sdk[\\\\/](client-dynamodb|client-sqs|lib-dynamodb)[\\\\/]/.test(f) || /app[\\\\/]src[\\\\/]lambda/.test(f));",
            "  process.stdout.write(JSON.stringify({ platform: run.outputs.platform, loaded }));",
            "});",
        ].join("\n");
        const out = execFileSync(process.execPath, typeScriptChild("-e", script), {
            cwd: REPOSITORY_ROOT,
            encoding: "utf8",
        });
        assert.deepStrictEqual(JSON.parse(out), { platform: "ecs", loaded: [] });
    });
});
