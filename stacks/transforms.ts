import type { DataArgs } from "../components/data";
import type { FargateSecurityGroupsArgs } from "../components/fargate/securityGroups";
import type { VoteAppOnFargateArgs } from "../components/fargate/voteAppOnFargate";

/**
 * Per-component transforms handed through the composition to the components' own `transform` args: the
 * escape hatch for a team that must adjust one resource without forking a component, and how the tests
 * prove that weakening a secure default is caught by the policy pack. Empty in the shipped program.
 */
export interface VoteAppTransforms {
    readonly data?: DataArgs["transform"];
    readonly fargateSecurityGroups?: FargateSecurityGroupsArgs["transform"];
    readonly fargate?: VoteAppOnFargateArgs["transform"];
}
