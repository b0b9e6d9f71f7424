import { APP_SERVICES } from "../shared/appContract";
import type { VoteAppConfig } from "./config";
import { buildBaseFoundation, buildFoundation, type Foundation, type VoteAppOutputs } from "./foundation";
import { deployOnEks } from "./platforms/eks";
import { deployOnFargate } from "./platforms/fargate";
import { deployLambda } from "./platforms/lambda";
import type { VoteAppTransforms } from "./transforms";
import { secureAccount } from "./security";

export type { VoteAppOutputs } from "./foundation";

/**
 * Composes the whole stack from validated config: the account-pinned provider, then the foundation, then
 * the chosen platform. Nothing here reads config; `index.ts` hands in what `loadVoteAppConfig` returned.
 */
export function createVoteApp(config: VoteAppConfig, transforms: VoteAppTransforms = {}): VoteAppOutputs {
    const identity: VoteAppOutputs = {
        environment: config.environment,
        platform: config.platform,
        accountId: config.account.id,
        region: config.region,
    };
    switch (config.platform) {
        case "ecs": {
            const foundation = buildFoundation(config, transforms);
            secureAccount(config, foundation);
            return { ...identity, ...containerOutputs(foundation), ...deployOnFargate(config, foundation) };
        }
        case "eks": {
            const foundation = buildFoundation(config, transforms);
            secureAccount(config, foundation);
            return { ...identity, ...containerOutputs(foundation), ...deployOnEks(config, foundation) };
        }
        case "lambda": {
            const foundation = buildBaseFoundation(config, transforms);
            secureAccount(config, foundation);
            return { ...identity, ...deployLambda(config, foundation) };
        }
    }
}

/** Outputs every container platform shares: the VPC and the image repositories (the bootstrap's). */
function containerOutputs(foundation: Foundation): VoteAppOutputs {
    const { registry } = foundation;
    return {
        vpcId: foundation.network.vpcId,
        repositoryUrls: Object.fromEntries(APP_SERVICES.map((service) => [service, registry.urlOf(service)])),
    };
}
