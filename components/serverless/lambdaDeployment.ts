import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type WorkloadRoleScope } from "../delivery/workloadRoles";
import { codeDeployApplication, rollbackOnAlarms } from "../codeDeploy";

/**
 * How a new function version reaches users on Lambda: CodeDeploy shifts each function's `live` alias
 * from the old version to the new one, all at once or gradually, and moves it back when a rollback alarm
 * fires or the deployment fails.
 */
export const LAMBDA_STRATEGIES = ["allAtOnce", "canary", "linear"] as const;
export type LambdaStrategy = (typeof LAMBDA_STRATEGIES)[number];

/** CodeDeploy's predefined Lambda deployment configuration per strategy. */
export const LAMBDA_DEPLOYMENT_CONFIGS: Readonly<Record<LambdaStrategy, string>> = {
    allAtOnce: "CodeDeployDefault.LambdaAllAtOnce",
    canary: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    linear: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
};

/**
 * Who moves the `live` alias to a newly published version.
 * - `pulumi` (allAtOnce): `pulumi up` points the alias at the new version at once, as CodeDeploy's
 *   LambdaAllAtOnce would; the deployment group is still there for pipelines that prefer CodeDeploy.
 * - `codeDeploy` (canary, linear): Pulumi publishes the version and leaves the alias alone; a CodeDeploy
 *   deployment (AppSpec: alias `live`, CurrentVersion → TargetVersion) shifts traffic. Were Pulumi to set
 *   the alias's version on every `pulumi up`, it would move 100% of traffic at once, bypassing the canary
 *   and its alarms, and would undo CodeDeploy's weighted routing mid-shift.
 */
export type AliasOwner = "pulumi" | "codeDeploy";

export function aliasOwnerFor(strategy: LambdaStrategy): AliasOwner {
    return strategy === "allAtOnce" ? "pulumi" : "codeDeploy";
}

/** Alias properties Pulumi must not reset when CodeDeploy owns the alias (it rewrites both while shifting). */
export function liveAliasIgnoredChanges(owner: AliasOwner): string[] {
    return owner === "codeDeploy" ? ["functionVersion", "routingConfig"] : [];
}

/**
 * The AWS managed policy for CodeDeploy on Lambda (docs: aws-managed-policy reference): get/update aliases,
 * describe alarms, read tagged AppSpecs, invoke CodeDeployHook_* functions. The Limited variant is
 * AWSCodeDeployRoleForLambda without `sns:Publish` on every topic (no deployment triggers here).
 */
export const LAMBDA_CODEDEPLOY_POLICY = "service-role/AWSCodeDeployRoleForLambdaLimited";

/** One function CodeDeploy deploys. */
export interface CodeDeployedFunction {
    /** Deployment group name suffix and the function's role, e.g. "vote". */
    readonly role: string;
    /** Alarms whose ALARM state stops the shift and moves the alias back. */
    readonly alarmNames: readonly string[];
}

export interface LambdaCodeDeploymentArgs {
    /** `<project>-<environment>`: the application and deployment group names. @example "voteapp-prod" */
    readonly namePrefix: string;
    readonly partition: string;
    readonly accountId: string;
    readonly strategy: LambdaStrategy;
    readonly functions: readonly CodeDeployedFunction[];
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * The CodeDeploy side of Lambda deployments: a Lambda application, a service role holding only the
 * limited Lambda policy, and one deployment group per function with the strategy's configuration,
 * rolling back on failure and on the function's alarms.
 */
export class LambdaCodeDeployment extends pulumi.ComponentResource {
    readonly application: aws.codedeploy.Application;
    readonly deploymentGroups: Readonly<Record<string, aws.codedeploy.DeploymentGroup>>;

    constructor(name: string, args: LambdaCodeDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:serverless:LambdaCodeDeployment", name, {}, opts);
        const parent = this;
        const { application, serviceRole, policyAttachment } = codeDeployApplication(
            name,
            {
                namePrefix: args.namePrefix,
                computePlatform: "Lambda",
                partition: args.partition,
                accountId: args.accountId,
                roleDescription: "CodeDeploy shifts the functions' live aliases between versions",
                managedPolicy: LAMBDA_CODEDEPLOY_POLICY,
                roleScope: args.roleScope,
            },
            parent,
        );
        this.application = application;

        const groups: Record<string, aws.codedeploy.DeploymentGroup> = {};
        for (const fn of args.functions) {
            groups[fn.role] = new aws.codedeploy.DeploymentGroup(
                `${name}-${fn.role}`,
                {
                    appName: this.application.name,
                    deploymentGroupName: `${args.namePrefix}-${fn.role}`,
                    serviceRoleArn: serviceRole.arn,
                    deploymentConfigName: LAMBDA_DEPLOYMENT_CONFIGS[args.strategy],
                    // The only style CodeDeploy accepts for Lambda: the alias's traffic moves between versions.
                    deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
                    ...rollbackOnAlarms(fn.alarmNames),
                },
                { parent, dependsOn: [policyAttachment] },
            );
        }
        this.deploymentGroups = groups;
        this.registerOutputs({ applicationName: this.application.name });
    }
}
