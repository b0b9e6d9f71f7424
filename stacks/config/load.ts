import { APP_SERVICES, type AppService } from "../../components/appContract";
import { readEksConfig } from "./eks";
import { readEksSlots } from "./eksSlots";
import { checkDeliveryRules } from "./delivery";
import { describeFargateMemory, fargateMemoryOptions } from "./fargate";
import { checkLambdaRelations, lambdaConfigFrom } from "./lambda";
import { CONFIG_KEYS, CONFIG_NAMESPACE, type ConfigKey, type ConfigKeyDeclaration, qualifiedKey } from "./keys";
import { ACM_CERTIFICATE_ARN, checkVpcCidr, IMPLEMENTED_PLATFORMS, LOAD_BALANCED_PLATFORMS, TIERS } from "./rules";
import { checkSafety, resolveSafety } from "./safety";
import { type FlatConfig, flatConfigSchema } from "./schema";
import type { ServiceSize, Tier, VoteAppConfig } from "./types";
import {
    type ConfigKeyTable,
    type ConfigProblem,
    ConfigValidationError,
    deepFreeze,
    readTypedValues,
    schemaProblems,
} from "./reader";
import { partitionOf } from "../../components/partition";
import { workloadRoleScope } from "../../components/delivery/workloadRoles";

export { ConfigValidationError, formatProblem, type ConfigProblem } from "./reader";

const KEY_TABLE: ConfigKeyTable = {
    namespace: CONFIG_NAMESPACE,
    keys: CONFIG_KEYS satisfies Readonly<Record<ConfigKey, ConfigKeyDeclaration>>,
    reference: "Pulumi.yaml",
};

function resolveTier(flat: FlatConfig, problems: ConfigProblem[]): Tier | undefined {
    if (flat.tier) return flat.tier;
    const fromName = TIERS.find((t) => t === flat.environment);
    if (!fromName) {
        problems.push({
            key: qualifiedKey("tier"),
            value: undefined,
            message: `is required when the environment ("${flat.environment}") is not one of ${TIERS.join(", ")}: set dev, staging or prod`,
        });
    }
    return fromName;
}

