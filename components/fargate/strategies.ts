import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { codeDeployApplication, rollbackOnAlarms } from "../codeDeploy";
import { serviceTrustPolicy } from "../iamPolicy";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";

/**
 * How a new task definition reaches users on ECS. Rolling replaces tasks in place behind a circuit breaker;
 * blueGreen/canary/linear use ECS's own deployment strategies (the service shifts the ALB listener rules
 * between two target groups); the codeDeploy* ones hand the service to CodeDeploy (CODE_DEPLOY controller),
 * for pipelines that drive deployments through CodeDeploy.
 */
export const ECS_STRATEGIES = [
    "rolling",
    "blueGreen",
    "canary",
    "linear",
    "codeDeployAllAtOnce",
    "codeDeployCanary",
    "codeDeployLinear",
] as const;
export type EcsStrategy = (typeof ECS_STRATEGIES)[number];

/** What a strategy means for the service, its load balancer and the resources around it. */
export type EcsDeploymentPlan =
    | { readonly kind: "rolling" }
    | { readonly kind: "ecsNative"; readonly strategy: "BLUE_GREEN" | "CANARY" | "LINEAR" }
    | { readonly kind: "codeDeploy"; readonly deploymentConfigName: string };

/** How the load balancer must be laid out for a plan: one target group per service, or two plus shifting rules/listeners. */
export type TrafficShifting = "none" | "ecsNative" | "codeDeploy";

/** Traffic share of the canary step and of each linear step (ECS native strategies), in percent. */
export const CANARY_PERCENT = 10;
export const LINEAR_STEP_PERCENT = 10;
/** Minutes between linear steps: ten steps of one minute, as CodeDeploy's ECSLinear10PercentEvery1Minutes. */
export const LINEAR_STEP_MINUTES = 1;

