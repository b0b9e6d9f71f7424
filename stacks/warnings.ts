import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICE_TABLE, type ServiceTable } from "../shared/appContract";
import { entryOf } from "../shared/record";
import { allocateSubnets, movedSubnets, networkSubnetRequests } from "../shared/subnetLayout";
import { qualifiedKey, type VoteAppConfig } from "./config";
import { ciRunnerReach } from "./config/ciRunner";
import { capacityInputs, eksCapacityFit } from "./config/eksCapacity";
import { serviceKeyName } from "./config/serviceKeys";
import {
    ASSUMED_ACCOUNT_CONCURRENCY,
    CONCURRENCY_QUOTA_CODE,
    NEW_ACCOUNT_CONCURRENCY,
    UNRESERVED_CONCURRENCY_MINIMUM,
} from "./config/lambdaLimits";
import { PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX } from "./config/rules";

/**
 * What a valid config still needs a person to know before `pulumi up`: not errors (the config is
 * deployable), but steps or consequences AWS would otherwise surface halfway through a deploy. The offline
 * plan prints them; under the Pulumi CLI the program logs them, so `pulumi preview` shows them too.
 */
export interface DeployWarning {
    /** The config key the warning is about. */
    readonly key: string;
    readonly message: string;
}

/** The VPC layout awsx gives a config (shared/subnetLayout.ts). */
function layoutOf(config: VoteAppConfig) {
    return allocateSubnets(
        "network",
        config.network.cidr,
        config.network.azCount,
        networkSubnetRequests(PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX),
    );
}

/**
 * Warnings for a config. `deployed` is the config the stack runs today when known (the offline plan
 * compares `--set` overrides with the stack file): changing the VPC's layout replaces subnets. `services` is the
 * table the program runs with: what the warnings count (functions' reservations, pods) is its rows'.
 */
export function deployWarnings(
    config: VoteAppConfig,
    deployed?: VoteAppConfig,
    services: ServiceTable = APP_SERVICE_TABLE,
): DeployWarning[] {
    const warnings: DeployWarning[] = [];
    const hasVpc = config.platform !== "lambda";
    if (hasVpc && deployed && deployed.platform !== "lambda") {
        const changes = movedSubnets(layoutOf(deployed), layoutOf(config));
        if (changes.moved.length > 0 || changes.removed.length > 0) {
            const key =
                config.network.cidr !== deployed.network.cidr ? qualifiedKey("vpcCidr") : qualifiedKey("azCount");
            const moves = changes.moved.map((m) => `${m.name} ${m.from} → ${m.to}`);
            warnings.push({
                key,
                message:
                    `changes the VPC layout (azCount ${deployed.network.azCount} → ${config.network.azCount}, vpcCidr ${deployed.network.cidr} → ${config.network.cidr}): ` +
                    [
                        moves.length > 0 ? `subnets move (${moves.join(", ")})` : "",
                        changes.removed.length > 0 ? `subnets go (${changes.removed.join(", ")})` : "",
                    ]
                        .filter(Boolean)
                        .join("; ") +
                    ". A subnet whose CIDR changes is replaced, and AWS refuses to delete a subnet that still has network interfaces (NAT gateways, RDS, ElastiCache, tasks, nodes): plan the migration (e.g. a new stack) instead of updating in place.",
            });
        }
    }
    if (config.platform === "lambda" && config.lambda.statedAccountConcurrency === undefined) {
        const reserved = services.reduce(
            (sum, { name }) =>
                sum + entryOf(config.lambda.functions, "the config's functions", name).reservedConcurrency,
            0,
        );
        warnings.push({
            key: qualifiedKey("lambdaAccountConcurrency"),
            message: `is unset, so ${ASSUMED_ACCOUNT_CONCURRENCY} is assumed. The functions reserve ${reserved} concurrent executions, and Lambda keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved, so the account needs a concurrency quota of at least ${reserved + UNRESERVED_CONCURRENCY_MINIMUM} in ${config.region}; new accounts start at ${NEW_ACCOUNT_CONCURRENCY}, and pulumi up then fails on the first function. Check Service Quotas (Lambda, Concurrent executions, ${CONCURRENCY_QUOTA_CODE}), request an increase if needed, then set this key to the granted quota.`,
        });
    }
    const capacity = capacityInputs(config, services);
    const scaled = eksCapacityFit(capacity, config.tier, "max");
    // The services an HPA scales (all but the single-replica ones), by their ceilings' keys.
    const ceilings = capacity.services
        .filter(({ spec }) => !spec.singleReplica)
        .map(({ spec, size }) => `${serviceKeyName(spec.name, "MaxCount")} ${size.maxCount}`)
        .join(", ");
    if (scaled && scaled.nodesNeeded > scaled.nodes)
        warnings.push({
            key: qualifiedKey("eksNodeDesiredSize"),
            message: `is ${scaled.nodes}, but the HPAs' maximum pods (${ceilings}${config.safety.deployment.strategy === "blueGreen" ? ", in both blue/green slots" : ""}) and the system pods would need ${scaled.nodesNeeded} × ${scaled.perNode.type} (${scaled.demand.pods} pods, ${scaled.demand.cpuMillis} m CPU, ${scaled.demand.memoryMiB} MiB). Nothing adds nodes, so scaling out stops with pods Pending once the ${scaled.nodes} nodes are full: raise ${qualifiedKey("eksNodeDesiredSize")}, lower the maximum counts, or use eksCapacity autoMode.`,
        });
    const reach = ciRunnerReach(config.platform, config.ciRunner);
    if (!reach.reaches)
        warnings.push({
            key: qualifiedKey("ciRunnerCidrs"),
            message: `${reach.why.replace(`${qualifiedKey("ciRunnerCidrs")} `, "")}. The workflows stop at scripts/stack-info.ts for this stack until then.`,
        });
    return warnings;
}

/** One line per warning, as the plan prints them and the program logs them. */
export function formatWarning(warning: DeployWarning): string {
    return `${warning.key} ${warning.message}`;
}

/** Under the Pulumi CLI (an engine is attached), log the warnings so previews show them; mocked runs stay quiet. */
export function logWarnings(warnings: readonly DeployWarning[]): void {
    if (!pulumi.runtime.hasEngine()) return;
    for (const warning of warnings) void pulumi.log.warn(formatWarning(warning));
}
