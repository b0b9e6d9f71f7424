import * as assert from "assert";
import { LIVE_ALIAS as COMPONENT_LIVE_ALIAS } from "../../components/serverless/serverlessFunction";
import {
    LIVE_ALIAS,
    lambdaAppSpec,
    type LambdaStackOutputs,
    plannedShifts,
    SHIFT_ORDER,
} from "../../scripts/shift-lambda-traffic";
import { stackRun } from "../support/stacks";

describe("scripts/shift-lambda-traffic", function () {
    this.timeout(120_000);
    const aliasesOn = (versions: Record<string, string>) => (name: string) => versions[name] ?? "1";

    it("reads the outputs a canary lambda stack really has, and shifts every lagging alias, worker first", async () => {
        const { outputs } = await stackRun("prod", { overrides: { "voteapp:platform": "lambda" } });
        const shifts = plannedShifts(outputs, () => "0");
        assert.deepStrictEqual(
            shifts.map((s) => s.role),
            [...SHIFT_ORDER],
        );
        assert.deepStrictEqual(SHIFT_ORDER, ["worker", "vote", "result"]);
        for (const shift of shifts) {
            assert.strictEqual(shift.applicationName, "voteapp-prod");
            assert.strictEqual(shift.deploymentGroupName, `voteapp-prod-${shift.role}`);
            assert.strictEqual(shift.functionName, `voteapp-prod-${shift.role}`);
            assert.strictEqual(shift.currentVersion, "0");
        }
    });

    it("skips functions already on their newest version, and does nothing for allAtOnce or other platforms", () => {
        const outputs: LambdaStackOutputs = {
            platform: "lambda",
            deploymentStrategy: "linear",
            codeDeployApplication: "app",
            codeDeployGroups: { vote: "g-vote", result: "g-result", worker: "g-worker" },
            functionNames: { vote: "f-vote", result: "f-result", worker: "f-worker" },
            functionVersions: { vote: "3", result: "2", worker: "2" },
        };
        assert.deepStrictEqual(
            plannedShifts(outputs, aliasesOn({ "f-vote": "2", "f-result": "2", "f-worker": "2" })).map((s) => [
                s.role,
                s.currentVersion,
                s.targetVersion,
            ]),
            [["vote", "2", "3"]],
        );
        assert.deepStrictEqual(
            plannedShifts({ ...outputs, deploymentStrategy: "allAtOnce" }, () => "0"),
            [],
        );
        assert.deepStrictEqual(
            plannedShifts({ platform: "ecs" }, () => "0"),
            [],
        );
        assert.throws(
            () => plannedShifts({ platform: "lambda", deploymentStrategy: "canary" }, () => "0"),
            /run pulumi up first/,
        );
    });

    it("writes the Lambda AppSpec CodeDeploy expects, on the alias the component creates", () => {
        assert.strictEqual(LIVE_ALIAS, COMPONENT_LIVE_ALIAS);
        const spec = lambdaAppSpec({
            role: "vote",
            functionName: "voteapp-prod-vote",
            currentVersion: "4",
            targetVersion: "5",
        });
        assert.strictEqual(
            spec,
            [
                "version: 0.0",
                "Resources:",
                "  - vote:",
                "      Type: AWS::Lambda::Function",
                "      Properties:",
                '        Name: "voteapp-prod-vote"',
                '        Alias: "live"',
                '        CurrentVersion: "4"',
                '        TargetVersion: "5"',
                "",
            ].join("\n"),
        );
    });
});
