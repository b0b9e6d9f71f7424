import type { Resource, Unwrap } from "@pulumi/pulumi";
import {
    type PolicyConfigSchema,
    type PolicyResource,
    type ReportViolation,
    type ResourceValidation,
    type ResourceValidationPolicy,
    type StackValidation,
    type StackValidationPolicy,
    type TypedResourceValidation,
} from "@pulumi/policy";
import * as policySdk from "@pulumi/policy";
import { TYPE_ALIAS_FAMILIES } from "./typeAliases";

/**
 * Shared helpers for the rule modules: how a rule is declared (name, FSBP control, description), and how
 * it reads values that may be unknown during preview, JSON strings (provider inputs under mocks, task
 * definitions, IAM documents) or absent.
 */

/** AWS Foundational Security Best Practices, the framework every `control` refers to. */
export const FSBP = "AWS Foundational Security Best Practices";

export interface RuleMeta {
    /** Kebab-case rule name, as in the catalog and the pack config files. */
    readonly name: string;
    /** The FSBP control id the rule enforces (e.g. `ECS.4`), or undefined when it enforces a house rule. */
    readonly control?: string;
    /** What the rule checks and why; the control id is prepended. */
    readonly description: string;
    /**
     * Exactly what passes, appended to the description as "Passes when …" (rules whose description already
     * says what passes leave it out; a test requires one or the other).
     */
    readonly passes?: string;
    /** How to fix a violation. */
    readonly remediation?: string;
    readonly configSchema?: PolicyConfigSchema;
}

function describe(meta: RuleMeta): string {
    const text = meta.passes ? `${meta.description} Passes when ${meta.passes}.` : meta.description;
    return meta.control ? `Enforces FSBP ${meta.control}: ${text}` : `House rule (no FSBP control): ${text}`;
}

function common(meta: RuleMeta) {
    return {
        name: meta.name,
        description: describe(meta),
        ...(meta.control
            ? {
                  framework: {
                      name: FSBP,
                      version: "1.0.0",
                      reference: meta.control,
                      specification: "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
                  },
              }
            : {}),
        ...(meta.remediation ? { remediationSteps: meta.remediation } : {}),
        ...(meta.configSchema ? { configSchema: meta.configSchema } : {}),
    };
}

/** A resource rule; `validate` is usually `validateResourceOfType(aws.X, ...)` so props are type-checked. */
export function resourceRule(
    meta: RuleMeta,
    validate: ResourceValidation | ResourceValidation[],
): ResourceValidationPolicy {
    return { ...common(meta), validateResource: validate };
}

/** A stack rule: sees every resource at once, for "every X has a Y" relations. */
export function stackRule(meta: RuleMeta, validate: StackValidation): StackValidationPolicy {
    return { ...common(meta), validateStack: validate };
}

/** The FSBP control a policy declares, if any. */
export function controlOf(policy: { framework?: { reference: string } }): string | undefined {
    return policy.framework?.reference;
}

// ---------------------------------------------------------------------------------------------------
// Type tokens and their aliases

const FAMILY_OF = new Map<string, readonly string[]>();
for (const family of TYPE_ALIAS_FAMILIES) for (const token of family) FAMILY_OF.set(token, family);

/**
 * A type token and every token @pulumi/aws declares the same AWS resource (`aws.alb.LoadBalancer` is
 * `aws.lb.LoadBalancer`, `aws.s3.BucketV2` is `aws.s3.Bucket`...; policy/rules/typeAliases.ts, generated).
 */
export function sameResourceTypes(type: string): readonly string[] {
    return FAMILY_OF.get(type) ?? [type];
}

/** True when `type` is `canonical` or one of its aliases. */
export function isResourceType(type: string, canonical: string): boolean {
    return sameResourceTypes(canonical).includes(type);
}

