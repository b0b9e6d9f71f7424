// After `pulumi up` on a lambda stack whose strategy is canary or linear: Pulumi published new function
// versions but left each `live` alias where it was (CodeDeploy owns it, components/serverless/lambdaDeployment.ts).
// This starts one CodeDeploy deployment per function whose alias lags its newest version, worker first
// (the new consumer reads what old and new producers send), then vote, then result, and waits for each:
// CodeDeploy shifts traffic by the group's configuration and moves the alias back if an alarm fires.
// A no-op for other platforms and for allAtOnce (Pulumi moved the aliases itself).
// Usage: npx ts-node --transpile-only scripts/shift-lambda-traffic.ts --stack <env>
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

import { LIVE_ALIAS } from "../components/serverless/serverlessFunction";
import { APP_SERVICE_TABLE, consumesVotesQueue } from "../shared/appContract";
import type { IdentityOutputs, LambdaOutputs, PrintedOutputs } from "../stacks/outputs";

export { LIVE_ALIAS };

/**
 * Consumer before producers: a new worker reads ballots of the old and the new vote function. The service
 * table's queue consumer first, then its other rows in table order.
 */
export const SHIFT_ORDER: readonly string[] = [
    ...APP_SERVICE_TABLE.filter(consumesVotesQueue),
    ...APP_SERVICE_TABLE.filter((spec) => !consumesVotesQueue(spec)),
].map((spec) => spec.name);

/** The stack outputs this script reads, as `pulumi stack output --json` prints them (declared in stacks/outputs.ts). */
export type LambdaStackOutputs = PrintedOutputs<
    Pick<IdentityOutputs, "platform"> &
        Pick<
            LambdaOutputs,
            "deploymentStrategy" | "codeDeployApplication" | "codeDeployGroups" | "functionNames" | "functionVersions"
        >
>;

export interface PlannedShift {
    readonly role: string;
    readonly applicationName: string;
    readonly deploymentGroupName: string;
    readonly functionName: string;
    readonly currentVersion: string;
    readonly targetVersion: string;
}

/**
 * The AppSpec of a Lambda deployment (YAML, as CodeDeploy documents it: `version: 0.0`, which JSON would
 * print as 0): move the alias from the current to the target version. Values are quoted JSON strings.
 */
export function lambdaAppSpec(
    shift: Pick<PlannedShift, "role" | "functionName" | "currentVersion" | "targetVersion">,
): string {
    const q = (value: string) => JSON.stringify(value);
    return [
        "version: 0.0",
        "Resources:",
        `  - ${shift.role}:`,
        "      Type: AWS::Lambda::Function",
        "      Properties:",
        `        Name: ${q(shift.functionName)}`,
        `        Alias: ${q(LIVE_ALIAS)}`,
        `        CurrentVersion: ${q(shift.currentVersion)}`,
        `        TargetVersion: ${q(shift.targetVersion)}`,
        "",
    ].join("\n");
}

/** The shifts to run, in order: functions whose alias is not on the newest version. Empty when Pulumi owns the aliases. */
export function plannedShifts(
    outputs: LambdaStackOutputs,
    aliasVersionOf: (functionName: string) => string,
): PlannedShift[] {
    if (outputs.platform !== "lambda" || outputs.deploymentStrategy === "allAtOnce") return [];
    const { codeDeployApplication, codeDeployGroups, functionNames, functionVersions } = outputs;
    if (!codeDeployApplication || !codeDeployGroups || !functionNames || !functionVersions)
        throw new Error(
            "the stack lacks the outputs codeDeployApplication, codeDeployGroups, functionNames and functionVersions: run pulumi up first",
        );
    return SHIFT_ORDER.flatMap((role): PlannedShift[] => {
        const functionName = functionNames[role];
        const deploymentGroupName = codeDeployGroups[role];
        const targetVersion = functionVersions[role];
        if (!functionName || !deploymentGroupName || !targetVersion)
            throw new Error(`the stack outputs name no function, deployment group or version for ${role}`);
        const currentVersion = aliasVersionOf(functionName);
        return currentVersion === targetVersion
            ? []
            : [
                  {
                      role,
                      applicationName: codeDeployApplication,
                      deploymentGroupName,
                      functionName,
                      currentVersion,
                      targetVersion,
                  },
              ];
    });
}

const run = (command: string, args: readonly string[]): string =>
    execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

function main(): number {
    const { values } = parseArgs({ options: { stack: { type: "string" } }, strict: true });
    if (!values.stack) {
        console.error("--stack is required");
        return 2;
    }
    const outputs = JSON.parse(
        run("pulumi", ["stack", "output", "--json", "--stack", values.stack]),
    ) as LambdaStackOutputs;
    const shifts = plannedShifts(outputs, (functionName) =>
        run("aws", [
            "lambda",
            "get-alias",
            "--function-name",
            functionName,
            "--name",
            LIVE_ALIAS,
            "--query",
            "FunctionVersion",
            "--output",
            "text",
        ]),
    );
    if (shifts.length === 0)
        console.log(
            `${values.stack}: no alias to shift (platform ${outputs.platform ?? "?"}, strategy ${outputs.deploymentStrategy ?? "?"})`,
        );
    for (const shift of shifts) {
        const revision = JSON.stringify({
            revisionType: "AppSpecContent",
            appSpecContent: { content: lambdaAppSpec(shift) },
        });
        const id = run("aws", [
            "deploy",
            "create-deployment",
            "--application-name",
            shift.applicationName,
            "--deployment-group-name",
            shift.deploymentGroupName,
            "--revision",
            revision,
            "--query",
            "deploymentId",
            "--output",
            "text",
        ]);
        console.log(
            `${shift.functionName}: ${LIVE_ALIAS} ${shift.currentVersion} → ${shift.targetVersion} (CodeDeploy ${id}, group ${shift.deploymentGroupName})`,
        );
        // Fails (non-zero) when CodeDeploy stopped and rolled the shift back: the workflow stops here.
        run("aws", ["deploy", "wait", "deployment-successful", "--deployment-id", id]);
        console.log(`${shift.functionName}: ${LIVE_ALIAS} is on ${shift.targetVersion}`);
    }
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main());
    } catch (err: unknown) {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    }
}
