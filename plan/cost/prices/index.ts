import { CHECKED_COPIES as C, entry, PRICING_PAGES as P, type PriceEntry, type PriceTable } from "../priceTable";

/**
 * The checked-in price tables, one per region, read on {@link PRICES_READ}: on-demand list prices in USD, no
 * free tier. One row per priced dimension with the figure for each region side by side, so a reader sees at
 * once where the regions differ. A row without a figure for a region leaves that dimension "not priced" there
 * (the estimate says so; it never counts it as zero).
 *
 * Where a row has `checked`, a published copy of AWS's figure confirmed it on that date; the other figures
 * were transcribed from the AWS page named in `source` and are the ones to re-check first.
 */
export const PRICES_READ = "2026-12-03";

export const PRICED_REGIONS = ["us-east-1", "eu-west-1"] as const;
export type PricedRegion = (typeof PRICED_REGIONS)[number];

/** One priced dimension: what `entry` carries besides the figure, and the figure per region (absent: not priced). */
type Row = Omit<PriceEntry, "usd"> & { readonly [R in PricedRegion]?: number };

/** What a row may carry besides unit, source and figures. */
type RowExtra = Pick<PriceEntry, "checked" | "note">;

const row = (
    unit: string,
    source: string,
    usEast1: number | undefined,
    euWest1: number | undefined,
    extra: RowExtra = {},
): Row => ({ unit, source, "us-east-1": usEast1, "eu-west-1": euWest1, ...extra });

/** A row priced the same in every region. */
const flatRow = (unit: string, source: string, usd: number, extra: RowExtra = {}): Row =>
    row(unit, source, usd, usd, extra);

const FARGATE_SPOT_NOTE =
    "Spot prices move with spare capacity; AWS publishes 'up to 70% off': this row is on-demand less 70%";

/** GuardDuty: the us-east-1 rates were confirmed; eu-west-1 uses them (the page's regional table was not readable). */
const guardDutyRow = (unit: string, usd: number, note = "eu-west-1: the us-east-1 rate"): Row =>
    flatRow(unit, P.guardduty, usd, { checked: C.guarddutyUsEast1, note });

/** EC2 Linux on-demand, per instance-hour: the Graviton types the stacks and their options use. */
const EC2: Record<string, [number, number]> = {
    "t4g.nano": [0.0042, 0.0046],
    "t4g.micro": [0.0084, 0.0092],
    "t4g.small": [0.0168, 0.0184],
    "t4g.medium": [0.0336, 0.0368],
    "t4g.large": [0.0672, 0.0736],
    "t4g.xlarge": [0.1344, 0.1472],
    "m6g.medium": [0.0385, 0.043],
    "m6g.large": [0.077, 0.086],
    "m6g.xlarge": [0.154, 0.172],
    // c7g: the EKS node group's default (t-family types cannot trunk network interfaces for pod security groups).
    "c7g.medium": [0.0363, 0.0396],
    "c7g.large": [0.0725, 0.0791],
    "c7g.xlarge": [0.145, 0.1582],
    "m7g.medium": [0.0408, 0.0445],
    "m7g.large": [0.0816, 0.089],
    "m7g.xlarge": [0.1632, 0.178],
};

/** RDS for PostgreSQL, Single-AZ on-demand, per instance-hour (a Multi-AZ instance deployment is billed twice). */
const RDS_POSTGRES: Record<string, [number, number]> = {
    "db.t4g.micro": [0.016, 0.018],
    "db.t4g.small": [0.032, 0.036],
    "db.t4g.medium": [0.065, 0.072],
    "db.t4g.large": [0.129, 0.144],
    "db.m6g.large": [0.159, 0.176],
    "db.m7g.large": [0.168, 0.186],
};

/** ElastiCache for Redis OSS nodes, on-demand, per node-hour. */
const ELASTICACHE_REDIS: Record<string, [number, number]> = {
    "cache.t4g.micro": [0.016, 0.017],
    "cache.t4g.small": [0.032, 0.034],
    "cache.t4g.medium": [0.065, 0.068],
    "cache.m6g.large": [0.149, 0.166],
    "cache.m7g.large": [0.158, 0.176],
};

