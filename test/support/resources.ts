import * as assert from "assert";
import type { CapturedResource } from "../../shared/capturedResource";
import type { MockedRun } from "../../plan/harness";
import { ofType } from "../../policy/rules/util";

/**
 * Reading what a mocked run captured, resource by resource: neutral about where the run came from (a mounted
 * component, a stack, the bootstrap), so component tests need nothing of test/support/stacks.ts.
 */
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

/** The statements of an IAM or resource policy JSON document, as captured (a policy input is a JSON string). */
export function policyStatements<S = PolicyStatement>(policy: unknown): S[] {
    return (JSON.parse(String(policy)) as { Statement: S[] }).Statement;
}

/** An IAM policy statement as the tests read it. */
export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: string;
    readonly Principal?: unknown;
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * A private, TLS-only bucket, by the name it shares with its companions: all four public access blocks on, a
 * bucket policy denying insecure transport (`DenyInsecureTransport`), and where asked the default encryption
 * and versioning. One check for every such bucket the tests meet (state, artifacts, access and audit logs).
 */
export function assertPrivateTlsOnlyBucket(
    run: MockedRun,
    name: string,
    expected: { readonly sseAlgorithm?: "aws:kms" | "AES256"; readonly versioned?: boolean } = {},
): void {
    const block = named(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name);
    assert.deepStrictEqual(
        [
            block.inputs.blockPublicAcls,
            block.inputs.blockPublicPolicy,
            block.inputs.ignorePublicAcls,
            block.inputs.restrictPublicBuckets,
        ],
        [true, true, true, true],
        `${name}: public access not fully blocked`,
    );
    const deny = policyStatements(named(run, "aws:s3/bucketPolicy:BucketPolicy", name).inputs.policy).find(
        (s) => s.Sid === "DenyInsecureTransport",
    );
    assert.deepStrictEqual(
        [deny?.Effect, deny?.Condition],
        ["Deny", { Bool: { "aws:SecureTransport": "false" } }],
        `${name}: plain HTTP is not denied`,
    );
    if (expected.sseAlgorithm !== undefined)
        assert.strictEqual(
            input(
                named(
                    run,
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    name,
                ),
                "rules",
                0,
                "applyServerSideEncryptionByDefault",
                "sseAlgorithm",
            ),
            expected.sseAlgorithm,
            `${name}: default encryption`,
        );
    if (expected.versioned !== undefined)
        assert.strictEqual(
            input(named(run, "aws:s3/bucketVersioning:BucketVersioning", name), "versioningConfiguration", "status"),
            expected.versioned ? "Enabled" : undefined,
            `${name}: versioning`,
        );
}

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
