import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICE_TABLE, checkedServiceTable, type ServiceTable } from "../shared/appContract";
import { Data } from "../components/data";
import { EncryptionKey } from "../components/encryptionKey";
import { Network } from "../components/network";
import { type RegistryReference, registryReference } from "../components/registryNames";
import { createAccountProvider, defaultTags } from "./accountProvider";
import type { VoteAppConfig } from "./config";
import type { VoteAppTransforms } from "./transforms";
import type { ServiceSize } from "../components/vocabulary";
import { entryOf, recordOf } from "../shared/record";

/** What every platform builds on: the account-pinned provider and the stack's KMS key. */
export interface BaseFoundation {
    readonly provider: aws.Provider;
    readonly componentOptions: pulumi.ComponentResourceOptions;
    readonly key: EncryptionKey;
    readonly namePrefix: string;
    /** The caller's per-component transforms, for the platforms to hand on. */
    readonly transforms: VoteAppTransforms;
    /** The app's services (shared/appContract.ts APP_SERVICE_TABLE): each platform derives its per-service resources from it. */
    readonly services: ServiceTable;
}

/**
 * What the container platforms (ecs, eks) build on: the base, plus the VPC and the image registry. The
 * registry's repositories belong to the account's bootstrap (bootstrap/registry.ts): they exist, and hold
 * the images, before the stack's first `pulumi up`, so the program refers to them by name.
 */
export interface Foundation extends BaseFoundation {
    readonly network: Network;
    readonly registry: RegistryReference;
}

/** Provider and key only: the serverless platform needs no VPC, NAT or ECR (it pays for none of them). */
export function buildBaseFoundation(
    config: VoteAppConfig,
    transforms: VoteAppTransforms = {},
    services: ServiceTable = APP_SERVICE_TABLE,
): BaseFoundation {
    const provider = createAccountProvider(config);
    const componentOptions: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
    const namePrefix = `${config.project}-${config.environment}`;
    const key = new EncryptionKey(
        "data-key",
        {
            purpose: "data",
            environment: config.environment,
            project: config.project,
            accountId: config.account.id,
            region: config.region,
            protection: config.protection,
            alarmTopic: config.cost.alarmTopicKey === "stack",
        },
        componentOptions,
    );
    return { provider, componentOptions, key, namePrefix, transforms, services: checkedServiceTable(services) };
}

/** The base, then the VPC the container platforms run in and the ECR repositories they pull from. */
export function buildFoundation(
    config: VoteAppConfig,
    transforms: VoteAppTransforms = {},
    services: ServiceTable = APP_SERVICE_TABLE,
): Foundation {
    const base = buildBaseFoundation(config, transforms, services);
    const { componentOptions, key } = base;
    const network = new Network(
        "network",
        {
            cidr: config.network.cidr,
            azCount: config.network.azCount,
            natGateways: config.network.natGateways,
            natInstanceType: config.network.natInstanceType,
            interfaceEndpoints: config.network.interfaceEndpoints,
            region: config.region,
            flowLogRetentionDays: config.logRetentionDays,
            logsKmsKeyArn: key.arn,
            roleScope: config.account.roleScope,
            // The provider's default tags, for what the NAT's auto-scaling group launches (they do not reach it).
            launchedResourceTags: defaultTags(config),
        },
        componentOptions,
    );
    const registry = registryReference({
        accountId: config.account.id,
        region: config.region,
        project: config.project,
        environment: config.environment,
    });
    return { ...base, network, registry };
}

/** Image per service: the config's explicit reference (voteapp:<service>Image), else the stack's ECR repository with the configured tag. */
export function imagesFor(
    config: VoteAppConfig,
    registry: RegistryReference,
    services: ServiceTable,
): Record<string, string> {
    return Object.fromEntries(
        services.map(({ name }) => [name, config.images.overrides[name] ?? registry.imageFor(name, config.images.tag)]),
    );
}

/**
 * Size and counts per service, from its keys (voteapp:<service>Cpu and the rest; the config was read for this
 * table, so every row has them, a row's defaults being its keys' defaults).
 */
export function serviceSizes(config: VoteAppConfig, services: ServiceTable): Record<string, ServiceSize> {
    return recordOf(
        services.map((spec) => spec.name),
        (name) => entryOf(config.services, "the config's service sizes", name),
    );
}

/** What admits the app's services to a data store: one security group per client service (ecs tasks or eks pods). */
export interface DataClients {
    clientsOf(store: "redis" | "postgres"): pulumi.Input<string>[];
}

/**
 * The data layer of the container platforms (ecs, eks): Redis and PostgreSQL in the private subnets, admitting
 * the platform's client security groups. One construction, so both platforms pass the same args (the caller's
 * `transforms.data` included: eks once built Data without it, issue 16.3).
 */
export function buildData(config: VoteAppConfig, foundation: Foundation, clients: DataClients): Data {
    const { componentOptions, key, network, namePrefix, transforms } = foundation;
    return new Data(
        "data",
        {
            roleScope: config.account.roleScope,
            namePrefix,
            region: config.region,
            accountId: config.account.id,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            redisClientSecurityGroupIds: clients.clientsOf("redis"),
            postgresClientSecurityGroupIds: clients.clientsOf("postgres"),
            kmsKeyArn: key.arn,
            ...config.data,
            redisServerless: config.cost.redisCapacity === "serverless",
            cpuArchitecture: config.cpuArchitecture,
            logRetentionDays: config.logRetentionDays,
            protection: config.protection,
            transform: transforms.data,
        },
        componentOptions,
    );
}

/** The outputs both container platforms give (outputs.ts ContainerOutputs, less the entry point and alarms). */
export function containerOutputs(foundation: Foundation, images: Readonly<Record<string, string>>, data: Data) {
    const { network, registry, services } = foundation;
    return {
        vpcId: network.vpcId,
        repositoryUrls: Object.fromEntries(services.map(({ name }) => [name, registry.urlOf(name)])),
        images,
        redisEndpoint: data.endpoints.redisHost,
        postgresEndpoint: data.endpoints.pgHost,
    };
}
