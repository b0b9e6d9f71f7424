import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICES, type AppService } from "../components/appContract";
import { Data } from "../components/data";
import { EncryptionKey } from "../components/encryptionKey";
import { FargateSecurityGroups } from "../components/fargate/securityGroups";
import { VoteAppOnFargate } from "../components/fargate/voteAppOnFargate";
import { Network } from "../components/network";
import { Registry } from "../components/registry";
import { createAccountProvider } from "./accountProvider";
import type { VoteAppConfig } from "./config";

/** Stack outputs every platform provides. */
export type VoteAppOutputs = Record<string, pulumi.Input<unknown>>;

/** What every platform builds on: account provider, key, network, registry. */
interface Foundation {
    readonly provider: aws.Provider;
    readonly componentOptions: pulumi.ComponentResourceOptions;
    readonly key: EncryptionKey;
    readonly network: Network;
    readonly registry: Registry;
    readonly namePrefix: string;
}

function buildFoundation(config: VoteAppConfig): Foundation {
    const provider = createAccountProvider(config);
    const componentOptions: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
    const namePrefix = `${config.project}-${config.environment}`;
    const key = new EncryptionKey(
        "data-key",
        { purpose: "data", environment: config.environment, project: config.project, accountId: config.account.id, region: config.region },
        // Losing the key loses every encrypted store: never delete it with the stack outside dev.
        { ...componentOptions, protect: config.hardened, retainOnDelete: config.hardened },
    );
    const network = new Network(
        "network",
        {
            cidr: config.network.cidr,
            azCount: config.network.azCount,
            natGateways: config.network.natGateways,
            interfaceEndpoints: config.network.interfaceEndpoints,
            region: config.region,
            flowLogRetentionDays: config.logRetentionDays,
            logsKmsKeyArn: key.arn,
        },
        componentOptions,
    );
    const registry = new Registry("registry", { namePrefix, kmsKeyArn: key.arn, keepImages: config.images.keepPerRepository, retainOnDelete: config.hardened }, componentOptions);
    return { provider, componentOptions, key, network, registry, namePrefix };
}

/** Image per service: the config's explicit reference, else the stack's ECR repository with the configured tag. */
function imagesFor(config: VoteAppConfig, registry: Registry): Record<AppService, pulumi.Input<string>> {
    return Object.fromEntries(APP_SERVICES.map((s) => [s, config.images.overrides[s] ?? registry.imageFor(s, config.images.tag)])) as Record<AppService, pulumi.Input<string>>;
}

function deployOnFargate(config: VoteAppConfig, foundation: Foundation): VoteAppOutputs {
    const { componentOptions, key, network, registry, namePrefix } = foundation;
    const securityGroups = new FargateSecurityGroups("fargate-security-groups", { vpcId: network.vpcId, vpcCidr: network.cidr, https: config.domain !== undefined }, componentOptions);
    const data = new Data(
        "data",
        {
            namePrefix,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            redisClientSecurityGroupIds: securityGroups.clientsOf("redis"),
            postgresClientSecurityGroupIds: securityGroups.clientsOf("postgres"),
            kmsKeyArn: key.arn,
            ...config.data,
            logRetentionDays: config.logRetentionDays,
            production: config.hardened,
            finalSnapshot: config.hardened,
        },
        componentOptions,
    );
    const app = new VoteAppOnFargate(
        "vote-app",
        {
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            publicSubnetIds: network.publicSubnetIds,
            securityGroups,
            data,
            images: imagesFor(config, registry),
            repositoryArns: Object.values(registry.repositories).map((r) => r.arn),
            sizes: config.services,
            kmsKeyArn: key.arn,
            logRetentionDays: config.logRetentionDays,
            certificateArn: config.domain?.certificateArn,
            domainName: config.domain?.name,
            accessLogs: config.hardened,
            deletionProtection: config.hardened,
            voteOptions: config.voteOptions,
        },
        componentOptions,
    );
    return {
        url: app.url,
        loadBalancerDnsName: app.loadBalancer.dnsName,
        ecsClusterName: app.cluster.name,
        redisEndpoint: data.endpoints.redisHost,
        postgresEndpoint: data.endpoints.pgHost,
    };
}

/**
 * Composes the whole stack from validated config: the account-pinned provider, then the foundation, then
 * the chosen platform. Nothing here reads config; `index.ts` hands in what `loadVoteAppConfig` returned.
 */
export function createVoteApp(config: VoteAppConfig): VoteAppOutputs {
    const foundation = buildFoundation(config);
    const common: VoteAppOutputs = {
        environment: config.environment,
        platform: config.platform,
        accountId: config.account.id,
        region: config.region,
        vpcId: foundation.network.vpcId,
        repositoryUrls: foundation.registry.repositoryUrls,
    };
    switch (config.platform) {
        case "ecs":
            return { ...common, ...deployOnFargate(config, foundation) };
        case "eks":
        case "lambda":
            // Config validation refuses platforms whose components have not landed, before any resource exists.
            throw new Error(`platform ${config.platform} passed validation but has no composition`);
    }
}
