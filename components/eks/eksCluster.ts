import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iamPolicy";
import { physicalName } from "../naming";
import { partitionOf } from "../partition";
import { addonVersionsFor, type EksAddonName, type KubernetesVersion } from "./addonVersions";
import { kubeconfigFor } from "./kubeconfig";
import { podIdentityTrustPolicy } from "./podIdentity";
import { ARCHITECTURE_NAMES, type CpuArchitecture, instanceTypeArchitecture } from "../../shared/cpuArchitecture";
import { metricsServerReplicas } from "./systemPods";
import { roleScopeArgs, type WorkloadRoleScope } from "../delivery/workloadRoles";
import { NO_PROTECTION, type Protection } from "../vocabulary";
import { IMDS_V2_ONE_HOP } from "../instanceMetadata";

/** Control-plane log types EKS can send to CloudWatch: all of them, the audit trail of the cluster. */
export const EKS_CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/**
 * The VPC CNI's configuration: its network policy agent enforces NetworkPolicies; ENABLE_POD_ENI turns on
 * security groups for pods (the nodes get a trunk interface, pods matched by a SecurityGroupPolicy a branch
 * interface each). "standard" enforcement keeps traffic between a pod and its own node (kubelet probes, the Pod
 * Identity agent, NetworkPolicies) working; probes need TCP early demux off (AWS's guide to security groups for pods).
 */
export const VPC_CNI_CONFIGURATION = {
    enableNetworkPolicy: "true",
    env: { ENABLE_POD_ENI: "true", POD_SECURITY_GROUP_ENFORCING_MODE: "standard" },
    init: { env: { DISABLE_TCP_EARLY_DEMUX: "true" } },
} as const;

/** metrics-server (kubernetes-sigs chart), pinned: HPAs scale on the CPU metrics it serves; EKS installs none. */
export const METRICS_SERVER_CHART = {
    chart: "metrics-server",
    version: "3.12.2",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
} as const;

/**
 * Where the amazon-cloudwatch-observability add-on runs the CloudWatch agent (Container Insights): its own
 * namespace and ServiceAccount, which the add-on creates; the Pod Identity association names the account.
 */
/** The log groups Container Insights writes to under /aws/containerinsights/<cluster>/. */
export const CONTAINER_INSIGHTS_LOG_GROUPS = ["application", "dataplane", "host", "performance"] as const;

export const CLOUDWATCH_AGENT_IDENTITY = {
    namespace: "amazon-cloudwatch",
    serviceAccount: "cloudwatch-agent",
    managedPolicy: "CloudWatchAgentServerPolicy",
} as const;

/**
 * Every provider setting that a `PULUMI_K8S_*` variable of the runner's environment would otherwise decide
 * (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go Configure: the input wins, the variable applies only
 * when it is unset), pinned, so the preview job, the deploy job and a laptop run the provider alike: with
 * server-side apply (previews are server-side dry-runs where the identity may write), never skipping (Check would
 * return the old inputs: a preview showing no change) or deleting objects of an unreachable cluster, never
 * taking over existing objects or other managers' fields, and replacing, not mutating, ConfigMaps and Secrets.
 */
export const KUBERNETES_PROVIDER_BEHAVIOUR = {
    enableServerSideApply: true,
    skipUpdateUnreachable: false,
    deleteUnreachable: false,
    upsertExistingObjects: false,
    enablePatchForce: false,
    enableConfigMapMutable: false,
    enableSecretMutable: false,
} as const;

/** Size of each node's root volume (GiB): the OS, images and pod logs. */
const NODE_ROOT_VOLUME_GB = 30;

export interface EksNodeGroupSize {
    /**
     * Instance types, all of the cluster's `cpuArchitecture` and able to trunk network interfaces (security
     * groups for pods). @example ["c7g.large"]
     */
    readonly instanceTypes: readonly string[];
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
}

