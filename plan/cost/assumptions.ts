/**
 * What the estimate assumes about usage, stated once. Prices come from the price tables; quantities come
 * from the planned resources' inputs (instance classes, counts, sizes); what neither can tell (how many
 * management events an idle account logs, what one vote costs in requests and bytes) is assumed here, and
 * every line built on an assumption names it. Change a figure here and every estimate follows.
 */

import type { AppService } from "../../shared/appContract";

/** Default load: votes a month (the `--votes` flag of `npm run plan` changes it). */
export const DEFAULT_VOTES_PER_MONTH = 1_000_000;

/** Seconds in the 730-hour month. */
export const SECONDS_PER_MONTH = 730 * 3600;

const KB = 1_000;
const GB = 1_000_000_000;

/** What one vote asks of one service of the table (shared/appContract.ts APP_SERVICE_TABLE). */
export interface ServiceTraffic {
    /**
     * An HTTP service: the requests one voter sends it. The queue consumer: the ballots one vote gives it (its
     * invocations are these over PER_VOTE.ballotsPerWorkerInvocation).
     */
    readonly requests: number;
    /** How long one invocation of its Lambda function runs (ms). */
    readonly lambdaDurationMs: number;
}

/**
 * Each service's traffic per vote: a row added to APP_SERVICE_TABLE without an entry here is a compile error; a
 * table handed to the estimate with a row this does not cover gets that row's function and requests listed as
 * not priced. Kept apart from the table (which the app's bundles import) so a changed assumption never changes
 * the functions' code.
 */
export const SERVICE_TRAFFIC = {
    /** GET the vote page, POST the ballot; the function enqueues. */
    vote: { requests: 2, lambdaDurationMs: 40 },
    /** The voter then looks at the result page for ~10 s: the page and five 2-second totals polls. */
    result: { requests: 6, lambdaDurationMs: 60 },
    /** One ballot per vote; the function runs the saga that records it. */
    worker: { requests: 1, lambdaDurationMs: 80 },
} as const satisfies Record<AppService, ServiceTraffic>;

/** One vote, as the app serves it (app/src): what it costs in requests, bytes and work downstream. */
export const PER_VOTE = {
    // The requests each service gets per vote, and its function's duration: SERVICE_TRAFFIC below.
    /** Request plus response bytes of one HTTP request (the pages are a few KB of HTML). */
    bytesPerRequest: 8 * KB,
    /** Application log bytes per vote on containers (vote, worker and result lines, JSON). */
    containerLogBytes: 600,
    /** Bytes through NAT per vote: container log shipping to CloudWatch Logs plus TLS overhead. */
    natBytes: 1_500,
    /** VPC flow log bytes per vote: ~4 flow records (client→ALB, ALB→task, task→data) of ~150 B. */
    flowLogBytes: 600,
    /** Redis work per vote on ElastiCache Serverless: push, pop, acknowledge (~1 KB each) and a heartbeat. */
    redisEcpu: 4,
    /** Lambda: the worker handles about one ballot per invocation at this rate (FIFO has no batching window). */
    ballotsPerWorkerInvocation: 1,
    /** Lambda log bytes per invocation: START/END/REPORT lines and one JSON application line. */
    lambdaLogBytesPerInvocation: 500,
    /** API Gateway access log bytes per request (the stage's JSON format). */
    apiAccessLogBytes: 600,
    /** SQS requests per ballot: send, receive, delete. */
    sqsRequests: 3,
    /** DynamoDB per ballot (app/src/lambda/store.ts): one consistent read, four conditional writes. */
    dynamoWriteUnits: 4,
    dynamoReadUnitsPerBallot: 1,
    /** DynamoDB per totals read: BatchGet of two items, eventually consistent (0.5 RRU each). */
    dynamoReadUnitsPerTotals: 1,
    /** Bytes stored per voter item in DynamoDB. */
    dynamoItemBytes: 200,
} as const;

/**
 * The bytes one vote moves, by network path: what the data-transfer lines (plan/cost/dataTransfer.ts) price.
 * Sizes are upper bounds of what the app sends (test/plan/dataTransfer.test.ts renders the pages and the totals
 * and checks they fit); requests per vote are PER_VOTE's.
 */
export const BYTES_PER_VOTE = {
    /**
     * One HTML page to the voter (the vote page, the page answering the ballot, the result page): ~1.3 KB of
     * HTML (app/src/core/pages.ts) plus the status line and headers (the security headers alone are ~0.3 KB).
     */
    pageResponse: 2_000,
    /** One totals answer to the result page (JSON or a server-sent event of ~0.1 KB, plus headers). */
    totalsResponse: 500,
    /**
     * TLS handshakes a vote opens (one connection to the vote page, one to the result page) and the bytes each
     * sends the voter (the server's certificate chain and key exchange).
     */
    tlsHandshakes: 2,
    tlsHandshakeBytes: 5_000,
    /** App ↔ Redis (containers): RPUSH of the ballot by vote, the worker's move and acknowledgement, with replies. */
    redisBytes: 1_500,
    /** App ↔ PostgreSQL (containers): the worker's upsert of the ballot, with its reply. */
    postgresBytesPerBallot: 1_000,
    /** App ↔ PostgreSQL: one totals query and its rows, per result request. */
    postgresBytesPerTotalsRead: 600,
} as const;

