import {
    type EnforcementLevel,
    type Policy,
    type PolicyConfigSchema,
    type PolicyProviderResource,
    type PolicyResource,
    type PolicyResourceOptions,
    type ReportViolation,
    type ResourceValidation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationArgs,
    type StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { CapturedResource } from "../shared/capturedResource";
import { packConfigFile } from "./configFile";
import { ENFORCEMENT_LEVELS, type PackConfig, type PolicyConfigValue } from "./packConfig";
import { allPolicies } from "./rules";
import { isUnknownValueError, judgedTypesOf, unknownCheckingProxy } from "./rules/util";

export type { PackConfig, PolicyConfigValue } from "./packConfig";

/**
 * Offline CrossGuard: runs the pack's rules over the resources a mocked run captured, giving each rule the
 * arguments the policy SDK's analyzer server gives it (node_modules/@pulumi/policy/server.js:
 * makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), with the engine's enforcement-level resolution and config
 * defaults. No Pulumi CLI, engine or policy server is involved.
 *
 * Differences from the engine, by necessity: props are the captured *inputs* (a preview also has no
 * outputs for new resources); `propertyDependencies` is empty (the capture has dependencies only);
 * `stackTags` is what the caller passes.
 */

export type ViolationLevel = "mandatory" | "advisory";

export interface PolicyViolation {
    readonly policyName: string;
    /** Mandatory fails the deployment; advisory warns. Remediate counts as mandatory; unknowns in preview as advisory. */
    readonly level: ViolationLevel;
    /** The resource in violation (stack rules may report the stack as a whole: then undefined). */
    readonly urn?: string;
    readonly type?: string;
    readonly name?: string;
    /** What the rule said about this resource. */
    readonly message: string;
    /** The rule's description (what it enforces and why). */
    readonly description: string;
}

export interface PolicyNotApplicable {
    readonly policyName: string;
    readonly reason?: string;
}

export interface PolicyRun {
    readonly policyName: string;
    /** The level the config resolved for the rule (disabled rules did not run). */
    readonly level: EnforcementLevel;
    readonly kind: "resource" | "stack";
}

export interface PolicyReport {
    readonly violations: readonly PolicyViolation[];
    /** Stack rules that declared themselves not applicable (e.g. no Lambda function in the stack). */
    readonly notApplicable: readonly PolicyNotApplicable[];
    /** Every rule with its resolved level. */
    readonly policies: readonly PolicyRun[];
    /** Problems in the pack config (unknown rule names, invalid levels, parameters not matching a rule's schema). */
    readonly configErrors: readonly string[];
    readonly summary: {
        readonly mandatory: number;
        readonly advisory: number;
        readonly resources: number;
        readonly policiesRun: number;
        readonly policiesDisabled: number;
    };
}

export interface EvaluateOptions {
    /** The pack config, same shape as policy/config/<env>.json. */
    readonly config: PackConfig;
    /** Rules to run; default: every rule of the pack. */
    readonly policies?: readonly Policy[];
    /** The level of rules neither the config nor the rule sets (the PolicyPack's enforcementLevel). Default advisory, as in the SDK. */
    readonly packEnforcementLevel?: EnforcementLevel;
    /** Stack tags handed to rules (`args.stackTags`). */
    readonly stackTags?: Readonly<Record<string, string>>;
}

/** The extra options the capture knows, beside the SDK's PolicyResourceOptions. */
export interface OfflineResourceOptions extends PolicyResourceOptions {
    readonly dependsOn: string[];
    readonly retainOnDelete: boolean;
    /** The provider reference as captured (`<providerUrn>::<id>`). */
    readonly provider?: string;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

// ---------------------------------------------------------------------------------------------------
// Config

type AnyPolicy = Policy &
    Partial<Pick<ResourceValidationPolicy, "validateResource">> &
    Partial<Pick<StackValidationPolicy, "validateStack">>;

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

function levelOf(entry: PolicyConfigValue | undefined): EnforcementLevel | undefined {
    if (entry === undefined) return undefined;
    if (typeof entry === "string") return entry;
    return entry.enforcementLevel;
}

/** The engine's order: the rule's own config entry, then `all`, then the rule's level, then the pack's. */
export function resolveLevel(
    policy: Policy,
    config: PackConfig,
    packLevel: EnforcementLevel = "advisory",
): EnforcementLevel {
    return levelOf(config[policy.name]) ?? levelOf(config.all) ?? policy.enforcementLevel ?? packLevel;
}

function schemaTypeMatches(schema: PolicyConfigJSONSchema, value: unknown): boolean {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length === 0) return true;
    return types.some((t) => {
        switch (t) {
            case "string":
                return typeof value === "string";
            case "number":
                return typeof value === "number";
            case "integer":
                return typeof value === "number" && Number.isInteger(value);
            case "boolean":
                return typeof value === "boolean";
            case "array":
                return Array.isArray(value);
            case "object":
                return typeof value === "object" && value !== null && !Array.isArray(value);
            case "null":
                return value === null;
        }
        return false;
    });
}

function validateAgainstSchema(
    policyName: string,
    schema: PolicyConfigSchema | undefined,
    props: Record<string, unknown>,
): string[] {
    const errors: string[] = [];
    const properties = schema?.properties ?? {};
    for (const [key, value] of Object.entries(props)) {
        const s = properties[key];
        if (!s) {
            errors.push(
                `${policyName}: unknown parameter "${key}" (the rule takes ${Object.keys(properties).join(", ") || "no parameters"})`,
            );
            continue;
        }
        if (!schemaTypeMatches(s, value))
            errors.push(
                `${policyName}: parameter "${key}" should be ${JSON.stringify(s.type)}, got ${JSON.stringify(value)}`,
            );
        else if (typeof value === "string" && s.pattern && !new RegExp(s.pattern).test(value))
            errors.push(`${policyName}: parameter "${key}" ${JSON.stringify(value)} does not match ${s.pattern}`);
        else if (
            Array.isArray(value) &&
            s.items &&
            !Array.isArray(s.items) &&
            typeof s.items === "object" &&
            value.some((v) => !schemaTypeMatches(s.items as PolicyConfigJSONSchema, v))
        ) {
            errors.push(
                `${policyName}: parameter "${key}" has items that are not ${JSON.stringify((s.items as PolicyConfigJSONSchema).type)}`,
            );
        }
    }
    for (const key of schema?.required ?? [])
        if (!(key in props)) errors.push(`${policyName}: required parameter "${key}" is missing`);
    return errors;
}

/** A rule's parameters: its config entry (without enforcementLevel) over its schema's defaults, as the CLI hands them. */
export function policyParameters(policy: Policy, config: PackConfig): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const [key, s] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (s.default !== undefined) params[key] = structuredClone(s.default);
    }
    const entry = config[policy.name];
    if (entry !== undefined && typeof entry === "object") {
        for (const [key, value] of Object.entries(entry)) if (key !== "enforcementLevel") params[key] = value;
    }
    return params;
}