export interface EksClusterArgs {
    /** Physical cluster name. @example "voteapp-dev" */
    readonly clusterName: string;
    /** Kubernetes minor version, one with pinned add-ons. @example "1.33" */
    readonly kubernetesVersion: KubernetesVersion;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets: the control plane's network interfaces and the nodes go here, never in public ones. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** KMS key envelope-encrypting Kubernetes Secrets and the control-plane log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Retention of the control-plane log group. */
    readonly logRetentionDays: number;
    /**
     * Public CIDRs allowed to the API endpoint. Empty keeps the endpoint private: reachable from the VPC only.
     * @default []
     * @example ["52.94.76.0/22"]
     */
    readonly publicAccessCidrs?: readonly string[];
    /** The role Pulumi deploys with: granted cluster admin through an access entry (it also drives the Kubernetes provider). */
    readonly deployRoleArn: string;
    /** Optional human admin role, granted cluster admin through its own access entry. */
    readonly adminRoleArn?: string;
    /**
     * managedNodeGroup: EC2 nodes in a managed node group behind a launch template (IMDSv2 only, hop limit 1,
     * encrypted root volume) plus the pinned add-ons. autoMode: EKS Auto Mode runs nodes, networking, DNS
     * and load balancing itself; its built-in general-purpose NodePool "uses only amd64 architecture"
     * (https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html), so only x86_64 images run.
     */
    readonly capacity: "managedNodeGroup" | "autoMode";
    /** Node group sizes (managedNodeGroup only). */
    readonly nodes: EksNodeGroupSize;
    /**
     * CPU architecture of the managed node group (its AMI type and instance types): the app images' and pods'.
     * @default "arm64"
     */
    readonly cpuArchitecture?: CpuArchitecture;
    /**
     * With `deletionProtection`, EKS refuses `DeleteCluster` until it is turned off.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
    /**
     * The stack's cost allocation tags (its provider's default tags) for the nodes the node group launches and
     * their volumes and network interfaces (launch template `tagSpecifications`): the provider's default tags do
     * not reach them (@pulumi/aws getDefaultTags.d.ts). @default none
     */
    readonly launchedResourceTags?: Readonly<Record<string, string>>;
}

/**
 * An EKS cluster built from `@pulumi/aws` resources (so mocks and policy rules see every part): access
 * entries only (no aws-auth ConfigMap), all control-plane logs to an encrypted log group with retention,
 * Secrets envelope-encrypted with the stack's KMS key, API endpoint private (or restricted to CIDRs), worker
 * capacity from a managed node group or Auto Mode, add-ons pinned, and one explicit Kubernetes provider that
 * every Kubernetes resource of the stack must use.
 */
