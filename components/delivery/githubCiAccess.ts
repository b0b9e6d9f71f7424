import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iamPolicy";
import {
    type CiPermissionsScope,
    deployIamAndStateStatements,
    deployServiceStatements,
    guardrailStatements,
    previewStatements,
    workloadBoundaryStatements,
} from "./ciPermissions";
import { DEPLOY_SESSION_SECONDS, PREVIEW_SESSION_SECONDS } from "./ciSessions";
import {
    deploySubjects,
    deployTrustStatements,
    GITHUB_OIDC_HOST,
    GITHUB_OIDC_URL,
    GITHUB_REPOSITORY,
    previewTrustStatements,
    STS_AUDIENCE,
} from "./githubTrust";
import { ciGuardrailsName, deployIamPolicyName, workloadBoundaryName } from "./workloadRoles";

export interface GitHubCiAccessArgs {
    /**
     * The repository whose workflows may assume the roles.
     * @example "example-org/voteapp-infra"
     */
    readonly repository: string;
    /** GitHub environment whose jobs may deploy (its protection rules are the approval gate). */
    readonly githubEnvironment: string;
    /**
     * Also let jobs on `main` without an environment deploy (dev only: staging and prod deploy only
     * through their environment's approvals).
     * @default false
     */
    readonly allowMainBranch?: boolean;
    /**
     * GitHub environments whose deploy jobs pull this account's images with its preview role, to promote them to
     * their own account (the next environment in the deploy order). None: the preview role trusts no promotion.
     * @default []
     */
    readonly promotedTo?: readonly string[];
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
    /** The main program's project name (tag and name prefix of what it creates). @example "voteapp" */
    readonly project: string;
    /** Environment name (ECR repositories `<project>-<environment>/*`). */
    readonly environment: string;
    /** @default "voteapp-deploy" */
    readonly deployRoleName?: string;
    /** @default "voteapp-preview" */
    readonly previewRoleName?: string;
    /**
     * Create the account's GitHub OIDC provider; false when the account already has one (an account
     * holds one provider per URL), which is then referenced by its ARN.
     * @default true
     */
    readonly createOidcProvider?: boolean;
    /**
     * Let pull requests of the repository assume the preview role, which then reads and decrypts the state
     * (a preview needs both). Only for an account whose secrets unreviewed code may see: dev.
     * @default false
     */
    readonly pullRequestPreviews?: boolean;
    /**
     * Build roles of a tooling account's DeliveryPipeline: its preview build may assume the preview role,
     * this environment's deploy build the deploy role. @default none
     */
    readonly pipelineRoles?: { readonly preview?: string; readonly deploy?: string };
    /** Pulumi state bucket, key and alias in this account. */
    readonly state?: CiPermissionsScope["state"];
    /** The account's image registry key and alias (the bootstrap's): no CI role may change them or the repositories. */
    readonly registry?: CiPermissionsScope["registry"];
}

/**
 * What GitHub Actions needs in one account, without a long-lived key: the GitHub OIDC identity provider,
 * a read-only `preview` role (pull requests, where allowed, and the deploy workflow's promotion pulls),
 * a `deploy` role only the deploy workflow on main in the repository's GitHub environment may assume,
 * the permissions boundary every role the deploy role creates must carry, and the guardrails both CI
 * roles carry.
 */
export class GitHubCiAccess extends pulumi.ComponentResource {
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly previewRole: aws.iam.Role;
    readonly deployRole: aws.iam.Role;
    /** The permissions boundary every role the deploy role creates carries. */
    readonly workloadBoundary: aws.iam.Policy;

