import * as assert from "assert";
import {
    aliasOwnerFor,
    LAMBDA_DEPLOYMENT_CONFIGS,
    LAMBDA_STRATEGIES,
    liveAliasIgnoredChanges,
} from "../../../components/serverless/lambdaDeployment";
import { named, ofType, single, stackRun } from "../../support/stacks";

const LAMBDA = { "voteapp:platform": "lambda" };
const SERVICES = ["vote", "result", "worker"] as const;
const GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const withStrategy = (stack: string, strategy: string) =>
    stackRun(stack, { overrides: { ...LAMBDA, "voteapp:deploymentStrategy": strategy } });

describe("LambdaCodeDeployment (CodeDeploy on the live aliases)", function () {
    this.timeout(180_000);

    for (const strategy of LAMBDA_STRATEGIES) {
        it(`${strategy}: one deployment group per function with ${LAMBDA_DEPLOYMENT_CONFIGS[strategy]}, rolling back on failure and on the function's alarms`, async () => {
            const run = await withStrategy("staging", strategy);
            const groups = ofType(run, GROUP);
            assert.deepStrictEqual(
                groups.map((g) => g.inputs.deploymentGroupName).sort(),
                SERVICES.map((s) => `voteapp-staging-${s}`).sort(),
            );
            const alarmNames = new Set(ofType(run, ALARM).map((a) => a.inputs.name));
            for (const service of SERVICES) {
                const group = named(run, GROUP, `vote-app-codedeploy-${service}`);
                assert.strictEqual(group.inputs.appName, "voteapp-staging");
                assert.strictEqual(group.inputs.deploymentConfigName, LAMBDA_DEPLOYMENT_CONFIGS[strategy]);
                assert.deepStrictEqual(group.inputs.deploymentStyle, {
                    deploymentType: "BLUE_GREEN",
                    deploymentOption: "WITH_TRAFFIC_CONTROL",
                });
                assert.deepStrictEqual(group.inputs.autoRollbackConfiguration, {
                    enabled: true,
                    events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                });
                assert.deepStrictEqual(group.inputs.alarmConfiguration, {
                    enabled: true,
                    alarms: [`voteapp-staging-${service}-errors`],
                });
                // The rollback alarm is one the stack really creates (named on both sides by alarmNames.ts).
                assert.ok(
                    alarmNames.has(`voteapp-staging-${service}-errors`),
                    `no alarm voteapp-staging-${service}-errors`,
                );
            }
        });
    }

    it("maps each strategy to CodeDeploy's predefined Lambda configuration", () => {
        assert.deepStrictEqual(LAMBDA_DEPLOYMENT_CONFIGS, {
            allAtOnce: "CodeDeployDefault.LambdaAllAtOnce",
            canary: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            linear: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        });
    });

    it("is a Lambda application whose service role CodeDeploy alone assumes, with the limited Lambda policy", async () => {
        const run = await stackRun("prod", { overrides: LAMBDA });
        const app = single(run, "aws:codedeploy/application:Application");
        assert.deepStrictEqual([app.inputs.name, app.inputs.computePlatform], ["voteapp-prod", "Lambda"]);
        const role = named(run, "aws:iam/role:Role", "vote-app-codedeploy-service");
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as {
            Statement: Array<{ Principal: unknown; Condition: unknown }>;
        };
        assert.deepStrictEqual(
            trust.Statement.map((s) => [s.Principal, s.Condition]),
            [
                [
                    { Service: "codedeploy.amazonaws.com" },
                    { StringEquals: { "aws:SourceAccount": String(run.outputs.accountId) } },
                ],
            ],
        );
        const attachment = named(
            run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "vote-app-codedeploy-service",
        );
        assert.strictEqual(
            attachment.inputs.policyArn,
            "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
        );
        for (const group of ofType(run, GROUP))
            assert.strictEqual(
                group.inputs.serviceRoleArn,
                `arn:aws:iam::${String(run.outputs.accountId)}:role/vote-app-codedeploy-service`,
            );
    });

    it("follows the tier's default: dev all at once, staging and prod canary", async () => {
        const expected = {
            dev: "CodeDeployDefault.LambdaAllAtOnce",
            staging: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            prod: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        };
        for (const [stack, config] of Object.entries(expected)) {
            const run = await stackRun(stack, { overrides: LAMBDA });
            assert.deepStrictEqual(
                [...new Set(ofType(run, GROUP).map((g) => g.inputs.deploymentConfigName))],
                [config],
                stack,
            );
        }
    });

    describe("who moves the live alias", () => {
        it("allAtOnce: Pulumi points the alias at each new version", () => {
            assert.strictEqual(aliasOwnerFor("allAtOnce"), "pulumi");
            assert.deepStrictEqual(liveAliasIgnoredChanges("pulumi"), []);
        });

        it("canary and linear: CodeDeploy shifts it, so Pulumi never resets its version or weights", () => {
            for (const strategy of ["canary", "linear"] as const)
                assert.strictEqual(aliasOwnerFor(strategy), "codeDeploy");
            assert.deepStrictEqual(liveAliasIgnoredChanges("codeDeploy"), ["functionVersion", "routingConfig"]);
        });

        it("outputs what a CodeDeploy deployment needs: application, groups and the versions just published", async () => {
            const { outputs } = await withStrategy("prod", "linear");
            assert.strictEqual(outputs.deploymentStrategy, "linear");
            assert.strictEqual(outputs.codeDeployApplication, "voteapp-prod");
            assert.deepStrictEqual(outputs.codeDeployGroups, {
                vote: "voteapp-prod-vote",
                result: "voteapp-prod-result",
                worker: "voteapp-prod-worker",
            });
            assert.deepStrictEqual(Object.keys(outputs.functionVersions as object).sort(), [...SERVICES].sort());
        });
    });
});
