import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Data, type DataArgs } from "../../components/data";
import { EksCluster, type EksClusterArgs } from "../../components/eks/eksCluster";
import { EksPodSecurityGroups } from "../../components/eks/podSecurityGroups";
import { VoteAppOnKubernetes, type VoteAppOnKubernetesArgs } from "../../components/eks/voteAppOnKubernetes";
import { FargateSecurityGroups } from "../../components/fargate/securityGroups";
import { VoteAppOnFargate, type VoteAppOnFargateArgs } from "../../components/fargate/voteAppOnFargate";
import { guardDutyFargateAgentRepositoryArn } from "../../components/security/guardDutyAgent";
import { VoteAppServerless, type VoteAppServerlessArgs } from "../../components/serverless/voteAppServerless";
import type { MockedRun } from "../../plan/harness";
import { APP_SERVICE_TABLE, APP_SERVICES } from "../../shared/appContract";
import { recordOf } from "../../shared/record";
import { MOUNT_ACCOUNT, mountComponent, mountShared } from "./mount";

/**
 * The args the component tests mount their components with (issue 16.5), written once: a network given by
 * ids (no Network component), one KMS key, the data layer's sizes. A test changes what it is about and
 * asserts on what follows from its own args, never on a stack file.
 */
export const TEST_NAME_PREFIX = "voteapp-test";

/** A VPC by its ids: private subnets are named `*private*`, public ones `*public*`, so tests can tell them apart. */
export const TEST_NETWORK = {
    vpcId: "vpc-0test",
    cidr: "10.0.0.0/16",
    privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
    publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
} as const;

export const TEST_KMS_KEY_ARN = `arn:aws:kms:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:key/test`;
export const TEST_DEPLOY_ROLE_ARN = `arn:aws:iam::${MOUNT_ACCOUNT.accountId}:role/voteapp-deploy`;
export const TEST_CERTIFICATE_ARN = `arn:aws:acm:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:certificate/test`;

/** The data layer in the test network, admitting the given client groups. */
export const TEST_DATA_ARGS: DataArgs = {
    namePrefix: TEST_NAME_PREFIX,
    region: MOUNT_ACCOUNT.region,
    accountId: MOUNT_ACCOUNT.accountId,
    vpcId: TEST_NETWORK.vpcId,
    subnetIds: [...TEST_NETWORK.privateSubnetIds],
    redisClientSecurityGroupIds: ["sg-redis-client"],
    postgresClientSecurityGroupIds: ["sg-postgres-client"],
    kmsKeyArn: TEST_KMS_KEY_ARN,
    redisNodeType: "cache.t4g.small",
    postgresInstanceClass: "db.t4g.small",
    postgresAllocatedStorageGb: 30,
    postgresEngineVersion: "17",
    postgresMajorVersion: 17,
    multiAz: false,
    backupRetentionDays: 3,
    logRetentionDays: 30,
};

/** Mounts Data alone with TEST_DATA_ARGS and the given changes (one run per args: mountShared). */
export function mountData(args: Partial<DataArgs> = {}): Promise<MockedRun> {
    const dataArgs: DataArgs = { ...TEST_DATA_ARGS, ...args };
    return mountShared("Data", dataArgs, () => mountComponent((opts) => new Data("data", dataArgs, opts)));
}

/** What VoteAppOnFargate takes besides the groups and the data layer it is mounted with. */
export type FargateAppArgs = Omit<VoteAppOnFargateArgs, "securityGroups" | "data">;

export const TEST_FARGATE_ARGS: FargateAppArgs = {
    namePrefix: TEST_NAME_PREFIX,
    region: MOUNT_ACCOUNT.region,
    accountId: MOUNT_ACCOUNT.accountId,
    vpcId: TEST_NETWORK.vpcId,
    privateSubnetIds: [...TEST_NETWORK.privateSubnetIds],
    publicSubnetIds: [...TEST_NETWORK.publicSubnetIds],
    images: recordOf(
        APP_SERVICES,
        (service) => `${MOUNT_ACCOUNT.accountId}.dkr.ecr.eu-west-1.amazonaws.com/${service}:1`,
    ),
    repositoryArns: APP_SERVICES.map(
        (service) => `arn:aws:ecr:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:repository/${service}`,
    ),
    guardDutyAgentRepositoryArn: guardDutyFargateAgentRepositoryArn(MOUNT_ACCOUNT.region),
    sizes: recordOf(APP_SERVICES, () => ({ cpu: 256, memory: 512, desiredCount: 1, minCount: 1, maxCount: 2 })),
    kmsKeyArn: TEST_KMS_KEY_ARN,
    logRetentionDays: 30,
    voteOptions: { a: "Cats", b: "Dogs" },
};