function configErrorsOf(policies: readonly Policy[], config: PackConfig): Map<string, string[]> {
    const errors = new Map<string, string[]>();
    const add = (key: string, message: string) => errors.set(key, [...(errors.get(key) ?? []), message]);
    const names = new Set(policies.map((p) => p.name));
    for (const [key, entry] of Object.entries(config)) {
        if (key !== "all" && !names.has(key)) add("", `unknown rule "${key}" in the pack config`);
        const level = levelOf(entry);
        if (level !== undefined && !isEnforcementLevel(level))
            add(
                key,
                `${key}: enforcement level ${JSON.stringify(level)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`,
            );
        if (typeof entry !== "string" && (typeof entry !== "object" || entry === null))
            add(key, `${key}: expected a level or an object, got ${JSON.stringify(entry)}`);
    }
    for (const p of policies) {
        const entry = config[p.name];
        const props: Record<string, unknown> = {};
        if (entry !== undefined && typeof entry === "object" && entry !== null)
            for (const [k, v] of Object.entries(entry)) if (k !== "enforcementLevel") props[k] = v;
        for (const e of validateAgainstSchema(p.name, p.configSchema, { ...props })) add(p.name, e);
    }
    return errors;
}

// ---------------------------------------------------------------------------------------------------
// Arguments, as the SDK's analyzer server builds them

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

/**
 * Typed rules call this for every resource of another type (most of an evaluation's calls), and the evaluator
 * always catches it: built without a stack trace, which nothing reads and which cost more than the rules.
 */
function throwNotApplicable(reason?: string): never {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const error = new NotApplicableError(reason);
    Error.stackTraceLimit = stackTraceLimit;
    throw error;
}

/** The SDK's type test: the class's `__pulumiType`, else its `isInstance` on a fake object. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    if (typeof pulumiType === "string" && pulumiType.length > 0) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown } | undefined)?.isInstance;
    return typeof isInstance === "function" && (isInstance as (o: unknown) => unknown)({ __pulumiType: type }) === true;
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

/**
 * Inputs as the engine hands them to an analyzer: values unknown during preview become the engine's
 * unknown sentinel (which the SDK's unknownCheckingProxy turns into UnknownValueError on access), whether
 * the capture holds the SDK's `unknown` marker or the sentinel string already.
 */
