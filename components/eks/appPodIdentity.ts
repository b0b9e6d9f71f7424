import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type PolicyStatementInput } from "../iamPolicy";
import { podIdentityTrustPolicy } from "./podIdentity";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";

/** Where the EKS Pod Identity agent serves credentials to pods (hostNetwork, link-local; IPv4 clusters). */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

export interface AppPodIdentityArgs {
    readonly service: string;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly accountId: string;
    readonly region: string;
    readonly namespace: pulumi.Input<string>;
    /** The service's own ServiceAccount: the association binds the role to exactly it. */
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    /** What the pods may do, exactly (a Postgres client: rds-db:connect on its own database user). */
    readonly permissions: readonly PolicyStatementInput[];
    /** Says what the role is for, in its description. @example "connect to PostgreSQL as voteapp_worker" */
    readonly purpose: string;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * One app service's AWS identity on EKS: an IAM role only EKS Pod Identity can assume, for this account and
 * cluster, allowed exactly the given permissions; and the association binding it to the service's
 * ServiceAccount. Pods created after the association get credentials from the Pod Identity agent (the
 * webhook adds a projected token of its own: the pod needs no Kubernetes API token).
 */
export function appPodIdentity(
    name: string,
    args: AppPodIdentityArgs,
    parent: pulumi.Resource,
): { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation } {
    const role = new aws.iam.Role(
        name,
        {
            ...roleScopeArgs(args.roleScope),
            description: `${args.service} pods (EKS Pod Identity): ${args.purpose}, nothing else`,
            assumeRolePolicy: podIdentityTrustPolicy(args.accountId, args.clusterArn),
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        name,
        {
            role: role.id,
            policy: policyDocument(`${name} policy`, args.permissions),
        },
        { parent },
    );
    const association = new aws.eks.PodIdentityAssociation(
        name,
        {
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount.metadata.name,
            roleArn: role.arn,
        },
        // The policy first: a pod that gets the role can use it at once.
        { parent, dependsOn: [policy] },
    );
    return { role, association };
}
