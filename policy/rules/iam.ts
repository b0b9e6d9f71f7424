import * as aws from "@pulumi/aws";
import { type ReportViolation, type ResourceValidation } from "@pulumi/policy";
import { noPublicPolicyRule } from "./resourcePolicies";
import { resourceRule, type Statement, statementsOf, validateResourceOfType } from "./util";

/** IAM policies and attachments (FSBP IAM.1, IAM.21). */

/** Runs `check` on the statements of every IAM policy document: managed policies, inline role/user/group policies and a role's inline policies. */
function eachDocument(
    check: (statements: Statement[], where: string, report: ReportViolation) => void,
): ResourceValidation[] {
    const run = (document: unknown, where: string, report: ReportViolation) => {
        if (document === undefined || document === "") return;
        const statements = statementsOf(document);
        if (!statements) report(`${where} is not a JSON policy document, so it cannot be checked.`);
        else check(statements, where, report);
    };
    return [
        validateResourceOfType(aws.iam.Policy, (p, _args, report) => run(p.policy, "The policy", report)),
        validateResourceOfType(aws.iam.RolePolicy, (p, _args, report) => run(p.policy, "The role policy", report)),
        validateResourceOfType(aws.iam.UserPolicy, (p, _args, report) => run(p.policy, "The user policy", report)),
        validateResourceOfType(aws.iam.GroupPolicy, (p, _args, report) => run(p.policy, "The group policy", report)),
        validateResourceOfType(aws.iam.Role, (role, _args, report) => {
            for (const inline of role.inlinePolicies ?? [])
                run(inline.policy, `Inline policy ${JSON.stringify(inline.name ?? "")}`, report);
        }),
    ];
}

const isAllow = (s: Statement) => s.effect === "Allow";

export const iamNoAdminWildcard = resourceRule(
    {
        name: "iam-no-admin-wildcard",
        passes: "no Allow statement has Action `*` or `*:*`, or a NotAction, together with Resource `*` (policies, inline role/user/group policies, a role's inlinePolicies)",
        control: "IAM.1",
        description:
            'IAM policies never allow `Action: "*"` (or a NotAction) on `Resource: "*"`: full administrative privileges break least privilege.',
        remediation: "List the actions and resources the principal needs.",
    },
    eachDocument((statements, where, report) => {
        for (const s of statements.filter(isAllow)) {
            const allActions = s.actions.some((a) => a === "*" || a === "*:*") || s.notActions.length > 0;
            if (allActions && s.resources.includes("*"))
                report(
                    `${where} allows ${s.notActions.length ? `everything but ${s.notActions.join(", ")}` : '"*"'} on Resource "*".`,
                );
        }
    }),
);

export const iamNoServiceWildcard = resourceRule(
    {
        name: "iam-no-service-wildcard",
        passes: "no Allow statement lists an action of the form `<service>:*`",
        control: "IAM.21",
        description:
            "IAM policies do not allow whole-service wildcards such as `s3:*` or `dynamodb:*`; name the actions needed.",
        remediation: 'Replace "service:*" by the specific actions.',
    },
    eachDocument((statements, where, report) => {
        for (const s of statements.filter(isAllow)) {
            const wildcards = s.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a));
            if (wildcards.length) report(`${where} allows ${wildcards.join(", ")}.`);
        }
    }),
);

const ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

function adminPolicy(arn: string | undefined): string | undefined {
    if (!arn) return undefined;
    return ADMIN_POLICIES.find((name) => arn.endsWith(`:policy/${name}`));
}

export const iamNoManagedAdmin = resourceRule(
    {
        name: "iam-no-managed-admin",
        description:
            "No role, user or group gets the AWS managed AdministratorAccess, PowerUserAccess or IAMFullAccess policies, however attached: RolePolicyAttachment, UserPolicyAttachment, GroupPolicyAttachment, PolicyAttachment (roles, users and groups at once), the Role/User/GroupPolicyAttachmentsExclusive `policyArns`, or a role's `managedPolicyArns`. Passes when none of those names one of the three policies.",
        remediation: "Attach a policy that grants only what the workload needs.",
    },
    [
        validateResourceOfType(aws.iam.RolePolicyAttachment, (a, _args, report) => {
            const admin = adminPolicy(a.policyArn);
            if (admin) report(`${admin} is attached to a role.`);
        }),
        validateResourceOfType(aws.iam.UserPolicyAttachment, (a, _args, report) => {
            const admin = adminPolicy(a.policyArn);
            if (admin) report(`${admin} is attached to a user.`);
        }),
        validateResourceOfType(aws.iam.GroupPolicyAttachment, (a, _args, report) => {
            const admin = adminPolicy(a.policyArn);
            if (admin) report(`${admin} is attached to a group.`);
        }),
        validateResourceOfType(aws.iam.PolicyAttachment, (a, _args, report) => {
            const admin = adminPolicy(a.policyArn);
            if (!admin) return;
            const to = [
                ...(a.roles ?? []).map((r) => `role ${r}`),
                ...(a.users ?? []).map((u) => `user ${u}`),
                ...(a.groups ?? []).map((g) => `group ${g}`),
            ];
            report(`${admin} is attached (PolicyAttachment) to ${to.join(", ") || "principals"}.`);
        }),
        validateResourceOfType(aws.iam.RolePolicyAttachmentsExclusive, (a, _args, report) => {
            for (const arn of a.policyArns ?? []) {
                const admin = adminPolicy(arn);
                if (admin) report(`${admin} is in role ${a.roleName}'s exclusive policyArns.`);
            }
        }),
        validateResourceOfType(aws.iam.UserPolicyAttachmentsExclusive, (a, _args, report) => {
            for (const arn of a.policyArns ?? []) {
                const admin = adminPolicy(arn);
                if (admin) report(`${admin} is in user ${a.userName}'s exclusive policyArns.`);
            }
        }),
        validateResourceOfType(aws.iam.GroupPolicyAttachmentsExclusive, (a, _args, report) => {
            for (const arn of a.policyArns ?? []) {
                const admin = adminPolicy(arn);
                if (admin) report(`${admin} is in group ${a.groupName}'s exclusive policyArns.`);
            }
        }),
        validateResourceOfType(aws.iam.Role, (role, _args, report) => {
            for (const arn of role.managedPolicyArns ?? []) {
                const admin = adminPolicy(arn);
                if (admin) report(`${admin} is in the role's managedPolicyArns.`);
            }
        }),
    ],
);

export const iamTrustNotPublic = noPublicPolicyRule({
    name: "iam-trust-not-public",
    service: "iam",
    what: "IAM role trust policies",
});

export const iamPolicies = [iamNoAdminWildcard, iamNoServiceWildcard, iamNoManagedAdmin, iamTrustNotPublic];