export function toEngineValue(value: unknown): unknown {
    if (pulumi.isUnknown(value) || value === pulumi.runtime.unknownValue) return pulumi.runtime.unknownValue;
    if (Array.isArray(value)) return value.map(toEngineValue);
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toEngineValue(v);
        return out;
    }
    return value;
}

function proxiedProps(inputs: Record<string, unknown>): Record<string, unknown> {
    return unknownCheckingProxy(toEngineValue(inputs) as Record<string, unknown>);
}

/** Splits `<providerUrn>::<id>` (the URN itself contains `::`). */
export function splitProviderReference(reference: string): { urn: string; id: string } {
    const i = reference.lastIndexOf("::");
    return i < 0 ? { urn: reference, id: "" } : { urn: reference.slice(0, i), id: reference.slice(i + 2) };
}

/** Type and name a URN encodes (`urn:pulumi:<stack>::<project>::<parent$type>::<name>`). */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    return { type: qualified.split("$").pop() ?? qualified, name: parts.slice(3).join("::") };
}

function buildOptions(r: CapturedResource): OfflineResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
        dependsOn: [...r.dependencies],
        retainOnDelete: r.retainOnDelete,
        ...(r.provider ? { provider: r.provider } : {}),
    };
}

function frozenTags(tags: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
    return new Map(Object.entries(tags));
}

class Evaluation {
    readonly violations: PolicyViolation[] = [];
    readonly notApplicable: PolicyNotApplicable[] = [];
    readonly pending: Promise<void>[] = [];
    private readonly byUrn: Map<string, CapturedResource>;
    private readonly providers = new Map<string, PolicyProviderResource | undefined>();

    constructor(
        private readonly resources: readonly CapturedResource[],
        private readonly mode: "sync" | "async",
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    }

    /** The provider a resource references, resolved against the captured `pulumi:providers:*` resources. */
    provider(r: CapturedResource): PolicyProviderResource | undefined {
        if (!r.provider) return undefined;
        if (!this.providers.has(r.provider)) {
            const { urn } = splitProviderReference(r.provider);
            const captured = this.byUrn.get(urn);
            const fromUrn = parseUrn(urn);
            this.providers.set(r.provider, {
                type: captured?.type ?? fromUrn.type,
                name: captured?.name ?? fromUrn.name,
                urn,
                props: captured ? proxiedProps(captured.inputs) : {},
            });
        }
        return this.providers.get(r.provider);
    }

    private reporter(policy: Policy, level: ViolationLevel, fallback?: CapturedResource): ReportViolation {
        return (message: string, urn?: string) => {
            const target = (urn ? this.byUrn.get(urn) : undefined) ?? fallback;
            const reportedUrn = fallback ? fallback.urn : urn;
            const parsed = reportedUrn && !target ? parseUrn(reportedUrn) : undefined;
            this.violations.push({
                policyName: policy.name,
                level,
                ...(reportedUrn ? { urn: reportedUrn } : {}),
                ...(target ? { type: target.type, name: target.name } : parsed ? parsed : {}),
                message: typeof message === "string" ? message : String(message),
                description: policy.description,
            });
        };
    }

    /** Runs one validation call, turning what it throws (or rejects with) into the SDK's outcomes. */
    private invoke(
        policy: Policy,
        level: ViolationLevel,
        resource: CapturedResource | undefined,
        call: () => void | Promise<void>,
    ): void {
        const onError = (e: unknown) => {
            const where = resource ? ` on ${resource.type} "${resource.name}"` : "";
            if (isUnknownValueError(e)) {
                this.reporter(
                    policy,
                    "advisory",
                    resource,
                )(`can't run policy '${policy.name}'${where} during preview: ${e.message}`);
            } else if (e instanceof NotApplicableError) {
                if (!resource)
                    this.notApplicable.push({ policyName: policy.name, ...(e.reason ? { reason: e.reason } : {}) });
            } else {
                const text = e instanceof Error ? e.message : String(e);
                this.reporter(
                    policy,
                    level,
                    resource,
                )(
                    `policy '${policy.name}' failed${where} (reported as a violation instead of stopping the run): ${text}`,
                );
            }
        };
        try {
            const result = call();
            if (result && typeof (result as Promise<void>).then === "function") {
                if (this.mode === "async") this.pending.push((result as Promise<void>).then(() => undefined, onError));
                else {
                    (result as Promise<void>).catch(() => undefined);
                    onError(new Error("the rule is asynchronous; evaluate with evaluatePoliciesAsync"));
                }
            }
        } catch (e) {
            onError(e);
        }
    }

