import type { ServiceSize } from "../../components/vocabulary";
import type { ConfigCheck } from "./check";
import { describeFargateMemory, fargateMemoryOptions } from "./fargate";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";
import { type ConfiguredService, perService, type PerService, serviceKeyName } from "./serviceKeys";

/** Each container service's task size and counts (Fargate tasks on ecs, pods on eks), from its keys (serviceKeys.ts). */

export type ServicesFlatConfig = { readonly platform: Platform };

export function serviceSize({ values }: ConfiguredService): ServiceSize {
    return {
        cpu: values.Cpu,
        memory: values.Memory,
        desiredCount: values.DesiredCount,
        minCount: values.MinCount,
        maxCount: values.MaxCount,
    };
}

export const checkServices: ConfigCheck<ServicesFlatConfig> = (flat, tier, report, services) => {
    // Prod's task rules apply where tasks exist: lambda runs none.
    const prodContainers = tier === "prod" && flat.platform !== "lambda";
    for (const configured of services) {
        const service = configured.spec.name;
        const key = <F extends "Memory" | "DesiredCount" | "MinCount" | "MaxCount">(field: F) =>
            serviceKeyName(service, field);
        const size = serviceSize(configured);
        const memoryOptions = fargateMemoryOptions(size.cpu);
        if (memoryOptions.length > 0 && !memoryOptions.includes(size.memory)) {
            report(
                key("Memory"),
                size.memory,
                `is not offered by Fargate with ${serviceKeyName(service, "Cpu")} = ${size.cpu}; allowed: ${describeFargateMemory(size.cpu)}`,
            );
        }
        if (size.minCount > size.desiredCount)
            report(
                key("MinCount"),
                size.minCount,
                `must not exceed ${qualifiedKey(key("DesiredCount"))} (${size.desiredCount})`,
            );
        if (size.desiredCount > size.maxCount)
            report(
                key("DesiredCount"),
                size.desiredCount,
                `must not exceed ${qualifiedKey(key("MaxCount"))} (${size.maxCount})`,
            );
        const { singleReplica } = configured.spec;
        if (singleReplica && flat.platform !== "lambda") {
            for (const [field, value] of [
                ["MinCount", size.minCount],
                ["DesiredCount", size.desiredCount],
                ["MaxCount", size.maxCount],
            ] as const) {
                if (value !== 1)
                    report(
                        key(field),
                        value,
                        service === "worker"
                            ? "must be 1: the worker runs as one replica (workers share Redis's processing list, and a starting worker requeues what is in it, which could reorder a voter's ballots)"
                            : `must be 1: ${service} runs as one replica (singleReplica in the service table)`,
                    );
            }
        }
        if (prodContainers && !singleReplica && size.minCount < 2)
            report(
                key("MinCount"),
                size.minCount,
                "must be at least 2 in prod so an AZ or a task failure does not take the service down",
            );
    }
};

/** Size and counts of every configured service, by name. */
export function resolveServices(services: readonly ConfiguredService[]): PerService<ServiceSize> {
    return perService(services, serviceSize);
}