    constructor(name: string, args: GitHubCiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:delivery:GitHubCiAccess", name, {}, opts);
        const parent = this;
        if (!GITHUB_REPOSITORY.test(args.repository))
            throw new Error(`${name}: repository "${args.repository}" must be owner/name`);
        const deployRoleName = args.deployRoleName ?? "voteapp-deploy";
        const previewRoleName = args.previewRoleName ?? "voteapp-preview";
        const roleArn = (roleName: string) => `arn:${args.partition}:iam::${args.accountId}:role/${roleName}`;

        this.oidcProviderArn =
            args.createOidcProvider === false
                ? pulumi.output(`arn:${args.partition}:iam::${args.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`)
                : new aws.iam.OpenIdConnectProvider(
                      `${name}-github`,
                      { url: GITHUB_OIDC_URL, clientIdLists: [STS_AUDIENCE] },
                      { parent },
                  ).arn;

        const scope: CiPermissionsScope = {
            partition: args.partition,
            accountId: args.accountId,
            region: args.region,
            project: args.project,
            environment: args.environment,
            ciRoleArns: [roleArn(deployRoleName), roleArn(previewRoleName)],
            oidcProviderArn: this.oidcProviderArn,
            state: args.state,
            registry: args.registry,
        };
        const trust = {
            oidcProviderArn: this.oidcProviderArn,
            partition: args.partition,
            accountId: args.accountId,
            repository: args.repository,
        };
        const pullRequestPreviews = args.pullRequestPreviews ?? false;

        // Fixed names: the guardrails deny changes to both by ARN, and the stacks name the boundary on every role.
        this.workloadBoundary = new aws.iam.Policy(
            `${name}-workload-boundary`,
            {
                name: workloadBoundaryName(args.project),
                description: `Permissions boundary of every role the ${args.project} deploy role creates`,
                policy: policyDocument(`${name} workload boundary`, workloadBoundaryStatements(scope)),
            },
            { parent },
        );

        this.previewRole = new aws.iam.Role(
            `${name}-preview`,
            {
                name: previewRoleName,
                description: `GitHub Actions of ${args.repository}: read-only ${pullRequestPreviews ? "pulumi preview and " : ""}image pulls of ${args.environment}`,
                maxSessionDuration: PREVIEW_SESSION_SECONDS,
                assumeRolePolicy: policyDocument(
                    `${previewRoleName} trust`,
                    previewTrustStatements({
                        ...trust,
                        roleName: previewRoleName,
                        pipelineRoleArn: args.pipelineRoles?.preview,
                        pullRequests: pullRequestPreviews,
                        promotedTo: args.promotedTo ?? [],
                    }),
                ),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-preview`,
            {
                role: this.previewRole.id,
                name: "preview",
                policy: policyDocument(
                    `${previewRoleName} policy`,
                    previewStatements(scope, { readsState: pullRequestPreviews }),
                ),
            },
            { parent },
        );

        this.deployRole = new aws.iam.Role(
            `${name}-deploy`,
            {
                name: deployRoleName,
                description: `GitHub Actions of ${args.repository}, environment ${args.githubEnvironment}: pulumi up of ${args.environment}`,
                maxSessionDuration: DEPLOY_SESSION_SECONDS,
                assumeRolePolicy: policyDocument(
                    `${deployRoleName} trust`,
                    deployTrustStatements({
                        ...trust,
                        roleName: deployRoleName,
                        pipelineRoleArn: args.pipelineRoles?.deploy,
                        subjects: deploySubjects(
                            args.repository,
                            args.githubEnvironment,
                            args.allowMainBranch ?? false,
                        ),
                    }),
                ),
            },
            { parent },
        );
        // Managed policies hold 6144 characters, inline role policies 10240: the deploy statements need the latter.
        new aws.iam.RolePolicy(
            `${name}-deploy`,
            {
                role: this.deployRole.id,
                name: "deploy",
                policy: policyDocument(`${deployRoleName} policy`, deployServiceStatements(scope)),
            },
            { parent },
        );
        const deployIam = new aws.iam.Policy(
            `${name}-deploy-iam`,
            {
                name: deployIamPolicyName(args.project),
                description: `IAM (bounded roles on /${args.project}/), buckets and the state for ${deployRoleName}`,
                policy: policyDocument(`${deployRoleName} IAM and state policy`, deployIamAndStateStatements(scope)),
            },
            { parent },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-deploy-iam`,
            { role: this.deployRole.name, policyArn: deployIam.arn },
            { parent },
        );

        const guardrails = new aws.iam.Policy(
            `${name}-guardrails`,
            {
                name: ciGuardrailsName(args.project),
                description:
                    "Denies CI roles long-lived identities, changes to the CI roles, boundary, guardrails and GitHub trust, roles without the boundary, switching off audit, and changes to the state backend",
                policy: policyDocument(`${name} guardrails`, guardrailStatements(scope)),
            },
            { parent },
        );
        for (const [kind, role] of [
            ["preview", this.previewRole],
            ["deploy", this.deployRole],
        ] as const) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${kind}-guardrails`,
                { role: role.name, policyArn: guardrails.arn },
                { parent },
            );
        }

        this.registerOutputs({
            oidcProviderArn: this.oidcProviderArn,
            previewRoleArn: this.previewRole.arn,
            deployRoleArn: this.deployRole.arn,
        });
    }
}
