/**
 * Every config key the program reads, in the `voteapp` namespace: its Pulumi type, what it means and its
 * default. This table is the single source for reading raw config, for the did-you-mean check on unknown
 * keys, and for Pulumi.yaml's typed `config:` block (a test keeps the two identical).
 */
export const CONFIG_NAMESPACE = "voteapp";

import { APP_SERVICE_TABLE, type ServiceTable } from "../../shared/appContract";
import type { ConfigKeyDeclaration } from "../../shared/config/reader";
import { largestVpcPrefixFor, networkSubnetRequests } from "../../shared/subnetLayout";
import {
    API_BURST_LIMIT,
    API_RATE_LIMIT,
    ASSUMED_ACCOUNT_CONCURRENCY,
    CONCURRENCY_QUOTA_CODE,
    FIFO_BATCH_SIZE,
    HTTP_API_INTEGRATION_TIMEOUT_SECONDS,
    HTTP_FUNCTION_TIMEOUT_SECONDS,
    MAX_RECEIVE_COUNT,
    NEW_ACCOUNT_CONCURRENCY,
    UNRESERVED_CONCURRENCY_MINIMUM,
    VISIBILITY_TIMEOUT_FACTOR,
    WORKER_TIMEOUT_SECONDS,
} from "./lambdaLimits";
import { PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX } from "./rules";
import { rowsBeyondShipped, serviceKeyDeclarations } from "./serviceKeys";

/** The smallest VPC per AZ count, by awsx's allocator arithmetic (stated in the key's description). */
const smallestVpc = (azCount: number) =>
    `/${largestVpcPrefixFor(azCount, networkSubnetRequests(PRIVATE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX))}`;

export type { ConfigKeyDeclaration, ConfigKeyType } from "../../shared/config/reader";

