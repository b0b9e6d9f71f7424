import * as assert from "assert";
import { mockResourceOutputs } from "../../plan/mockOutputs";
import type { StackRun } from "../../plan/stackRun";
import { readOncePerKey } from "../support/sharedReads";
import {
    decide,
    decideAssume,
    type Decision,
    type IamRequest,
    type RoleDocuments,
    roleNamed,
    withBoundary,
} from "../support/iamSimulation";
import { named, ofType, single } from "../support/stacks";
import { bootstrapRun } from "./support";

/**
 * Escalation attempts (issue 12): every path from "code running in a CI job" to more than its job, tried
 * against the real documents the bootstrap creates (trust, inline and managed policies, the workload
 * boundary) through the IAM simulator, each expected denied, next to the legitimate actions the same
 * roles must keep (so no proof is vacuous). Accounts and names are the shipped bootstrap stacks'.
 */
const REPO = "example-org/voteapp-infra";
const REGION = "eu-west-1";
const ACCOUNTS = { dev: "111111111111", staging: "222222222222", prod: "333333333333" } as const;
type Env = keyof typeof ACCOUNTS;
const GITHUB = "token.actions.githubusercontent.com";
const DEPLOY_WORKFLOW = `${REPO}/.github/workflows/deploy-environment.yml@refs/heads/main`;

const iam = (env: Env, resource: string) => `arn:aws:iam::${ACCOUNTS[env]}:${resource}`;
const inRegion = { "aws:RequestedRegion": REGION };
const global = { "aws:RequestedRegion": "us-east-1" };
const boundaryArn = (env: Env) => iam(env, "policy/voteapp-workload-boundary");
const guardrailsArn = (env: Env) => iam(env, "policy/voteapp-ci-guardrails");

interface Accounts {
    readonly run: StackRun;
    readonly deploy: RoleDocuments;
    readonly preview: RoleDocuments;
    /** A role the deploy role created, carrying the boundary, with AdministratorAccess attached: the worst it can make. */
    readonly workloadAdmin: RoleDocuments;
    readonly stateBucketArn: string;
    readonly stateKeyArn: string;
    /** The state key's own policy: KMS honours IAM policies only where the key policy lets the account. */
    readonly stateKeyPolicy: IamRequest["resourcePolicy"];
    /** The state bucket's server access log bucket (the record of who touched the state). */
    readonly stateAccessLogBucketArn: string;
    /** The bootstrap's image registry: one repository, its KMS key, the key's policy and alias. */
    readonly repositoryArn: string;
    readonly imagesKeyArn: string;
    readonly imagesKeyPolicy: IamRequest["resourcePolicy"];
    readonly imagesKeyAliasArn: string;
}

/**
 * Each account's roles and resources, worked out once per file: some 250 tests read them, and fresh documents on
 * every read made the simulation harness validate and index the deploy role's policies again for each request
 * (its index is kept per document object). Frozen, so no test can change what another reads.
 */
const account = readOncePerKey(accountOf);

