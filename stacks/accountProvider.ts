import * as aws from "@pulumi/aws";
import type { VoteAppConfig } from "./config";

/** The tags every AWS resource of the stack carries, through the provider's default tags. */
export function defaultTags(config: VoteAppConfig): Record<string, string> {
    return {
        environment: config.environment,
        project: config.project,
        owner: config.tags.owner,
        "cost-centre": config.tags.costCentre,
        "managed-by": "pulumi",
    };
}

/**
 * The stack's only AWS provider: it assumes the deploy role in the environment's account and refuses to
 * act on any other account (`allowedAccountIds`), so a prod stack cannot touch dev and the other way round.
 */
export function createAccountProvider(config: VoteAppConfig): aws.Provider {
    return new aws.Provider(`${config.environment}-account`, {
        region: config.region,
        allowedAccountIds: [config.account.id],
        assumeRoles: [
            {
                roleArn: config.account.deployRoleArn,
                sessionName: `pulumi-${config.project}-${config.stack}`.slice(0, 64),
            },
        ],
        defaultTags: { tags: defaultTags(config) },
    });
}
