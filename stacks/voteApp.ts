import type { VoteAppConfig } from "./config";
import { buildFoundation, type VoteAppOutputs } from "./foundation";
import { deployOnEks } from "./platforms/eks";
import { deployOnFargate } from "./platforms/fargate";

export type { VoteAppOutputs } from "./foundation";

/**
 * Composes the whole stack from validated config: the account-pinned provider, then the foundation, then
 * the chosen platform. Nothing here reads config; `index.ts` hands in what `loadVoteAppConfig` returned.
 */
export function createVoteApp(config: VoteAppConfig): VoteAppOutputs {
    const foundation = buildFoundation(config);
    const common: VoteAppOutputs = {
        environment: config.environment,
        platform: config.platform,
        accountId: config.account.id,
        region: config.region,
        vpcId: foundation.network.vpcId,
        repositoryUrls: foundation.registry.repositoryUrls,
    };
    switch (config.platform) {
        case "ecs":
            return { ...common, ...deployOnFargate(config, foundation) };
        case "eks":
            return { ...common, ...deployOnEks(config, foundation) };
        case "lambda":
            // Config validation refuses platforms whose components have not landed, before any resource exists.
            throw new Error(`platform ${config.platform} passed validation but has no composition`);
    }
}