const ROWS: Readonly<Record<string, Row>> = {
    // --- compute ---
    "fargate.linux.arm64.vcpu-hour": row("vCPU-hour", P.fargate, 0.03238, 0.03238, { checked: C.fargateUsEast1 }),
    "fargate.linux.arm64.gb-hour": row("GB-hour", P.fargate, 0.00356, 0.00356, { checked: C.fargateUsEast1 }),
    "fargate.linux.x86_64.vcpu-hour": row("vCPU-hour", P.fargate, 0.04048, 0.04048, { checked: C.fargateUsEast1 }),
    "fargate.linux.x86_64.gb-hour": row("GB-hour", P.fargate, 0.004445, 0.004445, { checked: C.fargateUsEast1 }),
    "fargate-spot.linux.arm64.vcpu-hour": flatRow("vCPU-hour", P.fargate, 0.009714, { note: FARGATE_SPOT_NOTE }),
    "fargate-spot.linux.arm64.gb-hour": flatRow("GB-hour", P.fargate, 0.001068, { note: FARGATE_SPOT_NOTE }),
    ...Object.fromEntries(
        Object.entries(EC2).map(([type, [us, eu]]) => [`ec2.${type}.hour`, row("instance-hour", P.ec2, us, eu)]),
    ),
    "ebs.gp3.gb-month": row("GB-month", P.ebs, 0.08, 0.088),
    "eks.cluster.hour": row("cluster-hour", P.eks, 0.1, 0.1, { note: "standard support" }),
    "eks.cluster.extended-hour": row("cluster-hour", P.eks, 0.6, 0.6, { note: "extended support" }),
    // --- network ---
    "vpc.nat-gateway.hour": row("gateway-hour", P.vpc, 0.045, 0.048, { checked: C.natUsEast1 }),
    "vpc.nat-gateway.gb": row("GB processed", P.vpc, 0.045, 0.048, { checked: C.natUsEast1 }),
    "vpc.public-ipv4.hour": row("address-hour", P.vpc, 0.005, 0.005, {
        note: "every public IPv4 address, in use or idle (since 2024-02-01)",
    }),
    "vpc.interface-endpoint.az-hour": row("endpoint-AZ-hour", P.vpc, 0.01, 0.011),
    "vpc.interface-endpoint.gb": row("GB processed", P.vpc, 0.01, 0.01, { note: "first PB" }),
    "elb.alb.hour": row("load-balancer-hour", P.elb, 0.0225, 0.0252, { checked: C.albIreland }),
    "elb.alb.lcu-hour": row("LCU-hour", P.elb, 0.008, 0.008),
    // --- data ---
    ...Object.fromEntries(
        Object.entries(RDS_POSTGRES).map(([cls, [us, eu]]) => [
            `rds.postgres.${cls}.hour`,
            row(
                "instance-hour (Single-AZ)",
                P.rds,
                us,
                eu,
                cls.startsWith("db.t4g") ? { checked: C.rdsT4gUsEast1 } : {},
            ),
        ]),
    ),
    "rds.gp3.gb-month": row("GB-month (Single-AZ)", P.rds, 0.115, 0.127, { note: "3,000 IOPS and 125 MB/s included" }),
    ...Object.fromEntries(
        Object.entries(ELASTICACHE_REDIS).flatMap(([node, [us, eu]]) => [
            [`elasticache.redis.${node}.hour`, row("node-hour", P.elasticache, us, eu)],
            [
                `elasticache.valkey.${node}.hour`,
                row("node-hour", P.elasticache, round4(us * 0.8), round4(eu * 0.8), {
                    note: "Valkey nodes are priced 20% below Redis OSS nodes",
                }),
            ],
        ]),
    ),
    "elasticache.serverless.valkey.gb-hour": row("GB-hour", P.elasticache, 0.084, 0.0924, {
        checked: C.elasticacheServerless,
        note: "metered for at least 100 MB per cache",
    }),
    "elasticache.serverless.valkey.million-ecpu": row("1M ECPUs", P.elasticache, 0.0023, 0.0025, {
        checked: C.elasticacheServerless,
    }),
    "elasticache.serverless.redis.gb-hour": row("GB-hour", P.elasticache, 0.125, 0.1375, {
        note: "metered for at least 1 GB per cache",
    }),
    "elasticache.serverless.redis.million-ecpu": row("1M ECPUs", P.elasticache, 0.0034, 0.0037),
    "dynamodb.on-demand.million-wru": row("1M write request units", P.dynamodb, 0.625, 0.7068),
    "dynamodb.on-demand.million-rru": row("1M read request units", P.dynamodb, 0.125, 0.1413),
    "dynamodb.storage.gb-month": row("GB-month", P.dynamodb, 0.25, 0.283),
    "dynamodb.pitr.gb-month": row("GB-month", P.dynamodb, 0.2, 0.2265),
    "sqs.standard.million-requests": row("1M requests", P.sqs, 0.4, 0.4, { note: "per 64 KB chunk" }),
    "sqs.fifo.million-requests": row("1M requests", P.sqs, 0.5, 0.5, { note: "per 64 KB chunk" }),
    "s3.standard.gb-month": row("GB-month", P.s3, 0.023, 0.023, { note: "first 50 TB" }),
    "s3.put.thousand-requests": row("1,000 PUT/COPY/POST/LIST", P.s3, 0.005, 0.005),
    "s3.get.thousand-requests": row("1,000 GET/SELECT and other", P.s3, 0.0004, 0.0004),
    "ecr.storage.gb-month": row("GB-month", P.ecr, 0.1, 0.1),
    // --- serverless ---
    "lambda.arm64.gb-second": row("GB-second", P.lambda, 0.0000133334, 0.0000133334),
    "lambda.x86_64.gb-second": row("GB-second", P.lambda, 0.0000166667, 0.0000166667),
    "lambda.million-requests": row("1M requests", P.lambda, 0.2, 0.2),
    "apigateway.http.million-requests": row("1M requests", P.apiGateway, 1.0, 1.11, { note: "first 300M" }),
    // Cloud Map and Route 53 price the same in every region (ecsIngress httpApi: the tasks' private DNS namespace).
    "cloudmap.instance.month": flatRow("registered instance-month", P.cloudMap, 0.1, {
        note: "per registered resource, prorated by the hours it is registered",
    }),
    "cloudmap.million-discovery-calls": flatRow("1M discovery API calls", P.cloudMap, 1.0),
    "route53.hosted-zone.month": flatRow("hosted zone-month", P.route53, 0.5, {
        note: "first 25 hosted zones; a Cloud Map private DNS namespace is one private hosted zone",
    }),
    "xray.million-traces": row("1M traces recorded", P.xray, 5.0, 5.0),
    "scheduler.million-invocations": row("1M invocations", P.scheduler, 1.0, 1.0, {
        note: "after the first 14M a month, which the estimate does not count (no free tier)",
    }),
    // --- keys, secrets, observability ---
    "kms.key.month": row("key-month", P.kms, 1.0, 1.0, { note: "customer managed key, rotation included" }),
    "kms.ten-thousand-requests": row("10,000 requests", P.kms, 0.03, 0.03),
    "secretsmanager.secret.month": row("secret-month", P.secretsManager, 0.4, 0.4),
    "cloudwatch.alarm.metric-month": row("alarm metric-month", P.cloudwatch, 0.1, 0.1, {
        note: "standard resolution",
    }),
    "cloudwatch.alarm.high-resolution.metric-month": row("alarm metric-month", P.cloudwatch, 0.3, 0.3),
    "cloudwatch.dashboard.month": row("dashboard-month", P.cloudwatch, 3.0, 3.0),
    "cloudwatch.metric.month": row("metric-month", P.cloudwatch, 0.3, 0.3, { note: "first 10,000 metrics" }),
    "cloudwatch.container-insights-enhanced.metric-month": row("metric-month", P.cloudwatch, 0.07, 0.07, {
        checked: C.containerInsightsEnhanced,
        note: "Container Insights with enhanced observability for ECS (cluster, service, task and container metrics)",
    }),
    "cloudwatch.logs.ingest.gb": row("GB ingested", P.cloudwatch, 0.5, 0.57, { note: "standard log class" }),
    "cloudwatch.logs.vended.gb": row("GB ingested", P.cloudwatch, 0.5, 0.57, {
        note: "vended logs (VPC flow logs) to CloudWatch Logs, first 10 TB",
    }),
    "cloudwatch.logs.storage.gb-month": row("GB-month archived", P.cloudwatch, 0.03, 0.03),
    // --- security services ---
    "guardduty.cloudtrail.million-events": guardDutyRow(
        "1M management events",
        4.0,
        "eu-west-1: the page's regional table was not readable; the us-east-1 rate is used",
    ),
    "guardduty.flow-dns.gb": guardDutyRow("GB analysed (first 500 GB)", 1.0),
    "guardduty.s3-data.million-events": guardDutyRow("1M S3 data events", 0.8),
    "guardduty.eks-audit.million-events": guardDutyRow("1M EKS audit events", 1.6),
    "guardduty.runtime.vcpu-month": guardDutyRow("vCPU-month (first 500)", 1.5),
    "guardduty.rds.vcpu-month": guardDutyRow("vCPU-month", 1.0),
    "guardduty.lambda-network.gb": guardDutyRow("GB analysed", 1.0),
    "inspector.ecr.initial-scan": row("image scanned on push", P.inspector, 0.09, 0.09, {
        checked: C.inspectorIreland,
    }),
    "inspector.ecr.rescan": row("image rescan", P.inspector, 0.01, 0.01, { checked: C.inspectorIreland }),
    "inspector.ec2.instance-month": row("instance-month", P.inspector, 1.2585, 1.2528, {
        checked: C.inspectorIreland,
    }),
    "inspector.lambda.function-month": row("function-month", P.inspector, 0.3, 0.3),
    "inspector.lambda-code.function-month": row("function-month", P.inspector, 0.6, 0.6, {
        note: "in addition to standard Lambda scanning",
    }),
    "securityhub.check": row("security check (first 100,000)", P.securityHub, 0.001, 0.001),
    "waf.web-acl.month": row("web ACL-month", P.waf, 5.0, 5.0),
    "waf.rule.month": row("rule-month", P.waf, 1.0, 1.0),
    "waf.million-requests": row("1M requests", P.waf, 0.6, 0.6),
};