export interface FargateMountOptions {
    /** Who may reach the blue/green test listener (FargateSecurityGroups' testTrafficCidrs). */
    readonly testTrafficCidrs?: readonly string[];
}

/** What a platform's client security groups give the data layer: each store's admitted groups. */
interface DataClientGroups {
    clientsOf(store: "redis" | "postgres"): pulumi.Input<string>[];
}

/**
 * Mounts a platform's app component as its stack composes it (stacks/foundation.ts buildData): `platform` creates
 * what the app needs from its platform (its client security groups first), then a Data layer (TEST_DATA_ARGS)
 * admitting exactly those groups, then `app` the component itself, with that layer.
 */
function mountApp(
    component: string,
    args: unknown,
    platform: (opts: pulumi.ComponentResourceOptions) => {
        readonly clients: DataClientGroups;
        readonly app: (data: Data) => pulumi.ComponentResource;
    },
): Promise<MockedRun> {
    return mountShared(component, args, () =>
        mountComponent((opts) => {
            const { clients, app } = platform(opts);
            const data = new Data(
                "data",
                {
                    ...TEST_DATA_ARGS,
                    redisClientSecurityGroupIds: clients.clientsOf("redis"),
                    postgresClientSecurityGroupIds: clients.clientsOf("postgres"),
                },
                opts,
            );
            return app(data);
        }),
    );
}

/**
 * Mounts VoteAppOnFargate with TEST_FARGATE_ARGS and the given changes, beside what it needs from the platform:
 * its FargateSecurityGroups (HTTPS when a certificate is given) and a Data layer (TEST_DATA_ARGS) admitting them.
 * One run per args (mountShared).
 */
export function mountFargateApp(
    args: Partial<FargateAppArgs> = {},
    options: FargateMountOptions = {},
): Promise<MockedRun> {
    const appArgs: FargateAppArgs = { ...TEST_FARGATE_ARGS, ...args };
    return mountApp("VoteAppOnFargate", { appArgs, options }, (opts) => {
        const securityGroups = new FargateSecurityGroups(
            "fargate-security-groups",
            {
                vpcId: appArgs.vpcId,
                vpcCidr: TEST_NETWORK.cidr,
                https: appArgs.certificateArn !== undefined,
                testTrafficCidrs: options.testTrafficCidrs,
            },
            opts,
        );
        return {
            clients: securityGroups,
            app: (data) => new VoteAppOnFargate("vote-app", { ...appArgs, securityGroups, data }, opts),
        };
    });
}

export const TEST_EKS_ARGS: EksClusterArgs = {
    clusterName: TEST_NAME_PREFIX,
    kubernetesVersion: "1.33",
    region: MOUNT_ACCOUNT.region,
    accountId: MOUNT_ACCOUNT.accountId,
    vpcId: TEST_NETWORK.vpcId,
    privateSubnetIds: [...TEST_NETWORK.privateSubnetIds],
    kmsKeyArn: TEST_KMS_KEY_ARN,
    logRetentionDays: 30,
    deployRoleArn: TEST_DEPLOY_ROLE_ARN,
    capacity: "managedNodeGroup",
    nodes: { instanceTypes: ["c7g.large"], minSize: 1, desiredSize: 2, maxSize: 3 },
};

/** Mounts EksCluster alone with TEST_EKS_ARGS and the given changes (one run per args: mountShared). */
export function mountEksCluster(args: Partial<EksClusterArgs> = {}): Promise<MockedRun> {
    const clusterArgs: EksClusterArgs = { ...TEST_EKS_ARGS, ...args };
    return mountShared("EksCluster", clusterArgs, () =>
        mountComponent((opts) => new EksCluster("eks", clusterArgs, opts)),
    );
}

/** A code archive standing in for a handler bundle (the stacks bundle app/'s handlers: test/stacks/lambdaComposition). */
export const testCodeArchive = (service: string): pulumi.asset.AssetArchive =>
    new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(`exports.handler = "${service}";`) });

