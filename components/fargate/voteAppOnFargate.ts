import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AppEnv,
    APP_HTTP_PORT,
    APP_SERVICE_TABLE,
    appEnvironment,
    checkedServiceTable,
    isDatabaseClient,
    type ServiceTable,
} from "../../shared/appContract";
import type { Data } from "../data";
import { policyDocument, serviceTrustPolicy } from "../iamPolicy";
import { physicalName } from "../naming";
import { containerDefinition, taskVolumesFor } from "./containerDefinition";
import { AppLoadBalancer } from "./loadBalancer";
import { HttpApiIngress } from "./httpApiIngress";
import { type WorkingHours, workingHoursCron } from "./workingHours";
import type { FargateSecurityGroups } from "./securityGroups";
import { type ResourceTransform, transformed } from "../transform";
import {
    type EcsDeploymentPlan,
    EcsCodeDeployment,
    type EcsLifecycleHook,
    ecsDeploymentPlan,
    ecsLoadBalancerRole,
    type EcsStrategy,
    ignoredServiceChanges,
    serviceDeploymentSettings,
    trafficShiftingFor,
} from "./strategies";
import { partitionOf } from "../partition";
import { ARCHITECTURE_NAMES, type CpuArchitecture } from "../../shared/cpuArchitecture";
import { ECR_PULL_ACTIONS } from "../security/guardDutyAgent";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";
import type { Protection, ServiceSize } from "../vocabulary";
import { entryOf } from "../../shared/record";

