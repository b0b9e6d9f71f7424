import type { Tier } from "../../shared/config/values";
import type { Protection, ServiceSize } from "../../components/vocabulary";
import type { AccountConfig } from "./accounts";
import type { CiRunnerConfig } from "./ciRunner";
import type { DataConfig } from "./data";
import type { ImagesConfig } from "./delivery";
import type { EksConfig } from "./eks";
import type { DomainConfig } from "./https";
import type { LambdaConfig } from "./lambda";
import type { NetworkConfig } from "./network";
import type { Platform } from "./rules";
import type { CostOptions } from "./cost";
import type { EcsIngress } from "./ingress";
import type { SafetyConfig } from "./safety";
import type { PerService } from "./serviceKeys";
import type { CpuArchitecture } from "../../shared/cpuArchitecture";

export type { Tier } from "../../shared/config/values";
export type { LambdaConfig } from "./lambda";
export type { NatStrategy, Platform } from "./rules";
export type { ServiceSize } from "../../components/vocabulary";

/** The validated, frozen configuration of one stack: everything the composition needs, nothing read later. */
export interface VoteAppConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: string;
    readonly tier: Tier;
    /**
     * What the tier protects: nothing in dev; in staging and prod deletion protection, Pulumi `protect`,
     * final snapshots and retention, access logs and redundant controllers, so staging rehearses exactly what
     * prod runs.
     */
    readonly protection: Protection;
    readonly region: string;
    readonly account: AccountConfig;
    readonly platform: Platform;
    /** What every compute resource and the images run on (voteapp:cpuArchitecture, shared/cpuArchitecture.ts). */
    readonly cpuArchitecture: CpuArchitecture;
    readonly network: NetworkConfig;
    /** Each service's task size and counts, by name (every row of the service table the program runs with). */
    readonly services: PerService<ServiceSize>;
    readonly data: DataConfig;
    /** Set when the app is served on a DNS name with an ACM certificate (HTTPS); required in prod. */
    readonly domain?: DomainConfig;
    readonly logRetentionDays: number;
    readonly tags: { readonly owner: string; readonly costCentre: string };
    readonly images: ImagesConfig;
    readonly voteOptions: { readonly a: string; readonly b: string };
    /** Deployment strategy, alarm email, security baseline ownership (stacks/config/safety.ts). */
    readonly safety: SafetyConfig;
    /** What dev does without and staging/prod keep: Container Insights, dashboard, Spot, ECR scanning (stacks/config/cost.ts). */
    readonly cost: CostOptions;
    /** How users reach the app on platform ecs: the ALB or an API Gateway HTTP API (stacks/config/ingress.ts). */
    readonly ecsIngress: EcsIngress;
    /** Public CIDRs allowed to the blue/green test listener (platform ecs); empty: no test route (stacks/config/testTraffic.ts). */
    readonly testTrafficCidrs: readonly string[];
    /** Sizes and limits of the serverless platform (platform lambda); validated for every platform. */
    readonly lambda: LambdaConfig;
    /** EKS cluster and rollout settings (validated whatever the platform; used when platform is eks). */
    readonly eks: EksConfig;
    /** The runner CI previews and deploys this stack on, and the addresses it sends from (stacks/config/ciRunner.ts). */
    readonly ciRunner: CiRunnerConfig;
}
