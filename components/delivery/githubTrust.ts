import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatementInput } from "../iamPolicy";

/**
 * Trust policies for roles assumed by GitHub Actions through OIDC. GitHub signs a token whose `sub`
 * names the repository and what the job runs for (`repo:<owner>/<repo>:environment:<env>`,
 * `...:ref:refs/heads/<branch>`, `...:pull_request`); `aud` is what configure-aws-credentials asks for.
 */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const STS_AUDIENCE = "sts.amazonaws.com";

/** `owner/name`: GitHub owners are 1–39 letters, digits or single hyphens; repositories 1–100 of [A-Za-z0-9_.-]. */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9_.-]{1,100}$/;

/** Subjects that may assume the deploy role: the repository's GitHub environment, and main only where asked. */
export function deploySubjects(repository: string, githubEnvironment: string, allowMainBranch: boolean): string[] {
    return [
        `repo:${repository}:environment:${githubEnvironment}`,
        ...(allowMainBranch ? [`repo:${repository}:ref:refs/heads/main`] : []),
    ];
}

/** The subject pattern of the preview role: any job of this one repository (branches, pull requests, environments). */
export function previewSubjectPattern(repository: string): string {
    return `repo:${repository}:*`;
}

export interface CiTrustArgs {
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly partition: string;
    readonly accountId: string;
    /** The role's own name: the provider re-assumes it from the CI session. */
    readonly roleName: string;
    /** The tooling account's DeliveryPipeline build role that may assume this role too (one per role). */
    readonly pipelineRoleArn?: string;
}

function commonStatements(args: CiTrustArgs): PolicyStatementInput[] {
    const ownArn = `arn:${args.partition}:iam::${args.accountId}:role/${args.roleName}`;
    return [
        // A role cannot name itself as principal before it exists; the account root with a condition on
        // the calling principal admits exactly this role's own sessions.
        {
            Sid: "ReassumeForProvider",
            Effect: "Allow",
            Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
            Action: "sts:AssumeRole",
            Condition: { ArnEquals: { "aws:PrincipalArn": ownArn } },
        },
        ...(args.pipelineRoleArn
            ? [
                  {
                      Sid: "DeliveryPipeline",
                      Effect: "Allow" as const,
                      Principal: { AWS: args.pipelineRoleArn },
                      Action: "sts:AssumeRole",
                  },
              ]
            : []),
    ];
}

/** Deploy role trust: only the listed subjects, exact match, with the STS audience. */
export function deployTrustStatements(
    args: CiTrustArgs & { readonly subjects: readonly string[] },
): PolicyStatementInput[] {
    if (args.subjects.some((s) => /[*?]/.test(s)))
        throw new Error(`Deploy role subjects must be exact, without wildcards: ${args.subjects.join(", ")}`);
    return [
        {
            Sid: "GitHubDeploy",
            Effect: "Allow",
            Principal: { Federated: args.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
                    [`${GITHUB_OIDC_HOST}:sub`]: [...args.subjects],
                },
            },
        },
        ...commonStatements(args),
    ];
}

/** Preview role trust: any job of this repository (including pull requests from its branches). */
export function previewTrustStatements(args: CiTrustArgs & { readonly repository: string }): PolicyStatementInput[] {
    return [
        {
            Sid: "GitHubPreview",
            Effect: "Allow",
            Principal: { Federated: args.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE },
                StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: previewSubjectPattern(args.repository) },
            },
        },
        ...commonStatements(args),
    ];
}