function round4(value: number): number {
    return Math.round(value * 10000) / 10000;
}

function tableFor(region: PricedRegion): PriceTable {
    const prices: Record<string, PriceEntry> = {};
    for (const [key, r] of Object.entries(ROWS)) {
        const usd = r[region];
        if (usd === undefined) continue;
        prices[key] = entry(usd, r.unit, r.source, {
            ...(r.checked ? { checked: r.checked } : {}),
            ...(r.note ? { note: r.note } : {}),
        });
    }
    return { region, read: PRICES_READ, prices };
}

export const PRICE_TABLES: Readonly<Record<PricedRegion, PriceTable>> = {
    "us-east-1": tableFor("us-east-1"),
    "eu-west-1": tableFor("eu-west-1"),
};

/** The table for a region, or undefined when no table is checked in for it (every line is then "not priced"). */
export function priceTableFor(region: string): PriceTable | undefined {
    return (PRICE_TABLES as Readonly<Record<string, PriceTable>>)[region];
}

/** Instance facts the estimate needs besides prices (vCPUs, for per-vCPU security services). */
export const EC2_VCPUS: Readonly<Record<string, number>> = {
    "t4g.nano": 2,
    "t4g.micro": 2,
    "t4g.small": 2,
    "t4g.medium": 2,
    "t4g.large": 2,
    "t4g.xlarge": 4,
    "c7g.medium": 1,
    "c7g.large": 2,
    "c7g.xlarge": 4,
    "m6g.medium": 1,
    "m6g.large": 2,
    "m6g.xlarge": 4,
    "m7g.medium": 1,
    "m7g.large": 2,
    "m7g.xlarge": 4,
};

/** vCPUs of an RDS instance class: the EC2 type of the same name. */
export function rdsVcpus(instanceClass: string): number | undefined {
    return EC2_VCPUS[instanceClass.replace(/^db\./, "")];
}