/** Relations between keys that no single key can check. */
function checkRelations(flat: FlatConfig, tier: Tier, problems: ConfigProblem[]): void {
    const problem = (key: string, value: unknown, message: string) =>
        problems.push({ key: qualifiedKey(key), value, message });
    const isProd = tier === "prod";
    // Prod's network, task and data-layer rules apply where those resources exist: lambda builds none of them.
    const prodContainers = isProd && flat.platform !== "lambda";

    // Accounts: one account per environment, and this stack must target its own environment's account.
    const known: Partial<Record<Tier, string>> = {
        dev: flat.devAccountId,
        staging: flat.stagingAccountId,
        prod: flat.prodAccountId,
    };
    for (const [a, b] of [
        ["dev", "staging"],
        ["dev", "prod"],
        ["staging", "prod"],
    ] as const) {
        const ida = known[a];
        if (ida !== undefined && ida === known[b]) {
            problem(
                `${b}AccountId`,
                known[b],
                `equals ${qualifiedKey(`${a}AccountId`)}; every environment needs its own AWS account`,
            );
        }
    }
    const ownKnown = known[tier];
    if (flat.environment === tier && ownKnown !== undefined && ownKnown !== flat.accountId) {
        problem(
            "accountId",
            flat.accountId,
            `differs from ${qualifiedKey(`${tier}AccountId`)} (${ownKnown}); a ${tier} stack must deploy into the ${tier} account`,
        );
    }
    for (const other of TIERS.filter((t) => t !== tier)) {
        if (known[other] === flat.accountId) {
            problem(
                "accountId",
                flat.accountId,
                `is the ${other} account (${qualifiedKey(`${other}AccountId`)}); a ${tier} stack must not deploy into another environment's account`,
            );
        }
    }

    if (!IMPLEMENTED_PLATFORMS.includes(flat.platform)) {
        problem(
            "platform",
            flat.platform,
            `is not available in this version yet; available: ${IMPLEMENTED_PLATFORMS.join(", ")}`,
        );
    }

    // Network.
    if (flat.azCount < 2 && tier !== "dev")
        problem("azCount", flat.azCount, "must be 2 or 3 outside dev (1 is allowed in dev only)");
    else if (flat.azCount < 2 && LOAD_BALANCED_PLATFORMS.includes(flat.platform)) {
        problem(
            "azCount",
            flat.azCount,
            `must be 2 or 3 on platform ${flat.platform}: its Application Load Balancer needs subnets in at least two Availability Zones, and AWS rejects one`,
        );
    }
    const cidr = checkVpcCidr(flat.vpcCidr, flat.azCount);
    if (!cidr.ok) problem("vpcCidr", flat.vpcCidr, cidr.problem ?? "is invalid");
    if (prodContainers && flat.natGateways !== "onePerAz")
        problem(
            "natGateways",
            flat.natGateways,
            "must be onePerAz in prod, so losing one AZ does not cut the others off",
        );
    if (flat.natGateways === "none" && !flat.vpcInterfaceEndpoints) {
        problem(
            "natGateways",
            flat.natGateways,
            `needs ${qualifiedKey("vpcInterfaceEndpoints")} = true: without NAT, private tasks reach ECR, logs and Secrets Manager only through interface endpoints`,
        );
    }

    // Service sizes.
    for (const service of APP_SERVICES) {
        const size = serviceSize(flat, service);
        const memoryOptions = fargateMemoryOptions(size.cpu);
        if (memoryOptions.length > 0 && !memoryOptions.includes(size.memory)) {
            problem(
                `${service}Memory`,
                size.memory,
                `is not offered by Fargate with ${service}Cpu = ${size.cpu}; allowed: ${describeFargateMemory(size.cpu)}`,
            );
        }
        if (size.minCount > size.desiredCount)
            problem(
                `${service}MinCount`,
                size.minCount,
                `must not exceed ${qualifiedKey(`${service}DesiredCount`)} (${size.desiredCount})`,
            );
        if (size.desiredCount > size.maxCount)
            problem(
                `${service}DesiredCount`,
                size.desiredCount,
                `must not exceed ${qualifiedKey(`${service}MaxCount`)} (${size.maxCount})`,
            );
        if (service === "worker" && flat.platform !== "lambda") {
            for (const [key, value] of [
                ["workerMinCount", size.minCount],
                ["workerDesiredCount", size.desiredCount],
                ["workerMaxCount", size.maxCount],
            ] as const) {
                if (value !== 1)
                    problem(
                        key,
                        value,
                        "must be 1: the worker runs as one replica (workers share Redis's processing list, and a starting worker requeues what is in it, which could reorder a voter's ballots)",
                    );
            }
        }
        if (prodContainers && service !== "worker" && size.minCount < 2)
            problem(
                `${service}MinCount`,
                size.minCount,
                "must be at least 2 in prod so an AZ or a task failure does not take the service down",
            );
    }

    // Data.
    if (prodContainers && !flat.multiAz)
        problem("multiAz", flat.multiAz, "must be true in prod (RDS Multi-AZ and Redis automatic failover)");
    if (prodContainers && flat.backupRetentionDays < 7)
        problem("backupRetentionDays", flat.backupRetentionDays, "must be at least 7 in prod");
    if (flat.multiAz && flat.azCount < 2)
        problem("multiAz", flat.multiAz, `needs ${qualifiedKey("azCount")} of at least 2`);

    // Domain and certificate: together or not at all; required in prod; the ALB needs the certificate in its own region and account.
    if ((flat.domainName === undefined) !== (flat.certificateArn === undefined)) {
        const missing = flat.domainName === undefined ? "domainName" : "certificateArn";
        problem(
            missing,
            undefined,
            `is required when ${qualifiedKey(missing === "domainName" ? "certificateArn" : "domainName")} is set (HTTPS needs both)`,
        );
    }
    if (isProd && flat.domainName === undefined)
        problem(
            "domainName",
            undefined,
            "is required in prod: prod serves HTTPS only, on a domain with an ACM certificate",
        );
    if (isProd && flat.certificateArn === undefined)
        problem(
            "certificateArn",
            undefined,
            "is required in prod: prod serves HTTPS only, on a domain with an ACM certificate",
        );
    if (flat.certificateArn !== undefined) {
        const match = ACM_CERTIFICATE_ARN.exec(flat.certificateArn);
        if (match && match[1] !== flat.region)
            problem(
                "certificateArn",
                flat.certificateArn,
                `is in region ${match[1]}; the load balancer needs a certificate in ${flat.region}`,
            );
        if (match && match[2] !== flat.accountId)
            problem(
                "certificateArn",
                flat.certificateArn,
                `belongs to account ${match[2]}; it must be in the stack's account ${flat.accountId}`,
            );
    }

    if (isProd && flat.logRetentionDays < 30)
        problem("logRetentionDays", flat.logRetentionDays, "must be at least 30 in prod");
    if (flat.optionA === flat.optionB) problem("optionB", flat.optionB, `must differ from ${qualifiedKey("optionA")}`);
    checkLambdaRelations(flat, problem);
    checkDeliveryRules(flat, tier, problems);
}

