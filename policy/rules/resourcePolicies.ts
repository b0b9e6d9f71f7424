import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accountOfArn, allowedAccountIds, awsProviders } from "./providerProps";
import {
    asArray,
    asStrings,
    isRecord,
    ofType,
    parseJsonish,
    prop,
    reportOn,
    stackRule,
    type Statement,
    statementsOf,
    UNKNOWN,
} from "./util";

/**
 * Resource-based policies: where @pulumi/aws v7 resources carry one, and how a statement is judged.
 * Shared by the per-service "no public policy" rules (sqs, sns, kms, s3, ecr, secrets, iam trust) and by
 * `resource-policy-known-accounts` (accounts.ts).
 */

/** One place a resource-based policy document lives: a type token and its input property. */
export interface PolicyHolder {
    readonly service: string;
    readonly type: string;
    readonly property: string;
}

const h = (service: string, type: string, property = "policy"): PolicyHolder => ({ service, type, property });

/** Every @pulumi/aws v7 input holding a resource-based policy this pack judges (property names checked against the typings). */
export const RESOURCE_POLICY_HOLDERS: readonly PolicyHolder[] = [
    h("sqs", "aws:sqs/queue:Queue"),
    h("sqs", "aws:sqs/queuePolicy:QueuePolicy"),
    h("sns", "aws:sns/topic:Topic"),
    h("sns", "aws:sns/topicPolicy:TopicPolicy"),
    h("kms", "aws:kms/key:Key"),
    h("kms", "aws:kms/keyPolicy:KeyPolicy"),
    h("kms", "aws:kms/replicaKey:ReplicaKey"),
    h("s3", "aws:s3/bucket:Bucket"),
    h("s3", "aws:s3/bucketPolicy:BucketPolicy"),
    h("ecr", "aws:ecr/repositoryPolicy:RepositoryPolicy"),
    h("ecr", "aws:ecr/registryPolicy:RegistryPolicy"),
    h("secretsmanager", "aws:secretsmanager/secret:Secret"),
    h("secretsmanager", "aws:secretsmanager/secretPolicy:SecretPolicy"),
    h("iam", "aws:iam/role:Role", "assumeRolePolicy"),
    h("lambda", "aws:lambda/resourcePolicy:ResourcePolicy"),
    h("dynamodb", "aws:dynamodb/resourcePolicy:ResourcePolicy"),
    h("events", "aws:cloudwatch/eventBusPolicy:EventBusPolicy"),
    h("logs", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument"),
    h("efs", "aws:efs/fileSystemPolicy:FileSystemPolicy"),
    h("backup", "aws:backup/vaultPolicy:VaultPolicy"),
    h("opensearch", "aws:opensearch/domainPolicy:DomainPolicy", "accessPolicies"),
    h("apigateway", "aws:apigateway/restApiPolicy:RestApiPolicy"),
];

export function holdersOf(service: string): PolicyHolder[] {
    return RESOURCE_POLICY_HOLDERS.filter((x) => x.service === service);
}

/** The principals of a statement, by kind (`"*"` alone counts as `AWS: "*"`). */
export interface Principals {
    readonly aws: string[];
    readonly service: string[];
    readonly other: string[];
}

export function principalsOf(principal: unknown): Principals {
    if (principal === "*") return { aws: ["*"], service: [], other: [] };
    if (!isRecord(principal)) return { aws: [], service: [], other: [] };
    return {
        aws: asStrings(principal.AWS),
        service: asStrings(principal.Service),
        other: [...asStrings(principal.Federated), ...asStrings(principal.CanonicalUser)],
    };
}

/**
 * Condition keys that restrict who may use a grant to named accounts, organisations, resources or networks.
 * `aws:SecureTransport`, `aws:SourceIp` and similar narrow *how*, not *who*: they do not make a public grant private.
 */
export const RESTRICTING_CONDITION_KEYS: readonly string[] = [
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "kms:CallerAccount",
];

/**
 * The restricting condition keys a statement's condition really restricts on: an operator of the String*,
 * Arn* families (negations, `...IfExists` and `ForAllValues:` pass when the key is absent, so they do not
 * restrict), with at least one value that is not a bare wildcard.
 */
export function restrictingKeys(condition: unknown): string[] {
    if (!isRecord(condition)) return [];
    const out: string[] = [];
    for (const [operator, block] of Object.entries(condition)) {
        const op = operator.replace(/^ForAnyValue:/, "");
        if (!/^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/.test(op)) continue;
        if (!isRecord(block)) continue;
        for (const [key, value] of Object.entries(block)) {
            const known = RESTRICTING_CONDITION_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
            if (!known) continue;
            const values = asArray(value).map(String);
            if (values.length > 0 && values.some((v) => v !== "*" && v !== "" && !/^\*+$/.test(v))) out.push(known);
        }
    }
    return out;
}

/** An Allow statement whose principal is anyone (`"*"` or `AWS: "*"`) with no restricting condition. */
export function isPublicGrant(s: Statement): boolean {
    return (
        s.effect === "Allow" && principalsOf(s.principal).aws.includes("*") && restrictingKeys(s.condition).length === 0
    );
}

/** The 12-digit account a principal names (`123456789012`, or an IAM/STS ARN), if any. */
export function accountOfPrincipal(principal: string): string | undefined {
    if (/^\d{12}$/.test(principal)) return principal;
    return principal.startsWith("arn:") ? accountOfArn(principal) : undefined;
}

/** The policy document a holder carries, UNKNOWN while unknown, undefined when absent. */
export function documentOf(resource: PolicyResource, holder: PolicyHolder): unknown {
    const value = prop(resource, holder.property);
    if (value === UNKNOWN || value === undefined || value === "") return value === "" ? undefined : value;
    return value;
}

/** Every resource of the stack holding a policy for one of `holders`, with its parsed statements. */
export function policiesIn(
    resources: readonly PolicyResource[],
    holders: readonly PolicyHolder[],
): { resource: PolicyResource; holder: PolicyHolder; statements: Statement[] | undefined }[] {
    const out: { resource: PolicyResource; holder: PolicyHolder; statements: Statement[] | undefined }[] = [];
    for (const holder of holders) {
        for (const resource of ofType(resources, holder.type)) {
            const document = documentOf(resource, holder);
            if (document === UNKNOWN || document === undefined) continue;
            out.push({ resource, holder, statements: statementsOf(document) });
        }
    }
    return out;
}

function describeStatement(s: Statement): string {
    if (s.actions.length) return s.actions.join(", ");
    return s.notActions.length ? `every action but ${s.notActions.join(", ")}` : "actions";
}

/**
 * A per-service rule: no resource-based policy of the service's holders grants anyone (`Principal: "*"`
 * or `AWS: "*"`) without a restricting condition.
 */
export function noPublicPolicyRule(meta: {
    readonly name: string;
    readonly control?: string;
    readonly service: string;
    readonly what: string;
}): StackValidationPolicy {
    const holders = holdersOf(meta.service);
    const where = holders.map((x) => `${x.type.split(":")[1].replace("/", ".")} \`${x.property}\``).join(", ");
    return stackRule(
        {
            name: meta.name,
            control: meta.control,
            description: `${meta.what} are never public: no Allow statement in ${where} names \`Principal: "*"\` or \`AWS: "*"\` without a restricting condition (StringEquals/StringLike/ArnEquals/ArnLike, not negated, not ...IfExists, on ${RESTRICTING_CONDITION_KEYS.join(", ")}, with a value that is not a bare "*"). Passes when every such grant names its principals or carries such a condition; Deny statements (e.g. the TLS-only deny) always pass. A document that is not JSON fails, since it cannot be checked.`,
            remediation:
                'Name the accounts, roles or services in Principal, or add a condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } } or { StringEquals: { "aws:SourceAccount": "<account>" } }.',
        },
        (args, report) => {
            const found = policiesIn(args.resources, holders);
            if (found.length === 0) args.notApplicable(`No ${meta.what.toLowerCase()} policy in the stack.`);
            for (const { resource, holder, statements } of found) {
                if (!statements) {
                    reportOn(
                        report,
                        resource,
                        `has a ${holder.property} that is not a JSON policy document, so it cannot be checked.`,
                    );
                    continue;
                }
                for (const s of statements.filter(isPublicGrant))
                    reportOn(
                        report,
                        resource,
                        `allows ${describeStatement(s)} to Principal "*" without a condition restricting it to accounts, an organisation, a source or a VPC.`,
                    );
            }
        },
    );
}

/** Parses the `knownAccountIds` rule parameter (JSON strings accepted). */
export function accountList(value: unknown): string[] {
    return asStrings(parseJsonish(value) ?? value).filter((a) => /^\d{12}$/.test(a));
}

/** The accounts the stack's providers are pinned to: always known. */
export function providerAccounts(resources: readonly PolicyResource[]): string[] {
    const out: string[] = [];
    for (const p of awsProviders(resources)) {
        const ids = allowedAccountIds(p);
        if (ids !== UNKNOWN) out.push(...ids);
    }
    return out;
}
