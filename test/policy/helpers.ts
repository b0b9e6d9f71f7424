import * as assert from "assert";
import type { Policy } from "@pulumi/policy";
import type { CapturedResource } from "../../shared/capturedResource";
import { evaluatePolicies, type PackConfig, type PolicyReport, type PolicyViolation } from "../../policy/evaluate";

/**
 * The one harness for policy fixtures: resources are described by type and props, wrapped into
 * CapturedResources (as the mock harness captures them, provider inputs as JSON strings) and evaluated by
 * the offline evaluator, so every fixture also exercises the evaluator.
 */

export const STACK_URN = "urn:pulumi:test::voteapp::pulumi:pulumi:Stack::voteapp-test";
export const PROVIDER_URN = "urn:pulumi:test::voteapp::pulumi:pulumi:Stack$pulumi:providers:aws::test-account";
export const PROVIDER_REF = `${PROVIDER_URN}::test-account-id`;
export const ACCOUNT_ID = "333333333333";

export const REQUIRED_TAGS = {
    environment: "test",
    project: "voteapp",
    owner: "platform-team",
    "cost-centre": "cc-1234",
    "managed-by": "pulumi",
};

/** A resource as a fixture describes it; everything but type and props has a default. */
export interface ResourceFixture {
    readonly type: string;
    readonly props?: Record<string, unknown>;
    readonly name?: string;
    readonly urn?: string;
    readonly parent?: string;
    /** A provider reference, or null for the default provider; default: the fixture account provider. */
    readonly provider?: string | null;
    readonly custom?: boolean;
    readonly remote?: boolean;
    readonly dependencies?: readonly string[];
    readonly protect?: boolean;
}

export function urnOf(type: string, name: string, parentType = "pulumi:pulumi:Stack"): string {
    return `urn:pulumi:test::voteapp::${parentType}$${type}::${name}`;
}

/** A CapturedResource as the mock harness would record it. */
export function captured(f: ResourceFixture): CapturedResource {
    const name = f.name ?? f.type.split(":").pop()?.toLowerCase() ?? "resource";
    const custom = f.custom ?? !f.type.includes("voteapp:");
    return {
        urn: f.urn ?? urnOf(f.type, name),
        type: f.type,
        name,
        parent: f.parent ?? STACK_URN,
        provider:
            f.provider === null
                ? undefined
                : (f.provider ?? (custom && !f.type.startsWith("pulumi:providers:") ? PROVIDER_REF : undefined)),
        custom,
        remote: f.remote ?? false,
        inputs: f.props ?? {},
        secretInputKeys: [],
        protect: f.protect ?? false,
        retainOnDelete: false,
        dependencies: f.dependencies ?? [],
    };
}

