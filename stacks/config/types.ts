import type { AppService } from "../../components/appContract";
import type { EksConfig } from "./eks";
import type { NAT_STRATEGIES, PLATFORMS, TIERS } from "./rules";
import type { SafetyConfig } from "./safety";
import type { WorkloadRoleScope } from "../../components/delivery/workloadRoles";

export type Platform = (typeof PLATFORMS)[number];
export type Tier = (typeof TIERS)[number];
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

export interface ServiceSize {
    /** Fargate CPU units (1024 = 1 vCPU); on EKS the container request. */
    readonly cpu: number;
    /** MiB. */
    readonly memory: number;
    readonly desiredCount: number;
    readonly minCount: number;
    readonly maxCount: number;
}

/** The validated, frozen configuration of one stack: everything the composition needs, nothing read later. */
export interface VoteAppConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: string;
    readonly tier: Tier;
    /** True in prod: the config rules for production apply (HA, backups, HTTPS). */
    readonly isProduction: boolean;
    /**
     * True in staging and prod: stateful resources get deletion protection, Pulumi `protect`, final
     * snapshots and retention, so staging rehearses exactly what prod runs.
     */
    readonly hardened: boolean;
    readonly region: string;
    readonly account: {
        readonly id: string;
        readonly deployRoleName: string;
        readonly deployRoleArn: string;
        /**
         * Path and permissions boundary of every role the stack creates: the bootstrap's deploy role
         * creates roles only under that path, only with that boundary (components/delivery/workloadRoles.ts).
         */
        readonly roleScope: WorkloadRoleScope;
        /** Account ids of the standard environments, as far as this stack file knows them. */
        readonly known: Readonly<Partial<Record<Tier, string>>>;
    };
    readonly platform: Platform;
    readonly network: {
        readonly cidr: string;
        readonly azCount: number;
        readonly natGateways: NatStrategy;
        readonly interfaceEndpoints: boolean;
    };
    readonly services: Readonly<Record<AppService, ServiceSize>>;
    readonly data: {
        readonly redisNodeType: string;
        readonly postgresInstanceClass: string;
        readonly postgresAllocatedStorageGb: number;
        readonly postgresEngineVersion: string;
        readonly postgresMajorVersion: number;
        readonly multiAz: boolean;
        readonly backupRetentionDays: number;
    };
    /** Set when the app is served on a DNS name with an ACM certificate (HTTPS); required in prod. */
    readonly domain?: { readonly name: string; readonly certificateArn: string };
    readonly logRetentionDays: number;
    readonly tags: { readonly owner: string; readonly costCentre: string };
    readonly images: {
        readonly tag: string;
        /** Explicit references overriding the stack's ECR repositories. */
        readonly overrides: Readonly<Partial<Record<AppService, string>>>;
        readonly keepPerRepository: number;
    };
    readonly voteOptions: { readonly a: string; readonly b: string };
    /** Deployment strategy, alarm email, security baseline ownership (stacks/config/safety.ts). */
    readonly safety: SafetyConfig;
    /** Sizes and limits of the serverless platform (platform lambda); validated for every platform. */
    readonly lambda: LambdaConfig;
    /** EKS cluster and rollout settings (validated whatever the platform; used when platform is eks). */
    readonly eks: EksConfig;
}

/** One Lambda function's size and limits. */
export interface LambdaFunctionSize {
    /** MiB (128–10240); CPU is allotted in proportion. */
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
}

export interface LambdaConfig {
    readonly functions: Readonly<Record<AppService, LambdaFunctionSize>>;
    /** API Gateway default route throttling. */
    readonly api: { readonly throttleBurstLimit: number; readonly throttleRateLimit: number };
    /** The worker's event source mapping on the votes queue. */
    readonly worker: { readonly batchSize: number };
    readonly queue: {
        /** Deliveries before a ballot moves to the dead-letter queue. */
        readonly maxReceiveCount: number;
        /** Derived: six times the worker's timeout (AWS's recommendation for Lambda-consumed queues). */
        readonly visibilityTimeoutSeconds: number;
    };
}