export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly clusterName: pulumi.Output<string>;
    /** The security group EKS puts on the control plane and the nodes (and thereby on pods). */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    /** The provider every Kubernetes resource of the stack uses. */
    readonly provider: k8s.Provider;
    readonly nodeRole: aws.iam.Role;
    readonly nodeGroup?: aws.eks.NodeGroup;
    readonly launchTemplate?: aws.ec2.LaunchTemplate;
    readonly addons: Readonly<Partial<Record<EksAddonName, aws.eks.Addon>>>;
    /** The role the CloudWatch agent assumes through Pod Identity to publish Container Insights metrics and logs. */
    readonly cloudWatchAgentRole: aws.iam.Role;
    readonly accessEntries: readonly aws.eks.AccessEntry[];
    readonly autoMode: boolean;
    /** metrics-server, which the app's HorizontalPodAutoscalers read. */
    readonly metricsServer: k8s.helm.v3.Release;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:eks:EksCluster", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const managedPolicy = (policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;
        const clusterName = physicalName("eksCluster", args.clusterName);
        const autoMode = args.capacity === "autoMode";
        const publicCidrs = [...(args.publicAccessCidrs ?? [])];
        this.autoMode = autoMode;
        const architecture = args.cpuArchitecture ?? "arm64";
        // The node group's AMI and instances must run the images' architecture (the stack config checks this
        // first, naming voteapp:cpuArchitecture; this guards direct users of the component).
        const foreign = autoMode
            ? []
            : args.nodes.instanceTypes.filter((t) => instanceTypeArchitecture(t) !== architecture);
        if (foreign.length > 0)
            throw new Error(
                `${name}: instance types ${foreign.join(", ")} are not ${architecture}, the cluster's cpuArchitecture`,
            );

        const attach = (roleName: string, role: aws.iam.Role, policies: readonly string[]) =>
            policies.map(
                (policy) =>
                    new aws.iam.RolePolicyAttachment(
                        `${roleName}-${policy}`,
                        { role: role.name, policyArn: managedPolicy(policy) },
                        { parent },
                    ),
            );

        // Control plane role. Auto Mode needs sts:TagSession and the compute, storage, load balancing and networking policies.
        const clusterRole = new aws.iam.Role(
            `${name}-cluster`,
            {
                ...roleScopeArgs(args.roleScope),
                description: `EKS control plane of ${clusterName}`,
                assumeRolePolicy: policyDocument("EKS cluster trust", [
                    {
                        Effect: "Allow",
                        Principal: { Service: "eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                    },
                ]),
            },
            { parent },
        );
        const clusterPolicies = autoMode
            ? [
                  "AmazonEKSClusterPolicy",
                  "AmazonEKSComputePolicy",
                  "AmazonEKSBlockStoragePolicy",
                  "AmazonEKSLoadBalancingPolicy",
                  "AmazonEKSNetworkingPolicy",
              ]
            : // The VPC resource controller (on the control plane) attaches trunk and branch interfaces for pod security groups.
              ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"];
        const clusterRoleAttachments = attach(`${name}-cluster`, clusterRole, clusterPolicies);
        const clusterKeyAccess = new aws.iam.RolePolicy(
            `${name}-cluster-kms`,
            {
                role: clusterRole.id,
                policy: policyDocument("EKS secrets encryption", [
                    {
                        Sid: "EnvelopeEncryptSecrets",
                        Effect: "Allow",
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"],
                        Resource: args.kmsKeyArn,
                    },
                ]),
            },
            { parent },
        );

        // Node role: pulls images and joins the cluster. The CNI policy sits here because aws-node runs on the
        // host network; pods cannot reach these credentials (IMDS hop limit 1) and use Pod Identity instead.
        this.nodeRole = new aws.iam.Role(
            `${name}-node`,
            {
                ...roleScopeArgs(args.roleScope),
                description: `EKS nodes of ${clusterName}`,
                assumeRolePolicy: policyDocument("EKS node trust", [
                    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
                ]),
            },
            { parent },
        );
        const nodePolicies = autoMode
            ? ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"]
            : ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"];
        const nodeRoleAttachments = attach(`${name}-node`, this.nodeRole, nodePolicies);

        // EKS would create this group itself, without retention or encryption: create it first.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            {
                name: `/aws/eks/${clusterName}/cluster`,
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.kmsKeyArn,
            },
            { parent },
        );

        this.cluster = new aws.eks.Cluster(
            name,
            {
                name: clusterName,
                version: args.kubernetesVersion,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicCidrs.length > 0,
                    publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
                },
                // Access entries only: no aws-auth ConfigMap, and no implicit admin for whoever created the cluster.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                enabledClusterLogTypes: [...EKS_CONTROL_PLANE_LOG_TYPES],
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: args.kmsKeyArn } },
                // The add-ons below (or Auto Mode) provide networking and DNS; EKS installs no unmanaged copies.
                bootstrapSelfManagedAddons: false,
                // Standard support only: extended support costs six times as much per cluster hour.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: (args.protection ?? NO_PROTECTION).deletionProtection,
                ...(autoMode
                    ? {
                          computeConfig: {
                              enabled: true,
                              nodePools: ["general-purpose", "system"],
                              nodeRoleArn: this.nodeRole.arn,
                          },
                          storageConfig: { blockStorage: { enabled: true } },
                          kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
                      }
                    : {}),
            },
            {
                parent,
                dependsOn: [
                    logGroup,
                    clusterKeyAccess,
                    ...clusterRoleAttachments,
                    ...(autoMode ? nodeRoleAttachments : []),
                ],
            },
        );
        this.clusterName = this.cluster.name;
        this.clusterSecurityGroupId = this.cluster.vpcConfig.apply((vpc) => {
            if (!vpc.clusterSecurityGroupId)
                throw new Error(`EKS did not report the cluster security group of ${clusterName}`);
            return vpc.clusterSecurityGroupId;
        });

        // Cluster admins: the deploy role (Pulumi drives the Kubernetes API with it) and the optional admin role.
        const admins = [
            { id: "deploy", arn: args.deployRoleArn },
            ...(args.adminRoleArn ? [{ id: "admin", arn: args.adminRoleArn }] : []),
        ];
        const accessEntries: aws.eks.AccessEntry[] = [];
        const accessReady: pulumi.Resource[] = [];
        for (const admin of admins) {
            const entry = new aws.eks.AccessEntry(
                `${name}-${admin.id}`,
                { clusterName: this.cluster.name, principalArn: admin.arn, type: "STANDARD" },
                { parent },
            );
            accessEntries.push(entry);
            accessReady.push(
                new aws.eks.AccessPolicyAssociation(
                    `${name}-${admin.id}-cluster-admin`,
                    {
                        clusterName: this.cluster.name,
                        principalArn: entry.principalArn,
                        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                        accessScope: { type: "cluster" },
                    },
                    { parent },
                ),
            );
        }
        this.accessEntries = accessEntries;

        const addons: Partial<Record<EksAddonName, aws.eks.Addon>> = {};
        const capacityReady: pulumi.Resource[] = [];
        const versions = addonVersionsFor(args.kubernetesVersion);
        const addon = (
            addonName: EksAddonName,
            dependsOn: pulumi.Resource[],
            configuration?: Record<string, unknown>,
            podIdentityAssociations?: aws.types.input.eks.AddonPodIdentityAssociation[],
        ) =>
            (addons[addonName] = new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: this.cluster.name,
                    addonName,
                    addonVersion: versions[addonName],
                    configurationValues: configuration ? JSON.stringify(configuration) : undefined,
                    podIdentityAssociations,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "PRESERVE",
                },
                { parent, dependsOn },
            ));
        if (!autoMode) {
            // Networking and the Pod Identity agent run as DaemonSets: install them before nodes join, so nodes
            // become Ready; CoreDNS is a Deployment and needs nodes to schedule on.
            const daemonAddons = [
                addon("vpc-cni", [], VPC_CNI_CONFIGURATION),
                addon("kube-proxy", []),
                addon("eks-pod-identity-agent", []),
            ];

            this.launchTemplate = new aws.ec2.LaunchTemplate(
                `${name}-nodes`,
                {
                    description: `Nodes of ${clusterName}: IMDSv2 only, hop limit ${IMDS_V2_ONE_HOP.httpPutResponseHopLimit} (pods cannot reach the node role), encrypted root volume`,
                    updateDefaultVersion: true,
                    metadataOptions: { ...IMDS_V2_ONE_HOP, instanceMetadataTags: "disabled" },
                    // The account's EBS key (aws/ebs): the Auto Scaling service role can use it without a key-policy grant.
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: {
                                volumeSize: NODE_ROOT_VOLUME_GB,
                                volumeType: "gp3",
                                encrypted: "true",
                                deleteOnTermination: "true",
                            },
                        },
                    ],
                    monitoring: { enabled: true },
                    ...(args.launchedResourceTags && Object.keys(args.launchedResourceTags).length > 0
                        ? {
                              tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                                  resourceType,
                                  tags: { ...args.launchedResourceTags },
                              })),
                          }
                        : {}),
                },
                { parent },
            );
            this.nodeGroup = new aws.eks.NodeGroup(
                `${name}-nodes`,
                {
                    clusterName: this.cluster.name,
                    version: args.kubernetesVersion,
                    nodeRoleArn: this.nodeRole.arn,
                    subnetIds: args.privateSubnetIds,
                    amiType: ARCHITECTURE_NAMES[architecture].eksAmiType,
                    capacityType: "ON_DEMAND",
                    instanceTypes: [...args.nodes.instanceTypes],
                    scalingConfig: {
                        minSize: args.nodes.minSize,
                        desiredSize: args.nodes.desiredSize,
                        maxSize: args.nodes.maxSize,
                    },
                    updateConfig: { maxUnavailable: 1 },
                    launchTemplate: {
                        id: this.launchTemplate.id,
                        version: this.launchTemplate.latestVersion.apply(String),
                    },
                    nodeRepairConfig: { enabled: true },
                },
                { parent, dependsOn: [...nodeRoleAttachments, ...daemonAddons] },
            );
            capacityReady.push(this.nodeGroup, ...daemonAddons, addon("coredns", [this.nodeGroup]));
        }

        // Container Insights: the CloudWatch agent and Fluent Bit publish the node, pod and container metrics the
        // stack's EKS alarms and dashboard read (namespace ContainerInsights); without them those alarms never
        // get data. The agent gets AWS credentials through Pod Identity (the add-on creates the association),
        // never from the node role. Auto Mode runs add-ons like this one and has the Pod Identity agent built in.
        this.cloudWatchAgentRole = new aws.iam.Role(
            `${name}-cloudwatch-agent`,
            {
                ...roleScopeArgs(args.roleScope),
                description: `CloudWatch agent of ${clusterName} (EKS Pod Identity, ${CLOUDWATCH_AGENT_IDENTITY.namespace}/${CLOUDWATCH_AGENT_IDENTITY.serviceAccount}): Container Insights metrics and logs`,
                assumeRolePolicy: podIdentityTrustPolicy(args.accountId, this.cluster.arn),
            },
            { parent },
        );
        const cloudWatchAgentPolicy = attach(`${name}-cloudwatch-agent`, this.cloudWatchAgentRole, [
            CLOUDWATCH_AGENT_IDENTITY.managedPolicy,
        ]);
        // Fluent Bit and the agent would create their groups themselves, without retention or encryption: create
        // them first, as for the control plane's.
        const insightsLogGroups = CONTAINER_INSIGHTS_LOG_GROUPS.map(
            (group) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-insights-${group}`,
                    {
                        name: `/aws/containerinsights/${clusterName}/${group}`,
                        retentionInDays: args.logRetentionDays,
                        kmsKeyId: args.kmsKeyArn,
                    },
                    { parent },
                ),
        );
        // Its agent and Fluent Bit are DaemonSets and its controller a Deployment: on a node group, wait for nodes
        // (and the Pod Identity agent), or the add-on reports DEGRADED until they come.
        addon(
            "amazon-cloudwatch-observability",
            [
                ...cloudWatchAgentPolicy,
                ...insightsLogGroups,
                ...(this.nodeGroup && addons["eks-pod-identity-agent"]
                    ? [this.nodeGroup, addons["eks-pod-identity-agent"]]
                    : []),
            ],
            undefined,
            [{ serviceAccount: CLOUDWATCH_AGENT_IDENTITY.serviceAccount, roleArn: this.cloudWatchAgentRole.arn }],
        );
        this.addons = addons;

        this.kubeconfig = kubeconfigFor({
            clusterName: this.cluster.name,
            endpoint: this.cluster.endpoint,
            certificateAuthorityData: this.cluster.certificateAuthority.apply((ca) => ca.data ?? ""),
            region: args.region,
        });
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, ...KUBERNETES_PROVIDER_BEHAVIOUR },
            // Kubernetes objects wait for admin access and for capacity to run on.
            { parent, dependsOn: [...accessReady, ...capacityReady] },
        );
        this.metricsServer = new k8s.helm.v3.Release(
            `${name}-metrics-server`,
            {
                name: "metrics-server",
                chart: METRICS_SERVER_CHART.chart,
                version: METRICS_SERVER_CHART.version,
                repositoryOpts: { repo: METRICS_SERVER_CHART.repo },
                namespace: "kube-system",
                atomic: true,
                cleanupOnFail: true,
                values: {
                    replicas: metricsServerReplicas(args.nodes.minSize, autoMode),
                    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
                },
            },
            { parent, provider: this.provider },
        );
        if (autoMode) {
            // Auto Mode enforces NetworkPolicies only once its network policy controller is switched on here.
            new k8s.core.v1.ConfigMap(
                `${name}-network-policy`,
                {
                    metadata: { name: "amazon-vpc-cni", namespace: "kube-system" },
                    data: { "enable-network-policy-controller": "true" },
                },
                { parent, provider: this.provider },
            );
        }
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.cluster.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
        });
    }
}