/** The stack's explicit AWS provider, inputs as JSON strings as the engine and mocks hand them over. */
export function accountProvider(overrides: Record<string, unknown> = {}, name = "test-account"): CapturedResource {
    return captured({
        type: "pulumi:providers:aws",
        name,
        urn:
            name === "test-account"
                ? PROVIDER_URN
                : `urn:pulumi:test::voteapp::pulumi:pulumi:Stack$pulumi:providers:aws::${name}`,
        custom: true,
        props: {
            region: "eu-west-1",
            allowedAccountIds: JSON.stringify([ACCOUNT_ID]),
            assumeRoles: JSON.stringify([
                { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/voteapp-deploy`, sessionName: "pulumi" },
            ]),
            defaultTags: JSON.stringify({ tags: REQUIRED_TAGS }),
            ...overrides,
        },
    });
}

export const rootStack: CapturedResource = {
    ...captured({ type: "pulumi:pulumi:Stack", name: "voteapp-test", urn: STACK_URN, custom: false }),
    parent: undefined,
};

/** A whole stack: the root, the account provider (unless one is given) and the resources. */
export function stackOf(resources: readonly (ResourceFixture | CapturedResource)[]): CapturedResource[] {
    const list = resources.map((r) => ("secretInputKeys" in r ? r : captured(r)));
    const hasProvider = list.some((r) => r.type === "pulumi:providers:aws");
    return [rootStack, ...(hasProvider ? [] : [accountProvider()]), ...list];
}

/** Runs one policy, mandatory, over a stack. */
export function evaluateOne(
    policy: Policy,
    resources: readonly (ResourceFixture | CapturedResource)[],
    config: PackConfig = {},
): PolicyReport {
    return evaluatePolicies(stackOf(resources), {
        policies: [policy],
        config: { [policy.name]: "mandatory", ...config },
    });
}

function describeViolations(violations: readonly PolicyViolation[]): string {
    return (
        violations
            .map((v) => `  [${v.level}] ${v.policyName} ${v.type ?? ""} ${v.name ?? ""}: ${v.message}`)
            .join("\n") || "  (none)"
    );
}

/** Only this policy's own findings: a crash or an unknown-in-preview notice is not a violation fixture's point. */
function assertGenuine(policy: Policy, report: PolicyReport): void {
    const odd = report.violations.filter(
        (v) =>
            v.policyName !== policy.name ||
            /failed .*instead of stopping|can't run policy|invalid pack config/.test(v.message),
    );
    assert.strictEqual(odd.length, 0, `${policy.name}: unexpected findings:\n${describeViolations(odd)}`);
}

export function assertHasViolation(
    policy: Policy,
    resources: readonly (ResourceFixture | CapturedResource)[],
    expectedMessageFragment?: string,
    config?: PackConfig,
): PolicyReport {
    const report = evaluateOne(policy, resources, config);
    assertGenuine(policy, report);
    assert.ok(report.violations.length > 0, `${policy.name} should have reported a violation, found none`);
    assert.ok(
        report.violations.every((v) => v.level === "mandatory"),
        `${policy.name}: violations should be mandatory:\n${describeViolations(report.violations)}`,
    );
    if (expectedMessageFragment) {
        assert.ok(
            report.violations.some((v) => v.message.includes(expectedMessageFragment)),
            `${policy.name}: no violation mentions "${expectedMessageFragment}":\n${describeViolations(report.violations)}`,
        );
    }
    return report;
}

export function assertNoViolations(
    policy: Policy,
    resources: readonly (ResourceFixture | CapturedResource)[],
    config?: PackConfig,
): PolicyReport {
    const report = evaluateOne(policy, resources, config);
    assert.strictEqual(
        report.violations.length,
        0,
        `${policy.name} should pass, found:\n${describeViolations(report.violations)}`,
    );
    return report;
}

/** A resource rule fails on one resource, and the violation names that resource. */
export function assertHasResourceViolation(
    policy: Policy,
    resource: ResourceFixture,
    expectedMessageFragment?: string,
    config?: PackConfig,
): PolicyReport {
    const report = assertHasViolation(policy, [resource], expectedMessageFragment, config);
    const urn = captured(resource).urn;
    assert.ok(
        report.violations.every((v) => v.urn === urn && v.type === resource.type),
        `${policy.name}: violations should name ${urn}:\n${describeViolations(report.violations)}`,
    );
    return report;
}

export function assertNoResourceViolations(
    policy: Policy,
    resource: ResourceFixture,
    config?: PackConfig,
): PolicyReport {
    return assertNoViolations(policy, [resource], config);
}

export function assertHasStackViolation(
    policy: Policy,
    resources: readonly (ResourceFixture | CapturedResource)[],
    expectedMessageFragment?: string,
    config?: PackConfig,
): PolicyReport {
    return assertHasViolation(policy, resources, expectedMessageFragment, config);
}

export function assertNoStackViolations(
    policy: Policy,
    resources: readonly (ResourceFixture | CapturedResource)[],
    config?: PackConfig,
): PolicyReport {
    return assertNoViolations(policy, resources, config);
}

// ---------------------------------------------------------------------------------------------------
// Table-driven rule fixtures

export interface RuleFixture {
    readonly title: string;
    readonly resources: readonly (ResourceFixture | CapturedResource)[];
    /** A fragment the violation message must contain (failing fixtures). */
    readonly message?: string;
    readonly config?: PackConfig;
}

export interface RuleCases {
    readonly policy: Policy;
    readonly fail: readonly RuleFixture[];
    readonly pass: readonly RuleFixture[];
}

/** Shorthand for a fixture of a single resource. */
export function one(
    title: string,
    type: string,
    props: Record<string, unknown>,
    message?: string,
    config?: PackConfig,
): RuleFixture {
    return { title, resources: [{ type, props }], message, config };
}

/** Registers mocha tests for a module's rule cases. */
export function describeRules(moduleName: string, cases: readonly RuleCases[]): void {
    describe(`policy rules: ${moduleName}`, () => {
        for (const c of cases) {
            describe(c.policy.name, () => {
                for (const f of c.fail)
                    it(`fails: ${f.title}`, () => void assertHasViolation(c.policy, f.resources, f.message, f.config));
                for (const f of c.pass)
                    it(`passes: ${f.title}`, () => void assertNoViolations(c.policy, f.resources, f.config));
            });
        }
    });
}
