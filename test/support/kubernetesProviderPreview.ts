/**
 * What the Kubernetes provider asks the cluster's API server during `pulumi preview`, per object it manages, and
 * what it does when the server refuses: the oracle for the preview role's cluster access (issue 11, PR preview of
 * an eks stack). Read from pulumi/pulumi-kubernetes at commit 94977969d64112b04e19945818a7d5d5f38f631d:
 *   provider/pkg/provider/provider.go   Configure (l. 947-1000): server version, then the OpenAPI schema through
 *                                       discovery; any error marks the cluster unreachable.
 *                                       Create (l. 1727-1735, 1797-1803): preview skipped when the cluster is
 *                                       unreachable; else await.Creation with Preview, and on IsForbidden "defaulting
 *                                       to client-side" (the declared object).
 *                                       Update (l. 2367-2372, 2453-2458): the same; IsForbidden → the new inputs.
 *                                       Read (l. 1919-1942, 2070-2075): unreachable → error; any error other than
 *                                       404 → error (refresh fails).
 *   provider/pkg/await/await.go         Creation (l. 190-253): without upsertExistingObjects, client.Create with
 *                                       DryRun All; Update (l. 460-462, 642-671): client.Get, then the server-side
 *                                       apply patch with DryRun All; Read (l. 376-436): client.Get, then the kind's
 *                                       read awaiter.
 *   provider/pkg/await/awaiters.go      read awaiters: Deployment (deployment.go Read, l. 216-253: lists ReplicaSets,
 *                                       Pods, PersistentVolumeClaims), Service (service.go Read, l. 162-185: lists
 *                                       Endpoints), Ingress (ingress.go Read, l. 156-177: lists Endpoints, Services).
 *   provider/pkg/provider/helm_release.go  Check renders the chart client-side; Diff compares inputs; Create and
 *                                       Update touch the cluster only when not a preview (l. 989, 1169).
 * Kubernetes authorizes a dry-run request with the verb of the real one (create, patch): RBAC cannot grant one
 * without the other.
 */

export interface ApiResource {
    readonly group: string;
    readonly resource: string;
}

export type WhenForbidden = "client-side preview" | "the preview fails";

export interface ProviderRequest {
    /** The provider step that sends it. */
    readonly step: "preview a create" | "preview an update" | "refresh";
    readonly verb: "get" | "list" | "create" | "patch";
    readonly on: ApiResource;
    /** Whether the request is a dry-run (a write the server evaluates and discards). */
    readonly dryRun: boolean;
    readonly whenForbidden: WhenForbidden;
}

/** Requests every previewing identity sends first: discovery, allowed to every authenticated user by default. */
export const DISCOVERY_PATHS = ["/version", "/api", "/apis", "/openapi/v2"] as const;

/**
 * The plural resource of a kind, as k8s.io/apimachinery pkg/api/meta/restmapper.go UnsafeGuessKindToResource
 * derives it (lower case; "endpoints" stays; -s → -ses, -y → -ies, else -s).
 */
export function resourceOfKind(kind: string): string {
    const singular = kind.toLowerCase();
    if (singular.endsWith("endpoints")) return singular;
    if (singular.endsWith("s")) return `${singular}es`;
    if (singular.endsWith("y")) return `${singular.slice(0, -1)}ies`;
    return `${singular}s`;
}

/** `kubernetes:apps/v1:Deployment` → { group: "apps", kind: "Deployment" }; core kinds have group "". */
export function kindOfType(type: string): { group: string; kind: string } | undefined {
    const match = /^kubernetes:([^:]+)\/[^/:]+:(\w+)$/.exec(type);
    if (!match) return undefined;
    return { group: match[1] === "core" ? "" : match[1], kind: match[2] };
}

/** Kinds whose read awaiter lists other objects on refresh (awaiters.go): what it lists. */
const READ_AWAITER_LISTS: Readonly<Record<string, readonly ApiResource[]>> = {
    "apps/Deployment": [
        { group: "apps", resource: "replicasets" },
        { group: "", resource: "pods" },
        { group: "", resource: "persistentvolumeclaims" },
    ],
    "/Service": [{ group: "", resource: "endpoints" }],
    "networking.k8s.io/Ingress": [
        { group: "", resource: "endpoints" },
        { group: "", resource: "services" },
    ],
};

/** Kinds awaiters.go gives a read awaiter this table does not model: planning one must revisit the source. */
const UNMODELLED_READ_AWAITERS = new Set(["apps/DaemonSet", "apps/StatefulSet", "batch/Job", "/Pod"]);

/**
 * What the provider asks the API server about one object of a planned Kubernetes resource type in a preview of
 * a stack that already holds it (update) or not yet (create), and on `pulumi preview --refresh`.
 * Helm releases: none (the chart renders client-side; the release's objects are Helm's, not the provider's).
 */
export function previewRequests(type: string): ProviderRequest[] {
    if (type === "kubernetes:helm.sh/v3:Release") return [];
    const kind = kindOfType(type);
    if (!kind) throw new Error(`${type} is not a Kubernetes resource type`);
    const key = `${kind.group}/${kind.kind}`;
    if (UNMODELLED_READ_AWAITERS.has(key))
        throw new Error(`${key} has a read awaiter this oracle does not model: read it in awaiters.go first`);
    const self: ApiResource = { group: kind.group, resource: resourceOfKind(kind.kind) };
    return [
        { step: "preview a create", verb: "create", on: self, dryRun: true, whenForbidden: "client-side preview" },
        { step: "preview an update", verb: "get", on: self, dryRun: false, whenForbidden: "client-side preview" },
        { step: "preview an update", verb: "patch", on: self, dryRun: true, whenForbidden: "client-side preview" },
        { step: "refresh", verb: "get", on: self, dryRun: false, whenForbidden: "the preview fails" },
        ...(READ_AWAITER_LISTS[key] ?? []).map((on): ProviderRequest => ({
            step: "refresh",
            verb: "list",
            on,
            dryRun: false,
            whenForbidden: "the preview fails",
        })),
    ];
}

export interface RbacRuleLike {
    readonly apiGroups?: readonly string[];
    readonly resources?: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
    readonly nonResourceURLs?: readonly string[];
}

/** Kubernetes RBAC's rule match (plugin/pkg/auth/authorizer/rbac: '*' matches all; resourceNames restrict by name). */
export function rbacAllows(rules: readonly RbacRuleLike[], verb: string, on: ApiResource, name?: string): boolean {
    const has = (list: readonly string[] | undefined, value: string) =>
        (list ?? []).includes("*") || (list ?? []).includes(value);
    return rules.some(
        (rule) =>
            has(rule.verbs, verb) &&
            has(rule.apiGroups, on.group) &&
            has(rule.resources, on.resource) &&
            (rule.resourceNames === undefined ||
                rule.resourceNames.length === 0 ||
                (name !== undefined && rule.resourceNames.includes(name))),
    );
}