async function accountOf(env: Env): Promise<Accounts> {
    const run = await bootstrapRun(env);
    const deploy = roleNamed(run, "voteapp-deploy");
    const preview = roleNamed(run, "voteapp-preview");
    const boundaryResource = single(run, "aws:iam/policy:Policy", "workload-boundary");
    const boundary = { name: boundaryArn(env), policy: JSON.parse(String(boundaryResource.inputs.policy)) };
    const workloadAdmin: RoleDocuments = withBoundary(
        {
            logicalName: "created-by-deploy",
            roleName: "created-by-deploy",
            arn: iam(env, "role/voteapp/created-by-deploy"),
            accountId: ACCOUNTS[env],
            trust: { Version: "2012-10-17", Statement: [] },
            identityPolicies: [
                {
                    name: "AdministratorAccess",
                    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
                },
            ],
            permissionsBoundaryArn: boundaryArn(env),
            unresolvedPolicyArns: [],
        },
        boundary,
    );
    const ctx = { region: REGION, accountId: ACCOUNTS[env] };
    const repository = ofType(run, "aws:ecr/repository:Repository").find((r) => /\/vote$/.test(String(r.inputs.name)));
    assert.ok(repository, "the bootstrap creates the vote repository");
    // The state bucket and key by name: the bootstrap also creates their access log bucket and the image registry key.
    const arnOf = (type: string, name?: string) => {
        const r = name ? named(run, type, name) : single(run, type);
        return String(mockResourceOutputs(r.type, r.name, r.inputs, ctx).state.arn);
    };
    return {
        run,
        deploy,
        preview,
        workloadAdmin,
        stateBucketArn: arnOf("aws:s3/bucket:Bucket", "state-bucket"),
        stateKeyArn: arnOf("aws:kms/key:Key", "state-key"),
        stateKeyPolicy: JSON.parse(String(named(run, "aws:kms/key:Key", "state-key").inputs.policy)),
        stateAccessLogBucketArn: arnOf("aws:s3/bucket:Bucket", "state-bucket-access-logs"),
        repositoryArn: String(mockResourceOutputs(repository.type, repository.name, repository.inputs, ctx).state.arn),
        imagesKeyArn: arnOf("aws:kms/key:Key", "images-key"),
        imagesKeyPolicy: JSON.parse(String(named(run, "aws:kms/key:Key", "images-key").inputs.policy)),
        imagesKeyAliasArn: `arn:aws:kms:${REGION}:${ACCOUNTS[env]}:${String(named(run, "aws:kms/alias:Alias", "images-key").inputs.name)}`,
    };
}

const denied = (d: Decision) => d !== "Allowed";

interface Attempt {
    readonly path: string;
    readonly who: "deploy" | "preview" | "workloadAdmin";
    readonly request: (a: Accounts, env: Env) => IamRequest;
}

