import type { VoteAppConfig } from "./config";
import { buildFoundation, type VoteAppOutputs } from "./foundation";
import { deployOnFargate } from "./platforms/fargate";
import type { VoteAppTransforms } from "./transforms";
import { secureAccount } from "./security";

export type { VoteAppOutputs } from "./foundation";

/**
 * Composes the whole stack from validated config: the account-pinned provider, then the foundation, then
 * the chosen platform. Nothing here reads config; `index.ts` hands in what `loadVoteAppConfig` returned.
 */
export function createVoteApp(config: VoteAppConfig, transforms: VoteAppTransforms = {}): VoteAppOutputs {
    const foundation = buildFoundation(config, transforms);
    secureAccount(config, foundation);
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
        case "lambda":
            // Config validation refuses platforms whose components have not landed, before any resource exists.
            throw new Error(`platform ${config.platform} passed validation but has no composition`);
    }
}
