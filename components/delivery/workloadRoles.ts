/**
 * The one agreement between the bootstrap (which creates the CI roles, the permissions boundary and the
 * guardrails) and the main program (which creates the app's roles with the deploy role): where the app's
 * roles live, which boundary they carry, and the fixed names of the policies no CI role may touch. Both
 * sides derive every name and ARN from here, so a rename on one side cannot leave the other behind.
 */

/** Where the roles the main program creates are, and the boundary every one of them carries. */
export interface WorkloadRoleScope {
    /** IAM path of every role the program creates (`/<project>/`): the deploy role may change roles only there. */
    readonly path: string;
    /** ARN of the permissions boundary every role the program creates must carry. */
    readonly permissionsBoundaryArn: string;
}

/** IAM path of the program's roles: `/<project>/`. */
export const workloadRolePath = (project: string): string => `/${project}/`;

/** Name of the managed policy bounding every role the deploy role creates. */
export const workloadBoundaryName = (project: string): string => `${project}-workload-boundary`;

/** Name of the managed policy holding the deploy role's IAM, S3 and state grants (its inline policy holds the services'). */
export const deployIamPolicyName = (project: string): string => `${project}-deploy-iam-and-state`;

export const deployIamPolicyArn = (partition: string, accountId: string, project: string): string =>
    `arn:${partition}:iam::${accountId}:policy/${deployIamPolicyName(project)}`;

/** Name of the managed policy of denies attached to both CI roles. */
export const ciGuardrailsName = (project: string): string => `${project}-ci-guardrails`;

const iamArn = (partition: string, accountId: string, resource: string) =>
    `arn:${partition}:iam::${accountId}:${resource}`;

export const workloadBoundaryArn = (partition: string, accountId: string, project: string): string =>
    iamArn(partition, accountId, `policy/${workloadBoundaryName(project)}`);

export const ciGuardrailsArn = (partition: string, accountId: string, project: string): string =>
    iamArn(partition, accountId, `policy/${ciGuardrailsName(project)}`);

/** ARN pattern of every role the program creates (`arn:...:role/<project>/*`). */
export const workloadRolesArn = (partition: string, accountId: string, project: string): string =>
    iamArn(partition, accountId, `role${workloadRolePath(project)}*`);

/**
 * Name prefix of every bucket a stack creates (`<project>-<environment>-`): the deploy role changes bucket
 * policies, public access and other bucket settings only on buckets so named.
 */
export const stackBucketPrefix = (project: string, environment: string): string => `${project}-${environment}-`;

/** The scope the stacks hand to every component that creates a role. */
export function workloadRoleScope(partition: string, accountId: string, project: string): WorkloadRoleScope {
    return {
        path: workloadRolePath(project),
        permissionsBoundaryArn: workloadBoundaryArn(partition, accountId, project),
    };
}

/** The `aws.iam.Role` arguments that put a role in the scope (nothing when the caller has no scope). */
export function roleScopeArgs(scope: WorkloadRoleScope | undefined): { path?: string; permissionsBoundary?: string } {
    return scope ? { path: scope.path, permissionsBoundary: scope.permissionsBoundaryArn } : {};
}