/** Each an escalation or a guardrail switched off: every one must be denied, in every account. */
const ATTEMPTS: readonly Attempt[] = [
    // 12.1: the tag chain of the issue, step by step.
    {
        path: "12.1 tag the guardrail policy with project=voteapp",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:TagPolicy",
            resource: guardrailsArn(env),
            context: { ...global, "aws:RequestTag/project": "voteapp", "aws:TagKeys": ["project"] },
        }),
    },
    {
        path: "12.1 publish an empty default version of the guardrails",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:CreatePolicyVersion",
            resource: guardrailsArn(env),
            context: { ...global, "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "12.1 make an older guardrails version the default",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:SetDefaultPolicyVersion",
            resource: guardrailsArn(env),
            context: global,
        }),
    },
    {
        path: "12.1 rewrite the workload boundary",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:CreatePolicyVersion",
            resource: boundaryArn(env),
            context: { ...global, "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "12.1 delete the workload boundary",
        who: "deploy",
        request: (_a, env) => ({ action: "iam:DeletePolicy", resource: boundaryArn(env), context: global }),
    },
    {
        path: "12.1 tag the deploy role itself with project=voteapp",
        who: "deploy",
        request: (a) => ({
            action: "iam:TagRole",
            resource: a.deploy.arn,
            context: { ...global, "aws:RequestTag/project": "voteapp", "aws:TagKeys": ["project"] },
        }),
    },
    {
        path: "12.1 put *:* on the deploy role itself (even once tagged)",
        who: "deploy",
        request: (a) => ({
            action: "iam:PutRolePolicy",
            resource: a.deploy.arn,
            context: { ...global, "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "12.1 tag someone else's admin role with project=voteapp",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:TagRole",
            resource: iam(env, "role/OrganizationAccountAccessRole"),
            context: { ...global, "aws:RequestTag/project": "voteapp", "aws:TagKeys": ["project"] },
        }),
    },
    {
        path: "12.1 a project tag on an admin role widens nothing: put a policy on it",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:PutRolePolicy",
            resource: iam(env, "role/OrganizationAccountAccessRole"),
            context: { ...global, "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "12.1 create a role without a boundary",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:CreateRole",
            resource: iam(env, "role/voteapp/unbounded"),
            context: { ...global, "aws:RequestTag/project": "voteapp", "aws:TagKeys": ["project"] },
        }),
    },
    {
        path: "12.1 create a role bounded by AdministratorAccess",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:CreateRole",
            resource: iam(env, "role/voteapp/admin-bounded"),
            context: { ...global, "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
        }),
    },
    {
        path: "12.1 create a bounded role off the program's path",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:CreateRole",
            resource: iam(env, "role/elsewhere"),
            context: { ...global, "iam:PermissionsBoundary": boundaryArn(env) },
        }),
    },
    {
        path: "12.1 swap a workload role's boundary for AdministratorAccess",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:PutRolePermissionsBoundary",
            resource: iam(env, "role/voteapp/vote-task"),
            context: { ...global, "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
        }),
    },
    {
        path: "12.1 remove a workload role's boundary",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:DeleteRolePermissionsBoundary",
            resource: iam(env, "role/voteapp/vote-task"),
            context: { ...global, "iam:PermissionsBoundary": boundaryArn(env) },
        }),
    },
    {
        path: "classic: attach AdministratorAccess to a role the deploy role manages",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:AttachRolePolicy",
            resource: iam(env, "role/voteapp/vote-task"),
            context: {
                ...global,
                "iam:PermissionsBoundary": boundaryArn(env),
                "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
        }),
    },
    {
        path: "classic: attach a customer managed policy of the account",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:AttachRolePolicy",
            resource: iam(env, "role/voteapp/vote-task"),
            context: { ...global, "iam:PermissionsBoundary": boundaryArn(env), "iam:PolicyARN": guardrailsArn(env) },
        }),
    },
    {
        path: "classic: attach AdministratorAccess to the deploy role itself",
        who: "deploy",
        request: (a) => ({
            action: "iam:AttachRolePolicy",
            resource: a.deploy.arn,
            context: { ...global, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" },
        }),
    },
    {
        path: "classic: edit its own trust",
        who: "deploy",
        request: (a) => ({ action: "iam:UpdateAssumeRolePolicy", resource: a.deploy.arn, context: global }),
    },
    {
        path: "classic: edit an administrator role's trust",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:UpdateAssumeRolePolicy",
            resource: iam(env, "role/OrganizationAccountAccessRole"),
            context: { ...global, "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "classic: pass an admin role to a Lambda function",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:PassRole",
            resource: iam(env, "role/OrganizationAccountAccessRole"),
            context: { ...global, "iam:PassedToService": "lambda.amazonaws.com", "aws:ResourceTag/project": "voteapp" },
        }),
    },
    {
        path: "classic: pass the deploy role itself to a Lambda function",
        who: "deploy",
        request: (a) => ({
            action: "iam:PassRole",
            resource: a.deploy.arn,
            context: { ...global, "iam:PassedToService": "lambda.amazonaws.com" },
        }),
    },
    {
        path: "classic: create an IAM user with an access key",
        who: "deploy",
        request: (_a, env) => ({ action: "iam:CreateAccessKey", resource: iam(env, "user/ci"), context: global }),
    },
    {
        path: "classic: replace the GitHub OIDC provider's thumbprint",
        who: "deploy",
        request: (_a, env) => ({
            action: "iam:UpdateOpenIDConnectProviderThumbprint",
            resource: iam(env, "oidc-provider/token.actions.githubusercontent.com"),
            context: global,
        }),
    },
    // A role the deploy role creates is capped by the boundary, even with AdministratorAccess attached.
    {
        path: "12.1 a created role with AdministratorAccess creates an unbounded role",
        who: "workloadAdmin",
        request: (_a, env) => ({ action: "iam:CreateRole", resource: iam(env, "role/escape"), context: global }),
    },
    {
        path: "12.1 a created role with AdministratorAccess rewrites the deploy role",
        who: "workloadAdmin",
        request: (a) => ({ action: "iam:PutRolePolicy", resource: a.deploy.arn, context: global }),
    },
    {
        path: "12.1 a created role with AdministratorAccess assumes the deploy role",
        who: "workloadAdmin",
        request: (a) => ({ action: "sts:AssumeRole", resource: a.deploy.arn, context: global }),
    },
    {
        path: "12.4 a created role with AdministratorAccess stops the trail",
        who: "workloadAdmin",
        request: (_a, env) => ({
            action: "cloudtrail:StopLogging",
            resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNTS[env]}:trail/voteapp`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 a created role with AdministratorAccess rewrites the state bucket's policy",
        who: "workloadAdmin",
        request: (a) => ({ action: "s3:PutBucketPolicy", resource: a.stateBucketArn, context: inRegion }),
    },
    // 12.4: guardrails no deploy needs.
    {
        path: "12.4 stop the CloudTrail trail",
        who: "deploy",
        request: (_a, env) => ({
            action: "cloudtrail:StopLogging",
            resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNTS[env]}:trail/account-security-trail`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 delete the CloudTrail trail",
        who: "deploy",
        request: (_a, env) => ({
            action: "cloudtrail:DeleteTrail",
            resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNTS[env]}:trail/account-security-trail`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 delete the GuardDuty detector",
        who: "deploy",
        request: (_a, env) => ({
            action: "guardduty:DeleteDetector",
            resource: `arn:aws:guardduty:${REGION}:${ACCOUNTS[env]}:detector/12abc34d567e8fa901bc2d34e56789f0`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 disable Security Hub",
        who: "deploy",
        request: (_a, env) => ({
            action: "securityhub:DisableSecurityHub",
            resource: `arn:aws:securityhub:${REGION}:${ACCOUNTS[env]}:hub/default`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 turn off the account's S3 public access block",
        who: "deploy",
        request: () => ({ action: "s3:PutAccountPublicAccessBlock", resource: "*", context: inRegion }),
    },
    {
        path: "12.4 rewrite the policy of a bucket that is not the stack's",
        who: "deploy",
        request: () => ({
            action: "s3:PutBucketPolicy",
            resource: "arn:aws:s3:::someone-elses-bucket",
            context: inRegion,
        }),
    },
    {
        path: "12.4 lift the public access block of a bucket that is not the stack's",
        who: "deploy",
        request: () => ({
            action: "s3:PutBucketPublicAccessBlock",
            resource: "arn:aws:s3:::someone-elses-bucket",
            context: inRegion,
        }),
    },
    {
        path: "12.4 rewrite another environment's bucket policy",
        who: "deploy",
        request: (_a, env) => ({
            action: "s3:PutBucketPolicy",
            resource: `arn:aws:s3:::voteapp-${env === "prod" ? "dev" : "prod"}-alb-access-logs-1234567`,
            context: inRegion,
        }),
    },
    {
        path: "12.4 rewrite the state bucket's policy",
        who: "deploy",
        request: (a) => ({ action: "s3:PutBucketPolicy", resource: a.stateBucketArn, context: inRegion }),
    },
    {
        path: "12.4 lift the state bucket's public access block",
        who: "deploy",
        request: (a) => ({ action: "s3:PutBucketPublicAccessBlock", resource: a.stateBucketArn, context: inRegion }),
    },
    {
        path: "12.4 suspend versioning of the state bucket",
        who: "deploy",
        request: (a) => ({ action: "s3:PutBucketVersioning", resource: a.stateBucketArn, context: inRegion }),
    },
    {
        path: "12.4 schedule deletion of the state key",
        who: "deploy",
        request: (a) => ({
            action: "kms:ScheduleKeyDeletion",
            resource: a.stateKeyArn,
            context: inRegion,
            resourcePolicy: a.stateKeyPolicy,
        }),
    },
    {
        path: "12.4 rewrite the state key's policy",
        who: "deploy",
        request: (a) => ({
            action: "kms:PutKeyPolicy",
            resource: a.stateKeyArn,
            context: inRegion,
            resourcePolicy: a.stateKeyPolicy,
        }),
    },
    {
        path: "12.4 point the state key's alias at another key",
        who: "deploy",
        request: (_a, env) => ({
            action: "kms:UpdateAlias",
            resource: `arn:aws:kms:${REGION}:${ACCOUNTS[env]}:alias/voteapp-pulumi-state`,
            context: inRegion,
        }),
    },
    // 12.4: the image registry is the bootstrap's (the release record): the deploy role only pushes into it.
    {
        path: "12.4 delete a repository of the environment's registry",
        who: "deploy",
        request: (a) => ({ action: "ecr:DeleteRepository", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "12.4 open a registry repository to other accounts",
        who: "deploy",
        request: (a) => ({ action: "ecr:SetRepositoryPolicy", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "12.4 expire the released images with a new lifecycle policy",
        who: "deploy",
        request: (a) => ({ action: "ecr:PutLifecyclePolicy", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "12.4 delete released images",
        who: "deploy",
        request: (a) => ({ action: "ecr:BatchDeleteImage", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "12.4 make released tags mutable",
        who: "deploy",
        request: (a) => ({ action: "ecr:PutImageTagMutability", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "12.4 schedule deletion of the image registry's key",
        who: "deploy",
        request: (a) => ({
            action: "kms:ScheduleKeyDeletion",
            resource: a.imagesKeyArn,
            context: inRegion,
            resourcePolicy: a.imagesKeyPolicy,
        }),
    },
    {
        path: "12.4 rewrite the image registry key's policy",
        who: "deploy",
        request: (a) => ({
            action: "kms:PutKeyPolicy",
            resource: a.imagesKeyArn,
            context: inRegion,
            resourcePolicy: a.imagesKeyPolicy,
        }),
    },
    {
        path: "12.4 point the image registry key's alias at another key",
        who: "deploy",
        request: (a) => ({ action: "kms:UpdateAlias", resource: a.imagesKeyAliasArn, context: inRegion }),
    },
    {
        path: "12.4 a created role with AdministratorAccess deletes a registry repository",
        who: "workloadAdmin",
        request: (a) => ({ action: "ecr:DeleteRepository", resource: a.repositoryArn, context: inRegion }),
    },
    {
        path: "boundary: a created role with AdministratorAccess pulls images of another account",
        who: "workloadAdmin",
        request: () => ({
            action: "ecr:BatchGetImage",
            resource: `arn:aws:ecr:${REGION}:999999999999:repository/voteapp-prod/vote`,
            resourceAccount: "999999999999",
            context: inRegion,
            resourcePolicy: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
            },
        }),
    },
    {
        path: "12.4 delete the state bucket's access-log bucket",
        who: "deploy",
        request: (a) => ({ action: "s3:DeleteBucket", resource: a.stateAccessLogBucketArn, context: inRegion }),
    },
    {
        path: "12.4 rewrite the policy of the state bucket's access-log bucket",
        who: "deploy",
        request: (a) => ({ action: "s3:PutBucketPolicy", resource: a.stateAccessLogBucketArn, context: inRegion }),
    },
    // 12.2: the preview role changes nothing and, outside dev, never sees the state's secrets.
    {
        path: "12.2 the preview role creates a role",
        who: "preview",
        request: (_a, env) => ({
            action: "iam:CreateRole",
            resource: iam(env, "role/voteapp/x"),
            context: { ...global, "iam:PermissionsBoundary": boundaryArn(env) },
        }),
    },
    {
        path: "12.2 the preview role reads a secret's value",
        who: "preview",
        request: (_a, env) => ({
            action: "secretsmanager:GetSecretValue",
            resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNTS[env]}:secret:voteapp-redis-AbCdEf`,
            context: inRegion,
        }),
    },
];

