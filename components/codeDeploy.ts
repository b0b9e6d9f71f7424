import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { roleScopeArgs, type WorkloadRoleScope } from "./delivery/workloadRoles";
import { serviceTrustPolicy } from "./iamPolicy";

/**
 * What the ECS (codeDeploy* strategies) and Lambda (canary/linear) deployments share: a CodeDeploy
 * application with its service role, and deployment groups that roll back on failure and on alarms.
 */

export interface CodeDeployApplicationArgs {
    /** `<project>-<environment>`: the application's name. */
    readonly namePrefix: string;
    readonly computePlatform: "ECS" | "Lambda";
    readonly partition: string;
    readonly accountId: string;
    /** What the service role lets CodeDeploy do, for its description. */
    readonly roleDescription: string;
    /** The AWS managed policy the service role holds, e.g. `AWSCodeDeployRoleForECS`. */
    readonly managedPolicy: string;
    /** Path and permissions boundary of the service role. @default none: the role at "/", unbounded */
    readonly roleScope?: WorkloadRoleScope;
}

export interface CodeDeployApplication {
    readonly application: aws.codedeploy.Application;
    readonly serviceRole: aws.iam.Role;
    /** Deployment groups depend on it: CodeDeploy checks the role's permissions when a group is created. */
    readonly policyAttachment: aws.iam.RolePolicyAttachment;
}

/** The application and its service role (trusting CodeDeploy for this account only), under `parent`. */
export function codeDeployApplication(
    name: string,
    args: CodeDeployApplicationArgs,
    parent: pulumi.Resource,
): CodeDeployApplication {
    const application = new aws.codedeploy.Application(
        name,
        { name: args.namePrefix, computePlatform: args.computePlatform },
        { parent },
    );
    const serviceRole = new aws.iam.Role(
        `${name}-service`,
        {
            ...roleScopeArgs(args.roleScope),
            description: args.roleDescription,
            assumeRolePolicy: serviceTrustPolicy("codedeploy.amazonaws.com", args.accountId),
        },
        { parent },
    );
    const policyAttachment = new aws.iam.RolePolicyAttachment(
        `${name}-service`,
        { role: serviceRole.name, policyArn: `arn:${args.partition}:iam::aws:policy/${args.managedPolicy}` },
        { parent },
    );
    return { application, serviceRole, policyAttachment };
}

/** A deployment group's rollback: on failure, and when one of the alarms fires (none: failure only). */
export function rollbackOnAlarms(
    alarmNames: readonly string[],
): Pick<aws.codedeploy.DeploymentGroupArgs, "autoRollbackConfiguration" | "alarmConfiguration"> {
    return {
        autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
        alarmConfiguration: alarmNames.length > 0 ? { enabled: true, alarms: [...alarmNames] } : undefined,
    };
}