export const CONFIG_KEYS = {
    environment: {
        type: "string",
        description:
            "Environment name (lowercase slug), e.g. dev, staging, prod, int. Used in resource names and tags.",
    },
    tier: {
        type: "string",
        description:
            "Protection tier: dev, staging or prod. Defaults to the environment name when that is one of the three.",
        optional: true,
    },
    region: { type: "string", description: "AWS region of this environment, e.g. eu-west-1." },
    accountId: {
        type: "string",
        description: "12-digit id of the AWS account this stack deploys into. The provider refuses any other account.",
    },
    deployRoleName: {
        type: "string",
        description: "Name of the IAM role assumed in the target account to deploy (created by the bootstrap project).",
        default: "voteapp-deploy",
    },
    previewRoleName: {
        type: "string",
        description:
            "Name of the account's read-only preview role (created by the bootstrap project, its previewRoleName): where pull requests preview the stack on eks, its access entry reads the cluster's Kubernetes API.",
        default: "voteapp-preview",
    },
    devAccountId: {
        type: "string",
        description:
            "Account id of the dev environment (required in every stack): checked to differ from staging and prod, and the account a stack deploys into sets its tier's floor (prod account: tier prod; staging account: staging or prod).",
    },
    stagingAccountId: {
        type: "string",
        description:
            "Account id of the staging environment (required in every stack): checked to differ from dev and prod, and the account a stack deploys into sets its tier's floor (prod account: tier prod; staging account: staging or prod).",
    },
    prodAccountId: {
        type: "string",
        description:
            "Account id of the prod environment (required in every stack): checked to differ from dev and staging, and the account a stack deploys into sets its tier's floor (prod account: tier prod; staging account: staging or prod).",
    },
    platform: { type: "string", description: "Compute platform: ecs (Fargate), eks or lambda.", default: "ecs" },
    cpuArchitecture: {
        type: "string",
        description:
            "CPU architecture the app runs on: arm64 (Graviton, the default) or x86_64. Fargate tasks, EKS nodes and pods, Lambda functions and the images the deploy workflow builds (the union over every stack) all follow it.",
        default: "arm64",
    },
    vpcCidr: {
        type: "string",
        description: `IPv4 CIDR of the VPC in a private range. awsx splits it into 2^ceil(log2 azCount) equal blocks, one per AZ, each holding a /${PRIVATE_SUBNET_PREFIX} private and a /${PUBLIC_SUBNET_PREFIX} public subnet: ${smallestVpc(1)} or larger for 1 AZ, ${smallestVpc(2)} for 2, ${smallestVpc(3)} for 3. Changing it replaces every subnet.`,
        default: "10.0.0.0/16",
    },
    azCount: {
        type: "integer",
        description:
            "Availability zones to spread over: 2 or 3 (1 allowed in dev only, on platforms without a load balancer). Changing it later can move subnets (awsx re-splits the VPC: 2 → 3 moves the second AZ's), which replaces them and what runs in them; the offline plan with --set voteapp:azCount=<n> lists what moves.",
        default: 2,
    },
    natGateways: {
        type: "string",
        description:
            "How private subnets reach the internet: none (interface endpoints only; not on eks, whose add-ons pull from public registries), instance (one NAT instance, Graviton, SSM-managed, no SSH), single (one managed NAT gateway) or onePerAz (one per AZ). Unset, the tier decides: instance in dev and staging, onePerAz in prod; prod refuses anything but onePerAz.",
        optional: true,
    },
    natInstanceType: {
        type: "string",
        description:
            "Instance type of the NAT instance (natGateways instance): a Graviton type, as its Amazon Linux 2023 image is arm64. t4g.nano bursts to 5 Gbps with a 32 Mbps baseline; choose a larger type for sustained egress.",
        default: "t4g.nano",
    },
    vpcInterfaceEndpoints: {
        type: "boolean",
        description:
            "Create interface endpoints (ECR, CloudWatch Logs, Secrets Manager, STS) so private tasks reach AWS without NAT. Required when natGateways is none.",
        default: false,
    },
    // Each service's sizes, counts, image and function (stacks/config/serviceKeys.ts, from the row).
    ...serviceKeyDeclarations(APP_SERVICE_TABLE),
    redisNodeType: {
        type: "string",
        description: "ElastiCache node type, e.g. cache.t4g.micro.",
        default: "cache.t4g.micro",
    },
    postgresInstanceClass: {
        type: "string",
        description: "RDS instance class, e.g. db.t4g.micro.",
        default: "db.t4g.micro",
    },
    postgresAllocatedStorageGb: {
        type: "integer",
        description: "RDS allocated storage in GiB (20–65536).",
        default: 20,
    },
    postgresEngineVersion: {
        type: "string",
        description: "PostgreSQL engine version (major, or major.minor), 14 to 17.",
        default: "17",
    },
    multiAz: {
        type: "boolean",
        description: "Multi-AZ RDS and Redis with automatic failover (required in prod).",
        default: false,
    },
    backupRetentionDays: {
        type: "integer",
        description: "Days of RDS backups and Redis snapshots to keep (0–35; at least 7 in prod).",
        default: 1,
    },
    domainName: {
        type: "string",
        description: "Public DNS name of the app, e.g. vote.example.com (required in prod).",
        optional: true,
    },
    certificateArn: {
        type: "string",
        description: "ACM certificate ARN for domainName, in the stack's region and account (required in prod).",
        optional: true,
    },
    logRetentionDays: {
        type: "integer",
        description: "CloudWatch Logs retention in days (a value CloudWatch accepts; at least 30 in prod).",
        default: 14,
    },
    owner: { type: "string", description: "Owning team, applied as the owner tag to every resource." },
    costCentre: { type: "string", description: "Cost centre, applied as the cost-centre tag to every resource." },
    imageTag: {
        type: "string",
        description: "Image tag (or sha256 digest) deployed from the stack's ECR repositories.",
        default: "0.1.0",
    },
    optionA: { type: "string", description: "Label of the first vote option.", default: "Cats" },
    optionB: { type: "string", description: "Label of the second vote option.", default: "Dogs" },
    // --- production safety ---
    deploymentStrategy: {
        type: "string",
        description:
            "How new versions reach users. ecs: rolling, blueGreen, canary, linear (ECS native), codeDeployAllAtOnce, codeDeployCanary, codeDeployLinear (CodeDeploy); lambda: allAtOnce, canary, linear; eks: rolling, blueGreen. Default: rolling (ecs/eks) or allAtOnce (lambda) in dev, blueGreen (ecs/eks) or canary (lambda) in staging and prod.",
        optional: true,
    },
    deploymentBakeMinutes: {
        type: "integer",
        description:
            "Minutes a new version serves (and alarms are watched) before the old one is dropped, for the ECS blue/green, canary, linear and codeDeploy* strategies (0–1440). Lambda canary/linear use CodeDeploy's fixed intervals; EKS blue/green keeps the old slot running until the next release.",
        default: 5,
    },
    testTrafficCidrs: {
        type: "string",
        description:
            "Comma-separated public CIDRs (office, VPN or CI egress) allowed to send blue/green test traffic (platform ecs): the test listener's port (8443 with HTTPS, else 8080) is opened to them only. Unset: ECS native deployments have no test route and CodeDeploy's test listener admits nobody. Never 0.0.0.0/0.",
        optional: true,
    },
    alarmEmail: {
        type: "string",
        description: "Email address subscribed to the stack's alarm topic (required in prod).",
        optional: true,
    },
    securityBaseline: {
        type: "string",
        description:
            "Who owns the account's security baseline (GuardDuty, Inspector, CloudTrail, Access Analyzer, Security Hub): stack (this stack creates it) or central (a central security account does; the stack creates none).",
        default: "stack",
    },
    securityAccountId: {
        type: "string",
        description: "12-digit id of the central security account; required when securityBaseline is central.",
        optional: true,
    },
    guardDutyFindingFrequency: {
        type: "string",
        description: "How often GuardDuty publishes updated findings: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS.",
        default: "FIFTEEN_MINUTES",
    },
    auditLogRetentionDays: {
        type: "integer",
        description:
            "Days CloudTrail logs are kept in S3 and CloudWatch Logs (a value CloudWatch accepts; at least 365 in prod).",
        default: 90,
    },
    securityHub: {
        type: "boolean",
        description:
            "Enable Security Hub with the AWS Foundational Security Best Practices standard (when securityBaseline is stack).",
        default: false,
    },
    // --- cost (stacks/config/cost.ts; unset, the tier decides) ---
    containerInsights: {
        type: "string",
        description:
            "ECS Container Insights: disabled, enabled or enhanced (platform ecs). Default disabled in dev, enhanced in staging and prod; prod refuses disabled.",
        optional: true,
    },
    dashboard: {
        type: "string",
        description:
            'Create the stack\'s CloudWatch dashboard: "true" or "false" (a string, so that unset can mean the tier\'s default); the alarms do not depend on it. Default false in dev, true in staging and prod; prod refuses false.',
        optional: true,
    },
    fargateSpot: {
        type: "string",
        description:
            'Run the ECS services on Fargate Spot: "true" or "false" (a string; unset, the tier decides). About 70% cheaper; tasks may be stopped at two minutes\' notice and replaced. Default true in dev and staging (staging above fargateOnDemandBase), false in prod; prod refuses true.',
        optional: true,
    },
    fargateOnDemandBase: {
        type: "string",
        description:
            "With fargateSpot: tasks of each load-balanced ECS service (vote, result: they deploy blue/green) kept on on-demand Fargate, the capacity provider strategy's base; their other tasks and the worker's run on Spot. A whole number as a string (unset, the tier decides): default 0 in dev, 1 in staging, so a blue/green deploy never waits on Spot.",
        optional: true,
    },
    ecrScanning: {
        type: "string",
        description:
            "ECR image scanning: basic (ECR's free scan on push) or enhanced (Inspector, on push and continuously; priced per image). Default basic in dev, enhanced in staging and prod; prod refuses basic.",
        optional: true,
    },
    apiDetailedMetrics: {
        type: "string",
        description:
            'Per-route API Gateway metrics: "true" or "false" (a string; unset, the tier decides; platform lambda; custom metrics billed while requests flow). Default false in dev, true in staging and prod.',
        optional: true,
    },
    workingHours: {
        type: "string",
        description:
            'When the app runs (platforms ecs and eks): "always", or days, hours and an IANA time zone, e.g. "MON-FRI 07:00-19:00 Europe/Dublin"; outside them every ECS service scales to zero, the EKS node group has no nodes and PostgreSQL is stopped (the load balancer where ecsIngress is loadBalancer, NAT, the EKS control plane and Redis stay; behind an HTTP API nothing at the entry point is billed by the hour). Default "MON-FRI 07:00-19:00 UTC" in dev, always in staging and prod; prod refuses a schedule.',
        optional: true,
    },
    lambdaCodeScanning: {
        type: "string",
        description:
            'Inspector Lambda code scanning besides its standard Lambda scanning: "true" or "false" (a string; unset, the tier decides; every platform runs a function). Default false in dev (staging scans the same code before prod), true in staging and prod; prod refuses false.',
        optional: true,
    },
    alarmTopicKey: {
        type: "string",
        description:
            "KMS key of the alarm topic: own (a key of its own, $1 a month) or stack (the stack's data key, whose policy then also lets CloudWatch publish this account's alarms). Default stack in dev, own in staging and prod; prod refuses stack.",
        optional: true,
    },
    redisCapacity: {
        type: "string",
        description:
            "Redis as nodes (an ElastiCache replication group of redisNodeType) or serverless (ElastiCache Serverless for Valkey: billed for data stored, at least 100 MB, and requests; same TLS, KMS key, IAM users and security group); platforms ecs and eks. Default serverless in dev (about half the price of one cache.t4g.micro), nodes in staging (as prod) and prod; prod refuses serverless: a serverless cache takes no final snapshot and has no maintenance window (policy rule redis-serverless-not-in-prod).",
        optional: true,
    },
    ecsIngress: {
        type: "string",
        description:
            "How users reach the app on platform ecs: loadBalancer (an internet-facing ALB: path rules, blue/green target groups, WAF-capable) or httpApi (an API Gateway HTTP API reaching the private tasks through a VPC link and Cloud Map, HTTPS on its execute-api endpoint or on domainName, billed per request: no load balancer hours or public IPv4 addresses). Default httpApi in dev (loadBalancer when dev chooses a strategy other than rolling), loadBalancer in staging and prod; httpApi needs deploymentStrategy rolling, and prod refuses it (AWS WAF cannot protect an HTTP API).",
        optional: true,
    },
    // --- lambda ---
    lambdaHttpTimeoutSeconds: {
        type: "integer",
        description: `Timeout (${HTTP_FUNCTION_TIMEOUT_SECONDS.min}–${HTTP_FUNCTION_TIMEOUT_SECONDS.max} s) of the vote and result functions: API Gateway gives up on an integration at ${HTTP_API_INTEGRATION_TIMEOUT_SECONDS} s.`,
        default: 10,
    },
    lambdaWorkerTimeoutSeconds: {
        type: "integer",
        description: `Timeout (${WORKER_TIMEOUT_SECONDS.min}–${WORKER_TIMEOUT_SECONDS.max} s) of the worker function; the votes queue's visibility timeout is derived as ${VISIBILITY_TIMEOUT_FACTOR} × this value.`,
        default: 30,
    },
    lambdaAccountConcurrency: {
        type: "integer",
        description: `The account's Lambda concurrency quota in the region, as Service Quotas shows it (Lambda, Concurrent executions, ${CONCURRENCY_QUOTA_CODE}): the functions' reserved concurrency must leave ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved. 0 = not stated: ${ASSUMED_ACCOUNT_CONCURRENCY} is assumed and the plan warns, since new accounts start at ${NEW_ACCOUNT_CONCURRENCY}.`,
        default: 0,
    },
    lambdaApiThrottleBurst: {
        type: "integer",
        description: `API Gateway default route throttling: burst limit (${API_BURST_LIMIT.min}–${API_BURST_LIMIT.max} requests).`,
        default: 200,
    },
    lambdaApiThrottleRate: {
        type: "integer",
        description: `API Gateway default route throttling: steady rate limit (${API_RATE_LIMIT.min}–${API_RATE_LIMIT.max} requests per second).`,
        default: 100,
    },
    lambdaWorkerBatchSize: {
        type: "integer",
        description: `Ballots per worker invocation (${FIFO_BATCH_SIZE.min}–${FIFO_BATCH_SIZE.max}, the FIFO queue maximum; FIFO queues support no batching window).`,
        default: 10,
    },
    lambdaQueueMaxReceiveCount: {
        type: "integer",
        description: `Deliveries of a ballot before it moves to the votes dead-letter queue (${MAX_RECEIVE_COUNT.min}–${MAX_RECEIVE_COUNT.max}).`,
        default: 5,
    },
    // --- eks ---
    eksKubernetesVersion: {
        type: "string",
        description:
            "Kubernetes minor version of the EKS cluster (platform eks), one with pinned add-ons: 1.31, 1.32, 1.33 or 1.34.",
        default: "1.33",
    },
    eksCapacity: {
        type: "string",
        description:
            "EKS worker capacity: managedNodeGroup (EC2 nodes sized by the eksNode* keys, security groups for pods). autoMode is refused: EKS Auto Mode assigns pod security groups only from Kubernetes 1.36, so other pods would reach Redis and PostgreSQL.",
        default: "managedNodeGroup",
    },
    eksNodeInstanceTypes: {
        type: "string",
        description:
            "Comma-separated instance types of the managed node group, of the stack's cpuArchitecture (arm64: e.g. c7g.large,m7g.large; x86_64: e.g. c7i.large,m7i.large), listed in components/eks/eniLimits.ts and able to trunk network interfaces (security groups for pods; no t-family type can).",
        default: "c7g.large",
    },
    eksNodeMinSize: {
        type: "integer",
        description: "Fewest nodes in the managed node group (at least 2 in prod).",
        default: 2,
    },
    eksNodeDesiredSize: { type: "integer", description: "Nodes the managed node group starts with.", default: 2 },
    eksNodeMaxSize: { type: "integer", description: "Most nodes in the managed node group.", default: 4 },
    eksPublicAccessCidrs: {
        type: "string",
        description:
            "Comma-separated public CIDRs allowed to reach the EKS API endpoint; unset keeps the endpoint private (reachable from the VPC only). Never 0.0.0.0/0 in prod.",
        optional: true,
    },
    eksAdminRoleArn: {
        type: "string",
        description:
            "IAM role ARN (in the stack's account) granted cluster admin through an EKS access entry, e.g. your SSO admin role.",
        optional: true,
    },
    eksMaxSurge: {
        type: "string",
        description: "Rolling update maxSurge of the app Deployments: a pod count or a percentage, e.g. 1 or 25%.",
        default: "25%",
    },
    eksMaxUnavailable: {
        type: "string",
        description:
            "Rolling update maxUnavailable of the app Deployments: a pod count or a percentage; 0 keeps full capacity during a rollout.",
        default: "0",
    },
    // --- eks blue/green ---
    eksLiveSlot: {
        type: "string",
        description:
            "Blue/green on EKS (deploymentStrategy blueGreen): the slot, blue or green, whose vote and result pods the Services send traffic to. Flip it to promote, flip back to roll back. Default blue.",
        optional: true,
    },
    eksBlueImageTag: {
        type: "string",
        description:
            "Blue/green on EKS: image tag (a digest in staging and prod) the blue slot runs from the stack's registry. Default imageTag.",
        optional: true,
    },
    eksGreenImageTag: {
        type: "string",
        description:
            "Blue/green on EKS: image tag (a digest in staging and prod) the green slot runs from the stack's registry. Default imageTag.",
        optional: true,
    },
    // --- CI runner ---
    ciRunnerLabels: {
        type: "string",
        description:
            "Comma-separated runs-on labels of the runner the preview and deploy workflows run this stack's jobs on, e.g. self-hosted,voteapp-dev. On platform eks it must be a runner with fixed egress addresses (ciRunnerCidrs).",
        default: "ubuntu-latest",
    },
    ciRunnerCidrs: {
        type: "string",
        description:
            "Comma-separated public CIDRs (each at most a /16) the CI runner's traffic leaves from (its NAT gateway or static IPs). On platform eks the cluster's API endpoint is opened to them, so the runner can run pulumi preview and up; unset = no CI access to the cluster.",
        optional: true,
    },
} as const satisfies Record<string, ConfigKeyDeclaration>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * Every key the program reads when it runs with this service table: CONFIG_KEYS, plus the keys of each row the
 * shipped table does not hold (a row replacing a shipped one by name replaces its declarations). A row added to
 * the table gets its keys declared, with its defaults.
 */
export function configKeysFor(table: ServiceTable): Readonly<Record<string, ConfigKeyDeclaration>> {
    return { ...CONFIG_KEYS, ...serviceKeyDeclarations(rowsBeyondShipped(table)) };
}

/** The fully qualified Pulumi config key, e.g. `voteapp:vpcCidr`. */
export function qualifiedKey(key: string): string {
    return `${CONFIG_NAMESPACE}:${key}`;
}
