import * as pulumi from "@pulumi/pulumi";
import { parseVoteAppConfig } from "./load";
import type { VoteAppConfig } from "./types";
import type { ServiceTable } from "../../shared/appContract";

export { CONFIG_KEYS, CONFIG_NAMESPACE, qualifiedKey } from "./keys";
export { ConfigValidationError, formatProblem, parseVoteAppConfig, type ConfigProblem } from "./load";
export type { LambdaConfig, NatStrategy, Platform, ServiceSize, Tier, VoteAppConfig } from "./types";
export * from "./safety";
export type { EksCapacityMode } from "./eks";
export type { EksSlot } from "./eksSlots";
export { ECS_INGRESS_DEFAULTS, ECS_INGRESS_MODES, type EcsIngress } from "./ingress";

/** Reads this stack's config from the Pulumi runtime (real or mocked) and validates it for the service table. */
export function loadVoteAppConfig(services?: ServiceTable): VoteAppConfig {
    return parseVoteAppConfig(
        pulumi.runtime.allConfig(),
        { project: pulumi.getProject(), stack: pulumi.getStack() },
        services,
    );
}
