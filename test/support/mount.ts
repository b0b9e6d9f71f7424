import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type MockedRun, runMocked } from "../../plan/harness";

/**
 * Component tests (issue 16.5): one component mounted with the args the test chooses, under the one mock
 * harness, with nothing of a stack around it: no config, no stack file, only an explicit AWS provider for a
 * test account (handed through `opts`, as the stacks hand theirs to every component). What such a test
 * asserts follows from its own args, not from a stack file that changes for other reasons; the stack tests
 * (test/stacks) check that each stack's config reaches the components.
 */
export const MOUNT_ACCOUNT = { region: "eu-west-1", accountId: "111111111111" } as const;

export interface MountOptions {
    readonly region?: string;
    readonly accountId?: string;
}

/** Runs `create(opts)` alone (`opts` carries the test account's provider) and captures what it registers. */
export function mountComponent(
    create: (opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource,
    options: MountOptions = {},
): Promise<MockedRun> {
    const context = {
        region: options.region ?? MOUNT_ACCOUNT.region,
        accountId: options.accountId ?? MOUNT_ACCOUNT.accountId,
    };
    return runMocked(
        () => {
            const provider = new aws.Provider("mount", {
                region: context.region as aws.Region,
                allowedAccountIds: [context.accountId],
            });
            create({ providers: { aws: provider } });
            return {};
        },
        { project: "voteapp", stack: "mount", config: {}, context },
    );
}
