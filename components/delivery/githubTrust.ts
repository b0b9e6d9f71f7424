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

/**
 * Whether pull requests (unreviewed code) may assume an account's preview role, and so read and decrypt its
 * state: only in dev. Staging and prod are previewed by the approved deploy job on main (`pulumi up` shows
 * its preview before it applies), and in pull requests by the credential-free offline plan.
 */
export const pullRequestPreviews = (tier: "dev" | "staging" | "prod"): boolean => tier === "dev";

/** The workflow whose jobs deploy: deploy.yml calls it once per environment. */
export const DEPLOY_WORKFLOW = ".github/workflows/deploy-environment.yml";
/** The workflow whose jobs preview pull requests. */
export const PREVIEW_WORKFLOW = ".github/workflows/preview.yml";
/** The only branch that deploys. */
export const DEPLOY_REF = "refs/heads/main";

/**
 * GitHub's OIDC claims that IAM evaluates as condition keys of `sts:AssumeRoleWithWebIdentity` (the IAM
 * dataset lists `job_workflow_ref`, `ref`, `environment`, `repository`... for this provider; `aud` and
 * `sub` are the standard OIDC keys). See docs.github.com, "OpenID Connect reference" (token claims).
 */
export const claim = (name: "aud" | "sub" | "job_workflow_ref" | "ref" | "environment" | "repository") =>
    `${GITHUB_OIDC_HOST}:${name}`;

/** `job_workflow_ref` of a workflow of this repository at a ref (`owner/repo/.github/workflows/x.yml@refs/heads/main`). */
export const workflowRef = (repository: string, workflow: string, ref: string): string =>
    `${repository}/${workflow}@${ref}`;

/** Subjects that may assume the deploy role: the repository's GitHub environment, and main only where asked. */
export function deploySubjects(repository: string, githubEnvironment: string, allowMainBranch: boolean): string[] {
    return [
        `repo:${repository}:environment:${githubEnvironment}`,
        ...(allowMainBranch ? [`repo:${repository}:ref:${DEPLOY_REF}`] : []),
    ];
}

export interface CiTrustArgs {
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly partition: string;
    readonly accountId: string;
    /** The role's own name. */
    readonly roleName: string;
    readonly repository: string;
    /** The tooling account's DeliveryPipeline build role that may assume this role too (one per role). */
    readonly pipelineRoleArn?: string;
}

/**
 * No principal of the role's own account is trusted (not even the role's own sessions: the program's provider
 * uses the CI session as it is and names no role), so no identity policy in the account can reach a CI role.
 */
function commonStatements(args: CiTrustArgs): PolicyStatementInput[] {
    return [
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

/** The deploy workflow on main: the pin every trust of a deploy (and of a promotion pull) carries. */
function pinnedToDeployWorkflow(repository: string): Record<string, string> {
    return {
        [claim("aud")]: STS_AUDIENCE,
        [claim("ref")]: DEPLOY_REF,
        [claim("job_workflow_ref")]: workflowRef(repository, DEPLOY_WORKFLOW, DEPLOY_REF),
    };
}

/**
 * Deploy role trust: only the listed subjects, exact match, and only jobs of the deploy workflow as it is
 * on main, started from main (`job_workflow_ref`, `ref`): a workflow on another branch that names the
 * environment cannot assume it.
 */
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
                StringEquals: { ...pinnedToDeployWorkflow(args.repository), [claim("sub")]: [...args.subjects] },
            },
        },
        ...commonStatements(args),
    ];
}

/**
 * Preview role trust. Two ways in, both from this repository only:
 * - `PullRequestPreview` (only where `pullRequests`, i.e. dev): jobs of pull requests (`sub` = `...:pull_request`),
 *   which run unreviewed code: hence only the dev account's preview role trusts them;
 * - `PromotionPull` (only where `promotedTo` names environments): jobs of the deploy workflow on main in those
 *   GitHub environments, by exact match, which pull this account's images to promote them to their own account.
 */
export function previewTrustStatements(
    args: CiTrustArgs & { readonly pullRequests: boolean; readonly promotedTo: readonly string[] },
): PolicyStatementInput[] {
    return [
        ...(args.pullRequests
            ? [
                  {
                      Sid: "PullRequestPreview",
                      Effect: "Allow" as const,
                      Principal: { Federated: args.oidcProviderArn },
                      Action: "sts:AssumeRoleWithWebIdentity",
                      Condition: {
                          StringEquals: {
                              [claim("aud")]: STS_AUDIENCE,
                              [claim("sub")]: `repo:${args.repository}:pull_request`,
                          },
                      },
                  },
              ]
            : []),
        ...(args.promotedTo.length > 0
            ? [
                  {
                      Sid: "PromotionPull",
                      Effect: "Allow" as const,
                      Principal: { Federated: args.oidcProviderArn },
                      Action: "sts:AssumeRoleWithWebIdentity",
                      Condition: {
                          StringEquals: {
                              ...pinnedToDeployWorkflow(args.repository),
                              [claim("sub")]: args.promotedTo.map(
                                  (environment) => `repo:${args.repository}:environment:${environment}`,
                              ),
                          },
                      },
                  },
              ]
            : []),
        ...commonStatements(args),
    ];
}
