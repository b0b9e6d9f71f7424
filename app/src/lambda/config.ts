import { type AppService, LambdaEnv } from "../../../shared/appContract";
import { ConfigError, voteOptions, type Env, type VoteOptions } from "../core/config";

function required(env: Env, name: string, fn: string): string {
    const value = env[name]?.trim();
    if (!value) throw new ConfigError(name, `is not set; the ${fn} function needs it`);
    return value;
}

export function voteFunctionConfig(env: Env): { readonly queueUrl: string; readonly options: VoteOptions } {
    const queueUrl = required(env, LambdaEnv.queueUrl, "vote");
    if (!/^https:\/\/\S+\.fifo$/.test(queueUrl) && !/^http:\/\/(localhost|127\.0\.0\.1)[:/]\S*\.fifo$/.test(queueUrl)) {
        throw new ConfigError(
            LambdaEnv.queueUrl,
            `must be the https URL of a FIFO queue (ending in .fifo), got "${queueUrl}"`,
        );
    }
    return { queueUrl, options: voteOptions(env) };
}

export function tableConfig(
    env: Env,
    fn: "worker" | "result",
): { readonly tableName: string; readonly options: VoteOptions } {
    return { tableName: required(env, LambdaEnv.tableName, fn), options: voteOptions(env) };
}

/**
 * The reader of each function, by service: what its handler reads on a cold start (test/shared/platformEnvironment.test.ts
 * runs them on the environment the serverless plan gives each function).
 */
export const FUNCTION_CONFIG_READERS = {
    vote: voteFunctionConfig,
    result: (env: Env) => tableConfig(env, "result"),
    worker: (env: Env) => tableConfig(env, "worker"),
} as const satisfies { readonly [S in AppService]: (env: Env) => object };
