import type { CapturedResource } from "../../shared/capturedResource";
import {
    BYTES_PER_VOTE,
    dataStoreBytesPerVote,
    internetEgressBytesPerVote,
    PER_VOTE,
    SERVICE_TRAFFIC,
    UNITS,
} from "./assumptions";

/**
 * Data transfer the votes drive, priced per GB (issue 13: "data transfer priced at the stated load"):
 * - internet egress: the responses to the voters (BYTES_PER_VOTE), out of the app's entry point (an internet-facing
 *   load balancer, or an API Gateway stage, which bills its data out at EC2's rates);
 * - across AZs, where the plan makes the path certain: the app runs in every AZ of the VPC (ECS spreads tasks,
 *   EKS nodes span the private subnets) and meets one PostgreSQL primary and one Redis primary, in one AZ, so the
 *   share (AZs − 1) / AZs of its data-store bytes crosses; likewise for log shipping through fewer NAT hops than
 *   AZs (one NAT instance or a single NAT gateway). What goes through NAT gateways is billed per GB processed
 *   where the gateways are priced (estimate.ts); a NAT instance processes for free.
 * Free, so not priced: data in from the internet, a load balancer to its targets across AZs, RDS Multi-AZ and
 * ElastiCache replication, and traffic to regional services (CloudWatch, SQS, DynamoDB) in the same region.
 */

/**
 * What the data-transfer lines need of the estimate's pricing context (estimate.ts's Pricing; its driver and scope
 * types spelled out here, as estimate.ts imports this module).
 */
export interface TransferPricing {
    readonly votes: number;
    charge(
        r: CapturedResource,
        item: string,
        priceKey: string,
        quantity: number,
        driver: "idle" | "load",
        basis?: string,
    ): void;
    ofType(type: string): readonly CapturedResource[];
    isUnder(r: CapturedResource, componentType: string): boolean;
    scopeOf(r: CapturedResource): "stack" | "account";
}

const NAT_INSTANCE_COMPONENT = "voteapp:network:NatInstance";

const record = (v: unknown): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Where the voters' responses leave AWS: internet-facing ALBs (planned or via the controller) and API stages. */
function entryPoints(p: TransferPricing): CapturedResource[] {
    const loadBalancers = p
        .ofType("aws:lb/loadBalancer:LoadBalancer")
        .filter(
            (r) => r.inputs.internal !== true && (text(r.inputs.loadBalancerType) ?? "application") === "application",
        );
    const ingresses = p.ofType("kubernetes:networking.k8s.io/v1:Ingress").filter((r) => {
        const annotations = record(record(r.inputs.metadata).annotations);
        return annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing";
    });
    const stages = [...p.ofType("aws:apigatewayv2/stage:Stage"), ...p.ofType("aws:apigateway/stage:Stage")];
    return [...loadBalancers, ...ingresses, ...stages].filter((r) => p.scopeOf(r) === "stack");
}

/** The VPC's AZ count (awsx's Vpc, the only VPC the stacks plan), or undefined without one. */
function vpcAzs(p: TransferPricing): number | undefined {
    const vpc = p.ofType("awsx:ec2:Vpc").find((r) => p.scopeOf(r) === "stack");
    if (!vpc) return undefined;
    const azs = Number(vpc.inputs.numberOfAvailabilityZones ?? 3);
    return Number.isFinite(azs) && azs > 0 ? azs : undefined;
}

/** GB a month crossing AZs once, charged out of one and into the other. */
function chargeCrossing(p: TransferPricing, r: CapturedResource, what: string, gb: number, basis: string): void {
    p.charge(r, `${what}: across AZs`, "transfer.inter-az.gb", 2 * gb, "load", `${basis}; charged in both AZs`);
}

export function priceDataTransfer(p: TransferPricing): void {
    if (p.votes <= 0) return;

    const egressGb = (p.votes * internetEgressBytesPerVote()) / UNITS.GB;
    const doors = entryPoints(p);
    for (const door of doors)
        p.charge(
            door,
            "responses to voters: data out to the internet",
            "transfer.internet-out.gb",
            egressGb / doors.length,
            "load",
            `${internetEgressBytesPerVote().toLocaleString("en-US")} B per vote: ${SERVICE_TRAFFIC.vote.requests + 1} pages of ${BYTES_PER_VOTE.pageResponse} B, ${SERVICE_TRAFFIC.result.requests - 1} totals of ${BYTES_PER_VOTE.totalsResponse} B, ${BYTES_PER_VOTE.tlsHandshakes} TLS handshakes of ${BYTES_PER_VOTE.tlsHandshakeBytes} B${doors.length > 1 ? `, split over ${doors.length} entry points` : ""}`,
        );

    const azs = vpcAzs(p);
    if (azs === undefined || azs < 2) return;
    const crossShare = (azs - 1) / azs;
    const shareText = `${azs - 1} of ${azs} AZs' share`;

    const bytes = dataStoreBytesPerVote();
    for (const db of p.ofType("aws:rds/instance:Instance").filter((r) => p.scopeOf(r) === "stack"))
        chargeCrossing(
            p,
            db,
            "app to PostgreSQL primary",
            (p.votes * bytes.postgres * crossShare) / UNITS.GB,
            `${bytes.postgres} B per vote, ${shareText}`,
        );
    for (const cache of p
        .ofType("aws:elasticache/replicationGroup:ReplicationGroup")
        .filter((r) => p.scopeOf(r) === "stack"))
        chargeCrossing(
            p,
            cache,
            "app to Redis primary",
            (p.votes * bytes.redis * crossShare) / UNITS.GB,
            `${bytes.redis} B per vote, ${shareText}`,
        );

    // Log shipping through NAT: crosses AZs from the AZs without a NAT hop of their own.
    const natInstances = p
        .ofType("aws:autoscaling/group:Group")
        .filter((g) => p.scopeOf(g) === "stack" && p.isUnder(g, NAT_INSTANCE_COMPONENT));
    const vpc = p.ofType("awsx:ec2:Vpc").find((r) => p.scopeOf(r) === "stack");
    const strategy = text(record(vpc?.inputs.natGateways).strategy) ?? "OnePerAz";
    const [natOwner, hops] =
        natInstances.length > 0
            ? [natInstances[0], natInstances.length]
            : strategy === "Single" && vpc
              ? [vpc, 1]
              : [undefined, azs];
    if (natOwner && hops < azs)
        chargeCrossing(
            p,
            natOwner,
            "log shipping to the NAT",
            (p.votes * PER_VOTE.natBytes * ((azs - hops) / azs)) / UNITS.GB,
            `${PER_VOTE.natBytes} B per vote through NAT, from the ${azs - hops} of ${azs} AZs without a NAT of their own`,
        );
}
