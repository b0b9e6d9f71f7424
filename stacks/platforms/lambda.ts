import { APP_SERVICES, type AppService } from "../../shared/appContract";
import { recordOf } from "../../shared/record";
import { lambdaHandlerArchive } from "../../components/serverless/bundle";
import { LAMBDA_STRATEGIES, type LambdaStrategy } from "../../components/serverless/lambdaDeployment";
import { VoteAppServerless } from "../../components/serverless/voteAppServerless";
import { functionRollbackAlarmNames } from "../../components/observability/alarmNames";
import { lambdaSignals } from "../../components/observability/signals";
import type { LambdaBundleName } from "../../app/build";
import { DEPLOYMENT_STRATEGIES, isStrategyOf, type VoteAppConfig } from "../config";
import { observeStack } from "../observability";
import type { BaseFoundation } from "../foundation";
import type { LambdaOutputs } from "../outputs";

/** The app's Lambda handler bundle of each service (app/build.ts LAMBDA_ENTRIES). */
const HANDLER_BUNDLE: Readonly<Record<AppService, LambdaBundleName>> = {
    vote: "vote-lambda",
    result: "result-lambda",
    worker: "worker-lambda",
};

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
    const { componentOptions, key, namePrefix } = foundation;
    const code = Object.fromEntries(
        APP_SERVICES.map((service) => [service, lambdaHandlerArchive(HANDLER_BUNDLE[service])]),
    ) as Record<AppService, ReturnType<typeof lambdaHandlerArchive>>;
    const app = new VoteAppServerless(
        "vote-app",
        {
            roleScope: config.account.roleScope,
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            code,
            cpuArchitecture: config.cpuArchitecture,
            functions: config.lambda.functions,
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
                rollbackAlarmNames: Object.fromEntries(
                    APP_SERVICES.map((s) => [s, functionRollbackAlarmNames(namePrefix, s)]),
                ) as Record<AppService, string[]>,
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
            functions: Object.fromEntries(APP_SERVICES.map((service) => [service, app.functions[service].name])),
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
        functionNames: recordOf(APP_SERVICES, (service) => app.functions[service].name),
        deploymentStrategy: config.safety.deployment.strategy,
        codeDeployApplication: app.codeDeployment.application.name,
        codeDeployGroups: recordOf(
            APP_SERVICES,
            (service) => app.codeDeployment.deploymentGroups[service].deploymentGroupName,
        ),
        // The version each function last published: the TargetVersion of a canary/linear CodeDeploy deployment.
        functionVersions: recordOf(APP_SERVICES, (service) => app.functions[service].function.version),
        ...(observability.dashboardUrl ? { dashboardUrl: observability.dashboardUrl } : {}),
        alarmTopicArn: observability.topic.arn,
    };
}