function serviceSize(flat: FlatConfig, service: AppService): ServiceSize {
    return {
        cpu: flat[`${service}Cpu`],
        memory: flat[`${service}Memory`],
        desiredCount: flat[`${service}DesiredCount`],
        minCount: flat[`${service}MinCount`],
        maxCount: flat[`${service}MaxCount`],
    };
}

/**
 * Parses and validates a stack's whole config (the raw `namespace:key` → string map Pulumi holds) once,
 * returning a typed, frozen object, or throwing one ConfigValidationError listing every problem.
 */
export function parseVoteAppConfig(
    raw: Readonly<Record<string, string>>,
    context: { readonly project: string; readonly stack: string },
): VoteAppConfig {
    const problems: ConfigProblem[] = [];
    const values = readTypedValues(raw, KEY_TABLE, problems);
    const parsed = flatConfigSchema.safeParse(values);
    if (!parsed.success) problems.push(...schemaProblems(parsed.error, values, CONFIG_NAMESPACE));
    if (problems.length > 0 || !parsed.success) throw new ConfigValidationError(context.stack, problems);

    const flat = parsed.data;
    const tier = resolveTier(flat, problems);
    if (tier) checkRelations(flat, tier, problems);
    if (tier) checkSafety(flat, tier, problems);
    const partition = partitionOf(flat.region);
    const deployRoleArn = `arn:${partition}:iam::${flat.accountId}:role/${flat.deployRoleName}`;
    const eksSettings = readEksConfig(
        values,
        { tier: tier ?? "dev", accountId: flat.accountId, deployRoleArn },
        problems,
    );
    const blueGreen = tier
        ? readEksSlots(
              values,
              {
                  platform: flat.platform,
                  tier,
                  configuredStrategy: flat.deploymentStrategy,
                  imageTag: flat.imageTag,
                  overriddenServices: APP_SERVICES.filter((s) => flat[`${s}Image`] !== undefined),
              },
              problems,
          )
        : undefined;
    const eks = blueGreen ? { ...eksSettings, blueGreen } : eksSettings;
    if (problems.length > 0 || !tier) throw new ConfigValidationError(context.stack, problems);

    const services = Object.fromEntries(APP_SERVICES.map((s) => [s, serviceSize(flat, s)])) as Record<
        AppService,
        ServiceSize
    >;
    const overrides: Partial<Record<AppService, string>> = {};
    for (const service of APP_SERVICES) {
        const image = flat[`${service}Image`];
        if (image !== undefined) overrides[service] = image;
    }
    const config: VoteAppConfig = {
        project: context.project,
        stack: context.stack,
        environment: flat.environment,
        tier,
        isProduction: tier === "prod",
        hardened: tier !== "dev",
        region: flat.region,
        account: {
            id: flat.accountId,
            deployRoleName: flat.deployRoleName,
            deployRoleArn,
            roleScope: workloadRoleScope(partition, flat.accountId, context.project),
            known: Object.fromEntries(
                (
                    [
                        ["dev", flat.devAccountId],
                        ["staging", flat.stagingAccountId],
                        ["prod", flat.prodAccountId],
                    ] as const
                ).filter(([, id]) => id !== undefined),
            ),
        },
        platform: flat.platform,
        network: {
            cidr: flat.vpcCidr,
            azCount: flat.azCount,
            natGateways: flat.natGateways,
            interfaceEndpoints: flat.vpcInterfaceEndpoints,
        },
        services,
        data: {
            redisNodeType: flat.redisNodeType,
            postgresInstanceClass: flat.postgresInstanceClass,
            postgresAllocatedStorageGb: flat.postgresAllocatedStorageGb,
            postgresEngineVersion: flat.postgresEngineVersion,
            postgresMajorVersion: Number(flat.postgresEngineVersion.split(".")[0]),
            multiAz: flat.multiAz,
            backupRetentionDays: flat.backupRetentionDays,
        },
        domain:
            flat.domainName !== undefined && flat.certificateArn !== undefined
                ? { name: flat.domainName, certificateArn: flat.certificateArn }
                : undefined,
        logRetentionDays: flat.logRetentionDays,
        tags: { owner: flat.owner, costCentre: flat.costCentre },
        images: { tag: flat.imageTag, overrides, keepPerRepository: flat.ecrKeepImages },
        voteOptions: { a: flat.optionA, b: flat.optionB },
        safety: resolveSafety(flat, tier),
        lambda: lambdaConfigFrom(flat),
        eks,
    };
    return deepFreeze(config);
}