/** Response bytes a vote sends to the voter over the internet (BYTES_PER_VOTE applied to PER_VOTE's requests). */
export function internetEgressBytesPerVote(): number {
    const b = BYTES_PER_VOTE;
    // Every vote request answers with a page; of the result requests, the first is the page, the others totals.
    return (
        SERVICE_TRAFFIC.vote.requests * b.pageResponse +
        b.pageResponse +
        (SERVICE_TRAFFIC.result.requests - 1) * b.totalsResponse +
        b.tlsHandshakes * b.tlsHandshakeBytes
    );
}

/** Bytes a vote moves between the app and its data stores (containers; Lambda's stores are regional services). */
export function dataStoreBytesPerVote(): { readonly redis: number; readonly postgres: number } {
    const b = BYTES_PER_VOTE;
    return {
        redis: b.redisBytes,
        postgres: b.postgresBytesPerBallot + SERVICE_TRAFFIC.result.requests * b.postgresBytesPerTotalsRead,
    };
}

/** What an account and its resources do when nobody votes. */
export const IDLE = {
    /** CloudTrail management events a month in an account with nothing running (console, Pulumi refreshes, AWS services). */
    managementEventsBase: 60_000,
    /** Management events a month per always-running task, node, database or instance (agents, credential refreshes). */
    managementEventsPerComputeUnit: 10_000,
    /** Bytes of one management event delivered to CloudWatch Logs (JSON). */
    managementEventBytes: 1_500,
    /** Bytes of one management event stored in S3 (gzip). */
    managementEventCompressedBytes: 250,
    /** CloudTrail log files written to S3 a month (one per region and ~5 minutes where there are events). */
    trailFilesPerMonth: 9_000,
    /** VPC flow log volume a month with no votes: health checks, agents, image pulls. */
    flowLogGbPerVpc: 0.5,
    /** DNS query logs GuardDuty analyses a month per VPC. */
    dnsLogGbPerVpc: 0.1,
    /** Bytes through each NAT gateway a month with no votes: agents, AWS APIs, image manifests. */
    natGbPerGateway: 1,
    /** EKS control-plane log volume a month per enabled log type, from an idle cluster with its add-ons. */
    eksControlPlaneLogGb: { audit: 2, api: 0.5, authenticator: 0.2, controllerManager: 0.3, scheduler: 0.1 } as Record<
        string,
        number
    >,
    /** Bytes of one EKS audit event (GuardDuty prices per event). */
    eksAuditEventBytes: 2_000,
    /** PostgreSQL log volume exported to CloudWatch Logs a month per instance. */
    rdsLogGb: 0.05,
    /** Images pushed (built or promoted) per repository a month; each is scanned on push with enhanced scanning. */
    imagesPushedPerRepository: 20,
    /** Rescans per stored image a month under continuous enhanced scanning (new CVEs published). */
    rescansPerImage: 1,
    /** Compressed size of one app image (Node.js on Alpine, arm64). */
    imageGb: 0.06,
    /** Security Hub: checks a month per resource in the stack (FSBP controls, daily periodic evaluation). */
    securityHubChecksPerResource: 30,
    /** Lambda's SQS pollers on an idle queue: five long-polling (20 s) receivers. */
    sqsPollers: 5,
    sqsLongPollSeconds: 20,
    /** ALB access log objects a month per load balancer node (one every 5 minutes). */
    albLogObjectsPerNode: 8_760,
    /** ECS Container Insights: performance log bytes a month per running task (one event a minute per level). */
    containerInsightsLogGbPerTask: 0.1,
    /**
     * ECS Container Insights custom metrics (standard): per cluster and per service; enhanced adds per task
     * and per container metrics.
     */
    containerInsightsMetrics: { cluster: 12, service: 13, task: 14, container: 12 },
    /** EKS Container Insights (the CloudWatch observability add-on, enhanced): metrics per node and per pod, log GB per node. */
    eksContainerInsights: { clusterMetrics: 25, metricsPerNode: 30, metricsPerPod: 15, logGbPerNode: 1 },
    /**
     * A self-managed Pulumi state backend (the bootstrap's state bucket) for the account's stacks: updates and
     * previews a month (deploys, pull-request previews, refreshes), checkpoint writes per update (Pulumi writes
     * the checkpoint as the update proceeds, plus its history entry and lock), reads per operation, and the size
     * of one stack's checkpoint (a few hundred resources of JSON).
     */
    stateBackend: {
        updatesPerMonth: 100,
        previewsPerMonth: 200,
        writesPerUpdate: 12,
        readsPerOperation: 6,
        checkpointMb: 1,
    },
    /** Bytes of one S3 server access log record (one per request to the logged bucket). */
    s3AccessLogRecordBytes: 400,
    /** X-Ray default sampling: the first request each second, then 5%. */
    xrayReservoirPerSecond: 1,
    xrayRate: 0.05,
} as const;

export const UNITS = { KB, GB } as const;