/**
 * The SDK's `validateResourceOfType`, extended to the class's alias types: a rule written against
 * `aws.lb.LoadBalancer` also judges `aws.alb.LoadBalancer`, whose inputs are the same. Rule modules use this
 * one (a test forbids importing the SDK's directly). The returned function carries no `__pulumiType`, so the
 * policy server hands it every resource instead of only the canonical type's.
 */
export function validateResourceOfType<TResource extends Resource, TArgs>(
    resourceClass: Parameters<typeof policySdk.validateResourceOfType<TResource, TArgs>>[0],
    validate: TypedResourceValidation<Unwrap<NonNullable<TArgs>>>,
): ResourceValidation {
    const sdkValidation = policySdk.validateResourceOfType(resourceClass, validate);
    const token = (sdkValidation as { __pulumiType?: unknown }).__pulumiType;
    const types = typeof token === "string" ? sameResourceTypes(token) : [];
    const validation: ResourceValidation = (args, report) =>
        types.includes(args.type)
            ? validate(args.props as Unwrap<NonNullable<TArgs>>, args, report)
            : sdkValidation(args, report);
    // Any other type reaches the SDK's check, which finds it is not the class's token and throws notApplicable.
    return types.length > 0 ? Object.assign(validation, { [JUDGED_TYPES]: types }) : validation;
}

/**
 * The types a rule's validation from {@link validateResourceOfType} judges: handed any other, it only throws
 * notApplicable, so the offline evaluator (policy/evaluate.ts) does not call it there (a pack evaluation made
 * hundreds of thousands of such calls). The policy server, which knows nothing of it, calls it for every type.
 */
export const JUDGED_TYPES = Symbol("types the validation judges");

export function judgedTypesOf(validation: ResourceValidation): readonly string[] | undefined {
    return (validation as { [JUDGED_TYPES]?: readonly string[] })[JUDGED_TYPES];
}

// ---------------------------------------------------------------------------------------------------
// Reading values

/**
 * The SDK's error for reading a value unknown during preview. Its declaration is stripped from the
 * published typings (proxy.d.ts is empty), so it is typed here.
 */
export const UnknownValueError = policySdk.UnknownValueError as unknown as new (
    ...args: never[]
) => Error & { readonly props: string[] };

/** The SDK's proxy throwing UnknownValueError on any read of an unknown value (typed here for the same reason). */
export const unknownCheckingProxy = policySdk.unknownCheckingProxy as unknown as <T>(value: T) => T;

export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof UnknownValueError;
}

/** Marker for a value that cannot be known during preview. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/**
 * Runs a read of proxied props; returns UNKNOWN instead of throwing when it touches a value that is
 * unknown during preview (the policy SDK's proxy throws `UnknownValueError`). Lets stack rules skip one
 * resource instead of abandoning the whole check.
 */
