import type { Data } from "../components/data";
import { type DataSignalInputs, estimatedPostgresMaxConnections } from "../components/observability/signals";
import { StackObservability, type StackObservabilityArgs } from "../components/observability/stackObservability";
import type { VoteAppConfig } from "./config";
import type { BaseFoundation } from "./foundation";

/** The stack's dashboard, alarms and alarm topic over a platform's signals: the same settings on every platform. */
export function observeStack(
    config: VoteAppConfig,
    foundation: BaseFoundation,
    signals: StackObservabilityArgs["signals"],
): StackObservability {
    return new StackObservability(
        "observability",
        {
            namePrefix: foundation.namePrefix,
            region: config.region,
            accountId: config.account.id,
            alarmEmail: config.safety.alarmEmail,
            protection: config.protection,
            dashboard: config.cost.dashboard,
            ...(config.cost.alarmTopicKey === "stack" ? { topicKeyArn: foundation.key.arn } : {}),
            signals,
        },
        foundation.componentOptions,
    );
}

/** The container platforms' data layer as the signal builders take it: RDS and ElastiCache (nodes or serverless). */
export function dataLayerSignals(config: VoteAppConfig, data: Data): Pick<DataSignalInputs, "postgres" | "redis"> {
    return {
        postgres: {
            instanceIdentifier: data.postgres.identifier,
            allocatedStorageGb: config.data.postgresAllocatedStorageGb,
            maxConnections: estimatedPostgresMaxConnections(config.data.postgresInstanceClass),
        },
        // Serverless: the cache's own metrics, under its name; nodes: each member cluster's.
        redis: data.redisServerlessCache
            ? { serverlessCacheName: data.redisServerlessCache.name, limits: data.redisServerlessLimits }
            : { cacheClusterIds: data.redisNodeIds },
    };
}
