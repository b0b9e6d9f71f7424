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
 * The stack's only AWS provider. It acts with the credentials of whoever runs Pulumi (in CI the job's OIDC
 * session of the account's preview or deploy role, which the workflow assumes; locally an AWS profile) and
 * refuses any account but the environment's (`allowedAccountIds`), so a prod stack cannot touch dev and the
 * other way round, whatever credentials are in the environment.
 *
 * It names no role to assume, deliberately: every input of this provider is in the stack's state, so a
 * role in `assumeRoles` would differ between the preview job (preview role) and the deploy job (deploy
 * role), and every preview would show a provider update (and replace what the provider's identity feeds,
 * such as the EKS access entry); role chaining would also cap each session at one hour, shorter than a first
 * `pulumi up` with Multi-AZ databases or EKS. The job's own session has the role's full duration.
 */
export function createAccountProvider(config: VoteAppConfig): aws.Provider {
    return new aws.Provider(`${config.environment}-account`, {
        region: config.region,
        allowedAccountIds: [config.account.id],
        defaultTags: { tags: defaultTags(config) },
    });
}
