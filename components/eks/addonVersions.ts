/**
 * EKS add-on versions pinned per Kubernetes minor version. EKS would otherwise install whatever default it
 * picks on the day, so two clusters built a week apart would differ. Versions are the EKS add-on type's
 * published builds for each minor (`aws eks describe-addon-versions --kubernetes-version <v> --addon-name
 * <name>`); bump them here, one minor at a time, when upgrading the cluster.
 *
 * The table's keys are also the Kubernetes versions the stack config accepts: a version without pinned
 * add-ons cannot be chosen.
 *
 * amazon-cloudwatch-observability (Container Insights, which the EKS alarms and dashboard read): pinned to
 * v4.5.0-eksbuild.1 on every minor. That build is one a public Terraform configuration pins, and AWS documents
 * Pod Identity support from 3.1.0 on; no published per-minor compatibility table could be checked offline, so
 * confirm it with `aws eks describe-addon-versions --addon-name amazon-cloudwatch-observability
 * --kubernetes-version <v>` before the first deploy of each minor. Builds from 6.x can switch to OTel Container
 * Insights, whose metrics the alarms do not read: stay on the classic (4.x/5.x) line until they do.
 */
export const EKS_ADDONS = [
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "eks-pod-identity-agent",
    "amazon-cloudwatch-observability",
] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

const CLOUDWATCH_OBSERVABILITY = "v4.5.0-eksbuild.1";

export const EKS_ADDON_VERSIONS = {
    "1.31": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        coredns: "v1.11.4-eksbuild.2",
        "kube-proxy": "v1.31.10-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY,
    },
    "1.32": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        coredns: "v1.11.4-eksbuild.2",
        "kube-proxy": "v1.32.6-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY,
    },
    "1.33": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        coredns: "v1.12.1-eksbuild.2",
        "kube-proxy": "v1.33.3-eksbuild.4",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY,
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        coredns: "v1.12.3-eksbuild.1",
        "kube-proxy": "v1.34.0-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY,
    },
} as const satisfies Readonly<Record<string, Readonly<Record<EksAddonName, string>>>>;

export type KubernetesVersion = keyof typeof EKS_ADDON_VERSIONS;

/** Kubernetes versions this program can build (each has pinned add-ons), oldest first. */
export const SUPPORTED_KUBERNETES_VERSIONS = Object.keys(EKS_ADDON_VERSIONS).sort(
    (a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]),
) as KubernetesVersion[];

export function isSupportedKubernetesVersion(version: string): version is KubernetesVersion {
    return Object.prototype.hasOwnProperty.call(EKS_ADDON_VERSIONS, version);
}

/** The pinned add-on versions for a Kubernetes version, or an error naming the supported versions. */
export function addonVersionsFor(version: string): Readonly<Record<EksAddonName, string>> {
    if (!isSupportedKubernetesVersion(version))
        throw new Error(
            `No pinned EKS add-on versions for Kubernetes ${version}; supported: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
        );
    return EKS_ADDON_VERSIONS[version];
}
