/**
 * The shape of a checked-in price table: one file per region under plan/cost/prices/, each entry a public
 * list price with the page it comes from. There is no AWS price API offline; the figures were read from
 * AWS's pricing pages (or, where a page renders its regional table in the browser only, from a published
 * copy of it, named in `checked`) on the table's `read` date. Re-read them before relying on an estimate.
 */

/** Public pricing pages the entries cite (the source of record for each figure). */
export const PRICING_PAGES = {
    fargate: "https://aws.amazon.com/fargate/pricing/",
    vpc: "https://aws.amazon.com/vpc/pricing/",
    elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
    eks: "https://aws.amazon.com/eks/pricing/",
    ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
    ebs: "https://aws.amazon.com/ebs/pricing/",
    rds: "https://aws.amazon.com/rds/postgresql/pricing/",
    elasticache: "https://aws.amazon.com/elasticache/pricing/",
    kms: "https://aws.amazon.com/kms/pricing/",
    secretsManager: "https://aws.amazon.com/secrets-manager/pricing/",
    cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
    guardduty: "https://aws.amazon.com/guardduty/pricing/",
    inspector: "https://aws.amazon.com/inspector/pricing/",
    securityHub: "https://aws.amazon.com/security-hub/pricing/",
    cloudtrail: "https://aws.amazon.com/cloudtrail/pricing/",
    s3: "https://aws.amazon.com/s3/pricing/",
    ecr: "https://aws.amazon.com/ecr/pricing/",
    lambda: "https://aws.amazon.com/lambda/pricing/",
    apiGateway: "https://aws.amazon.com/api-gateway/pricing/",
    sqs: "https://aws.amazon.com/sqs/pricing/",
    dynamodb: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    xray: "https://aws.amazon.com/xray/pricing/",
    waf: "https://aws.amazon.com/waf/pricing/",
    cloudMap: "https://aws.amazon.com/cloud-map/pricing/",
    route53: "https://aws.amazon.com/route53/pricing/",
    scheduler: "https://aws.amazon.com/eventbridge/pricing/",
} as const;

/** Published copies of AWS's figures that confirmed an entry when the AWS page itself renders them client-side. */
export const CHECKED_COPIES = {
    fargateUsEast1: "https://www.vantage.sh/blog/fargate-pricing (us-east-1 Linux/ARM and x86 rates)",
    natUsEast1: "https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1 $0.045/h, $0.045/GB)",
    albIreland: "https://cal53.calculator.city/aws-alb-cost-calculator/ (Europe (Ireland) $0.0252/h)",
    rdsT4gUsEast1:
        "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (db.t4g us-east-1, Multi-AZ = 2x)",
    inspectorIreland:
        "https://docs-b6y.pages.dev/hld009-vulnerability-management-amazon-inspector.html (Europe (Ireland): EC2 $1.2528, ECR $0.09 + $0.01)",
    guarddutyUsEast1:
        "github api-evangelist/amazon-guardduty plans/amazon-guardduty-plans-pricing.yml (transcribed 2026-10-07 from the AWS page)",
    containerInsightsEnhanced:
        "https://fortem.dev/blog/ecs-fargate-monitoring/ ($0.07 per metric-month, enhanced observability)",
    elasticacheServerless:
        "https://www.usage.ai/blogs/aws/database-savings-plans/elasticache/serverless-pricing/ (Valkey $0.084/GB-h, $0.0023/M ECPU; 100 MB minimum per https://aws.amazon.com/elasticache/pricing/)",
} as const;

export interface PriceEntry {
    /** US dollars per `unit`. */
    readonly usd: number;
    /** What one unit is, e.g. "hour", "GB-month", "1M requests". */
    readonly unit: string;
    /** The AWS pricing page the figure is published on. */
    readonly source: string;
    /** A published copy of the figure that was checked, when the AWS page renders its table client-side. */
    readonly checked?: string;
    /** Anything a reader must know to use the figure (tiers, what is included). */
    readonly note?: string;
}

export interface PriceTable {
    readonly region: string;
    /** ISO date the figures were read. */
    readonly read: string;
    /** On-demand list prices in USD, no free tier, no discounts. */
    readonly prices: Readonly<Record<string, PriceEntry>>;
}

/** Hours in the month every hourly price is multiplied by (AWS's own convention: 8,760 / 12). */
export const HOURS_PER_MONTH = 730;

/** A price entry for one region, with the source and date carried along. */
export function entry(
    usd: number,
    unit: string,
    source: string,
    extra: Omit<PriceEntry, "usd" | "unit" | "source"> = {},
): PriceEntry {
    return { usd, unit, source, ...extra };
}
