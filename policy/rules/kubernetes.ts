import * as k8s from "@pulumi/kubernetes";
import { type ReportViolation, type ResourceValidation } from "@pulumi/policy";
import type * as pulumi from "@pulumi/pulumi";
import { isRecord, ofType, prop, resourceRule, stackRule, UNKNOWN, validateResourceOfType } from "./util";

/** Kubernetes workloads on EKS: pod security, resources, probes and network isolation (house rules). */

type PodSpec = pulumi.Unwrap<k8s.types.input.core.v1.PodSpec>;
type Container = pulumi.Unwrap<k8s.types.input.core.v1.Container>;

/** Runs `check` on the pod template of Deployments, StatefulSets and DaemonSets. */
function eachPodSpec(check: (spec: PodSpec, report: ReportViolation) => void): ResourceValidation[] {
    return [
        validateResourceOfType(k8s.apps.v1.Deployment, (d, _args, report) => {
            if (d.spec?.template?.spec) check(d.spec.template.spec, report);
        }),
        validateResourceOfType(k8s.apps.v1.StatefulSet, (s, _args, report) => {
            if (s.spec?.template?.spec) check(s.spec.template.spec, report);
        }),
        validateResourceOfType(k8s.apps.v1.DaemonSet, (s, _args, report) => {
            if (s.spec?.template?.spec) check(s.spec.template.spec, report);
        }),
    ];
}

