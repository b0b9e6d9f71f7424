import { APP_SERVICES, type AppService, specOf } from "../../shared/appContract";
import { fromList, intBetween } from "../../shared/config/values";
import { prefixed, recordOf } from "../../shared/record";
import type { ServiceSize } from "../../components/vocabulary";
import type { ConfigCheck, FlatOf } from "./check";
import { describeFargateMemory, FARGATE_CPU_VALUES, fargateMemoryOptions } from "./fargate";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";

/** Each container service's task size and counts (Fargate tasks on ecs, pods on eks). */

const sizeKeys = <S extends AppService>(service: S) =>
    prefixed(service, {
        Cpu: fromList(FARGATE_CPU_VALUES),
        Memory: intBetween(512, 122880),
        DesiredCount: intBetween(1, 100),
        MinCount: intBetween(1, 100),
        MaxCount: intBetween(1, 100),
    });

/** Every service of the table gets its five keys (voteCpu, voteMemory, ...). */
export const serviceKeys = Object.assign({}, ...APP_SERVICES.map((service) => sizeKeys(service))) as ReturnType<
    typeof sizeKeys<AppService>
>;

export type ServicesFlatConfig = FlatOf<typeof serviceKeys> & { readonly platform: Platform };

export function serviceSize(flat: ServicesFlatConfig, service: AppService): ServiceSize {
    return {
        cpu: flat[`${service}Cpu`],
        memory: flat[`${service}Memory`],
        desiredCount: flat[`${service}DesiredCount`],
        minCount: flat[`${service}MinCount`],
        maxCount: flat[`${service}MaxCount`],
    };
}

export const checkServices: ConfigCheck<ServicesFlatConfig> = (flat, tier, report) => {
    // Prod's task rules apply where tasks exist: lambda runs none.
    const prodContainers = tier === "prod" && flat.platform !== "lambda";
    for (const service of APP_SERVICES) {
        const size = serviceSize(flat, service);
        const memoryOptions = fargateMemoryOptions(size.cpu);
        if (memoryOptions.length > 0 && !memoryOptions.includes(size.memory)) {
            report(
                `${service}Memory`,
                size.memory,
                `is not offered by Fargate with ${service}Cpu = ${size.cpu}; allowed: ${describeFargateMemory(size.cpu)}`,
            );
        }
        if (size.minCount > size.desiredCount)
            report(
                `${service}MinCount`,
                size.minCount,
                `must not exceed ${qualifiedKey(`${service}DesiredCount`)} (${size.desiredCount})`,
            );
        if (size.desiredCount > size.maxCount)
            report(
                `${service}DesiredCount`,
                size.desiredCount,
                `must not exceed ${qualifiedKey(`${service}MaxCount`)} (${size.maxCount})`,
            );
        const { singleReplica } = specOf(service);
        if (singleReplica && flat.platform !== "lambda") {
            for (const [key, value] of [
                [`${service}MinCount`, size.minCount],
                [`${service}DesiredCount`, size.desiredCount],
                [`${service}MaxCount`, size.maxCount],
            ] as const) {
                if (value !== 1)
                    report(
                        key,
                        value,
                        service === "worker"
                            ? "must be 1: the worker runs as one replica (workers share Redis's processing list, and a starting worker requeues what is in it, which could reorder a voter's ballots)"
                            : `must be 1: ${service} runs as one replica (singleReplica in the service table)`,
                    );
            }
        }
        if (prodContainers && !singleReplica && size.minCount < 2)
            report(
                `${service}MinCount`,
                size.minCount,
                "must be at least 2 in prod so an AZ or a task failure does not take the service down",
            );
    }
};

export function resolveServices(flat: ServicesFlatConfig): Readonly<Record<AppService, ServiceSize>> {
    return recordOf(APP_SERVICES, (service) => serviceSize(flat, service));
}