export interface VoteAppOnFargateArgs {
    /** `<project>-<environment>`, used in physical names. @example "voteapp-dev" */
    readonly namePrefix: string;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Groups made by FargateSecurityGroups (the data layer already admits the service groups). */
    readonly securityGroups: FargateSecurityGroups;
    /** Data layer endpoints, the Redis users (IAM connect statements) and the database setup (users, statements). */
    readonly data: Pick<Data, "endpoints" | "connectStatementsFor" | "databaseSetup">;
    /**
     * The app's services: a log group, roles, task definition and ECS service per row; the HTTP services behind
     * the load balancer (their paths, blue/green target groups) and scaling on CPU; single-replica services
     * never overlap.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
    /** Image reference per service (repository with tag, or digest), by service name. */
    readonly images: Readonly<Record<string, pulumi.Input<string>>>;
    /** ECR repository ARNs the execution roles may pull from. */
    readonly repositoryArns: pulumi.Input<string>[];
    /**
     * The AWS-owned ECR repository of GuardDuty's Fargate runtime agent in the stack's region
     * (components/security/guardDutyAgent.ts): with runtime monitoring's automated agent management, ECS adds
     * that agent as a sidecar to every new task, pulled with the task's execution role. Undefined: the roles
     * may not pull it (only for accounts where no one enables runtime monitoring on ECS).
     * @example "arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate"
     */
    readonly guardDutyAgentRepositoryArn?: string;
    /** Task size and counts per service (CPU validated against Fargate's table by the stack). */
    readonly sizes: Readonly<Record<string, ServiceSize>>;
    /** KMS key of the log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /**
     * Serve HTTPS on this certificate (HTTP then redirects) for `domainName`. Without it the load balancer serves
     * HTTP (dev only); an HTTP API serves HTTPS on its execute-api endpoint either way.
     */
    readonly certificateArn?: string;
    /**
     * What users reach the HTTP services through: the internet-facing ALB (`loadBalancer`), or an API Gateway HTTP
     * API with a VPC link and Cloud Map (`httpApi`, with its stage's default route throttling; the services then
     * roll, as there are no target groups to shift between, and register their tasks in Cloud Map).
     * @default { kind: "loadBalancer" }
     * @example { kind: "httpApi", throttling: { burstLimit: 200, rateLimit: 100 } }
     */
    readonly ingress?:
        | { readonly kind: "loadBalancer" }
        | {
              readonly kind: "httpApi";
              readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
          };
    /** Public DNS name served, for the stack output URL. */
    readonly domainName?: string;
    /**
     * The load balancer's access logs and deletion protection (see {@link Protection}).
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /** Vote option labels. */
    readonly voteOptions: { readonly a: string; readonly b: string };
    /**
     * Target average CPU (%) the HTTP services scale to keep.
     * @default 60
     */
    readonly targetCpuPercent?: number;
    /**
     * CPU architecture the tasks run on: the images must be built for it.
     * @default "arm64"
     */
    readonly cpuArchitecture?: CpuArchitecture;
    /**
     * Container Insights on the cluster: `enhanced` (cluster, service, task and container metrics), `enabled`
     * (cluster and service) or `disabled` (no Container Insights charges; ECS still publishes its basic
     * CPU and memory metrics, which the alarms use).
     * @default "enhanced"
     */
    readonly containerInsights?: "disabled" | "enabled" | "enhanced";
    /**
     * Where the tasks run: `onDemand` Fargate, or `spot` (Fargate Spot, ~70% cheaper; ECS may stop a task
     * with two minutes' notice and starts a replacement, so keep it to environments that tolerate that).
     * @default "onDemand"
     */
    readonly capacity?: "onDemand" | "spot";
    /**
     * Days and hours the services run; outside them each scales to zero (Application Auto Scaling scheduled
     * actions on its scalable target, in the schedule's time zone) and is started again at the next start.
     * @default always running
     */
    readonly workingHours?: WorkingHours;
    /** Last-word adjustments of the underlying resources (see {@link ResourceTransform}). */
    readonly transform?: { readonly taskDefinition?: ResourceTransform<aws.ecs.TaskDefinitionArgs> };
    /**
     * How vote and result deploy (worker has no load balancer and always rolls, behind the circuit breaker),
     * and the minutes a new version bakes before the old one goes.
     * @default { strategy: "rolling", bakeMinutes: 0 }
     * @example { strategy: "blueGreen", bakeMinutes: 10 }
     */
    readonly deployment?: {
        readonly strategy: EcsStrategy;
        readonly bakeMinutes: number;
        /**
         * Hooks ECS native strategies run at deployment stages (e.g. a Lambda smoke test at POST_TEST_TRAFFIC_SHIFT
         * against the test listener); ignored by rolling and CodeDeploy strategies.
         * @default none
         */
        readonly lifecycleHooks?: readonly EcsLifecycleHook[];
        /**
         * ECS native strategies: a test route on the load balancer's test listener (its port opened only to the
         * security groups' testTrafficCidrs). Off: the new tasks get no traffic before the production shift.
         * @default false
         */
        readonly testListener?: boolean;
    };
    /**
     * CloudWatch alarm names per service whose ALARM state rolls its deployment back (components/observability/alarmNames.ts).
     * @default no alarm-based rollback
     */
    readonly rollbackAlarmNames?: Readonly<Partial<Record<string, readonly string[]>>>;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * The voting app on ECS Fargate: a cluster with Container Insights, one task definition and service per
 * app service in private subnets without public IPs, vote and result behind the ALB, Service Connect for
 * names, separate execution roles (pull, logs; no secret: none is injected) and task roles that may only
 * connect to the service's own data stores as its own users (IAM authentication), log groups with retention, CPU target tracking, and a circuit breaker that rolls back.
 */
export class VoteAppOnFargate extends pulumi.ComponentResource {
    readonly cluster: aws.ecs.Cluster;
    /** The ALB (ingress loadBalancer). */
    readonly loadBalancer?: AppLoadBalancer;
    /** The HTTP API, VPC link and Cloud Map services (ingress httpApi). */
    readonly httpApi?: HttpApiIngress;
    /** By service name, as every per-service record here. */
    readonly services: Readonly<Record<string, aws.ecs.Service>>;
    readonly taskDefinitions: Readonly<Record<string, aws.ecs.TaskDefinition>>;
    /** Each service's container log group (the app's JSON lines). */
    readonly logGroups: Readonly<Record<string, aws.cloudwatch.LogGroup>>;
    readonly url: pulumi.Output<string>;
    /** How vote and result deploy. */
    readonly deploymentPlan: EcsDeploymentPlan;
    /** The CodeDeploy application and deployment groups, for the codeDeploy* strategies. */
    readonly codeDeployment?: EcsCodeDeployment;

