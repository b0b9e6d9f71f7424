import type { ServiceTable } from "../../shared/appContract";
import type { FunctionSize } from "../../components/vocabulary";
import { entryOf, recordOf } from "../../shared/record";
import { lambdaHandlerArchive } from "../../components/serverless/bundle";
import { LAMBDA_STRATEGIES, type LambdaStrategy } from "../../components/serverless/lambdaDeployment";
import { VoteAppServerless } from "../../components/serverless/voteAppServerless";
import { functionRollbackAlarmNames } from "../../components/observability/alarmNames";
import { lambdaSignals } from "../../components/observability/signals";
import { LAMBDA_ENTRIES, type LambdaBundleName } from "../../app/build";
import { DEPLOYMENT_STRATEGIES, isStrategyOf, type VoteAppConfig } from "../config";
import { observeStack } from "../observability";
import type { BaseFoundation } from "../foundation";
import type { LambdaOutputs } from "../outputs";

/** A row's handler bundle, one app/build.ts builds (LAMBDA_ENTRIES), or an error naming the row. */
function handlerBundle(service: string, bundle: string): LambdaBundleName {
    if (!(bundle in LAMBDA_ENTRIES))
        throw new Error(
            `service ${service}: lambda bundle "${bundle}" is not one app/build.ts builds (${Object.keys(LAMBDA_ENTRIES).join(", ")})`,
        );
    return bundle as LambdaBundleName;
}

/**
 * Memory, timeout and reserved concurrency per function, from its service's keys (voteapp:lambda<Service>Memory
 * and lambda<Service>ReservedConcurrency; the config was read for this table, so every row has them) and the
 * stack's HTTP and worker timeouts.
 */
function functionSizes(config: VoteAppConfig, services: ServiceTable): Record<string, FunctionSize> {
    return recordOf(
        services.map((spec) => spec.name),
        (name) => entryOf(config.lambda.functions, "the config's function sizes", name),
    );
}

// The config's Lambda strategies are exactly those the serverless component implements (a compile error otherwise).
const CONFIG_LAMBDA_STRATEGIES: readonly LambdaStrategy[] = DEPLOYMENT_STRATEGIES.lambda;
const COMPONENT_LAMBDA_STRATEGIES: readonly (typeof DEPLOYMENT_STRATEGIES.lambda)[number][] = LAMBDA_STRATEGIES;

/** The validated strategy as the component's type (config validation refused anything else). */
function lambdaStrategy(config: VoteAppConfig): LambdaStrategy {
    const strategy = config.safety.deployment.strategy;
    if (
        !isStrategyOf("lambda", strategy) ||
        !CONFIG_LAMBDA_STRATEGIES.includes(strategy) ||
        !COMPONENT_LAMBDA_STRATEGIES.includes(strategy)
    ) {
        throw new Error(`deploymentStrategy ${strategy} passed validation but is not a Lambda strategy`);
    }
    return strategy;
}

/**
 * platform: lambda — the app on API Gateway, Lambda, SQS and DynamoDB, on the base foundation only (no
 * VPC, NAT or ECR). The handlers are bundled from app/ while the program runs.
 */
export function deployLambda(config: VoteAppConfig, foundation: BaseFoundation): LambdaOutputs {
    const { componentOptions, key, namePrefix, services } = foundation;
    const names = services.map((spec) => spec.name);
    const perService = <T>(value: (service: string) => T): Record<string, T> =>
        Object.fromEntries(names.map((service) => [service, value(service)]));
    const code = Object.fromEntries(
        services.map((spec) => [spec.name, lambdaHandlerArchive(handlerBundle(spec.name, spec.lambda.bundle))]),
    );
    const app = new VoteAppServerless(
        "vote-app",
        {
            roleScope: config.account.roleScope,
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            services,
            code,
            cpuArchitecture: config.cpuArchitecture,
            functions: functionSizes(config, services),
            throttling: {
                burstLimit: config.lambda.api.throttleBurstLimit,
                rateLimit: config.lambda.api.throttleRateLimit,
            },
            detailedRouteMetrics: config.cost.apiDetailedMetrics,
            workerBatchSize: config.lambda.worker.batchSize,
            maxReceiveCount: config.lambda.queue.maxReceiveCount,
            visibilityTimeoutSeconds: config.lambda.queue.visibilityTimeoutSeconds,
            kmsKeyArn: key.arn,
            logRetentionDays: config.logRetentionDays,
            protection: config.protection,
            domain: config.domain
                ? { name: config.domain.name, certificateArn: config.domain.certificateArn }
                : undefined,
            voteOptions: config.voteOptions,
            // The alarms below watch the functions, so the deployment groups name them before they exist.
            deployment: {
                strategy: lambdaStrategy(config),
                rollbackAlarmNames: perService((s) => functionRollbackAlarmNames(namePrefix, s)),
            },
        },
        componentOptions,
    );
    const observability = observeStack(
        config,
        foundation,
        lambdaSignals({
            namePrefix,
            api: { apiId: app.api.id, stage: app.stage.name },
            functions: perService((service) => app.functions[service].name),
            queueName: app.queue.name,
            deadLetterQueueName: app.deadLetterQueue.name,
            tableNames: [app.table.name],
        }),
    );
    return {
        url: app.url,
        ...(app.domainName ? { domainTarget: app.domainName.domainNameConfiguration.targetDomainName } : {}),
        votesQueueUrl: app.queue.url,
        votesDeadLetterQueueUrl: app.deadLetterQueue.url,
        votesTableName: app.table.name,
        functionNames: perService((service) => app.functions[service].name),
        deploymentStrategy: config.safety.deployment.strategy,
        codeDeployApplication: app.codeDeployment.application.name,
        codeDeployGroups: perService((service) => app.codeDeployment.deploymentGroups[service].deploymentGroupName),
        // The version each function last published: the TargetVersion of a canary/linear CodeDeploy deployment.
        functionVersions: perService((service) => app.functions[service].function.version),
        ...(observability.dashboardUrl ? { dashboardUrl: observability.dashboardUrl } : {}),
        alarmTopicArn: observability.topic.arn,
    };
}
