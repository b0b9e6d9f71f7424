import { z } from "zod";
import * as assert from "assert";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import type { MockedRun } from "../../plan/harness";
import type { CapturedResource } from "../../shared/capturedResource";

/**
 * Kubernetes objects as the tests capture them (a mounted component's, an eks stack's), validated against the Kubernetes OpenAPI schema that
 * `kubernetes-models` 4.5 bundles (Kubernetes 1.33: it has Lifecycle.stopSignal, not 1.34's
 * PodSpec.hostnameOverride), the version the stacks pin by default. A new object type fails the test until
 * it is mapped here, so nothing goes unvalidated.
 */
export const SCHEMA_KUBERNETES_VERSION = "1.33";

type Validating = { validate(): void };
const MODELS: Readonly<Record<string, (data: Record<string, unknown>) => Validating>> = {
    "kubernetes:core/v1:Namespace": (d) => new Namespace(d as ConstructorParameters<typeof Namespace>[0]),
    "kubernetes:core/v1:ConfigMap": (d) => new ConfigMap(d as ConstructorParameters<typeof ConfigMap>[0]),
    "kubernetes:core/v1:Secret": (d) => new Secret(d as ConstructorParameters<typeof Secret>[0]),
    "kubernetes:core/v1:ServiceAccount": (d) =>
        new ServiceAccount(d as ConstructorParameters<typeof ServiceAccount>[0]),
    "kubernetes:core/v1:Service": (d) => new Service(d as ConstructorParameters<typeof Service>[0]),
    "kubernetes:apps/v1:Deployment": (d) => new Deployment(d as ConstructorParameters<typeof Deployment>[0]),
    "kubernetes:policy/v1:PodDisruptionBudget": (d) =>
        new PodDisruptionBudget(d as ConstructorParameters<typeof PodDisruptionBudget>[0]),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": (d) =>
        new HorizontalPodAutoscaler(d as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": (d) =>
        new NetworkPolicy(d as ConstructorParameters<typeof NetworkPolicy>[0]),
    "kubernetes:networking.k8s.io/v1:Ingress": (d) => new Ingress(d as ConstructorParameters<typeof Ingress>[0]),
    "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy": (d) => securityGroupPolicy(d),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": (d) =>
        new ClusterRole(d as ConstructorParameters<typeof ClusterRole>[0]),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": (d) =>
        new ClusterRoleBinding(d as ConstructorParameters<typeof ClusterRoleBinding>[0]),
};
/**
 * The VPC resource controller's SecurityGroupPolicy, after its CRD's openAPIV3Schema
 * (aws/amazon-vpc-resource-controller-k8s config/crd/bases/vpcresources.k8s.aws_securitygrouppolicies.yaml at
 * b8d4251): spec.podSelector or spec.serviceAccountSelector (label selectors), spec.securityGroups.groupIds
 * (strings, at least one). No other spec field exists.
 */
function securityGroupPolicy(data: Record<string, unknown>): Validating {
    return {
        validate() {
            const labels = z.record(z.string(), z.string());
            const selector = z.strictObject({
                matchLabels: labels.optional(),
                matchExpressions: z
                    .array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
                    .optional(),
            });
            z.strictObject({
                apiVersion: z.literal("vpcresources.k8s.aws/v1beta1"),
                kind: z.literal("SecurityGroupPolicy"),
                metadata: z.object({
                    name: z.string().min(1),
                    namespace: z.string().min(1),
                    labels: labels.optional(),
                }),
                spec: z.strictObject({
                    podSelector: selector.optional(),
                    serviceAccountSelector: selector.optional(),
                    securityGroups: z.strictObject({ groupIds: z.array(z.string()).min(1) }),
                }),
            }).parse(data);
        },
    };
}

/** Not Kubernetes objects: the Helm release is rendered by Helm from the pinned chart. */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

/** Validates one captured Kubernetes object against its schema, or fails naming it and what does not match. */
export function validateKubernetesObject(resource: CapturedResource): void {
    const model = MODELS[resource.type];
    assert.ok(model, `${resource.type} (${resource.name}) has no schema mapping in this test; add one`);
    try {
        model(structuredClone(resource.inputs)).validate();
    } catch (error) {
        assert.fail(
            `${resource.type} ${resource.name} does not match the Kubernetes ${SCHEMA_KUBERNETES_VERSION} schema: ${error instanceof Error ? error.message : String(error)}`,
        );
    }
}

/** The Kubernetes objects a run created (the Helm release is rendered by Helm, not an object of ours). */
export function kubernetesObjectsOf(run: MockedRun): CapturedResource[] {
    return run.resources.filter((r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type));
}
