import { type ResultEventMode, WORKER_HEARTBEAT } from "../../../shared/appContract";
import {
    type Env,
    httpPort,
    type PostgresConfig,
    postgresConfig,
    type RedisConfig,
    redisConfig,
    resultEvents,
    type VoteOptions,
    voteOptions,
} from "./config";

/**
 * Everything a container service reads from its environment when it starts, checked: a missing or invalid
 * variable throws a ConfigError naming it. The services start from these readers, and
 * test/shared/platformEnvironment.test.ts runs them on the environment each platform's plan gives the
 * containers, so a platform cannot set what its service would refuse.
 */

export interface VoteServiceConfig {
    readonly options: VoteOptions;
    readonly redis: RedisConfig;
    readonly port: number;
}

export interface ResultServiceConfig {
    readonly options: VoteOptions;
    readonly postgres: PostgresConfig;
    readonly port: number;
    readonly events: ResultEventMode;
}

export interface WorkerServiceConfig {
    readonly redis: RedisConfig;
    readonly postgres: PostgresConfig;
    /** Where the loop writes its liveness signal (WORKER_HEARTBEAT); none: no heartbeat. */
    readonly heartbeatFile?: string;
}

// Each reader checks in the order a person fixing the environment meets the variables: the first one named
// is the first one wrong.
export function voteServiceConfig(env: Env): VoteServiceConfig {
    return { options: voteOptions(env), redis: redisConfig(env, "vote"), port: httpPort(env, "vote") };
}

export function resultServiceConfig(env: Env): ResultServiceConfig {
    return {
        options: voteOptions(env),
        postgres: postgresConfig(env, "result"),
        port: httpPort(env, "result"),
        events: resultEvents(env),
    };
}

export function workerServiceConfig(env: Env): WorkerServiceConfig {
    const redis = redisConfig(env, "worker");
    const postgres = postgresConfig(env, "worker");
    const heartbeatFile = env[WORKER_HEARTBEAT.variable];
    return heartbeatFile ? { redis, postgres, heartbeatFile } : { redis, postgres };
}
