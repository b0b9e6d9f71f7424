import type { PolicyResource } from "@pulumi/policy";
import { accountOfArn, allowedAccountIds, assumedRoleArns, awsProviders, isDefaultProvider } from "./providerProps";
import { stackRule, UNKNOWN } from "./util";

/** Which AWS accounts a stack may touch (house rules). */

export const providerAllowedAccounts = stackRule(
    {
        name: "provider-allowed-accounts",
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

export const accountsPolicies = [providerAllowedAccounts, prodAccountPin, noDefaultProvider];