    runResourcePolicy(
        policy: ResourceValidationPolicy,
        level: ViolationLevel,
        getConfig: <T extends object>() => T,
        stackTags: ReadonlyMap<string, string>,
    ): void {
        if (!policy.validateResource) return;
        const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
            ? policy.validateResource
            : [policy.validateResource];
        const onlyType = Array.isArray(policy.validateResource) ? undefined : pulumiTypeOf(policy.validateResource);
        for (const r of this.resources) {
            if (r.type === ROOT_STACK_TYPE) continue;
            if (onlyType && r.type !== onlyType) continue;
            for (const validation of validations) {
                const typeFilter = pulumiTypeOf(validation);
                if (typeFilter && typeFilter !== r.type) continue;
                // The same outcome as calling it: it would throw notApplicable, which on a resource reports nothing.
                if (judgedTypesOf(validation)?.includes(r.type) === false) continue;
                this.invoke(policy, level, r, () => {
                    // Fresh props and options per call, as the SDK's server deserializes them per validation, but
                    // built on first read: a typed rule handed another type reads neither (isType, then notApplicable).
                    let props: Record<string, unknown> | undefined;
                    let opts: OfflineResourceOptions | undefined;
                    const propsOf = () => (props ??= proxiedProps(r.inputs));
                    const provider = this.provider(r);
                    const args: ResourceValidationArgs = {
                        type: r.type,
                        get props() {
                            return propsOf();
                        },
                        urn: r.urn,
                        name: r.name,
                        get opts() {
                            return (opts ??= buildOptions(r));
                        },
                        stackTags,
                        isType: (resourceClass) => isTypeOf(r.type, resourceClass),
                        asType: ((resourceClass: unknown) =>
                            isTypeOf(r.type, resourceClass)
                                ? propsOf()
                                : undefined) as ResourceValidationArgs["asType"],
                        getConfig,
                        notApplicable: throwNotApplicable,
                        ...(provider ? { provider } : {}),
                    };
                    return validation(args, this.reporter(policy, level, r));
                });
            }
        }
    }

    stackResources(): PolicyResource[] {
        const built = new Map<string, PolicyResource>();
        for (const r of this.resources) {
            const props = proxiedProps(r.inputs);
            const provider = this.provider(r);
            const resource: PolicyResource = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: buildOptions(r),
                dependencies: [],
                propertyDependencies: {},
                isType: (resourceClass) => isTypeOf(r.type, resourceClass),
                asType: ((resourceClass: unknown) =>
                    isTypeOf(r.type, resourceClass) ? props : undefined) as PolicyResource["asType"],
                ...(provider ? { provider } : {}),
            };
            built.set(r.urn, resource);
        }
        for (const r of this.resources) {
            const resource = built.get(r.urn);
            if (!resource) continue;
            const parent = r.parent ? built.get(r.parent) : undefined;
            if (parent) resource.parent = parent;
            resource.dependencies = r.dependencies
                .map((d) => built.get(d))
                .filter((d): d is PolicyResource => d !== undefined);
        }
        return [...built.values()];
    }

    runStackPolicy(
        policy: StackValidationPolicy,
        level: ViolationLevel,
        getConfig: <T extends object>() => T,
        stackTags: ReadonlyMap<string, string>,
        resources: PolicyResource[],
    ): void {
        const onlyType = pulumiTypeOf(policy.validateStack);
        if (onlyType && !this.resources.some((r) => r.type === onlyType)) {
            this.notApplicable.push({
                policyName: policy.name,
                reason: `Policy only applies to resources of type '${onlyType}'`,
            });
            return;
        }
        const args: StackValidationArgs = { resources, getConfig, stackTags, notApplicable: throwNotApplicable };
        this.invoke(policy, level, undefined, () => policy.validateStack(args, this.reporter(policy, level)));
    }
}

function isResourcePolicy(p: AnyPolicy): p is ResourceValidationPolicy {
    return typeof p.validateResource === "function" || Array.isArray(p.validateResource);
}

function isStackPolicy(p: AnyPolicy): p is StackValidationPolicy {
    return typeof p.validateStack === "function";
}