export function ecsDeploymentPlan(strategy: EcsStrategy): EcsDeploymentPlan {
    switch (strategy) {
        case "rolling":
            return { kind: "rolling" };
        case "blueGreen":
            return { kind: "ecsNative", strategy: "BLUE_GREEN" };
        case "canary":
            return { kind: "ecsNative", strategy: "CANARY" };
        case "linear":
            return { kind: "ecsNative", strategy: "LINEAR" };
        case "codeDeployAllAtOnce":
            return { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce" };
        case "codeDeployCanary":
            return { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes" };
        case "codeDeployLinear":
            return { kind: "codeDeploy", deploymentConfigName: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes" };
    }
}

export function trafficShiftingFor(plan: EcsDeploymentPlan): TrafficShifting {
    return plan.kind === "rolling" ? "none" : plan.kind;
}

/** Service arguments that decide how deployments run. */
export type ServiceDeploymentSettings = Pick<
    aws.ecs.ServiceArgs,
    | "deploymentController"
    | "deploymentConfiguration"
    | "deploymentCircuitBreaker"
    | "deploymentMinimumHealthyPercent"
    | "deploymentMaximumPercent"
    | "alarms"
>;

/**
 * The service's deployment settings for a plan. Every ECS-controlled plan keeps the circuit breaker with
 * rollback and rolls back when one of the service's alarms fires; CodeDeploy does both itself (the
 * circuit breaker and the alarms block are ECS-controller features).
 */
/** A lifecycle hook of ECS native deployments, e.g. a Lambda function running smoke tests against the test rule. */
export type EcsLifecycleHook = aws.types.input.ecs.ServiceDeploymentConfigurationLifecycleHook;

export function serviceDeploymentSettings(
    plan: EcsDeploymentPlan,
    options: {
        readonly bakeMinutes: number;
        readonly alarmNames: readonly string[];
        readonly lifecycleHooks?: readonly EcsLifecycleHook[];
        /** The service must never run two tasks at once (the worker): a rolling deploy stops the old task first. */
        readonly singleReplica?: boolean;
    },
): ServiceDeploymentSettings {
    if (plan.kind === "codeDeploy") {
        return {
            deploymentController: { type: "CODE_DEPLOY" },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
        };
    }
    const common: ServiceDeploymentSettings = {
        deploymentController: { type: "ECS" },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        // Full capacity throughout: new tasks start before old ones stop (blue/green needs a whole second set).
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        alarms:
            options.alarmNames.length > 0
                ? { alarmNames: [...options.alarmNames], enable: true, rollback: true }
                : undefined,
    };
    if (plan.kind === "rolling") {
        // One worker at a time: the new task starts only once the old one has stopped (and drained its ballot).
        const capacity = options.singleReplica
            ? { deploymentMinimumHealthyPercent: 0, deploymentMaximumPercent: 100 }
            : {};
        return { ...common, ...capacity, deploymentConfiguration: { strategy: "ROLLING" } };
    }
    if (options.singleReplica) throw new Error(`a single-replica service can only roll; got the ${plan.strategy} plan`);
    const bake = String(options.bakeMinutes);
    return {
        ...common,
        deploymentConfiguration: {
            strategy: plan.strategy,
            bakeTimeInMinutes: bake,
            canaryConfiguration:
                plan.strategy === "CANARY"
                    ? { canaryPercent: CANARY_PERCENT, canaryBakeTimeInMinutes: bake }
                    : undefined,
            linearConfiguration:
                plan.strategy === "LINEAR"
                    ? { stepPercent: LINEAR_STEP_PERCENT, stepBakeTimeInMinutes: String(LINEAR_STEP_MINUTES) }
                    : undefined,
            lifecycleHooks:
                options.lifecycleHooks && options.lifecycleHooks.length > 0 ? [...options.lifecycleHooks] : undefined,
        },
    };
}

/**
 * Resources ECS or CodeDeploy change while deploying (which target group is live, listener rule weights):
 * Pulumi must not put them back on the next `up`.
 */
export function ignoredServiceChanges(plan: EcsDeploymentPlan): string[] {
    switch (plan.kind) {
        case "rolling":
            return [];
        case "ecsNative":
            return ["loadBalancers"];
        case "codeDeploy":
            // CodeDeploy owns the task definition and target group after the first deployment (ECS refuses
            // direct task definition updates on CODE_DEPLOY services): the pipeline deploys new revisions.
            return ["loadBalancers", "taskDefinition"];
    }
}

/** The role ECS assumes to shift listener rules between target groups during native blue/green, canary and linear deployments. */
export function ecsLoadBalancerRole(
    name: string,
    accountId: string,
    partition: string,
    opts: pulumi.CustomResourceOptions,
    roleScope?: WorkloadRoleScope,
): aws.iam.Role {
    const role = new aws.iam.Role(
        name,
        {
            ...roleScopeArgs(roleScope),
            description: "ECS shifts the ALB listener rules between the blue and green target groups",
            assumeRolePolicy: serviceTrustPolicy("ecs.amazonaws.com", accountId),
        },
        opts,
    );
    new aws.iam.RolePolicyAttachment(
        name,
        {
            role: role.name,
            policyArn: `arn:${partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers`,
        },
        opts,
    );
    return role;
}

/** One service CodeDeploy deploys: its target group pair. */
export interface CodeDeployedService {
    readonly service: aws.ecs.Service;
    readonly targetGroupNames: readonly [pulumi.Input<string>, pulumi.Input<string>];
    /** Alarms whose ALARM state stops and rolls back the deployment. */
    readonly alarmNames: readonly string[];
}

export interface EcsCodeDeploymentArgs {
    /** `<project>-<environment>`: the application and deployment group names. */
    readonly namePrefix: string;
    readonly partition: string;
    readonly accountId: string;
    readonly clusterName: pulumi.Input<string>;
    /** CodeDeploy deployment configuration, e.g. CodeDeployDefault.ECSCanary10Percent5Minutes. */
    readonly deploymentConfigName: string;
    /** Minutes the old (blue) tasks keep running after traffic moved, for an instant manual rollback. */
    readonly bakeMinutes: number;
    readonly productionListenerArn: pulumi.Input<string>;
    readonly testListenerArn: pulumi.Input<string>;
    readonly services: Readonly<Record<string, CodeDeployedService>>;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * The CodeDeploy side of the codeDeploy* strategies: an ECS application, the service role, and one
 * blue/green deployment group per load-balanced service, rolling back on failure and on its alarms.
 */
export class EcsCodeDeployment extends pulumi.ComponentResource {
    readonly application: aws.codedeploy.Application;
    readonly deploymentGroups: Readonly<Record<string, aws.codedeploy.DeploymentGroup>>;

    constructor(name: string, args: EcsCodeDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:fargate:EcsCodeDeployment", name, {}, opts);
        const parent = this;
        const { application, serviceRole, policyAttachment } = codeDeployApplication(
            name,
            {
                namePrefix: args.namePrefix,
                computePlatform: "ECS",
                partition: args.partition,
                accountId: args.accountId,
                roleDescription: "CodeDeploy shifts ECS task sets and ALB listeners for blue/green deployments",
                managedPolicy: "AWSCodeDeployRoleForECS",
                roleScope: args.roleScope,
            },
            parent,
        );
        this.application = application;

        const groups: Record<string, aws.codedeploy.DeploymentGroup> = {};
        for (const [serviceName, target] of Object.entries(args.services)) {
            groups[serviceName] = new aws.codedeploy.DeploymentGroup(
                `${name}-${serviceName}`,
                {
                    appName: this.application.name,
                    deploymentGroupName: `${args.namePrefix}-${serviceName}`,
                    serviceRoleArn: serviceRole.arn,
                    deploymentConfigName: args.deploymentConfigName,
                    deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
                    blueGreenDeploymentConfig: {
                        deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
                        terminateBlueInstancesOnDeploymentSuccess: {
                            action: "TERMINATE",
                            terminationWaitTimeInMinutes: args.bakeMinutes,
                        },
                    },
                    ecsService: { clusterName: args.clusterName, serviceName: target.service.name },
                    loadBalancerInfo: {
                        targetGroupPairInfo: {
                            prodTrafficRoute: { listenerArns: [args.productionListenerArn] },
                            testTrafficRoute: { listenerArns: [args.testListenerArn] },
                            targetGroups: target.targetGroupNames.map((tgName) => ({ name: tgName })),
                        },
                    },
                    ...rollbackOnAlarms(target.alarmNames),
                },
                { parent, dependsOn: [policyAttachment] },
            );
        }
        this.deploymentGroups = groups;
        this.registerOutputs({ applicationName: this.application.name });
    }
}
