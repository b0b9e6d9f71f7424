import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesVersion } from "../components/eks/addonVersions";
import type { DeploymentStrategy, EksCapacityMode, EksSlot, Platform } from "./config";

/**
 * The stack outputs, per platform: what `pulumi stack output --json` prints after `pulumi up`, and what the
 * workflows' scripts read (scripts/shift-lambda-traffic.ts, scripts/smoke-test.ts). Declared once here so a
 * script reading an output and the platform writing it cannot drift.
 */
type Out<T> = pulumi.Input<T>;

/** Every stack: which environment, platform, account and region it deployed. */
export interface IdentityOutputs {
    readonly environment: string;
    readonly platform: Platform;
    readonly accountId: string;
    readonly region: string;
}

/** Every stack: where users reach the app, and where its dashboard and alarms are. */
interface AppOutputs {
    readonly url: Out<string>;
    /** Absent when voteapp:dashboard is false. */
    readonly dashboardUrl?: Out<string>;
    readonly alarmTopicArn: Out<string>;
}

/** The container platforms (ecs, eks): the VPC, image repositories and data layer endpoints. */
interface ContainerOutputs extends AppOutputs {
    readonly vpcId: Out<string>;
    /** Image repository URL per service. */
    readonly repositoryUrls: Out<Readonly<Record<string, string>>>;
    /**
     * The image each service runs. The preview workflow pins these (scripts/pin-images.ts), so a preview of an
     * unchanged main proposes the images the stack runs, not the stack file's imageTag.
     */
    readonly images: Readonly<Record<string, string>>;
    readonly redisEndpoint: Out<string>;
    readonly postgresEndpoint: Out<string>;
}

export interface FargateOutputs extends ContainerOutputs {
    /** ecsIngress loadBalancer: the ALB's DNS name (a custom domain's CNAME or alias points at it). */
    readonly loadBalancerDnsName?: Out<string>;
    /** ecsIngress httpApi: the HTTP API's execute-api endpoint (`url` unless a custom domain is set). */
    readonly apiEndpoint?: Out<string>;
    readonly ecsClusterName: Out<string>;
}

export interface EksOutputs extends ContainerOutputs {
    readonly deploymentStrategy: DeploymentStrategy;
    /** Blue/green only: the slot the Services select, and the image tag each slot runs. */
    readonly liveSlot?: EksSlot;
    readonly slotImageTags?: Readonly<Record<EksSlot, string>>;
    readonly clusterName: Out<string>;
    readonly clusterEndpoint: Out<string>;
    readonly kubernetesVersion: KubernetesVersion;
    readonly eksCapacity: EksCapacityMode;
    /** Secret: kubectl access as the deploy role. */
    readonly kubeconfig: Out<string>;
    readonly appNamespace: Out<string>;
}

export interface LambdaOutputs extends AppOutputs {
    /** With a custom domain: the regional endpoint DNS should point at. */
    readonly domainTarget?: Out<string>;
    readonly votesQueueUrl: Out<string>;
    readonly votesDeadLetterQueueUrl: Out<string>;
    readonly votesTableName: Out<string>;
    readonly deploymentStrategy: DeploymentStrategy;
    readonly functionNames: Readonly<Record<string, Out<string>>>;
    readonly codeDeployApplication: Out<string>;
    readonly codeDeployGroups: Readonly<Record<string, Out<string>>>;
    /** The version each function last published: the TargetVersion of a canary/linear CodeDeploy deployment. */
    readonly functionVersions: Readonly<Record<string, Out<string>>>;
}

/** What the program returns: the identity, and the chosen platform's outputs. */
export type VoteAppOutputs = IdentityOutputs & (FargateOutputs | EksOutputs | LambdaOutputs);

/** The outputs as `pulumi stack output --json` prints them: resolved values; any may be missing before the first `pulumi up`. */
export type PrintedOutputs<T> = Partial<pulumi.Unwrap<T>>;
