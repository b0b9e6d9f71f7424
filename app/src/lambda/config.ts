import { LambdaEnv } from "../../../shared/appContract";
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
