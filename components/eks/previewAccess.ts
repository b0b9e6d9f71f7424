import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Read access to the cluster's Kubernetes API for the account's preview role, so pull requests' `pulumi preview`
 * of an eks stack talks to the cluster as the Kubernetes provider expects, and can change nothing there.
 *
 * What the provider sends in a preview (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go and
 * provider/pkg/await/await.go; test/support/kubernetesProviderPreview.ts lists each request with its source):
 *   - Configure: discovery and the OpenAPI schema (GET /version, /api, /apis, /openapi/v2). An identity the
 *     cluster does not authenticate (no access entry) gets 401, and the provider marks the cluster unreachable:
 *     no schema validation, no server-side dry-run, and a refresh fails. Discovery is open to every
 *     authenticated identity (Kubernetes' default `system:discovery` binding), so the access entry is what it needs.
 *   - Create / Update previews with server-side apply: a dry-run `create` / `get` + dry-run `patch` of the object.
 *     Kubernetes authorizes a dry-run like the real write, so the role gets no write verb at all; on 403 the
 *     provider falls back to a client-side preview (the object as the program declares it).
 *   - Refresh (`pulumi preview --refresh`): `get` of every object, and `list` of what the read awaiters
 *     inspect (a Deployment's ReplicaSets, Pods and claims; a Service's or Ingress's Endpoints and Services).
 *     A 403 there fails the preview, so the role reads exactly those.
 * No Secret is readable (the stack creates none), nothing is writable, and the access entry carries no EKS
 * access policy: its only rights are this ClusterRole's, bound to the entry's Kubernetes group.
 */

/** The Kubernetes group the preview role's access entry maps to (not `system:`, `eks:`, `aws:` or `amazon:`). */
export const PREVIEW_KUBERNETES_GROUP = "voteapp-preview";
/** Name of the ClusterRole (and its binding) granting that group read access. */
export const PREVIEW_CLUSTER_ROLE = "voteapp-preview";

export interface RbacRule {
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
}

/**
 * The objects the stacks manage through the Kubernetes provider (`get`: diff and refresh), what the provider's
 * read awaiters list (`list`), and the preview access's own RBAC objects, by name.
 */
export const PREVIEW_READ_RULES: readonly RbacRule[] = [
    { apiGroups: [""], resources: ["namespaces", "services", "serviceaccounts", "configmaps"], verbs: ["get"] },
    { apiGroups: [""], resources: ["pods", "endpoints", "services", "persistentvolumeclaims"], verbs: ["list"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["list"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["get"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: ["get"] },
    { apiGroups: ["vpcresources.k8s.aws"], resources: ["securitygrouppolicies"], verbs: ["get"] },
    {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles", "clusterrolebindings"],
        verbs: ["get"],
        resourceNames: [PREVIEW_CLUSTER_ROLE],
    },
];

export interface EksPreviewAccessArgs {
    readonly clusterName: pulumi.Input<string>;
    /** The account's preview role (the bootstrap's `previewRoleName`). */
    readonly previewRoleArn: string;
    /** The cluster's Kubernetes provider (the deploy role's cluster-admin session creates the RBAC objects). */
    readonly provider: k8s.Provider;
}

/** The preview role's access entry (authentication) and its read-only ClusterRole (authorization). */
export class EksPreviewAccess extends pulumi.ComponentResource {
    readonly accessEntry: aws.eks.AccessEntry;
    readonly clusterRole: k8s.rbac.v1.ClusterRole;
    readonly binding: k8s.rbac.v1.ClusterRoleBinding;

    constructor(name: string, args: EksPreviewAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:eks:EksPreviewAccess", name, {}, opts);
        const parent = this;
        this.accessEntry = new aws.eks.AccessEntry(
            name,
            {
                clusterName: args.clusterName,
                principalArn: args.previewRoleArn,
                type: "STANDARD",
                kubernetesGroups: [PREVIEW_KUBERNETES_GROUP],
            },
            { parent },
        );
        this.clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-reader`,
            {
                metadata: { name: PREVIEW_CLUSTER_ROLE },
                rules: PREVIEW_READ_RULES.map((rule) => ({
                    apiGroups: [...rule.apiGroups],
                    resources: [...rule.resources],
                    verbs: [...rule.verbs],
                    ...(rule.resourceNames ? { resourceNames: [...rule.resourceNames] } : {}),
                })),
            },
            { parent, provider: args.provider },
        );
        this.binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-reader`,
            {
                metadata: { name: PREVIEW_CLUSTER_ROLE },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: PREVIEW_CLUSTER_ROLE },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: PREVIEW_KUBERNETES_GROUP }],
            },
            { parent, provider: args.provider, dependsOn: [this.clusterRole] },
        );
        this.registerOutputs({ principalArn: this.accessEntry.principalArn });
    }
}
