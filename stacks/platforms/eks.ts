import * as pulumi from "@pulumi/pulumi";
import { EksCluster } from "../../components/eks/eksCluster";
import { EksPodSecurityGroups } from "../../components/eks/podSecurityGroups";
import { EksPreviewAccess } from "../../components/eks/previewAccess";
import { pullRequestPreviews } from "../../components/delivery/githubTrust";
import { VoteAppOnKubernetes } from "../../components/eks/voteAppOnKubernetes";
import { eksSignals } from "../../components/observability/signals";
import type { VoteAppConfig } from "../config";
import { endpointPublicAccessCidrs } from "../config/ciRunner";
import { defaultTags } from "../accountProvider";
import { dataLayerSignals, observeStack } from "../observability";
import { buildData, containerOutputs, type Foundation, imagesFor, serviceSizes } from "../foundation";
import type { EksOutputs } from "../outputs";
import { scheduleWorkingHours } from "../workingHours";

/**
 * platform: eks — the cluster first, then the app pods' own security groups, the data layer admitting only
 * those, then the app on Kubernetes through the cluster's own provider.
 */
export function deployOnEks(config: VoteAppConfig, foundation: Foundation): EksOutputs {
    const { componentOptions, key, network, registry, namePrefix, services } = foundation;
    const names = services.map((spec) => spec.name);
    const httpNames = services.filter((spec) => spec.http !== undefined).map((spec) => spec.name);
    const { eks } = config;
    const cluster = new EksCluster(
        "eks",
        {
            clusterName: namePrefix,
            kubernetesVersion: eks.kubernetesVersion,
            region: config.region,
            accountId: config.account.id,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            kmsKeyArn: key.arn,
            logRetentionDays: config.logRetentionDays,
            // The people's CIDRs and the CI runner's (stacks/config/ciRunner.ts): the runner that deploys is one the endpoint admits.
            publicAccessCidrs: endpointPublicAccessCidrs(eks.publicAccessCidrs, config.ciRunner),
            deployRoleArn: config.account.deployRoleArn,
            roleScope: config.account.roleScope,
            adminRoleArn: eks.adminRoleArn,
            capacity: eks.capacity,
            nodes: eks.nodes,
            cpuArchitecture: config.cpuArchitecture,
            protection: config.protection,
            launchedResourceTags: defaultTags(config),
        },
        componentOptions,
    );
    // Where pull requests preview the stack (dev), their preview role reads the Kubernetes API, and writes nothing.
    if (pullRequestPreviews(config.tier))
        new EksPreviewAccess(
            "eks-preview-access",
            {
                clusterName: cluster.clusterName,
                previewRoleArn: config.account.previewRoleArn,
                provider: cluster.provider,
            },
            componentOptions,
        );
    // Security groups for pods: the data layer admits the app's pod groups only, never the cluster group every pod
    // of every namespace carries (config accepts managedNodeGroup capacity only: Auto Mode assigns no pod groups).
    const podSecurityGroups = new EksPodSecurityGroups(
        "eks-pod-security-groups",
        {
            vpcId: network.vpcId,
            vpcCidr: network.cidr,
            clusterSecurityGroupId: cluster.clusterSecurityGroupId,
            https: config.domain !== undefined,
            services,
        },
        componentOptions,
    );
    const data = buildData(config, foundation, podSecurityGroups);
    scheduleWorkingHours(config, foundation, { data, nodeGroup: cluster.nodeGroup });
    const images = imagesFor(config, registry, services);
    // A slot of an HTTP service without its own tag runs what a rolling stack would (imageTag, or a <service>Image
    // pin); config validation refuses pins together with slot tags, so a slot tag is never silently overridden.
    const slotImages = (slot: "blue" | "green") => {
        const tag = eks.blueGreen?.slotTagSet[slot] ? eks.blueGreen.imageTags[slot] : undefined;
        return Object.fromEntries(
            httpNames.map((service) => [
                service,
                tag === undefined ? images[service] : registry.imageFor(service, tag),
            ]),
        );
    };
    const app = new VoteAppOnKubernetes(
        "vote-app",
        {
            roleScope: config.account.roleScope,
            bucketPrefix: `${namePrefix}-`,
            kubernetesProvider: cluster.provider,
            cpuArchitecture: config.cpuArchitecture,
            clusterName: cluster.clusterName,
            clusterArn: cluster.cluster.arn,
            region: config.region,
            accountId: config.account.id,
            vpcId: network.vpcId,
            vpcCidr: network.cidr,
            publicSubnetIds: network.publicSubnetIds,
            data,
            services,
            images,
            // Blue/green: each slot runs its own tag from the stack's registry; the Services select the live slot.
            blueGreen: eks.blueGreen
                ? { liveSlot: eks.blueGreen.liveSlot, images: { blue: slotImages("blue"), green: slotImages("green") } }
                : undefined,
            podSecurityGroups: {
                loadBalancer: podSecurityGroups.loadBalancer.id,
                services: Object.fromEntries(names.map((service) => [service, podSecurityGroups.services[service].id])),
            },
            sizes: serviceSizes(config, services),
            rollingUpdate: eks.rollingUpdate,
            voteOptions: config.voteOptions,
            certificateArn: config.domain?.certificateArn,
            domainName: config.domain?.name,
            protection: config.protection,
        },
        componentOptions,
    );
    // The ALB is the controller's, made from the Ingress after this program ran: its ARN suffix is not known
    // here, so the dashboard watches the workloads through Container Insights (the Services' live pods) and the data layer.
    const observability = observeStack(
        config,
        foundation,
        eksSignals({
            namePrefix,
            clusterName: cluster.clusterName,
            namespace: app.namespace.metadata.name,
            workloads: httpNames,
            ...dataLayerSignals(config, data),
        }),
    );
    return {
        url: app.url,
        ...containerOutputs(foundation, images, data),
        deploymentStrategy: config.safety.deployment.strategy,
        ...(eks.blueGreen ? { liveSlot: eks.blueGreen.liveSlot, slotImageTags: eks.blueGreen.imageTags } : {}),
        ...(observability.dashboardUrl ? { dashboardUrl: observability.dashboardUrl } : {}),
        alarmTopicArn: observability.topic.arn,
        clusterName: cluster.clusterName,
        clusterEndpoint: cluster.cluster.endpoint,
        kubernetesVersion: eks.kubernetesVersion,
        eksCapacity: eks.capacity,
        kubeconfig: pulumi.secret(cluster.kubeconfig),
        appNamespace: app.namespace.metadata.name,
    };
}
