import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import type { MockedRun } from "../../plan/harness";
import { runStack, type RunStackOptions, type StackRun } from "../../plan/runStack";
import { ofType } from "../../policy/rules/util";
import { readStackConfig, type StackFileConfig } from "../../plan/stackFile";

/**
 * Shared test support over the one mock harness: runs of the shipped stacks are cached per process (the
 * program is deterministic), variants run fresh.
 */
const cache = new Map<string, Promise<StackRun>>();

/** A run of a shipped stack file, optionally with config overrides; cached per (stack, overrides). */
export function stackRun(stack: string, options: RunStackOptions = {}): Promise<StackRun> {
    const key = `${stack}:${JSON.stringify(options.overrides ?? {})}`;
    if (options.config || options.transforms || options.services) return runStack(stack, options);
    let run = cache.get(key);
    if (!run) {
        run = runStack(stack, options);
        cache.set(key, run);
    }
    return run;
}

/** The stack file's config with some keys changed or removed (value undefined), for invalid-config tests. */
export function stackConfigWith(stack: string, changes: Readonly<Record<string, string | undefined>>): StackFileConfig {
    const base = readStackConfig(stack);
    const config = { ...base.config };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete config[key];
        else config[key] = value;
    }
    return { ...base, config };
}

export { ofType } from "../../policy/rules/util";

/** Exactly one resource of a type (optionally whose name contains a fragment), or a failing assertion. */
export function single(run: MockedRun, type: string, nameFragment = ""): CapturedResource {
    const found = ofType(run, type).filter((r) => r.name.includes(nameFragment));
    assert.strictEqual(
        found.length,
        1,
        `expected one ${type}${nameFragment ? ` named *${nameFragment}*` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
    return found[0];
}

/** A named resource, or a failing assertion. */
export function named(run: MockedRun, type: string, name: string): CapturedResource {
    const found = ofType(run, type).find((r) => r.name === name);
    assert.ok(
        found,
        `no ${type} named ${name}; have: ${ofType(run, type)
            .map((r) => r.name)
            .join(", ")}`,
    );
    return found;
}

/** Reads a nested input by path, e.g. input(r, "networkConfiguration", "assignPublicIp"). */
export function input(resource: CapturedResource, ...path: (string | number)[]): unknown {
    let value: unknown = resource.inputs;
    for (const key of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<string | number, unknown>)[key];
    }
    return value;
}

/** The resources whose parent chain includes the given component. */
export function descendantsOf(run: MockedRun, component: CapturedResource): CapturedResource[] {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const isUnder = (r: CapturedResource): boolean => {
        let parent = r.parent;
        while (parent) {
            if (parent === component.urn) return true;
            parent = byUrn.get(parent)?.parent;
        }
        return false;
    };
    return run.resources.filter(isUnder);
}

/** The shipped environment stack files. */
/**
 * The route table of each private subnet awsx created inside the VPC, as its (mocked) outputs report them:
 * subnets, then route table associations; in subnet order.
 */
export function privateRouteTables(run: MockedRun): (string | undefined)[] {
    const children = (type: string) => run.remoteChildren.filter((c) => c.type === type);
    const privateSubnets = children("aws:ec2/subnet:Subnet")
        .filter((s) => (s.state.tags as Record<string, string>).SubnetType === "Private")
        .map((s) => s.id);
    const routeTableOf = new Map(
        children("aws:ec2/routeTableAssociation:RouteTableAssociation").map((a) => [
            String(a.state.subnetId),
            String(a.state.routeTableId),
        ]),
    );
    return privateSubnets.map((id) => routeTableOf.get(id));
}

export const SHIPPED_STACKS = ["dev", "staging", "prod"] as const;

/** Asserts a promise rejects with a message containing every fragment. */
export async function assertRejectsWith(promise: Promise<unknown>, ...fragments: string[]): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
        for (const fragment of fragments)
            assert.ok(err.message.includes(fragment), `error message lacks "${fragment}":\n${err.message}`);
        return err;
    }
    assert.fail(`expected a rejection mentioning ${fragments.join(", ")}`);
}