export const TEST_SERVERLESS_ARGS: VoteAppServerlessArgs = {
    namePrefix: TEST_NAME_PREFIX,
    region: MOUNT_ACCOUNT.region,
    accountId: MOUNT_ACCOUNT.accountId,
    code: recordOf(APP_SERVICES, testCodeArchive),
    functions: {
        vote: { memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 20 },
        result: { memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 20 },
        worker: { memoryMb: 256, timeoutSeconds: 30, reservedConcurrency: 5 },
    },
    throttling: { burstLimit: 100, rateLimit: 50 },
    workerBatchSize: 10,
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 180,
    kmsKeyArn: TEST_KMS_KEY_ARN,
    logRetentionDays: 30,
    voteOptions: { a: "Cats", b: "Dogs" },
    deployment: {
        strategy: "allAtOnce",
        rollbackAlarmNames: recordOf(APP_SERVICES, (service) => [`${TEST_NAME_PREFIX}-${service}-errors`]),
    },
};

/** Mounts VoteAppServerless alone with TEST_SERVERLESS_ARGS and the given changes. */
export function mountServerlessApp(args: Partial<VoteAppServerlessArgs> = {}): Promise<MockedRun> {
    return mountComponent((opts) => new VoteAppServerless("vote-app", { ...TEST_SERVERLESS_ARGS, ...args }, opts));
}

/** The cluster VoteAppOnKubernetes is mounted into: given by name, ARN and security group (no EksCluster). */
export const TEST_CLUSTER = {
    name: TEST_NAME_PREFIX,
    arn: `arn:aws:eks:${MOUNT_ACCOUNT.region}:${MOUNT_ACCOUNT.accountId}:cluster/${TEST_NAME_PREFIX}`,
    securityGroupId: "sg-cluster-test",
} as const;

/** What VoteAppOnKubernetes takes besides the provider, data layer and pod groups it is mounted with. */
export type KubernetesAppArgs = Omit<VoteAppOnKubernetesArgs, "kubernetesProvider" | "data" | "podSecurityGroups">;

export const TEST_KUBERNETES_ARGS: KubernetesAppArgs = {
    clusterName: TEST_CLUSTER.name,
    clusterArn: TEST_CLUSTER.arn,
    region: MOUNT_ACCOUNT.region,
    accountId: MOUNT_ACCOUNT.accountId,
    vpcId: TEST_NETWORK.vpcId,
    vpcCidr: TEST_NETWORK.cidr,
    publicSubnetIds: [...TEST_NETWORK.publicSubnetIds],
    images: TEST_FARGATE_ARGS.images,
    sizes: recordOf(APP_SERVICES, () => ({ cpu: 256, memory: 512, minCount: 1, maxCount: 2 })),
    rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
    voteOptions: { a: "Cats", b: "Dogs" },
};

export interface KubernetesMountOptions {
    /** Mount without security groups for pods (the pods keep the node's groups). */
    readonly withoutPodSecurityGroups?: boolean;
}

/**
 * Mounts VoteAppOnKubernetes with TEST_KUBERNETES_ARGS and the given changes, beside what it needs from the
 * platform, as the eks stack composes it: a Kubernetes provider for the cluster, the pods' EksPodSecurityGroups
 * (HTTPS when a certificate is given) and a Data layer (TEST_DATA_ARGS) admitting exactly those groups.
 * One run per args (mountShared).
 */
export function mountKubernetesApp(
    args: Partial<KubernetesAppArgs> = {},
    options: KubernetesMountOptions = {},
): Promise<MockedRun> {
    const appArgs: KubernetesAppArgs = { ...TEST_KUBERNETES_ARGS, ...args };
    return mountApp("VoteAppOnKubernetes", { appArgs, options }, (opts) => {
        const kubernetesProvider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const podSecurityGroups = new EksPodSecurityGroups(
            "eks-pod-security-groups",
            {
                vpcId: appArgs.vpcId,
                vpcCidr: appArgs.vpcCidr,
                clusterSecurityGroupId: TEST_CLUSTER.securityGroupId,
                https: appArgs.certificateArn !== undefined,
                services: appArgs.services,
            },
            opts,
        );
        const services = (appArgs.services ?? APP_SERVICE_TABLE).map((spec) => spec.name);
        const podGroups = {
            loadBalancer: podSecurityGroups.loadBalancer.id,
            services: Object.fromEntries(services.map((service) => [service, podSecurityGroups.services[service].id])),
        };
        return {
            clients: podSecurityGroups,
            app: (data) =>
                new VoteAppOnKubernetes(
                    "vote-app",
                    {
                        ...appArgs,
                        kubernetesProvider,
                        data,
                        podSecurityGroups: options.withoutPodSecurityGroups ? undefined : podGroups,
                    },
                    opts,
                ),
        };
    });
}
