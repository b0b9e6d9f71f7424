import * as aws from "@pulumi/aws";
import { resourceRule, stringList, validateResourceOfType } from "./util";

/** EKS clusters and their node launch templates (FSBP EKS.*, EC2.170). */

const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

export const eksEndpointNotPublic = resourceRule(
    {
        name: "eks-endpoint-not-public",
        passes: "`vpcConfig.endpointPublicAccess` is false, or `publicAccessCidrs` is set and contains neither 0.0.0.0/0 nor ::/0 (unset endpoint access or CIDRs fail: AWS defaults to open)",
        control: "EKS.1",
        description:
            "The EKS API endpoint is not open to the internet: `vpcConfig.endpointPublicAccess` false, or public access restricted by `publicAccessCidrs` that do not include 0.0.0.0/0 (AWS defaults both to open).",
        remediation:
            "Set vpcConfig.endpointPublicAccess: false (and endpointPrivateAccess: true), or list the CIDRs allowed in publicAccessCidrs.",
    },
    validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const vpc = cluster.vpcConfig;
        if (vpc?.endpointPublicAccess === false) return;
        const cidrs = vpc?.publicAccessCidrs ?? [];
        if (cidrs.length === 0)
            report(
                "The API endpoint is public (endpointPublicAccess defaults to true) and publicAccessCidrs is unset, which means 0.0.0.0/0.",
            );
        else if (cidrs.some((c) => OPEN_CIDRS.includes(c)))
            report(`The API endpoint is public to ${cidrs.filter((c) => OPEN_CIDRS.includes(c)).join(", ")}.`);
    }),
);

export const DEFAULT_SUPPORTED_EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34"];

export const eksSupportedVersion = resourceRule(
    {
        name: "eks-supported-version",
        passes: "`version` is set and listed in `supportedVersions` (unset fails: AWS would pick one)",
        control: "EKS.2",
        description:
            "EKS clusters run a Kubernetes version in the pack config's `supportedVersions` list (keep it to versions in AWS standard support), so the control plane receives security fixes.",
        remediation: "Set version to one of the supported versions and upgrade the cluster.",
        configSchema: {
            properties: {
                supportedVersions: stringList(
                    "Kubernetes minor versions (e.g. 1.33) in standard support.",
                    DEFAULT_SUPPORTED_EKS_VERSIONS,
                ),
            },
        },
    },
    validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
        const supported =
            args.getConfig<{ supportedVersions?: string[] }>().supportedVersions ?? DEFAULT_SUPPORTED_EKS_VERSIONS;
        if (cluster.version === undefined)
            report(`version is unset, so AWS picks one; pin one of ${supported.join(", ")}.`);
        else if (!supported.includes(cluster.version))
            report(`Kubernetes ${cluster.version} is not in the supported list (${supported.join(", ")}).`);
    }),
);

export const eksSecretsEncrypted = resourceRule(
    {
        name: "eks-secrets-encrypted",
        passes: "`encryptionConfig.resources` includes `secrets` and `encryptionConfig.provider.keyArn` is set",
        control: "EKS.3",
        description:
            "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key (`encryptionConfig.resources` includes `secrets`, with `provider.keyArn`).",
        remediation: 'Set encryptionConfig: { resources: ["secrets"], provider: { keyArn: <kms key arn> } }.',
    },
    validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const config = cluster.encryptionConfig;
        if (!config || !(config.resources ?? []).includes("secrets"))
            report("Kubernetes secrets are not envelope-encrypted (encryptionConfig.resources lacks secrets).");
        else if (!config.provider?.keyArn) report("encryptionConfig has no provider.keyArn.");
    }),
);

const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"];

export const eksAuditLogging = resourceRule(
    {
        name: "eks-audit-logging",
        passes: "`enabledClusterLogTypes` includes api, audit and authenticator",
        control: "EKS.8",
        description:
            "EKS clusters send control-plane `audit`, `api` and `authenticator` logs to CloudWatch (`enabledClusterLogTypes`), the record of who did what in the cluster.",
        remediation: 'Set enabledClusterLogTypes: ["api", "audit", "authenticator"].',
    },
    validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const enabled = cluster.enabledClusterLogTypes ?? [];
        const missing = REQUIRED_LOG_TYPES.filter((t) => !enabled.includes(t));
        if (missing.length) report(`Control-plane log types not enabled: ${missing.join(", ")}.`);
    }),
);

export const eksNodesImdsv2 = resourceRule(
    {
        name: "eks-nodes-imdsv2",
        passes: "`metadataOptions.httpTokens` is `required` and `httpPutResponseHopLimit` is unset or at most 2, or the metadata endpoint is disabled (`httpEndpoint` disabled)",
        control: "EC2.170",
        description:
            "Launch templates (EKS nodes) require IMDSv2 (`metadataOptions.httpTokens` required) with a hop limit of at most 2, so pods cannot steal the node role's credentials through SSRF to the instance metadata service.",
        remediation:
            'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 or 2, httpEndpoint: "enabled" }.',
    },
    validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
        const md = lt.metadataOptions;
        if (md?.httpEndpoint === "disabled") return;
        if (md?.httpTokens !== "required")
            report(
                `metadataOptions.httpTokens is ${JSON.stringify(md?.httpTokens ?? "unset (optional)")}; IMDSv1 stays reachable.`,
            );
        const hops = md?.httpPutResponseHopLimit;
        if (hops !== undefined && hops > 2) report(`metadataOptions.httpPutResponseHopLimit is ${hops}; use 1 or 2.`);
    }),
);

export const eksPolicies = [
    eksEndpointNotPublic,
    eksSupportedVersion,
    eksSecretsEncrypted,
    eksAuditLogging,
    eksNodesImdsv2,
];
