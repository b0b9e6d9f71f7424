import * as assert from "assert";
import {
    aliasOwnerFor,
    LAMBDA_DEPLOYMENT_CONFIGS,
    LAMBDA_STRATEGIES,
    LambdaCodeDeployment,
    type LambdaCodeDeploymentArgs,
    liveAliasIgnoredChanges,
} from "../../../components/serverless/lambdaDeployment";
import { TEST_NAME_PREFIX } from "../../support/fixtures";
import { MOUNT_ACCOUNT, mountComponent } from "../../support/mount";
import { named, ofType, single } from "../../support/resources";

/**
 * LambdaCodeDeployment mounted alone with the args each test chooses (issue 16.5); what each stack's config
 * makes of it (the tier's strategy, the alarms the stack creates, the outputs a deployment needs) is
 * test/stacks/lambdaComposition.test.ts.
 */
const GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup";
const FUNCTIONS = [
    { role: "vote", alarmNames: ["vote-errors"] },
    { role: "worker", alarmNames: ["worker-errors", "worker-throttles"] },
] as const;
const TEST_DEPLOYMENT_ARGS: LambdaCodeDeploymentArgs = {
    namePrefix: TEST_NAME_PREFIX,
    partition: "aws",
    accountId: MOUNT_ACCOUNT.accountId,
    strategy: "canary",
    functions: FUNCTIONS,
};
const mountDeployment = (args: Partial<LambdaCodeDeploymentArgs> = {}) =>
    mountComponent((opts) => new LambdaCodeDeployment("codedeploy", { ...TEST_DEPLOYMENT_ARGS, ...args }, opts));

describe("LambdaCodeDeployment (CodeDeploy on the live aliases)", function () {
    this.timeout(180_000);

    for (const strategy of LAMBDA_STRATEGIES) {
        it(`${strategy}: one deployment group per function given with ${LAMBDA_DEPLOYMENT_CONFIGS[strategy]}, rolling back on failure and on that function's alarms`, async () => {
            const run = await mountDeployment({ strategy });
            assert.deepStrictEqual(
                ofType(run, GROUP)
                    .map((g) => g.inputs.deploymentGroupName)
                    .sort(),
                FUNCTIONS.map((f) => `${TEST_NAME_PREFIX}-${f.role}`),
            );
            for (const fn of FUNCTIONS) {
                const group = named(run, GROUP, `codedeploy-${fn.role}`);
                assert.strictEqual(group.inputs.appName, TEST_NAME_PREFIX);
                assert.strictEqual(group.inputs.deploymentConfigName, LAMBDA_DEPLOYMENT_CONFIGS[strategy]);
                assert.deepStrictEqual(group.inputs.deploymentStyle, {
                    deploymentType: "BLUE_GREEN",
                    deploymentOption: "WITH_TRAFFIC_CONTROL",
                });
                assert.deepStrictEqual(group.inputs.autoRollbackConfiguration, {
                    enabled: true,
                    events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                });
                assert.deepStrictEqual(group.inputs.alarmConfiguration, { enabled: true, alarms: fn.alarmNames });
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

    it("is a Lambda application whose service role CodeDeploy alone assumes, for the account given, with the limited Lambda policy", async () => {
        for (const accountId of [MOUNT_ACCOUNT.accountId, "222222222222"]) {
            const run = await mountDeployment({ accountId });
            const app = single(run, "aws:codedeploy/application:Application");
            assert.deepStrictEqual([app.inputs.name, app.inputs.computePlatform], [TEST_NAME_PREFIX, "Lambda"]);
            const role = named(run, "aws:iam/role:Role", "codedeploy-service");
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as {
                Statement: Array<{ Principal: unknown; Condition: unknown }>;
            };
            assert.deepStrictEqual(
                trust.Statement.map((s) => [s.Principal, s.Condition]),
                [[{ Service: "codedeploy.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": accountId } }]],
            );
            assert.strictEqual(
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "codedeploy-service").inputs.policyArn,
                "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
            );
            for (const group of ofType(run, GROUP))
                assert.strictEqual(
                    group.inputs.serviceRoleArn,
                    `arn:aws:iam::${MOUNT_ACCOUNT.accountId}:role/codedeploy-service`,
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
    });
});