function run(
    resources: readonly CapturedResource[],
    options: EvaluateOptions,
    mode: "sync" | "async",
): { evaluation: Evaluation; finish: () => PolicyReport } {
    const policies = (options.policies ?? allPolicies) as readonly AnyPolicy[];
    const evaluation = new Evaluation(resources, mode);
    const stackTags = frozenTags(options.stackTags ?? {});
    const configErrors = configErrorsOf(policies, options.config);
    const runs: PolicyRun[] = [];
    let stackResources: PolicyResource[] | undefined;

    for (const policy of policies) {
        const configured = resolveLevel(policy, options.config, options.packEnforcementLevel);
        const kind = isStackPolicy(policy) ? "stack" : "resource";
        runs.push({ policyName: policy.name, level: configured, kind });
        if (configured === "disabled") continue;
        const level: ViolationLevel = configured === "advisory" ? "advisory" : "mandatory";
        const errors = configErrors.get(policy.name);
        if (errors?.length) {
            // The CLI refuses a config that does not match a rule's schema; offline, the rule fails instead.
            for (const e of errors)
                evaluation.violations.push({
                    policyName: policy.name,
                    level: "mandatory",
                    message: `invalid pack config: ${e}`,
                    description: policy.description,
                });
            continue;
        }
        const params = policyParameters(policy, options.config);
        const getConfig = <T extends object>(): T => structuredClone(params) as T;
        if (isResourcePolicy(policy)) evaluation.runResourcePolicy(policy, level, getConfig, stackTags);
        else if (isStackPolicy(policy)) {
            stackResources ??= evaluation.stackResources();
            evaluation.runStackPolicy(policy, level, getConfig, stackTags, stackResources);
        }
    }

    const finish = (): PolicyReport => {
        const violations = evaluation.violations;
        return {
            violations,
            notApplicable: evaluation.notApplicable,
            policies: runs,
            configErrors: [...configErrors.values()].flat(),
            summary: {
                mandatory: violations.filter((v) => v.level === "mandatory").length,
                advisory: violations.filter((v) => v.level === "advisory").length,
                resources: resources.length,
                policiesRun: runs.filter((r) => r.level !== "disabled").length,
                policiesDisabled: runs.filter((r) => r.level === "disabled").length,
            },
        };
    };
    return { evaluation, finish };
}

/**
 * Evaluates the pack's rules (or `options.policies`) over captured resources with a pack config. Never
 * throws because of a rule: a rule that throws is reported as a violation of that rule at its level; one
 * that touches a value unknown during preview is reported as advisory, as CrossGuard does. Rules returning
 * promises need {@link evaluatePoliciesAsync} (every rule of this pack is synchronous).
 */
export function evaluatePolicies(resources: readonly CapturedResource[], options: EvaluateOptions): PolicyReport {
    return run(resources, options, "sync").finish();
}

/** {@link evaluatePolicies} for packs with asynchronous rules. */
export async function evaluatePoliciesAsync(
    resources: readonly CapturedResource[],
    options: EvaluateOptions,
): Promise<PolicyReport> {
    const { evaluation, finish } = run(resources, options, "async");
    await Promise.all(evaluation.pending);
    return finish();
}

/** Reads a pack config file (policy/config/<env>.json, the `--policy-pack-config` file); throws a readable error if it is not a JSON object. */
export function readPackConfig(file: string): PackConfig {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error(`${file}: a policy pack config must be a JSON object of rule name to level or settings`);
    return parsed as PackConfig;
}

/** The shipped config file of a tier whose stack owns its security baseline (policy/config/<tier>.json). */
export function packConfigPath(tier: string): string {
    return packConfigFile({ tier, centralSecurityAccount: false });
}

/** True when the report holds a mandatory violation (the deployment would be refused). */
export function hasMandatoryViolations(report: PolicyReport): boolean {
    return report.summary.mandatory > 0;
}

/** The report as terminal text: mandatory violations first, then advisory, one block per violation. */
export function formatReport(report: PolicyReport, title = "Policy verdicts (voteapp-devsecops)"): string {
    const { mandatory, advisory, policiesRun, policiesDisabled } = report.summary;
    const lines = [
        `## ${title}`,
        `${policiesRun} rules ran (${policiesDisabled} disabled): ${mandatory} mandatory, ${advisory} advisory violation(s).`,
    ];
    for (const e of report.configErrors) lines.push(`  config error: ${e}`);
    for (const level of ["mandatory", "advisory"] as const) {
        const list = report.violations.filter((v) => v.level === level);
        if (list.length === 0) continue;
        lines.push("", `${level === "mandatory" ? "MANDATORY (blocks the deployment)" : "advisory (warning)"}:`);
        for (const v of list) {
            const target = v.type ? `${v.type} "${v.name}"` : (v.urn ?? "(stack)");
            lines.push(`  [${level}] ${v.policyName}  ${target}`);
            lines.push(`      ${v.message}`);
        }
    }
    if (mandatory + advisory === 0) lines.push("No violations.");
    return lines.join("\n");
}
