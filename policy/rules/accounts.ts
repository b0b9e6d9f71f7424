import type { PolicyResource } from "@pulumi/policy";
import { accountOfArn, allowedAccountIds, assumedRoleArns, awsProviders, isDefaultProvider } from "./providerProps";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "./awsServiceAccounts";
import {
    accountList,
    accountOfPrincipal,
    policiesIn,
    principalsOf,
    providerAccounts,
    RESOURCE_POLICY_HOLDERS,
} from "./resourcePolicies";
import { asArray, isRecord, ofType, prop, reportOn, stackRule, stringList, UNKNOWN } from "./util";

/** Which AWS accounts a stack may touch (house rules). */

export const providerAllowedAccounts = stackRule(
    {
        name: "provider-allowed-accounts",
        passes: "every AWS provider (explicit or referenced) has a non-empty `allowedAccountIds`",
        description:
            "Every AWS provider pins `allowedAccountIds`, so credentials for the wrong account make the deployment fail instead of changing that account (provider inputs are read as JSON strings or objects).",
        remediation: "Set allowedAccountIds: [<the environment's account id>] on the stack's aws.Provider.",
    },
    (args, report) => {
        const providers = awsProviders(args.resources);
        if (providers.length === 0) args.notApplicable("No AWS provider in the stack.");
        for (const provider of providers) {
            const ids = allowedAccountIds(provider);
            if (ids === UNKNOWN) continue;
            if (ids.length === 0)
                report(`AWS provider "${provider.name}" does not set allowedAccountIds.`, provider.urn);
        }
    },
);

export const prodAccountPin = stackRule(
    {
        name: "prod-account-pin",
        passes: "with `prodAccountId` configured, every AWS provider's `allowedAccountIds` is exactly [prodAccountId] and every `assumeRoles` role ARN is in that account",
        description:
            "In prod (the pack config sets `prodAccountId`), every AWS provider's `allowedAccountIds` is exactly the prod account and every role it assumes lives in that account, so a prod stack cannot deploy anywhere else. Not applicable when `prodAccountId` is not configured (dev and staging).",
        remediation: "Set the provider's allowedAccountIds to [prodAccountId] and assume a role of the prod account.",
        configSchema: {
            properties: {
                prodAccountId: {
                    type: "string",
                    pattern: "^[0-9]{12}$",
                    description: "The prod AWS account id (set in policy/config/prod.json only).",
                },
            },
        },
    },
    (args, report) => {
        const prod = args.getConfig<{ prodAccountId?: string }>().prodAccountId;
        if (!prod) args.notApplicable("prodAccountId is not configured: not a prod stack.");
        for (const provider of awsProviders(args.resources)) {
            const ids = allowedAccountIds(provider);
            if (ids !== UNKNOWN && !(ids.length === 1 && ids[0] === prod)) {
                report(
                    `AWS provider "${provider.name}" allows ${ids.length ? ids.join(", ") : "any account"}; a prod stack must allow exactly ${prod}.`,
                    provider.urn,
                );
            }
            const roles = assumedRoleArns(provider);
            if (roles === UNKNOWN) continue;
            for (const arn of roles) {
                const account = accountOfArn(arn);
                if (account !== undefined && account !== prod)
                    report(
                        `AWS provider "${provider.name}" assumes ${arn}, outside the prod account ${prod}.`,
                        provider.urn,
                    );
            }
        }
    },
);

/** Custom AWS resources (provider-managed); components and providers are not. */
function isAwsResource(r: PolicyResource): boolean {
    return r.type.startsWith("aws:");
}

export const noDefaultProvider = stackRule(
    {
        name: "no-default-provider",
        passes: "every aws:* resource names an explicit provider whose name is not `default` or `default_<version>`",
        description:
            "No AWS resource is created through the default provider (which takes whatever credentials and region the shell has): every one names the stack's explicit aws.Provider.",
        remediation:
            "Pass { provider } (or providers on the parent component) to the resource; disable default providers in Pulumi.yaml (pulumi:disable-default-providers: [aws]).",
    },
    (args, report) => {
        for (const r of args.resources.filter(isAwsResource)) {
            if (!r.provider) report(`${r.type} "${r.name}" uses the default AWS provider.`, r.urn);
            else if (isDefaultProvider(r.provider))
                report(`${r.type} "${r.name}" uses the default AWS provider "${r.provider.name}".`, r.urn);
        }
    },
);

