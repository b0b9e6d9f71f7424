import { APP_SERVICE_TABLE, type ServiceTable } from "../shared/appContract";
import type { VoteAppConfig } from "./config";
import { buildBaseFoundation, buildFoundation } from "./foundation";
import { deployOnEks } from "./platforms/eks";
import { deployOnFargate } from "./platforms/fargate";
import { deployLambda } from "./platforms/lambda";
import type { VoteAppTransforms } from "./transforms";
import { secureAccount } from "./security";

import type { IdentityOutputs, VoteAppOutputs } from "./outputs";

export type { VoteAppOutputs } from "./outputs";

/**
 * Composes the whole stack from validated config: the account-pinned provider, then the foundation, then
 * the chosen platform, every per-service resource derived from the service table. Nothing here reads config; `index.ts` hands in what `loadVoteAppConfig` returned.
 */
export function createVoteApp(
    config: VoteAppConfig,
    transforms: VoteAppTransforms = {},
    services: ServiceTable = APP_SERVICE_TABLE,
): VoteAppOutputs {
    const identity: IdentityOutputs = {
        environment: config.environment,
        platform: config.platform,
        accountId: config.account.id,
        region: config.region,
    };
    switch (config.platform) {
        case "ecs": {
            const foundation = buildFoundation(config, transforms, services);
            secureAccount(config, foundation);
            return { ...identity, ...deployOnFargate(config, foundation) };
        }
        case "eks": {
            const foundation = buildFoundation(config, transforms, services);
            secureAccount(config, foundation);
            return { ...identity, ...deployOnEks(config, foundation) };
        }
        case "lambda": {
            const foundation = buildBaseFoundation(config, transforms, services);
            secureAccount(config, foundation);
            return { ...identity, ...deployLambda(config, foundation) };
        }
    }
}
