import { rollbackAlarmNames } from "../../components/observability/alarmNames";
import {
    type AlbSignalInputs,
    fargateSignals,
    type HttpApiFrontSignalInputs,
} from "../../components/observability/signals";
import { FargateSecurityGroups } from "../../components/fargate/securityGroups";
import { VoteAppOnFargate } from "../../components/fargate/voteAppOnFargate";
import type { EcsStrategy } from "../../components/fargate/strategies";
import { DEPLOYMENT_STRATEGIES, isStrategyOf, type VoteAppConfig } from "../config";
import { dataLayerSignals, observeStack } from "../observability";
import { buildData, containerOutputs, type Foundation, imagesFor, serviceSizes } from "../foundation";
import type { FargateOutputs } from "../outputs";
import { guardDutyFargateAgentRepositoryArn } from "../../components/security/guardDutyAgent";
import { scheduleWorkingHours } from "../workingHours";

// The config's ECS strategies are exactly those the Fargate component implements (a compile error otherwise).
const CONFIG_ECS_STRATEGIES: readonly EcsStrategy[] = DEPLOYMENT_STRATEGIES.ecs;

/** The validated strategy as the component's type (config validation refused anything else). */
function ecsStrategy(config: VoteAppConfig): EcsStrategy {
    const strategy = config.safety.deployment.strategy;
    if (!isStrategyOf("ecs", strategy) || !CONFIG_ECS_STRATEGIES.includes(strategy))
        throw new Error(`deploymentStrategy ${strategy} passed validation but is not an ECS strategy`);
    return strategy;
}

/** platform: ecs — security groups first (the data layer admits them), then data, then the app on Fargate. */
export function deployOnFargate(config: VoteAppConfig, foundation: Foundation): FargateOutputs {
    const { componentOptions, key, network, registry, namePrefix, transforms, services } = foundation;
    const names = services.map((spec) => spec.name);
    const images = imagesFor(config, registry, services);
    const securityGroups = new FargateSecurityGroups(
        "fargate-security-groups",
        {
            vpcId: network.vpcId,
            vpcCidr: network.cidr,
            https: config.domain !== undefined,
            ingress: config.ecsIngress,
            testTrafficCidrs: config.testTrafficCidrs,
            transform: transforms.fargateSecurityGroups,
            services,
        },
        componentOptions,
    );
    const data = buildData(config, foundation, securityGroups);
    scheduleWorkingHours(config, foundation, { data });
    const app = new VoteAppOnFargate(
        "vote-app",
        {
            roleScope: config.account.roleScope,
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            publicSubnetIds: network.publicSubnetIds,
            securityGroups,
            data,
            services,
            images,
            repositoryArns: names.map((service) => registry.arnOf(service)),
            // Whoever owns the baseline (this stack, or a central account for the organisation) may have
            // runtime monitoring add GuardDuty's agent to the tasks; config refused regions without its repository.
            guardDutyAgentRepositoryArn: guardDutyFargateAgentRepositoryArn(config.region),
            sizes: serviceSizes(config, services),
            cpuArchitecture: config.cpuArchitecture,
            kmsKeyArn: key.arn,
            logRetentionDays: config.logRetentionDays,
            certificateArn: config.domain?.certificateArn,
            // The HTTP API's stage throttles as the lambda platform's does (voteapp:lambdaApiThrottleBurst/Rate).
            ingress:
                config.ecsIngress === "httpApi"
                    ? {
                          kind: "httpApi",
                          throttling: {
                              burstLimit: config.lambda.api.throttleBurstLimit,
                              rateLimit: config.lambda.api.throttleRateLimit,
                          },
                      }
                    : { kind: "loadBalancer" },
            domainName: config.domain?.name,
            protection: config.protection,
            voteOptions: config.voteOptions,
            containerInsights: config.cost.containerInsights,
            capacity: config.cost.fargateSpot ? "spot" : "onDemand",
            spotOnDemandBase: config.cost.fargateOnDemandBase,
            ...(config.cost.workingHours === "always" ? {} : { workingHours: config.cost.workingHours }),
            transform: transforms.fargate,
            deployment: {
                strategy: ecsStrategy(config),
                bakeMinutes: config.safety.deployment.bakeMinutes,
                testListener: config.testTrafficCidrs.length > 0,
            },
            // The alarms below watch the services, so the services name them before they exist.
            rollbackAlarmNames: Object.fromEntries(
                services.map((s) => [
                    s.name,
                    rollbackAlarmNames(namePrefix, s.name, s.http !== undefined, config.ecsIngress),
                ]),
            ),
        },
        componentOptions,
    );
    const httpServiceNames = services.filter((spec) => spec.http !== undefined).map((spec) => spec.name);
    const front = entryPointSignals(app, httpServiceNames);
    const observability = observeStack(
        config,
        foundation,
        fargateSignals({
            ...front,
            namePrefix,
            clusterName: app.cluster.name,
            ecsServices: names,
            logGroups: Object.fromEntries(names.map((s) => [s, app.logGroups[s].name])),
            rollbackOnErrors: services.filter((spec) => spec.http === undefined).map((spec) => spec.name),
            ...dataLayerSignals(config, data),
        }),
    );
    return {
        url: app.url,
        ...containerOutputs(foundation, images, data),
        ...(app.loadBalancer ? { loadBalancerDnsName: app.loadBalancer.dnsName } : {}),
        ...(app.httpApi ? { apiEndpoint: app.httpApi.api.apiEndpoint } : {}),
        ecsClusterName: app.cluster.name,
        ...(observability.dashboardUrl ? { dashboardUrl: observability.dashboardUrl } : {}),
        alarmTopicArn: observability.topic.arn,
    };
}

/** What the signals watch at the entry point: the ALB's target groups, or the HTTP API's routes, per HTTP service. */
function entryPointSignals(
    app: VoteAppOnFargate,
    httpServiceNames: readonly string[],
): Omit<AlbSignalInputs, "namePrefix"> | HttpApiFrontSignalInputs {
    const { loadBalancer: lb, httpApi } = app;
    if (httpApi)
        return {
            httpApi: {
                api: { apiId: httpApi.api.id, stage: httpApi.stage.name },
                services: httpServiceNames.map((service) => ({ service, routeKeys: httpApi.routeKeys[service] ?? [] })),
            },
        };
    if (!lb) throw new Error("VoteAppOnFargate has neither a load balancer nor an HTTP API");
    return {
        loadBalancerArnSuffix: lb.loadBalancer.arnSuffix,
        services: httpServiceNames.map((service) => ({
            service,
            targetGroupArnSuffixes: [
                lb.targetGroups[service].arnSuffix,
                ...(lb.alternateTargetGroups ? [lb.alternateTargetGroups[service].arnSuffix] : []),
            ],
        })),
    };
}