    constructor(name: string, args: VoteAppOnFargateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:fargate:VoteAppOnFargate", name, {}, opts);
        const parent = this;
        const table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const partition = partitionOf(args.region);
        const deployment = args.deployment ?? { strategy: "rolling", bakeMinutes: 0 };
        this.deploymentPlan = ecsDeploymentPlan(deployment.strategy);
        const rolling: EcsDeploymentPlan = { kind: "rolling" };

        this.cluster = new aws.ecs.Cluster(
            name,
            {
                name: physicalName("ecsCluster", args.namePrefix),
                settings: [{ name: "containerInsights", value: args.containerInsights ?? "enhanced" }],
            },
            { parent },
        );
        // Fargate Spot needs the cluster's capacity providers; services then name FARGATE_SPOT instead of a launch type.
        const spot = args.capacity === "spot";
        const capacityProviders = spot
            ? new aws.ecs.ClusterCapacityProviders(
                  name,
                  {
                      clusterName: this.cluster.name,
                      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                      defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }],
                  },
                  { parent },
              )
            : undefined;
        const namespace = new aws.servicediscovery.HttpNamespace(
            name,
            { name: `${args.namePrefix}.internal`, description: "Service Connect names of the voting app" },
            { parent },
        );

        const ingress = args.ingress ?? { kind: "loadBalancer" };
        if (ingress.kind === "httpApi") {
            if (this.deploymentPlan.kind !== "rolling")
                throw new Error(
                    `VoteAppOnFargate: deployment strategy ${deployment.strategy} shifts traffic between load balancer target groups; with ingress httpApi the services roll`,
                );
            const vpcLinkGroup = args.securityGroups.vpcLink;
            if (!vpcLinkGroup)
                throw new Error(
                    "VoteAppOnFargate: ingress httpApi needs FargateSecurityGroups made with ingress httpApi",
                );
            this.httpApi = new HttpApiIngress(
                `${name}-api`,
                {
                    namePrefix: args.namePrefix,
                    vpcId: args.vpcId,
                    privateSubnetIds: args.privateSubnetIds,
                    vpcLinkSecurityGroupId: vpcLinkGroup.id,
                    kmsKeyArn: args.kmsKeyArn,
                    logRetentionDays: args.logRetentionDays,
                    throttling: ingress.throttling,
                    domain:
                        args.domainName && args.certificateArn
                            ? { name: args.domainName, certificateArn: args.certificateArn }
                            : undefined,
                    services: table,
                },
                { parent },
            );
        } else {
            const loadBalancerGroup = args.securityGroups.loadBalancer;
            if (!loadBalancerGroup)
                throw new Error(
                    "VoteAppOnFargate: ingress loadBalancer needs FargateSecurityGroups made with ingress loadBalancer",
                );
            this.loadBalancer = new AppLoadBalancer(
                `${name}-alb`,
                {
                    namePrefix: args.namePrefix,
                    vpcId: args.vpcId,
                    publicSubnetIds: args.publicSubnetIds,
                    securityGroupId: loadBalancerGroup.id,
                    certificateArn: args.certificateArn,
                    protection: args.protection,
                    trafficShifting: trafficShiftingFor(this.deploymentPlan),
                    testListener: deployment.testListener ?? false,
                    services: table,
                },
                { parent },
            );
        }
        const loadBalancer = this.loadBalancer;
        const httpApi = this.httpApi;
        const shiftingRole =
            this.deploymentPlan.kind === "ecsNative"
                ? ecsLoadBalancerRole(`${name}-ecs-alb`, args.accountId, partition, { parent }, args.roleScope)
                : undefined;