describe("escalation attempts", function () {
    this.timeout(120_000);

    for (const env of ["dev", "staging", "prod"] as const) {
        describe(`${env} account`, () => {
            for (const attempt of ATTEMPTS) {
                it(`denied: ${attempt.path}`, async () => {
                    const a = await account(env);
                    const request = attempt.request(a, env);
                    const decision = await decide(a[attempt.who], request);
                    assert.ok(
                        denied(decision),
                        `${attempt.who} may ${request.action} on ${request.resource}: ${decision}`,
                    );
                });
            }
        });
    }

    describe("the same roles keep what a deploy needs (the denials are not vacuous)", () => {
        const allowed: readonly Attempt[] = [
            {
                path: "create a role on the program's path with the boundary",
                who: "deploy",
                request: (_a, env) => ({
                    action: "iam:CreateRole",
                    resource: iam(env, "role/voteapp/vote-task"),
                    context: { ...global, "iam:PermissionsBoundary": boundaryArn(env) },
                }),
            },
            {
                path: "put an inline policy on such a role",
                who: "deploy",
                request: (_a, env) => ({
                    action: "iam:PutRolePolicy",
                    resource: iam(env, "role/voteapp/vote-task"),
                    context: { ...global, "iam:PermissionsBoundary": boundaryArn(env) },
                }),
            },
            {
                path: "attach an AWS managed service policy to such a role",
                who: "deploy",
                request: (_a, env) => ({
                    action: "iam:AttachRolePolicy",
                    resource: iam(env, "role/voteapp/eks-node"),
                    context: {
                        ...global,
                        "iam:PermissionsBoundary": boundaryArn(env),
                        "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    },
                }),
            },
            {
                path: "update such a role's trust and tags, and delete it",
                who: "deploy",
                request: (_a, env) => ({
                    action: "iam:UpdateAssumeRolePolicy",
                    resource: iam(env, "role/voteapp/vote-task"),
                    context: global,
                }),
            },
            {
                path: "pass such a role to ECS tasks",
                who: "deploy",
                request: (_a, env) => ({
                    action: "iam:PassRole",
                    resource: iam(env, "role/voteapp/vote-task"),
                    context: { ...global, "iam:PassedToService": "ecs-tasks.amazonaws.com" },
                }),
            },
            {
                path: "create and update the trail",
                who: "deploy",
                request: (_a, env) => ({
                    action: "cloudtrail:UpdateTrail",
                    resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNTS[env]}:trail/account-security-trail`,
                    context: inRegion,
                }),
            },
            {
                path: "create the GuardDuty detector",
                who: "deploy",
                request: () => ({ action: "guardduty:CreateDetector", resource: "*", context: inRegion }),
            },
            {
                path: "schedule deletion of a stack's own key",
                who: "deploy",
                request: (a, env) => ({
                    action: "kms:ScheduleKeyDeletion",
                    resource: `arn:aws:kms:${REGION}:${ACCOUNTS[env]}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
                    context: inRegion,
                    // The stacks' keys have the same "account administers the key through IAM" statement.
                    resourcePolicy: a.stateKeyPolicy,
                }),
            },
            {
                path: "set the policy and public access block of the stack's own bucket",
                who: "deploy",
                request: (_a, env) => ({
                    action: "s3:PutBucketPolicy",
                    resource: `arn:aws:s3:::voteapp-${env}-alb-access-logs-1234567`,
                    context: inRegion,
                }),
            },
            {
                path: "write the stack's checkpoint to the state bucket",
                who: "deploy",
                request: (a) => ({
                    action: "s3:PutObject",
                    resource: `${a.stateBucketArn}/.pulumi/stacks/voteapp/prod.json`,
                    context: inRegion,
                }),
            },
            {
                path: "decrypt the stack's secrets with the state key",
                who: "deploy",
                request: (a) => ({
                    action: "kms:Decrypt",
                    resource: a.stateKeyArn,
                    context: inRegion,
                    resourcePolicy: a.stateKeyPolicy,
                }),
            },
            {
                path: "a created role (capped by the boundary) still sends to its queue",
                who: "workloadAdmin",
                request: (_a, env) => ({
                    action: "sqs:SendMessage",
                    resource: `arn:aws:sqs:${REGION}:${ACCOUNTS[env]}:voteapp-votes`,
                    context: inRegion,
                }),
            },
            {
                path: "a created role (capped by the boundary) pulls GuardDuty's Fargate agent from its AWS-owned registry",
                who: "workloadAdmin",
                request: () => ({
                    action: "ecr:BatchGetImage",
                    // GuardDuty's registry in eu-west-1 (GuardDuty User Guide, ECR repository for the Fargate agent).
                    resource: `arn:aws:ecr:${REGION}:694911143906:repository/aws-guardduty-agent-fargate`,
                    resourceAccount: "694911143906",
                    context: inRegion,
                    // That repository's own policy lets other accounts pull; only the boundary is in question here.
                    resourcePolicy: {
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
                    },
                }),
            },
            {
                path: "push an image into the environment's registry",
                who: "deploy",
                request: (a) => ({ action: "ecr:PutImage", resource: a.repositoryArn, context: inRegion }),
            },
            {
                path: "upload an image's layers into the environment's registry",
                who: "deploy",
                request: (a) => ({ action: "ecr:InitiateLayerUpload", resource: a.repositoryArn, context: inRegion }),
            },
            {
                path: "the preview role describes the cluster",
                who: "preview",
                request: (_a, env) => ({
                    action: "ecs:DescribeClusters",
                    resource: `arn:aws:ecs:${REGION}:${ACCOUNTS[env]}:cluster/voteapp`,
                    context: inRegion,
                }),
            },
        ];
        for (const env of ["dev", "prod"] as const) {
            for (const attempt of allowed) {
                it(`${env}: allowed: ${attempt.path}`, async () => {
                    const a = await account(env);
                    const request = attempt.request(a, env);
                    assert.strictEqual(await decide(a[attempt.who], request), "Allowed", `${request.action}`);
                });
            }
        }
    });

    describe("12.2 / 12.3: who may assume the CI roles", () => {
        const oidc = (env: Env) => iam(env, `oidc-provider/${GITHUB}`);
        const token = (claims: Record<string, string>) =>
            Object.fromEntries(
                Object.entries({ aud: "sts.amazonaws.com", ...claims }).map(([k, v]) => [`${GITHUB}:${k}`, v]),
            );
        const deployJob = (env: Env) => ({
            sub: `repo:${REPO}:environment:${env}`,
            environment: env,
            ref: "refs/heads/main",
            job_workflow_ref: DEPLOY_WORKFLOW,
        });
        const pullRequest = {
            sub: `repo:${REPO}:pull_request`,
            ref: "refs/pull/7/merge",
            job_workflow_ref: `${REPO}/.github/workflows/preview.yml@refs/pull/7/merge`,
        };
        const assume = (role: RoleDocuments, env: Env, claims: Record<string, string>) =>
            decideAssume(role, {
                principal: oidc(env),
                action: "sts:AssumeRoleWithWebIdentity",
                context: token(claims),
            });

        for (const env of ["dev", "staging", "prod"] as const) {
            it(`${env}: the deploy workflow on main in the ${env} environment assumes the deploy role`, async () => {
                const { deploy } = await account(env);
                assert.strictEqual(assume(deploy, env, deployJob(env)), "Allowed");
            });

            it(`${env}: the deploy role refuses the same environment from another branch, workflow or repository`, async () => {
                const { deploy } = await account(env);
                const attempts: Record<string, Record<string, string>> = {
                    "a workflow on a branch naming the environment": {
                        ...deployJob(env),
                        ref: "refs/heads/feature",
                        job_workflow_ref: `${REPO}/.github/workflows/deploy-environment.yml@refs/heads/feature`,
                    },
                    "main's deploy workflow called from a branch": { ...deployJob(env), ref: "refs/heads/feature" },
                    "another workflow on main in the environment": {
                        ...deployJob(env),
                        job_workflow_ref: `${REPO}/.github/workflows/other.yml@refs/heads/main`,
                    },
                    "a pull request": pullRequest,
                    "another environment": deployJob(env === "prod" ? "staging" : "prod"),
                    "another repository": { ...deployJob(env), sub: `repo:example-org/fork:environment:${env}` },
                    "another audience": { ...deployJob(env), aud: "https://github.com/example-org" },
                };
                for (const [what, claims] of Object.entries(attempts))
                    assert.ok(denied(assume(deploy, env, claims)), `${env} deploy role: ${what} was allowed`);
            });

            it(`${env}: no CI role may assume itself or the other (the provider names no role), nor may an app role`, async () => {
                const { deploy, preview } = await account(env);
                // Same account: the caller's identity policies (guardrails included) and the target's trust together.
                const roleAssumes = (caller: RoleDocuments, target: RoleDocuments) =>
                    decide(caller, {
                        action: "sts:AssumeRole",
                        resource: target.arn,
                        context: global,
                        resourcePolicy: target.trust,
                    });
                for (const [caller, target] of [
                    [deploy, deploy],
                    [preview, preview],
                    [preview, deploy],
                    [deploy, preview],
                ] as const)
                    assert.ok(
                        denied(await roleAssumes(caller, target)),
                        `${caller.roleName} may assume ${target.roleName}`,
                    );
                // Any other principal of the account, whatever its own policies: only the trust decides.
                const asRole = (principal: string) =>
                    decideAssume(deploy, {
                        principal,
                        action: "sts:AssumeRole",
                        context: { "aws:PrincipalArn": principal },
                    });
                assert.ok(denied(asRole(deploy.arn)), "the deploy role's trust admits its own sessions");
                assert.ok(denied(asRole(preview.arn)), "the preview role may assume the deploy role");
                assert.ok(denied(asRole(iam(env, "role/voteapp/vote-task"))), "an app role may assume the deploy role");
            });

            it(`${env}: the guardrails deny chaining into a CI role even if a later trust edit names the caller`, async () => {
                const { deploy, preview } = await account(env);
                for (const caller of [deploy, preview])
                    for (const target of [deploy, preview]) {
                        // A trust naming the caller's role ARN suffices in one account without any identity grant.
                        const naming = {
                            Version: "2012-10-17",
                            Statement: [{ Effect: "Allow", Principal: { AWS: caller.arn }, Action: "sts:AssumeRole" }],
                        };
                        assert.strictEqual(
                            await decide(caller, {
                                action: "sts:AssumeRole",
                                resource: target.arn,
                                context: global,
                                resourcePolicy: naming,
                            }),
                            "ExplicitlyDenied",
                            `${caller.roleName} -> ${target.roleName}`,
                        );
                    }
            });

            it(`${env}: neither CI role's trust names an AWS principal of its own account (GitHub's OIDC provider only)`, async () => {
                const { deploy, preview } = await account(env);
                for (const role of [deploy, preview])
                    assert.deepStrictEqual(
                        role.trust.Statement.filter((t) =>
                            JSON.stringify((t.Principal as { AWS?: unknown } | undefined)?.AWS ?? "").includes(
                                ACCOUNTS[env],
                            ),
                        ).map((t) => t.Sid),
                        [],
                        `${role.roleName}: trust statements admitting principals of account ${ACCOUNTS[env]}`,
                    );
            });
        }

        it("pull requests assume only the dev account's preview role: staging and prod previews run in the approved deploy job", async () => {
            assert.strictEqual(assume((await account("dev")).preview, "dev", pullRequest), "Allowed");
            for (const env of ["staging", "prod"] as const)
                assert.ok(denied(assume((await account(env)).preview, env, pullRequest)), `${env} preview role`);
        });

        it("the deploy workflow on main assumes the previous account's preview role to pull images for promotion", async () => {
            // staging's deploy job pulls from dev, prod's from staging.
            assert.strictEqual(assume((await account("dev")).preview, "dev", deployJob("staging")), "Allowed");
            assert.strictEqual(assume((await account("staging")).preview, "staging", deployJob("prod")), "Allowed");
            const fromBranch = { ...deployJob("prod"), ref: "refs/heads/feature" };
            assert.ok(denied(assume((await account("staging")).preview, "staging", fromBranch)));
        });

        it("only dev's preview role reads and decrypts the state: staging's and prod's cannot preview a stack with secrets", async () => {
            for (const env of ["dev", "staging", "prod"] as const) {
                const a = await account(env);
                const decrypt = await decide(a.preview, {
                    action: "kms:Decrypt",
                    resource: a.stateKeyArn,
                    context: inRegion,
                    resourcePolicy: a.stateKeyPolicy,
                });
                const read = await decide(a.preview, {
                    action: "s3:GetObject",
                    resource: `${a.stateBucketArn}/.pulumi/stacks/voteapp/${env}.json`,
                    context: inRegion,
                });
                const expected = env === "dev" ? "Allowed" : "ImplicitlyDenied";
                assert.deepStrictEqual([decrypt, read], [expected, expected], `${env} preview role`);
            }
        });
    });
});
