import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iamPolicy";
import { type CiPermissionsScope, deployStatements, guardrailStatements, previewStatements } from "./ciPermissions";
import {
    deploySubjects,
    deployTrustStatements,
    GITHUB_OIDC_HOST,
    GITHUB_OIDC_URL,
    GITHUB_REPOSITORY,
    previewTrustStatements,
    STS_AUDIENCE,
} from "./githubTrust";

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
    /** Maximum session length of both roles, in hours (1–12). @default 1 */
    readonly maxSessionHours?: number;
    /**
     * Build roles of a tooling account's DeliveryPipeline: its preview build may assume the preview role,
     * this environment's deploy build the deploy role. @default none
     */
    readonly pipelineRoles?: { readonly preview?: string; readonly deploy?: string };
    /** Pulumi state bucket and key in this account, which both roles need. */
    readonly state?: CiPermissionsScope["state"];
}

/**
 * What GitHub Actions needs in one account, without a long-lived key: the GitHub OIDC identity provider,
 * a read-only `preview` role any job of the repository may assume, and a `deploy` role only the
 * repository's GitHub environment (and main, in dev) may assume, allowed to manage exactly what the
 * program manages.
 */
export class GitHubCiAccess extends pulumi.ComponentResource {
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly previewRole: aws.iam.Role;
    readonly deployRole: aws.iam.Role;

    constructor(name: string, args: GitHubCiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:delivery:GitHubCiAccess", name, {}, opts);
        const parent = this;
        if (!GITHUB_REPOSITORY.test(args.repository))
            throw new Error(`${name}: repository "${args.repository}" must be owner/name`);
        const deployRoleName = args.deployRoleName ?? "voteapp-deploy";
        const previewRoleName = args.previewRoleName ?? "voteapp-preview";
        const roleArn = (roleName: string) => `arn:${args.partition}:iam::${args.accountId}:role/${roleName}`;
        const maxSessionDuration = (args.maxSessionHours ?? 1) * 3600;

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
        };
        const trust = { oidcProviderArn: this.oidcProviderArn, partition: args.partition, accountId: args.accountId };

        this.previewRole = new aws.iam.Role(
            `${name}-preview`,
            {
                name: previewRoleName,
                description: `GitHub Actions of ${args.repository}: read-only pulumi preview of ${args.environment}`,
                maxSessionDuration,
                assumeRolePolicy: policyDocument(
                    `${previewRoleName} trust`,
                    previewTrustStatements({
                        ...trust,
                        roleName: previewRoleName,
                        repository: args.repository,
                        pipelineRoleArn: args.pipelineRoles?.preview,
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
                policy: policyDocument(`${previewRoleName} policy`, previewStatements(scope, roleArn(previewRoleName))),
            },
            { parent },
        );

        this.deployRole = new aws.iam.Role(
            `${name}-deploy`,
            {
                name: deployRoleName,
                description: `GitHub Actions of ${args.repository}, environment ${args.githubEnvironment}: pulumi up of ${args.environment}`,
                maxSessionDuration,
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
                policy: policyDocument(`${deployRoleName} policy`, deployStatements(scope, roleArn(deployRoleName))),
            },
            { parent },
        );

        const guardrails = new aws.iam.Policy(
            `${name}-guardrails`,
            {
                description: "Denies CI roles long-lived identities and changes to the CI roles and GitHub trust",
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
