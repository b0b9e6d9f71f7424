import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type MockedRun, runMocked } from "../../plan/harness";
import { deepFreeze } from "../../shared/config/reader";

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

/**
 * The args as a key, or undefined when they hold anything but plain data (a function, an Output, an asset: two
 * of those that print alike may differ, so such mounts are never shared). Key order counts, and an explicit
 * undefined differs from an absent key: two args share a key only if a component cannot tell them apart.
 */
export function plainKey(value: unknown): string | undefined {
    const plain = (v: unknown): unknown => {
        if (v === undefined) return { "(undefined)": true };
        if (v === null || ["string", "number", "boolean"].includes(typeof v)) return v;
        if (Array.isArray(v)) {
            const items = v.map(plain);
            return items.includes(NOT_PLAIN) ? NOT_PLAIN : items;
        }
        const prototype: unknown = typeof v === "object" ? Object.getPrototypeOf(v) : NOT_PLAIN;
        if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
        const entries = Object.entries(v as object).map(([k, item]) => [k, plain(item)] as const);
        return entries.some(([, item]) => item === NOT_PLAIN) ? NOT_PLAIN : Object.fromEntries(entries);
    };
    const normalized = plain(value);
    return normalized === NOT_PLAIN ? undefined : JSON.stringify(normalized);
}
const NOT_PLAIN = Symbol("not plain data");

const sharedMounts = new Map<string, Promise<MockedRun>>();

/**
 * One mount per component and args in this process (a mocha worker runs many files): a second test, in this file
 * or another, that mounts the same component with the same args reads the same run. The run is deep-frozen, so
 * no test can change what another reads. Args that are not plain data (plainKey) are mounted afresh.
 */
export function mountShared(component: string, args: unknown, mount: () => Promise<MockedRun>): Promise<MockedRun> {
    const key = plainKey(args);
    if (key === undefined) return mount();
    const id = `${component} ${key}`;
    let run = sharedMounts.get(id);
    if (!run) {
        run = mount().then(deepFreeze);
        sharedMounts.set(id, run);
        // A failed mount is not kept: the next test mounts again and reports its own failure.
        run.catch(() => sharedMounts.delete(id));
    }
    return run;
}