export function read<T>(fn: () => T): T | Unknown {
    try {
        return fn();
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value that may arrive as a JSON string (provider inputs under mocks and from the engine, container
 * definitions, IAM documents) or already as an object. Returns undefined for absent values and for strings
 * that are not JSON (the caller reports that as it sees fit).
 */
export function parseJsonish(value: unknown): unknown {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") return value;
    const trimmed = value.trim();
    if (trimmed === "") return undefined;
    try {
        return JSON.parse(trimmed) as unknown;
    } catch {
        return undefined;
    }
}

export function asArray(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? [...value] : [value];
}

export function asStrings(value: unknown): string[] {
    return asArray(value).filter((v): v is string => typeof v === "string");
}

/** Tags as a plain record (accepts a JSON string, as under mocks for provider inputs). */
export function tagsOf(value: unknown): Record<string, string> {
    const parsed = parseJsonish(value);
    if (!isRecord(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v;
    return out;
}

/** True for booleans given as strings too (`"true"`), as provider inputs arrive under mocks. */
export function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
    return value === false || value === "false";
}

// ---------------------------------------------------------------------------------------------------
// IAM-style policy documents

export interface Statement {
    readonly effect: string;
    readonly actions: string[];
    readonly notActions: string[];
    readonly resources: string[];
    readonly principal: unknown;
    readonly condition: unknown;
}

/** Statements of an IAM/resource policy document given as a JSON string or an object; undefined if unparseable. */
export function statementsOf(document: unknown): Statement[] | undefined {
    const parsed = parseJsonish(document);
    if (!isRecord(parsed)) return undefined;
    return asArray(parsed.Statement)
        .filter(isRecord)
        .map((s) => ({
            effect: typeof s.Effect === "string" ? s.Effect : "",
            actions: asStrings(s.Action),
            notActions: asStrings(s.NotAction),
            resources: asStrings(s.Resource),
            principal: s.Principal,
            condition: s.Condition,
        }));
}

/** `"*"`, `{AWS: "*"}` or a list containing `"*"`: anyone. */
export function isPublicPrincipal(principal: unknown): boolean {
    if (principal === "*") return true;
    if (isRecord(principal)) return Object.values(principal).some((v) => asStrings(v).includes("*"));
    return false;
}

export function hasCondition(condition: unknown): boolean {
    return isRecord(condition) && Object.keys(condition).length > 0;
}

/**
 * True for a reference to an AWS managed KMS key (`alias/aws/<service>`, as an alias name or alias ARN):
 * a key AWS administers, whose policy the account cannot restrict. With `service`, only that service's.
 */
export function isAwsManagedKey(keyRef: string, service?: string): boolean {
    const m = /(?:^|:)alias\/aws\/([a-z0-9-]+)$/.exec(keyRef.trim());
    return m !== null && (service === undefined || m[1] === service);
}

// ---------------------------------------------------------------------------------------------------
// Stack helpers

/**
 * Resources of a type token or any of its aliases (plain string: also matches types no class exists for, e.g.
 * `awsx:ec2:Vpc`), from a list (the rules' stack resources) or a mocked run (the tests'): the one such filter.
 */
export function ofType<R extends { readonly type: string }>(
    from: readonly R[] | { readonly resources: readonly R[] },
    ...types: string[]
): R[] {
    const resources = "resources" in from ? from.resources : from;
    const all = types.flatMap(sameResourceTypes);
    return resources.filter((r) => all.includes(r.type));
}

/** True when `resource` depends on `target` (directly, through a property dependency) or is its child. */
export function relatesTo(resource: PolicyResource, target: PolicyResource): boolean {
    if (resource.dependencies.some((d) => d.urn === target.urn)) return true;
    if (Object.values(resource.propertyDependencies ?? {}).some((deps) => deps.some((d) => d.urn === target.urn)))
        return true;
    return resource.parent?.urn === target.urn;
}

/** A read of one resource's prop for stack rules: UNKNOWN instead of throwing. */
export function prop(resource: PolicyResource, ...path: string[]): unknown {
    return read(() => {
        let value: unknown = resource.props;
        for (const key of path) {
            if (!isRecord(value)) return undefined;
            value = value[key];
        }
        return value;
    });
}

/** Reports on one resource of the stack (its URN attached, its name leading the message). */
export function reportOn(report: ReportViolation, resource: PolicyResource, message: string): void {
    report(`"${resource.name}" ${message}`, resource.urn);
}

/** A JSON-schema fragment for a list of strings with a default. */
export function stringList(description: string, defaults: readonly string[]) {
    return { type: "array" as const, items: { type: "string" as const }, default: [...defaults], description };
}

/**
 * A plain deep copy of a (possibly proxied) value in which every value unknown during preview becomes
 * undefined: lets a stack rule check the known parts of a resource and skip the rest.
 */
export function plainCopy(value: unknown): unknown {
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            const item = read(() => value[i] as unknown);
            out.push(item === UNKNOWN ? undefined : plainCopy(item));
        }
        return out;
    }
    if (isRecord(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            const item = read(() => value[key]);
            if (item !== UNKNOWN && item !== undefined) out[key] = plainCopy(item);
        }
        return out;
    }
    return value;
}