function allContainers(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

export const k8sNoPrivilegedPods = resourceRule(
    {
        name: "k8s-no-privileged-pods",
        passes: "no container sets `securityContext.privileged` true and the pod spec sets none of hostNetwork, hostPID, hostIPC nor a hostPath volume",
        description:
            "Workloads never run privileged containers, share the node's network, PID or IPC namespaces, or mount hostPath volumes: each of these is a path from the pod to the node.",
        remediation: "Remove privileged, hostNetwork, hostPID, hostIPC and hostPath volumes from the pod template.",
    },
    eachPodSpec((spec, report) => {
        if (spec.hostNetwork === true) report("The pod uses hostNetwork.");
        if (spec.hostPID === true) report("The pod uses hostPID.");
        if (spec.hostIPC === true) report("The pod uses hostIPC.");
        for (const v of spec.volumes ?? [])
            if (v.hostPath) report(`Volume "${v.name}" mounts hostPath ${v.hostPath.path}.`);
        for (const c of allContainers(spec))
            if (c.securityContext?.privileged === true) report(`Container "${c.name}" is privileged.`);
    }),
);

export const k8sRunAsNonRoot = resourceRule(
    {
        name: "k8s-run-as-non-root",
        passes: "for every container, `runAsNonRoot` is true (on the container or the pod), `allowPrivilegeEscalation` is false and `capabilities.drop` includes ALL",
        description:
            "Every container runs as non-root (`runAsNonRoot` on the pod or container), with `allowPrivilegeEscalation: false` and all capabilities dropped (`capabilities.drop` includes ALL).",
        remediation:
            'Set securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } on each container.',
    },
    eachPodSpec((spec, report) => {
        const podNonRoot = spec.securityContext?.runAsNonRoot === true;
        for (const c of allContainers(spec)) {
            const sc = c.securityContext;
            if (!(sc?.runAsNonRoot === true || (podNonRoot && sc?.runAsNonRoot !== false)))
                report(`Container "${c.name}" does not set runAsNonRoot.`);
            if (sc?.allowPrivilegeEscalation !== false)
                report(`Container "${c.name}" does not set allowPrivilegeEscalation: false.`);
            if (!(sc?.capabilities?.drop ?? []).includes("ALL"))
                report(`Container "${c.name}" does not drop ALL capabilities.`);
        }
    }),
);

function hasEntries(value: unknown): boolean {
    return isRecord(value) && Object.keys(value).length > 0;
}

export const k8sResourceLimits = resourceRule(
    {
        name: "k8s-resource-limits",
        passes: "every container sets both `resources.requests` and `resources.limits`",
        description:
            "Every container declares resource requests and limits, so one workload cannot starve the node (and the scheduler can place it).",
        remediation: "Set resources.requests and resources.limits (cpu, memory) on each container.",
    },
    eachPodSpec((spec, report) => {
        for (const c of spec.containers ?? []) {
            if (!hasEntries(c.resources?.requests)) report(`Container "${c.name}" has no resource requests.`);
            if (!hasEntries(c.resources?.limits)) report(`Container "${c.name}" has no resource limits.`);
        }
    }),
);

export const k8sProbes = resourceRule(
    {
        name: "k8s-probes",
        passes: "every container has a `readinessProbe` and a `livenessProbe`",
        description:
            "Every container has readiness and liveness probes, so broken pods leave the load balancer and get restarted.",
        remediation: "Add readinessProbe and livenessProbe to each container.",
    },
    eachPodSpec((spec, report) => {
        for (const c of spec.containers ?? []) {
            if (!c.readinessProbe) report(`Container "${c.name}" has no readinessProbe.`);
            if (!c.livenessProbe) report(`Container "${c.name}" has no livenessProbe.`);
        }
    }),
);

const WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
];
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export const k8sNamespaceDefaultDeny = stackRule(
    {
        name: "k8s-namespace-default-deny",
        passes: "each namespace with workloads has a NetworkPolicy with an empty podSelector, policyTypes including Ingress and no ingress rule",
        description:
            "Every namespace running workloads has a default-deny NetworkPolicy (empty podSelector, policyTypes including Ingress, no ingress rules), so pods only accept the traffic other policies allow explicitly.",
        remediation:
            'Add a NetworkPolicy with podSelector: {}, policyTypes: ["Ingress", "Egress"] and no rules to the namespace.',
    },
    (args, report) => {
        const workloads = ofType(args.resources, ...WORKLOAD_TYPES);
        if (workloads.length === 0) args.notApplicable("No Kubernetes workloads in the stack.");
        const denyNamespaces: (string | typeof UNKNOWN)[] = [];
        for (const np of ofType(args.resources, NETWORK_POLICY)) {
            const selector = prop(np, "spec", "podSelector");
            const types = prop(np, "spec", "policyTypes");
            const ingress = prop(np, "spec", "ingress");
            const selectsAll =
                isRecord(selector) &&
                !hasEntries(selector.matchLabels) &&
                !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0);
            const deniesIngress =
                Array.isArray(types) && types.includes("Ingress") && !(Array.isArray(ingress) && ingress.length > 0);
            if (selectsAll && deniesIngress) {
                const ns = prop(np, "metadata", "namespace");
                denyNamespaces.push(ns === UNKNOWN ? UNKNOWN : typeof ns === "string" ? ns : "default");
            }
        }
        const seen = new Set<string>();
        for (const w of workloads) {
            const ns = prop(w, "metadata", "namespace");
            const namespace = ns === UNKNOWN ? UNKNOWN : typeof ns === "string" ? ns : "default";
            // A namespace only known after deployment: accept any default-deny policy whose namespace is unknown too.
            const covered =
                namespace === UNKNOWN
                    ? denyNamespaces.length > 0
                    : denyNamespaces.includes(namespace) || denyNamespaces.includes(UNKNOWN);
            const key = namespace === UNKNOWN ? "(unknown)" : namespace;
            if (!covered && !seen.has(key)) {
                seen.add(key);
                report(
                    `Namespace ${key} runs workloads (e.g. ${w.type} "${w.name}") without a default-deny NetworkPolicy.`,
                    w.urn,
                );
            }
        }
    },
);

export const kubernetesPolicies = [
    k8sNoPrivilegedPods,
    k8sRunAsNonRoot,
    k8sResourceLimits,
    k8sProbes,
    k8sNamespaceDefaultDeny,
];
