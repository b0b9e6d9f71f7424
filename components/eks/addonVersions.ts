/**
 * EKS add-on versions pinned per Kubernetes minor version. EKS would otherwise install whatever default it
 * picks on the day, so two clusters built a week apart would differ. Versions are the EKS add-on type's
 * published builds for each minor (`aws eks describe-addon-versions --kubernetes-version <v> --addon-name
 * <name>`); bump them here, one minor at a time, when upgrading the cluster.
 *
 * The table's keys are also the Kubernetes versions the stack config accepts: a version without pinned
 * add-ons cannot be chosen.
 */
export const EKS_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent"] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

export const EKS_ADDON_VERSIONS = {
    "1.31": { "vpc-cni": "v1.20.4-eksbuild.1", coredns: "v1.11.4-eksbuild.2", "kube-proxy": "v1.31.10-eksbuild.2", "eks-pod-identity-agent": "v1.3.8-eksbuild.2" },
    "1.32": { "vpc-cni": "v1.20.4-eksbuild.1", coredns: "v1.11.4-eksbuild.2", "kube-proxy": "v1.32.6-eksbuild.2", "eks-pod-identity-agent": "v1.3.8-eksbuild.2" },
    "1.33": { "vpc-cni": "v1.20.4-eksbuild.1", coredns: "v1.12.1-eksbuild.2", "kube-proxy": "v1.33.3-eksbuild.4", "eks-pod-identity-agent": "v1.3.8-eksbuild.2" },
    "1.34": { "vpc-cni": "v1.20.4-eksbuild.1", coredns: "v1.12.3-eksbuild.1", "kube-proxy": "v1.34.0-eksbuild.2", "eks-pod-identity-agent": "v1.3.8-eksbuild.2" },
} as const satisfies Readonly<Record<string, Readonly<Record<EksAddonName, string>>>>;

export type KubernetesVersion = keyof typeof EKS_ADDON_VERSIONS;

/** Kubernetes versions this program can build (each has pinned add-ons), oldest first. */
export const SUPPORTED_KUBERNETES_VERSIONS = Object.keys(EKS_ADDON_VERSIONS).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1])) as KubernetesVersion[];

export function isSupportedKubernetesVersion(version: string): version is KubernetesVersion {
    return Object.prototype.hasOwnProperty.call(EKS_ADDON_VERSIONS, version);
}

/** The pinned add-on versions for a Kubernetes version, or an error naming the supported versions. */
export function addonVersionsFor(version: string): Readonly<Record<EksAddonName, string>> {
    if (!isSupportedKubernetesVersion(version)) throw new Error(`No pinned EKS add-on versions for Kubernetes ${version}; supported: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`);
    return EKS_ADDON_VERSIONS[version];
}
