import {
    type ConfigKeyTable,
    type ConfigProblem,
    ConfigValidationError,
    deepFreeze,
    parseFlatValues,
    reporter,
    resolveTier,
} from "../../shared/config/reader";
import { checkAccounts, resolveAccount } from "./accounts";
import type { ConfigCheck, Report } from "./check";
import { checkCiRunner, resolveCiRunner } from "./ciRunner";
import { checkCost, resolveCost } from "./cost";
import { checkData, resolveData } from "./data";
import { checkDelivery, resolveImages } from "./delivery";
import { checkEks, resolveEks } from "./eks";
import { checkEksSlots, resolveEksSlots } from "./eksSlots";
import { checkHttps, resolveDomain } from "./https";
import { checkIngress, resolveEcsIngress } from "./ingress";
import { CONFIG_NAMESPACE, configKeysFor } from "./keys";
import { checkLambda, resolveLambda } from "./lambda";
import { outsideNamespaceProblems } from "./namespaces";
import { checkNetwork, resolveNetwork } from "./network";
import { checkSafety, resolveSafety } from "./safety";
import { type FlatConfig, flatConfigSchemaFor } from "./schema";
import { configuredServices } from "./serviceKeys";
import { APP_SERVICE_TABLE, type ServiceTable } from "../../shared/appContract";
import { checkServices, resolveServices } from "./services";
import { checkEksCapacity } from "./eksCapacity";
import { checkEksPodNetworking } from "./eksPodNetworking";
import { checkStack } from "./stack";
import { checkTestTraffic, resolveTestTraffic } from "./testTraffic";
import type { VoteAppConfig } from "./types";
import { FULL_PROTECTION, NO_PROTECTION } from "../../components/vocabulary";

export { ConfigValidationError, formatProblem, type ConfigProblem } from "../../shared/config/reader";

/** The keys a run with this service table reads: the stack's and each row's (keys.ts configKeysFor). */
const keyTable = (services: ServiceTable): ConfigKeyTable => ({
    namespace: CONFIG_NAMESPACE,
    keys: configKeysFor(services),
    reference: "Pulumi.yaml",
});

/** Every domain's relations, in the order their problems are listed. */
const CHECKS: readonly ConfigCheck<FlatConfig>[] = [
    checkAccounts,
    checkNetwork,
    checkServices,
    checkData,
    checkHttps,
    checkStack,
    checkLambda,
    checkDelivery,
    checkSafety,
    checkCost,
    checkIngress,
    checkTestTraffic,
    checkEks,
    checkEksPodNetworking,
    checkEksCapacity,
    checkEksSlots,
    checkCiRunner,
];

/**
 * Parses and validates a stack's whole config (the raw `namespace:key` → string map Pulumi holds) once,
 * returning a typed, frozen object, or throwing one ConfigValidationError listing every problem.
 */
export function parseVoteAppConfig(
    raw: Readonly<Record<string, string>>,
    context: { readonly project: string; readonly stack: string },
    /** The service table the program runs with: each row's keys are read and validated. */
    serviceTable: ServiceTable = APP_SERVICE_TABLE,
): VoteAppConfig {
    // Keys outside the voteapp namespace first: a misspelled namespace or a default-provider setting would
    // otherwise be dropped silently. Listed together with the voteapp problems.
    const outside = outsideNamespaceProblems(raw);
    let flat: FlatConfig;
    try {
        flat = parseFlatValues(raw, keyTable(serviceTable), flatConfigSchemaFor(serviceTable), context.stack);
    } catch (e) {
        if (e instanceof ConfigValidationError && outside.length > 0)
            throw new ConfigValidationError(context.stack, [...outside, ...e.problems]);
        throw e;
    }
    const problems: ConfigProblem[] = [...outside];
    const report: Report = reporter(CONFIG_NAMESPACE, problems);
    const tier = resolveTier(flat, report);
    const services = configuredServices(flat, serviceTable);
    if (tier) for (const check of CHECKS) check(flat, tier, report, services);
    if (problems.length > 0 || !tier) throw new ConfigValidationError(context.stack, problems);

    const blueGreen = resolveEksSlots(flat, tier);
    const config: VoteAppConfig = {
        project: context.project,
        stack: context.stack,
        environment: flat.environment,
        tier,
        protection: tier === "dev" ? NO_PROTECTION : FULL_PROTECTION,
        region: flat.region,
        account: resolveAccount(flat, context.project),
        platform: flat.platform,
        cpuArchitecture: flat.cpuArchitecture,
        network: resolveNetwork(flat, tier),
        services: resolveServices(services),
        data: resolveData(flat),
        domain: resolveDomain(flat),
        logRetentionDays: flat.logRetentionDays,
        tags: { owner: flat.owner, costCentre: flat.costCentre },
        images: resolveImages(flat, services),
        voteOptions: { a: flat.optionA, b: flat.optionB },
        safety: resolveSafety(flat, tier),
        cost: resolveCost(flat, tier),
        ecsIngress: resolveEcsIngress(flat, tier),
        testTrafficCidrs: resolveTestTraffic(flat),
        lambda: resolveLambda(flat, services),
        eks: { ...resolveEks(flat), ...(blueGreen ? { blueGreen } : {}) },
        ciRunner: resolveCiRunner(flat),
    };
    return deepFreeze(config);
}