        const services: Record<string, aws.ecs.Service> = {};
        const taskDefinitions: Record<string, aws.ecs.TaskDefinition> = {};
        const logGroups: Record<string, aws.cloudwatch.LogGroup> = {};
        for (const spec of table) {
            const service = spec.name;
            const size = entryOf(args.sizes, `VoteAppOnFargate args.sizes`, service);
            const image = entryOf(args.images, `VoteAppOnFargate args.images`, service);
            const securityGroup = entryOf(
                args.securityGroups.services,
                `VoteAppOnFargate args.securityGroups.services`,
                service,
            );
            const logGroup = new aws.cloudwatch.LogGroup(
                `${name}-${service}`,
                {
                    name: `/voteapp/${args.namePrefix}/${service}`,
                    retentionInDays: args.logRetentionDays,
                    kmsKeyId: args.kmsKeyArn,
                },
                { parent },
            );
            logGroups[service] = logGroup;
            const executionRole = this.executionRole(`${name}-${service}-execution`, args, logGroup);
            const access = args.data.connectStatementsFor(service);
            const taskRole = new aws.iam.Role(
                `${name}-${service}-task`,
                {
                    ...roleScopeArgs(args.roleScope),
                    description:
                        access.statements.length > 0
                            ? `${service} task role: connects to ${access.purpose} (IAM authentication), nothing else`
                            : `${service} task role: the app calls no AWS API, so it holds no permission`,
                    assumeRolePolicy: policyDocument("task trust", [
                        {
                            Effect: "Allow",
                            Principal: { Service: "ecs-tasks.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: {
                                StringEquals: { "aws:SourceAccount": args.accountId },
                                ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${args.region}:${args.accountId}:*` },
                            },
                        },
                    ]),
                },
                { parent },
            );

            // Redis and Postgres clients sign IAM tokens with the task role: connect as exactly their own users.
            if (access.statements.length > 0) {
                new aws.iam.RolePolicy(
                    `${name}-${service}-task`,
                    {
                        role: taskRole.id,
                        policy: policyDocument(`${name}-${service}-task policy`, access.statements),
                    },
                    { parent },
                );
            }
            const environment = appEnvironment(spec, args.data.endpoints, (v) => pulumi.output(v), args.voteOptions);
            // An HTTP API returns a response once complete and cuts it at 30 s: pages poll instead of streaming.
            if (httpApi && spec.http) environment[AppEnv.resultEvents] = pulumi.output<string>("poll");
            const containerDefinitions = pulumi
                .all([image, logGroup.name, pulumi.all(environment)])
                .apply(([image, logGroupName, env]) =>
                    JSON.stringify([
                        containerDefinition({
                            service: spec,
                            image,
                            environment: env,
                            logGroupName,
                            region: args.region,
                        }),
                    ]),
                );
            const taskDefinition = new aws.ecs.TaskDefinition(
                `${name}-${service}`,
                transformed(
                    args.transform?.taskDefinition,
                    {
                        family: `${args.namePrefix}-${service}`,
                        requiresCompatibilities: ["FARGATE"],
                        networkMode: "awsvpc",
                        cpu: String(size.cpu),
                        memory: String(size.memory),
                        executionRoleArn: executionRole.arn,
                        taskRoleArn: taskRole.arn,
                        runtimePlatform: {
                            operatingSystemFamily: "LINUX",
                            cpuArchitecture: ARCHITECTURE_NAMES[args.cpuArchitecture ?? "arm64"].ecs,
                        },
                        containerDefinitions,
                        ...(taskVolumesFor(spec).length > 0 ? { volumes: taskVolumesFor(spec) } : {}),
                    },
                    `${name}-${service}`,
                ),
                { parent },
            );
            taskDefinitions[service] = taskDefinition;

            const http = spec.http !== undefined;
            // The HTTP services are behind the load balancer and deploy with the stack's strategy; the others roll.
            const targetGroup = http ? loadBalancer?.targetGroups[service] : undefined;
            const lbService = http ? service : undefined;
            const plan = lbService ? this.deploymentPlan : rolling;
            const alternate = lbService ? loadBalancer?.alternateTargetGroups?.[lbService] : undefined;
            const productionRule = lbService ? loadBalancer?.productionRules[lbService] : undefined;
            const advancedConfiguration =
                plan.kind === "ecsNative" && alternate && productionRule && shiftingRole && lbService
                    ? {
                          alternateTargetGroupArn: alternate.arn,
                          productionListenerRule: productionRule.arn,
                          testListenerRule: loadBalancer?.testRules[lbService]?.arn,
                          roleArn: shiftingRole.arn,
                      }
                    : undefined;
            services[service] = new aws.ecs.Service(
                `${name}-${service}`,
                {
                    name: service,
                    cluster: this.cluster.arn,
                    taskDefinition: taskDefinition.arn,
                    desiredCount: size.desiredCount,
                    ...(spot
                        ? { capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }
                        : { launchType: "FARGATE" }),
                    platformVersion: "LATEST",
                    networkConfiguration: {
                        subnets: args.privateSubnetIds,
                        securityGroups: [securityGroup.id],
                        assignPublicIp: false,
                    },
                    loadBalancers: targetGroup
                        ? [
                              {
                                  targetGroupArn: targetGroup.arn,
                                  containerName: service,
                                  containerPort: APP_HTTP_PORT,
                                  advancedConfiguration,
                              },
                          ]
                        : [],
                    // Behind the HTTP API, ECS registers each task in Cloud Map (SRV: address and port) and reports
                    // its container health check there, so the API reaches only healthy tasks.
                    ...(http && httpApi ? { serviceRegistries: httpApi.registryOf(service) } : {}),
                    healthCheckGracePeriodSeconds: targetGroup ? 30 : undefined,
                    ...serviceDeploymentSettings(plan, {
                        bakeMinutes: deployment.bakeMinutes,
                        alarmNames: args.rollbackAlarmNames?.[service] ?? [],
                        lifecycleHooks: deployment.lifecycleHooks,
                        singleReplica: spec.singleReplica,
                    }),
                    // ECS supports Service Connect only on ECS-controlled services; nothing calls vote or result by
                    // name (the ALB fronts them), so CodeDeploy-controlled services simply go without.
                    serviceConnectConfiguration:
                        plan.kind === "codeDeploy"
                            ? undefined
                            : {
                                  enabled: true,
                                  namespace: namespace.arn,
                                  services: http
                                      ? [
                                            {
                                                portName: service,
                                                discoveryName: service,
                                                clientAlias: [{ port: APP_HTTP_PORT, dnsName: service }],
                                            },
                                        ]
                                      : [],
                              },
                    propagateTags: "SERVICE",
                    enableEcsManagedTags: true,
                    enableExecuteCommand: false,
                    waitForSteadyState: false,
                },
                // Autoscaling owns the running count once deployed; a deploy must not reset it. ECS/CodeDeploy own what they shift.
                // Postgres clients start once the database setup has created their users.
                {
                    parent,
                    dependsOn: [
                        ...(loadBalancer?.routing ?? []),
                        ...(capacityProviders ? [capacityProviders] : []),
                        ...(isDatabaseClient(service) ? [args.data.databaseSetup.invocation] : []),
                    ],
                    ignoreChanges: ["desiredCount", ...ignoredServiceChanges(plan)],
                },
            );
            if (http || args.workingHours)
                this.autoscale(`${name}-${service}`, services[service], size, {
                    targetCpuPercent: http ? (args.targetCpuPercent ?? 60) : undefined,
                    workingHours: args.workingHours,
                });
        }
        this.services = services;
        this.taskDefinitions = taskDefinitions;
        this.logGroups = logGroups;
        if (this.deploymentPlan.kind === "codeDeploy") {
            const alternates = loadBalancer?.alternateTargetGroups;
            const testListener = loadBalancer?.testListener;
            if (!loadBalancer || !alternates || !testListener)
                throw new Error(
                    "codeDeploy strategies need the load balancer's alternate target groups and test listener",
                );
            this.codeDeployment = new EcsCodeDeployment(
                `${name}-codedeploy`,
                {
                    roleScope: args.roleScope,
                    namePrefix: args.namePrefix,
                    partition,
                    accountId: args.accountId,
                    clusterName: this.cluster.name,
                    deploymentConfigName: this.deploymentPlan.deploymentConfigName,
                    bakeMinutes: deployment.bakeMinutes,
                    productionListenerArn: loadBalancer.appListener.arn,
                    testListenerArn: testListener.arn,
                    services: Object.fromEntries(
                        table
                            .filter((spec) => spec.http !== undefined)
                            .map(({ name: service }) => [
                                service,
                                {
                                    service: services[service],
                                    targetGroupNames: [
                                        loadBalancer.targetGroups[service].name,
                                        alternates[service].name,
                                    ],
                                    alarmNames: args.rollbackAlarmNames?.[service] ?? [],
                                },
                            ]),
                    ),
                },
                { parent },
            );
        }
        this.url = httpApi
            ? httpApi.url
            : args.domainName
              ? pulumi.output(`https://${args.domainName}`)
              : pulumi.interpolate`${args.certificateArn ? "https" : "http"}://${loadBalancer?.dnsName}`;
        this.registerOutputs({ url: this.url, clusterName: this.cluster.name });
    }

    /** Execution role: pull from ECR, write to its own log group; no secret to read (the tasks sign IAM tokens). */
    private executionRole(name: string, args: VoteAppOnFargateArgs, logGroup: aws.cloudwatch.LogGroup): aws.iam.Role {
        const parent = this;
        const role = new aws.iam.Role(
            name,
            {
                ...roleScopeArgs(args.roleScope),
                description: "ECS housekeeping: image pull, logs",
                assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", args.accountId),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            name,
            {
                role: role.id,
                policy: policyDocument(`${name} policy`, [
                    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                    {
                        Sid: "PullAppImages",
                        Effect: "Allow",
                        Action: [...ECR_PULL_ACTIONS],
                        Resource: args.repositoryArns,
                    },
                    ...(args.guardDutyAgentRepositoryArn
                        ? [
                              {
                                  Sid: "PullGuardDutyRuntimeAgent",
                                  Effect: "Allow" as const,
                                  Action: [...ECR_PULL_ACTIONS],
                                  Resource: args.guardDutyAgentRepositoryArn,
                              },
                          ]
                        : []),
                    {
                        Sid: "WriteOwnLogs",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${logGroup.arn}:*`,
                    },
                ]),
            },
            { parent },
        );
        return role;
    }

    /**
     * The service's scalable target: CPU target tracking (web services) and the working-hours schedule (every
     * service, when one is set). A service that does not track CPU keeps its count (min = max = desired).
     */
    private autoscale(
        name: string,
        service: aws.ecs.Service,
        size: ServiceSize,
        options: { readonly targetCpuPercent?: number; readonly workingHours?: WorkingHours },
    ): void {
        const parent = this;
        const { targetCpuPercent, workingHours } = options;
        const minCapacity = targetCpuPercent === undefined ? size.desiredCount : size.minCount;
        const maxCapacity = targetCpuPercent === undefined ? size.desiredCount : size.maxCount;
        const target = new aws.appautoscaling.Target(
            name,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${this.cluster.name}/${service.name}`,
                minCapacity,
                maxCapacity,
            },
            { parent },
        );
        if (workingHours) {
            // Off at the stop (to zero, and kept there), on again at the start with the target's own bounds.
            for (const [at, capacity] of [
                ["stop", { minCapacity: 0, maxCapacity: 0 }],
                ["start", { minCapacity, maxCapacity }],
            ] as const) {
                new aws.appautoscaling.ScheduledAction(
                    `${name}-${at}`,
                    {
                        name: `${name}-working-hours-${at}`,
                        serviceNamespace: target.serviceNamespace,
                        scalableDimension: target.scalableDimension,
                        resourceId: target.resourceId,
                        schedule: workingHoursCron(workingHours, at),
                        timezone: workingHours.timezone,
                        scalableTargetAction: capacity,
                    },
                    { parent },
                );
            }
        }
        if (targetCpuPercent === undefined) return;
        new aws.appautoscaling.Policy(
            `${name}-cpu`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                    targetValue: targetCpuPercent,
                    scaleInCooldown: 120,
                    scaleOutCooldown: 60,
                },
            },
            { parent },
        );
    }
}
