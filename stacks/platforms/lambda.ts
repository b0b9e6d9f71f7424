import { APP_SERVICES, type AppService } from "../../components/appContract";
import { lambdaHandlerArchive } from "../../components/serverless/bundle";
import { VoteAppServerless } from "../../components/serverless/voteAppServerless";
import type { LambdaBundleName } from "../../app/build";
import type { VoteAppConfig } from "../config";
import type { BaseFoundation, VoteAppOutputs } from "../foundation";

/** The app's Lambda handler bundle of each service (app/build.ts LAMBDA_ENTRIES). */
const HANDLER_BUNDLE: Readonly<Record<AppService, LambdaBundleName>> = { vote: "vote-lambda", result: "result-lambda", worker: "worker-lambda" };

/**
 * platform: lambda — the app on API Gateway, Lambda, SQS and DynamoDB, on the base foundation only (no
 * VPC, NAT or ECR). The handlers are bundled from app/ while the program runs.
 */
export function deployLambda(config: VoteAppConfig, foundation: BaseFoundation): VoteAppOutputs {
    const { componentOptions, key, namePrefix } = foundation;
    const code = Object.fromEntries(APP_SERVICES.map((service) => [service, lambdaHandlerArchive(HANDLER_BUNDLE[service])])) as Record<AppService, ReturnType<typeof lambdaHandlerArchive>>;
    const app = new VoteAppServerless(
        "vote-app",
        {
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            code,
            functions: config.lambda.functions,
            throttling: { burstLimit: config.lambda.api.throttleBurstLimit, rateLimit: config.lambda.api.throttleRateLimit },
            workerBatchSize: config.lambda.worker.batchSize,
            maxReceiveCount: config.lambda.queue.maxReceiveCount,
            visibilityTimeoutSeconds: config.lambda.queue.visibilityTimeoutSeconds,
            kmsKeyArn: key.arn,
            logRetentionDays: config.logRetentionDays,
            protectData: config.hardened,
            domain: config.domain ? { name: config.domain.name, certificateArn: config.domain.certificateArn } : undefined,
            voteOptions: config.voteOptions,
        },
        componentOptions,
    );
    return {
        url: app.url,
        ...(app.domainName ? { domainTarget: app.domainName.domainNameConfiguration.targetDomainName } : {}),
        votesQueueUrl: app.queue.url,
        votesDeadLetterQueueUrl: app.deadLetterQueue.url,
        votesTableName: app.table.name,
        functionNames: Object.fromEntries(APP_SERVICES.map((service) => [service, app.functions[service].name])),
    };
}