/** Condition keys whose values are account ids a grant is limited to. */
const ACCOUNT_CONDITION_KEYS = ["aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "kms:calleraccount"];

/** Accounts named in a statement's condition on one of ACCOUNT_CONDITION_KEYS (any positive operator). */
function conditionAccounts(condition: unknown): string[] {
    if (!isRecord(condition)) return [];
    const out: string[] = [];
    for (const [operator, block] of Object.entries(condition)) {
        if (/Not/.test(operator) || !isRecord(block)) continue;
        for (const [key, value] of Object.entries(block))
            if (ACCOUNT_CONDITION_KEYS.includes(key.toLowerCase()))
                out.push(
                    ...asArray(value)
                        .map(String)
                        .filter((v) => /^\d{12}$/.test(v)),
                );
    }
    return out;
}

const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";
const S3_HOLDERS = ["aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucket:Bucket"];

export const resourcePolicyKnownAccounts = stackRule(
    {
        name: "resource-policy-known-accounts",
        description: `Resource-based policies grant only to known accounts: every account an Allow statement names (an AWS principal that is an account id or an IAM/STS ARN, or an aws:PrincipalAccount, aws:SourceAccount, aws:SourceOwner or kms:CallerAccount condition value) and every account a lambda.Permission names (principal or sourceAccount) is one of the pack config's \`knownAccountIds\` (the environments' accounts and the tooling account) or an account the stack's providers are pinned to (\`allowedAccountIds\`). In S3 bucket policies the Elastic Load Balancing log-delivery account of each region (AWS's published table) is also accepted. Service principals, federated principals and \`"*"\` (judged by the *-no-public-policy rules) pass. Holders: ${RESOURCE_POLICY_HOLDERS.map(
            (x) => x.type.split(":")[2],
        )
            .filter((v, i, a) => a.indexOf(v) === i)
            .join(", ")}, and lambda.Permission.`,
        remediation:
            "Grant to an account of the organisation's environments, or add that account to knownAccountIds in policy/enforcement.ts if it is one.",
        configSchema: {
            properties: {
                knownAccountIds: stringList(
                    "Accounts resource policies may name besides the stack's own (the environments' and the tooling account).",
                    [],
                ),
            },
        },
    },
    (args, report) => {
        const known = new Set([
            ...accountList(args.getConfig<{ knownAccountIds?: unknown }>().knownAccountIds),
            ...providerAccounts(args.resources),
        ]);
        const elb = new Set(Object.values(ELB_LOG_DELIVERY_ACCOUNTS));
        for (const { resource, holder, statements } of policiesIn(args.resources, RESOURCE_POLICY_HOLDERS)) {
            for (const s of statements ?? []) {
                if (s.effect !== "Allow") continue;
                const named = [
                    ...principalsOf(s.principal).aws.map(accountOfPrincipal),
                    ...conditionAccounts(s.condition),
                ].filter((a): a is string => a !== undefined);
                const unknown = [...new Set(named)].filter(
                    (a) => !known.has(a) && !(S3_HOLDERS.includes(holder.type) && elb.has(a)),
                );
                if (unknown.length)
                    reportOn(
                        report,
                        resource,
                        `grants ${s.actions.join(", ") || "actions"} to account(s) ${unknown.join(", ")}, outside the known accounts (${[...known].join(", ") || "none configured"}).`,
                    );
            }
        }
        for (const permission of ofType(args.resources, LAMBDA_PERMISSION)) {
            const named = [prop(permission, "principal"), prop(permission, "sourceAccount")]
                .filter((v): v is string => typeof v === "string")
                .map(accountOfPrincipal)
                .filter((a): a is string => a !== undefined && !known.has(a));
            if (named.length)
                reportOn(
                    report,
                    permission,
                    `lets account(s) ${[...new Set(named)].join(", ")} invoke the function, outside the known accounts (${[...known].join(", ") || "none configured"}).`,
                );
        }
    },
);

export const accountsPolicies = [
    providerAllowedAccounts,
    prodAccountPin,
    noDefaultProvider,
    resourcePolicyKnownAccounts,
];
