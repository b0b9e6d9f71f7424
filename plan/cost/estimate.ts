import type { CapturedResource } from "../../shared/capturedResource";
import {
    APP_SERVICE_TABLE,
    type AppServiceSpec,
    consumesVotesQueue,
    httpServices,
    type ServiceTable,
} from "../../shared/appContract";
import {
    DEFAULT_VOTES_PER_MONTH,
    IDLE,
    PER_VOTE,
    SECONDS_PER_MONTH,
    SERVICE_TRAFFIC,
    type ServiceTraffic,
    UNITS,
} from "./assumptions";
import { priceDataTransfer } from "./dataTransfer";
import { FREE_TYPES, isFreeKubernetesType } from "./freeTypes";
import { ec2Vcpus, priceTableFor, rdsVcpus } from "./prices";
import { HOURS_PER_MONTH, type PriceTable } from "./priceTable";

/**
 * The monthly cost of what a stack plans, priced from the resources the mock harness captured (their real
 * inputs: instance classes, counts, sizes, settings) and the checked-in price table of the stack's region.
 * Two totals: idle (nobody votes: what the stack costs by existing) and at a load (idle plus what the votes
 * add, per the assumptions in assumptions.ts).
 */

/** Whether a line is paid by existing (idle) or by the votes (load). */
export type CostDriver = "idle" | "load";

/**
 * Who pays a line: the stack itself, or its account (the bootstrap stack's image registry and state backend,
 * and what scans the registry): created once per account, paid once whichever platform or stack runs there.
 */
export type CostScope = "stack" | "account";

export interface CostLine {
    readonly type: string;
    /** Logical name of the resource the line belongs to. */
    readonly name: string;
    /** What is billed, e.g. "NAT gateway hours". */
    readonly item: string;
    readonly quantity: number;
    readonly unit: string;
    /** USD per unit, from the price table. */
    readonly unitPrice: number;
    readonly monthlyUsd: number;
    /** The price table key the unit price comes from. */
    readonly priceKey: string;
    readonly driver: CostDriver;
    /** The stack's own cost, or its account's (the resource the line is on came from the bootstrap plan). */
    readonly scope: CostScope;
    /** The assumption behind the quantity, when the inputs alone do not give it. */
    readonly basis?: string;
}

/** Something billable the estimate cannot price: listed, never counted as zero. */
export interface NotPricedItem {
    readonly type: string;
    readonly name: string;
    readonly item: string;
    readonly reason: string;
    readonly scope: CostScope;
}

export interface CostTotals {
    /** Sum of the idle lines. */
    readonly idleUsd: number;
    /** Idle plus the lines the votes add. */
    readonly atLoadUsd: number;
}

export interface CostEstimate {
    readonly region: string;
    /** Date the price table was read; undefined when the region has no table. */
    readonly pricesRead?: string;
    readonly votesPerMonth: number;
    readonly lines: readonly CostLine[];
    readonly notPriced: readonly NotPricedItem[];
    /** The stack's own lines (scope "stack"): what this stack adds to its account's bill. */
    readonly totals: CostTotals;
    /**
     * The account's lines (scope "account"), when the account's bootstrap plan was priced with the stack: paid
     * once per account, not per stack, so never added into `totals`.
     */
    readonly account?: { readonly bootstrapStack: string; readonly totals: CostTotals };
}

/** The bootstrap plan of the stack's account: its resources are priced as account costs. */
export interface AccountPlan {
    /** The bootstrap stack's name (bootstrap/Pulumi.<name>.yaml). */
    readonly bootstrapStack: string;
    readonly resources: readonly CapturedResource[];
}

export interface EstimateOptions {
    readonly region: string;
    /** Votes a month for the load total. @default 1,000,000 */
    readonly votesPerMonth?: number;
    /**
     * The account's bootstrap plan. Its resources are priced as account lines, and the stack's pricing sees them
     * (the repositories Inspector scans are the bootstrap's; Security Hub checks the whole account).
     */
    readonly account?: AccountPlan;
    /**
     * The app's services: each row says whether its function is invoked per HTTP request or per batch of ballots.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
    /**
     * What one vote asks of each service, by name; a row without an entry is listed as not priced.
     * @default SERVICE_TRAFFIC (plan/cost/assumptions.ts)
     */
    readonly traffic?: Readonly<Partial<Record<string, ServiceTraffic>>>;
}

type Inputs = Record<string, unknown>;

const isRecord = (v: unknown): v is Inputs => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const asNumber = (v: unknown): number | undefined => {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return undefined;
};
const record = (v: unknown): Inputs => (isRecord(v) ? v : {});

/** Money is summed unrounded and shown rounded to cents. */
function roundCents(value: number): number {
    return Math.round(value * 100) / 100;
}

/** What every pricing rule needs: the whole plan (for relations), the price table and the load. */
class Pricing {
    readonly lines: CostLine[] = [];
    readonly notPriced: NotPricedItem[] = [];
    private readonly byUrn: Map<string, CapturedResource>;
    /** The plan's resources by type: the rules ask for a type's resources once per resource they price. */
    private readonly byType = new Map<string, CapturedResource[]>();

    constructor(
        readonly resources: readonly CapturedResource[],
        readonly table: PriceTable | undefined,
        readonly region: string,
        readonly votes: number,
        private readonly accountUrns: ReadonlySet<string> = new Set(),
        readonly services: ServiceTable = APP_SERVICE_TABLE,
        private readonly traffic: Readonly<Partial<Record<string, ServiceTraffic>>> = SERVICE_TRAFFIC,
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const r of resources) {
            const ofType = this.byType.get(r.type);
            if (ofType) ofType.push(r);
            else this.byType.set(r.type, [r]);
        }
    }

    /** What one vote asks of a service, or undefined when the estimate was given no figure for it. */
    trafficOf(spec: AppServiceSpec): ServiceTraffic | undefined {
        return this.traffic[spec.name];
    }

    scopeOf(r: CapturedResource): CostScope {
        return this.accountUrns.has(r.urn) ? "account" : "stack";
    }

    /**
     * A load line for what each vote uses: `perVote` in the unit of the quantity it is stated in (bytes, ECPUs,
     * requests), `unit` of them to one priced unit (UNITS.GB bytes, 1e6 requests); the basis states the figure.
     * @example p.chargePerVote(r, "VPC flow logs", "guardduty.flow-dns.gb", PER_VOTE.flowLogBytes, UNITS.GB, "B per vote")
     */
    chargePerVote(
        r: CapturedResource,
        item: string,
        priceKey: string,
        perVote: number,
        unit: number,
        what: string,
    ): void {
        this.charge(r, item, priceKey, (this.votes * perVote) / unit, "load", `${perVote} ${what}`);
    }

    /** Adds a line `quantity × price(key)`, or a "not priced" item when the table has no such price. */
    charge(
        r: CapturedResource,
        item: string,
        priceKey: string,
        quantity: number,
        driver: CostDriver,
        basis?: string,
    ): void {
        if (!(quantity > 0)) return;
        const price = this.table?.prices[priceKey];
        if (!price) {
            this.missing(r, item, `no price "${priceKey}" in the ${this.region} price table`);
            return;
        }
        this.lines.push({
            type: r.type,
            name: r.name,
            item,
            quantity,
            unit: price.unit,
            unitPrice: price.usd,
            monthlyUsd: quantity * price.usd,
            priceKey,
            driver,
            scope: this.scopeOf(r),
            ...(basis ? { basis } : {}),
        });
    }

    missing(r: CapturedResource, item: string, reason: string): void {
        this.notPriced.push({ type: r.type, name: r.name, item, reason, scope: this.scopeOf(r) });
    }

    /** The plan's resources of a type, in plan order. */
    ofType(type: string): readonly CapturedResource[] {
        return this.byType.get(type) ?? [];
    }

    /** Whether a component of the type is among the resource's ancestors. */
    isUnder(r: CapturedResource, componentType: string): boolean {
        for (let parent = r.parent ? this.byUrn.get(r.parent) : undefined; parent;) {
            if (parent.type === componentType) return true;
            parent = parent.parent ? this.byUrn.get(parent.parent) : undefined;
        }
        return false;
    }

    /** Resources this one depends on (explicit dependsOn and the resources its inputs came from), of a type. */
    dependenciesOf(r: CapturedResource, type: string): CapturedResource[] {
        return r.dependencies.map((urn) => this.byUrn.get(urn)).filter((d): d is CapturedResource => d?.type === type);
    }

    /**
     * Retention (days) of the log group a reference (name or ARN) names; undefined when the group is not in
     * the plan or never expires.
     */
    logRetentionDays(reference: string | undefined): number | undefined {
        if (!reference) return undefined;
        for (const group of this.ofType("aws:cloudwatch/logGroup:LogGroup")) {
            const name = asString(group.inputs.name);
            const matches = name
                ? reference === name || reference.includes(`:log-group:${name}`)
                : reference.includes(group.name);
            if (matches) return asNumber(group.inputs.retentionInDays);
        }
        return undefined;
    }

    /** CloudWatch Logs ingestion of `gb` a month, and the storage it settles at under the group's retention. */
    logs(
        r: CapturedResource,
        what: string,
        gb: number,
        driver: CostDriver,
        basis: string,
        groupReference?: string,
        vended = false,
    ): void {
        this.charge(
            r,
            `${what}: log ingestion`,
            vended ? "cloudwatch.logs.vended.gb" : "cloudwatch.logs.ingest.gb",
            gb,
            driver,
            basis,
        );
        const retention = this.logRetentionDays(groupReference);
        // Stored volume settles at the monthly volume times the months kept (a year when the group never expires);
        // no credit is taken for CloudWatch's compression.
        const months = (retention ?? 365) / (365 / 12);
        this.charge(
            r,
            `${what}: log storage`,
            "cloudwatch.logs.storage.gb-month",
            gb * months,
            driver,
            `${retention === undefined ? "no retention found: a year" : `${retention}-day retention`} of ${basis}`,
        );
    }
}

// --- facts derived from the whole plan -----------------------------------------------------------------

interface FargateTasks {
    readonly service: CapturedResource;
    readonly count: number;
    readonly vcpu: number;
    readonly memoryGb: number;
    readonly arch: "arm64" | "x86_64";
    readonly containers: number;
    readonly spotCount: number;
    /** Share of the month the tasks run: 1, or less under a working-hours schedule (its scheduled actions). */
    readonly runningShare: number;
    /** The scheduled actions that set it, when any cannot be read (not a weekly cron). */
    readonly unreadSchedule?: CapturedResource;
}

/** fargateTasks by plan: several rules (each ECS service, each Cloud Map service, GuardDuty) ask for them. */
const fargateTasksOf = new WeakMap<Pricing, readonly FargateTasks[]>();

function fargateTasks(p: Pricing): readonly FargateTasks[] {
    let tasks = fargateTasksOf.get(p);
    if (!tasks) {
        tasks = readFargateTasks(p);
        fargateTasksOf.set(p, tasks);
    }
    return tasks;
}

function readFargateTasks(p: Pricing): FargateTasks[] {
    return p.ofType("aws:ecs/service:Service").flatMap((service) => {
        const [taskDefinition] = p.dependenciesOf(service, "aws:ecs/taskDefinition:TaskDefinition");
        if (!taskDefinition) return [];
        const count = asNumber(service.inputs.desiredCount) ?? 1;
        const platform = record(taskDefinition.inputs.runtimePlatform);
        let containers: number;
        try {
            containers = asArray(JSON.parse(asString(taskDefinition.inputs.containerDefinitions) ?? "[]")).length || 1;
        } catch {
            containers = 1; // unreadable definitions: count the one container every task has
        }
        return [
            {
                service,
                count,
                vcpu: (asNumber(taskDefinition.inputs.cpu) ?? 256) / 1024,
                memoryGb: (asNumber(taskDefinition.inputs.memory) ?? 512) / 1024,
                arch: asString(platform.cpuArchitecture) === "ARM64" ? "arm64" : "x86_64",
                containers,
                spotCount: spotTasks(count, asArray(service.inputs.capacityProviderStrategies)),
                ...scheduleOf(p, service),
            },
        ];
    });
}

/** The scheduled actions on a service's scalable target, and the share of the week they leave it running. */
function scheduleOf(
    p: Pricing,
    service: CapturedResource,
): { runningShare: number; unreadSchedule?: CapturedResource } {
    const targets = p.ofType("aws:appautoscaling/target:Target").filter((t) => t.dependencies.includes(service.urn));
    const resourceIds = new Set(targets.map((t) => asString(t.inputs.resourceId)).filter((id) => id !== undefined));
    const actions = p
        .ofType("aws:appautoscaling/scheduledAction:ScheduledAction")
        .filter((a) => resourceIds.has(asString(a.inputs.resourceId) ?? ""));
    const share = scheduledRunningShare(
        actions.map((a) => ({
            schedule: asString(a.inputs.schedule) ?? "",
            maxCapacity: asNumber(record(a.inputs.scalableTargetAction).maxCapacity) ?? 1,
        })),
    );
    return share === undefined ? { runningShare: 1, unreadSchedule: actions[0] } : { runningShare: share };
}
// --- working-hours schedules (Application Auto Scaling scheduled actions on an ECS service) -------------

const CRON_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Days (0 = Sunday) a cron day-of-week field names: `*`, `MON-FRI`, `MON,WED,FRI`, `2-6`. */
function cronWeekdays(field: string): number[] | undefined {
    const day = (token: string): number | undefined => {
        const named = CRON_DAYS.indexOf(token.toUpperCase() as (typeof CRON_DAYS)[number]);
        if (named >= 0) return named;
        const n = Number(token);
        return Number.isInteger(n) && n >= 1 && n <= 7 ? n - 1 : undefined;
    };
    if (field === "*" || field === "?") return [0, 1, 2, 3, 4, 5, 6];
    const days = new Set<number>();
    for (const part of field.split(",")) {
        const [from, to] = part.split("-").map(day);
        if (from === undefined || (part.includes("-") && (to === undefined || to < from))) return undefined;
        for (let d = from; d <= (to ?? from); d++) days.add(d);
    }
    return [...days];
}

/** Minutes into the week (Sunday 00:00 = 0) at which a `cron(M H ? * DAYS *)` schedule fires. */
function cronMinutesOfWeek(schedule: string): number[] | undefined {
    const m = /^cron\((\d{1,2}) (\d{1,2}) \? \* (\S+) \*\)$/.exec(schedule);
    if (!m) return undefined;
    const days = cronWeekdays(m[3]);
    return days?.map((d) => d * 1440 + Number(m[2]) * 60 + Number(m[1]));
}

/**
 * The share of the week a service runs under its scheduled actions: each action sets the capacity until the
 * next one (the week wraps round); running where the action's maximum capacity is above zero. 1 without
 * actions; undefined when a schedule is not a weekly cron this can read.
 */
export function scheduledRunningShare(
    actions: readonly { schedule: string; maxCapacity: number }[],
): number | undefined {
    const events: { at: number; running: boolean }[] = [];
    for (const action of actions) {
        const minutes = cronMinutesOfWeek(action.schedule);
        if (!minutes) return undefined;
        for (const at of minutes) events.push({ at, running: action.maxCapacity > 0 });
    }
    if (events.length === 0) return 1;
    events.sort((a, b) => a.at - b.at);
    let running = 0;
    events.forEach((event, i) => {
        const next = i + 1 < events.length ? events[i + 1].at : events[0].at + MINUTES_PER_WEEK;
        if (event.running) running += next - event.at;
    });
    return running / MINUTES_PER_WEEK;
}

/** Tasks a capacity provider strategy places on FARGATE_SPOT: the bases first, then the rest by weight. */
export function spotTasks(count: number, strategies: readonly unknown[]): number {
    const items = strategies.filter(isRecord).map((s) => ({
        spot: s.capacityProvider === "FARGATE_SPOT",
        base: asNumber(s.base) ?? 0,
        weight: asNumber(s.weight) ?? 0,
    }));
    if (items.length === 0) return 0;
    let remaining = count;
    let spot = 0;
    for (const item of items) {
        const placed = Math.min(item.base, remaining);
        if (item.spot) spot += placed;
        remaining -= placed;
    }
    const totalWeight = items.reduce((sum, i) => sum + i.weight, 0);
    if (remaining > 0 && totalWeight > 0) {
        const spotWeight = items.filter((i) => i.spot).reduce((sum, i) => sum + i.weight, 0);
        spot += Math.floor((remaining * spotWeight) / totalWeight);
    }
    return spot;
}

interface Ec2Fleet {
    readonly owner: CapturedResource;
    readonly instanceType: string | undefined;
    readonly count: number;
    /** Share of the month the instances run: 1, or less under a working-hours schedule. @default 1 */
    readonly runningShare?: number;
}

function eksNodes(p: Pricing): Ec2Fleet[] {
    return p.ofType("aws:eks/nodeGroup:NodeGroup").map((group) => ({
        owner: group,
        instanceType: asString(asArray(group.inputs.instanceTypes)[0]),
        count: asNumber(record(group.inputs.scalingConfig).desiredSize) ?? 1,
        runningShare: workingHoursOf(p, group).runningShare,
    }));
}

/** Whether a universal-target schedule leaves its target running (node group scaled above zero, database started). */
function leavesRunning(schedule: CapturedResource): boolean | undefined {
    const target = record(schedule.inputs.target);
    const action = /^arn:[\w-]+:scheduler:::aws-sdk:(\w+):(\w+)$/.exec(asString(target.arn) ?? "");
    if (!action) return undefined;
    let input: Inputs;
    try {
        input = record(JSON.parse(asString(target.input) ?? "{}"));
    } catch {
        return undefined;
    }
    switch (`${action[1]}:${action[2]}`) {
        case "eks:updateNodegroupConfig": {
            const desired = asNumber(record(input.ScalingConfig).DesiredSize);
            return desired === undefined ? undefined : desired > 0;
        }
        case "rds:startDBInstance":
            return true;
        case "rds:stopDBInstance":
            return false;
        default:
            return undefined;
    }
}

/**
 * The share of the week a node group or database runs under the EventBridge Scheduler schedules acting on it
 * (components/workingHoursSchedule.ts); 1 without schedules, and 1 with the schedule named when one cannot be read.
 */
function workingHoursOf(p: Pricing, r: CapturedResource): { runningShare: number; unreadSchedule?: CapturedResource } {
    const schedules = p.ofType("aws:scheduler/schedule:Schedule").filter((s) => s.dependencies.includes(r.urn));
    const actions = schedules.map((s) => ({ schedule: s, running: leavesRunning(s) }));
    const unread = actions.find((a) => a.running === undefined);
    if (unread) return { runningShare: 1, unreadSchedule: unread.schedule };
    const share = scheduledRunningShare(
        actions.map((a) => ({
            schedule: asString(a.schedule.inputs.scheduleExpression) ?? "",
            maxCapacity: a.running ? 1 : 0,
        })),
    );
    return share === undefined ? { runningShare: 1, unreadSchedule: schedules[0] } : { runningShare: share };
}

const workingHoursNote = (share: number) =>
    share < 1 ? ` (working hours: ${Math.round(share * HOURS_PER_MONTH)} of ${HOURS_PER_MONTH} h)` : "";

function launchTemplateOf(p: Pricing, r: CapturedResource): CapturedResource | undefined {
    return p.dependenciesOf(r, "aws:ec2/launchTemplate:LaunchTemplate")[0];
}

function autoScalingInstances(p: Pricing): Ec2Fleet[] {
    return p.ofType("aws:autoscaling/group:Group").map((group) => {
        const template = launchTemplateOf(p, group);
        const overrides = asArray(record(record(record(group.inputs.mixedInstancesPolicy).launchTemplate)).overrides);
        return {
            owner: group,
            instanceType: asString(template?.inputs.instanceType) ?? asString(record(overrides[0]).instanceType),
            count: asNumber(group.inputs.desiredCapacity) ?? asNumber(group.inputs.minSize) ?? 1,
        };
    });
}

function ec2Instances(p: Pricing): Ec2Fleet[] {
    return p.ofType("aws:ec2/instance:Instance").map((instance) => ({
        owner: instance,
        instanceType: asString(instance.inputs.instanceType),
        count: 1,
    }));
}

/** Always-running things that keep an account's control plane busy (management events). */
function computeUnits(p: Pricing): number {
    const tasks = fargateTasks(p).reduce((sum, t) => sum + t.count, 0);
    const instances = [...eksNodes(p), ...autoScalingInstances(p), ...ec2Instances(p)].reduce((s, f) => s + f.count, 0);
    const databases = p.ofType("aws:rds/instance:Instance").length;
    return tasks + instances + databases;
}

function managementEventsPerMonth(p: Pricing): number {
    return IDLE.managementEventsBase + IDLE.managementEventsPerComputeUnit * computeUnits(p);
}

const MANAGEMENT_EVENTS_BASIS = `${IDLE.managementEventsBase.toLocaleString("en-US")} management events a month plus ${IDLE.managementEventsPerComputeUnit.toLocaleString("en-US")} per running task, node, instance or database`;

/** HTTP requests one vote sends to the app's entry point: each HTTP service's traffic (SERVICE_TRAFFIC). */
function httpRequestsPerVote(p: Pricing): number {
    return httpServices(p.services).reduce((sum, spec) => sum + (p.trafficOf(spec)?.requests ?? 0), 0);
}

/** HTTP requests a month the votes send to the app's entry point. */
function httpRequests(p: Pricing): number {
    return p.votes * httpRequestsPerVote(p);
}

/** The basis of the request lines: the total and each HTTP service's share. */
function httpBasis(p: Pricing): string {
    const shares = httpServices(p.services)
        .filter((spec) => p.trafficOf(spec) !== undefined)
        .map((spec) => `${spec.name} ${p.trafficOf(spec)?.requests}`);
    return `${httpRequestsPerVote(p)} HTTP requests per vote (${shares.join(", ")}) of ${PER_VOTE.bytesPerRequest / 1000} KB`;
}

/**
 * The entry point's requests leave out any HTTP service whose row states no per-vote traffic: listed on the
 * resource that carries the requests, so the total is never silently short.
 */
function missingHttpTraffic(p: Pricing, r: CapturedResource, item: string): void {
    for (const spec of httpServices(p.services).filter((s) => p.trafficOf(s) === undefined))
        p.missing(r, `${item}: ${spec.name}'s requests`, noTrafficReason(spec));
}

const noTrafficReason = (spec: AppServiceSpec) =>
    `no per-vote traffic is stated for ${spec.name} (plan/cost/assumptions.ts SERVICE_TRAFFIC)`;

/**
 * LCU-hours of an Application Load Balancer carrying `requests` a month spread evenly: the largest of the
 * new-connection (25/s), processed-bytes (1 GB/h) and active-connection (3,000/min) dimensions, per hour.
 */
export function albLcuHours(requests: number, bytesPerRequest: number): number {
    const perSecond = requests / SECONDS_PER_MONTH;
    const newConnections = perSecond / 25; // every request on a new connection, the worst case
    const gbPerHour = (requests * bytesPerRequest) / UNITS.GB / HOURS_PER_MONTH;
    const activePerMinute = (perSecond * 60) / 3000;
    return Math.max(newConnections, gbPerHour, activePerMinute) * HOURS_PER_MONTH;
}

/** Traces a month X-Ray's default rule records from `requests` spread evenly: one a second, then 5%. */
export function sampledTraces(requests: number): number {
    const perSecond = requests / SECONDS_PER_MONTH;
    const reservoir = Math.min(perSecond, IDLE.xrayReservoirPerSecond);
    return (reservoir + IDLE.xrayRate * Math.max(0, perSecond - reservoir)) * SECONDS_PER_MONTH;
}

/** Which row of the service table a Lambda function is, from its name (`<prefix>-<service>`). */
function lambdaService(p: Pricing, fn: CapturedResource): AppServiceSpec | undefined {
    const name = asString(fn.inputs.name) ?? fn.name;
    return p.services.find((spec) => name.endsWith(`-${spec.name}`));
}

/**
 * Invocations a month of a service's function, from its row: an HTTP service is invoked per request, the queue
 * consumer per batch of ballots; undefined when the row states no per-vote traffic.
 */
function lambdaInvocations(p: Pricing, spec: AppServiceSpec): number | undefined {
    const traffic = p.trafficOf(spec);
    if (!traffic) return undefined;
    const perVote = consumesVotesQueue(spec)
        ? traffic.requests / PER_VOTE.ballotsPerWorkerInvocation
        : traffic.requests;
    return p.votes * perVote;
}

/** Daemon pods on every EKS node (VPC CNI, kube-proxy, Pod Identity agent, CloudWatch agent, Fluent Bit). */
const EKS_SYSTEM_PODS_PER_NODE = 5;

const vpcCount = (p: Pricing) => p.ofType("awsx:ec2:Vpc").length + p.ofType("aws:ec2/vpc:Vpc").length;

// --- one rule per billable type ----------------------------------------------------------------------------

type Rule = (p: Pricing, r: CapturedResource) => void;

function priceLoadBalancer(
    p: Pricing,
    r: CapturedResource,
    what: string,
    internetFacing: boolean,
    subnets: number,
    accessLogs: boolean,
): void {
    p.charge(r, `${what}: hours`, "elb.alb.hour", HOURS_PER_MONTH, "idle");
    if (internetFacing)
        p.charge(
            r,
            `${what}: public IPv4 addresses (one per AZ)`,
            "vpc.public-ipv4.hour",
            subnets * HOURS_PER_MONTH,
            "idle",
        );
    p.charge(
        r,
        `${what}: LCU-hours`,
        "elb.alb.lcu-hour",
        albLcuHours(httpRequests(p), PER_VOTE.bytesPerRequest),
        "load",
        httpBasis(p),
    );
    if (accessLogs && p.votes > 0) {
        p.charge(
            r,
            `${what}: access log objects (S3 PUT)`,
            "s3.put.thousand-requests",
            (subnets * IDLE.albLogObjectsPerNode) / 1000,
            "load",
            "one log object per node every 5 minutes while traffic flows",
        );
    }
}

const RULES: Readonly<Record<string, Rule>> = {
    "awsx:ec2:Vpc": (p, r) => {
        const strategy = asString(record(r.inputs.natGateways).strategy) ?? "OnePerAz";
        const azs = asNumber(r.inputs.numberOfAvailabilityZones) ?? 3;
        const gateways = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
        p.charge(r, `NAT gateways (${gateways}): hours`, "vpc.nat-gateway.hour", gateways * HOURS_PER_MONTH, "idle");
        p.charge(r, "NAT gateways: public IPv4 addresses", "vpc.public-ipv4.hour", gateways * HOURS_PER_MONTH, "idle");
        p.charge(
            r,
            "NAT gateways: data processed (idle)",
            "vpc.nat-gateway.gb",
            gateways * IDLE.natGbPerGateway,
            "idle",
            `${IDLE.natGbPerGateway} GB a month per gateway of agents and AWS API calls`,
        );
        if (gateways > 0)
            p.chargePerVote(
                r,
                "NAT gateways: data processed (votes)",
                "vpc.nat-gateway.gb",
                PER_VOTE.natBytes,
                UNITS.GB,
                "B per vote (log shipping)",
            );
        for (const spec of asArray(r.inputs.vpcEndpointSpecs).filter(isRecord)) {
            if (spec.vpcEndpointType === "Interface")
                p.charge(
                    r,
                    `interface endpoint ${asString(spec.serviceName)}`,
                    "vpc.interface-endpoint.az-hour",
                    azs * HOURS_PER_MONTH,
                    "idle",
                );
        }
    },
    "aws:ec2/natGateway:NatGateway": (p, r) => {
        if (r.inputs.connectivityType === "private")
            return p.charge(r, "private NAT gateway: hours", "vpc.nat-gateway.hour", HOURS_PER_MONTH, "idle");
        p.charge(r, "NAT gateway: hours", "vpc.nat-gateway.hour", HOURS_PER_MONTH, "idle");
        p.charge(
            r,
            "NAT gateway: data processed (idle)",
            "vpc.nat-gateway.gb",
            IDLE.natGbPerGateway,
            "idle",
            `${IDLE.natGbPerGateway} GB a month of agents and AWS API calls`,
        );
    },
    "aws:ec2/eip:Eip": (p, r) => p.charge(r, "public IPv4 address", "vpc.public-ipv4.hour", HOURS_PER_MONTH, "idle"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (p, r) => {
        if (r.inputs.vpcEndpointType !== "Interface") return; // gateway endpoints are free
        const subnets = asArray(r.inputs.subnetIds).length;
        if (subnets === 0) return p.missing(r, "interface endpoint", "its subnets are not known when planning");
        p.charge(
            r,
            `interface endpoint ${asString(r.inputs.serviceName) ?? ""} (${subnets} AZs)`,
            "vpc.interface-endpoint.az-hour",
            subnets * HOURS_PER_MONTH,
            "idle",
        );
    },
    "aws:lb/loadBalancer:LoadBalancer": (p, r) => {
        const kind = asString(r.inputs.loadBalancerType) ?? "application";
        if (kind !== "application")
            return p.missing(r, `${kind} load balancer`, "only Application Load Balancers are priced");
        const subnets = asArray(r.inputs.subnets).length || asArray(r.inputs.subnetMappings).length || 2;
        priceLoadBalancer(
            p,
            r,
            "Application Load Balancer",
            r.inputs.internal !== true,
            subnets,
            record(r.inputs.accessLogs).enabled === true,
        );
    },
    "kubernetes:networking.k8s.io/v1:Ingress": (p, r) => {
        const annotations = record(record(r.inputs.metadata).annotations);
        const ingressClass =
            asString(record(r.inputs.spec).ingressClassName) ?? asString(annotations["kubernetes.io/ingress.class"]);
        if (ingressClass !== "alb")
            return p.missing(
                r,
                "load balancer for the Ingress",
                `ingress class ${ingressClass ?? "(none)"} is not priced`,
            );
        const subnets =
            (asString(annotations["alb.ingress.kubernetes.io/subnets"]) ?? "").split(",").filter(Boolean).length || 2;
        const attributes = asString(annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]) ?? "";
        priceLoadBalancer(
            p,
            r,
            "Application Load Balancer (AWS Load Balancer Controller)",
            annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing",
            subnets,
            attributes.includes("access_logs.s3.enabled=true"),
        );
    },
    "kubernetes:core/v1:Service": (p, r) => {
        if (record(r.inputs.spec).type === "LoadBalancer")
            p.missing(r, "Network Load Balancer for the Service", "Service load balancers are not priced");
    },
    "aws:ecs/service:Service": (p, r) => {
        const tasks = fargateTasks(p).find((t) => t.service === r);
        if (!tasks) return p.missing(r, "Fargate tasks", "its task definition is not in the plan");
        const onDemand = tasks.count - tasks.spotCount;
        const running =
            tasks.runningShare < 1
                ? ` (working hours: ${Math.round(tasks.runningShare * HOURS_PER_MONTH)} of ${HOURS_PER_MONTH} h)`
                : "";
        const size = `${tasks.vcpu} vCPU / ${tasks.memoryGb} GB ${tasks.arch}${running}`;
        const hours = tasks.runningShare * HOURS_PER_MONTH;
        missingSchedule(p, tasks.unreadSchedule, "");
        p.charge(
            r,
            `Fargate ${onDemand} × ${size}: vCPU`,
            `fargate.linux.${tasks.arch}.vcpu-hour`,
            onDemand * tasks.vcpu * hours,
            "idle",
        );
        p.charge(
            r,
            `Fargate ${onDemand} × ${size}: memory`,
            `fargate.linux.${tasks.arch}.gb-hour`,
            onDemand * tasks.memoryGb * hours,
            "idle",
        );
        p.charge(
            r,
            `Fargate Spot ${tasks.spotCount} × ${size}: vCPU`,
            `fargate-spot.linux.${tasks.arch}.vcpu-hour`,
            tasks.spotCount * tasks.vcpu * hours,
            "idle",
        );
        p.charge(
            r,
            `Fargate Spot ${tasks.spotCount} × ${size}: memory`,
            `fargate-spot.linux.${tasks.arch}.gb-hour`,
            tasks.spotCount * tasks.memoryGb * hours,
            "idle",
        );
        const services = Math.max(1, p.ofType("aws:ecs/service:Service").length);
        p.logs(
            r,
            "application logs",
            (p.votes * PER_VOTE.containerLogBytes) / UNITS.GB / services,
            "load",
            `${PER_VOTE.containerLogBytes} B of app logs per vote, shared by the services`,
            awslogsGroup(p, r),
        );
    },
    "aws:ecs/cluster:Cluster": (p, r) => {
        const setting = asArray(r.inputs.settings)
            .filter(isRecord)
            .find((s) => s.name === "containerInsights");
        const mode = asString(setting?.value) ?? "disabled";
        if (mode === "disabled") return;
        const tasks = fargateTasks(p);
        const m = IDLE.containerInsightsMetrics;
        const taskCount = tasks.reduce((s, t) => s + t.count, 0);
        const metrics =
            m.cluster +
            m.service * tasks.length +
            (mode === "enhanced"
                ? m.task * taskCount + m.container * tasks.reduce((s, t) => s + t.count * t.containers, 0)
                : 0);
        p.charge(
            r,
            `Container Insights (${mode}): metrics`,
            mode === "enhanced" ? "cloudwatch.container-insights-enhanced.metric-month" : "cloudwatch.metric.month",
            metrics,
            "idle",
            `${m.cluster} per cluster, ${m.service} per service${mode === "enhanced" ? `, ${m.task} per task, ${m.container} per container` : ""}`,
        );
        p.logs(
            r,
            `Container Insights (${mode}) performance events`,
            taskCount * IDLE.containerInsightsLogGbPerTask,
            "idle",
            `${IDLE.containerInsightsLogGbPerTask} GB a month per task`,
            `/aws/ecs/containerinsights/${asString(r.inputs.name) ?? r.name}/performance`,
        );
    },
    "aws:eks/cluster:Cluster": (p, r) => {
        const support = asString(record(r.inputs.upgradePolicy).supportType) ?? "EXTENDED";
        p.charge(
            r,
            `EKS control plane (${support === "STANDARD" ? "standard support" : "standard support; extended support would bill $0.60/h"})`,
            "eks.cluster.hour",
            HOURS_PER_MONTH,
            "idle",
        );
        const logTypes = asArray(r.inputs.enabledClusterLogTypes)
            .map(asString)
            .filter((t): t is string => t !== undefined);
        const gb = logTypes.reduce((s, t) => s + (IDLE.eksControlPlaneLogGb[t] ?? 0), 0);
        p.logs(
            r,
            `control-plane logs (${logTypes.join(", ")})`,
            gb,
            "idle",
            `${logTypes.map((t) => `${t} ${IDLE.eksControlPlaneLogGb[t] ?? 0} GB`).join(", ")} a month`,
            `/aws/eks/${asString(r.inputs.name) ?? r.name}/cluster`,
        );
        if (record(r.inputs.computeConfig).enabled === true)
            p.missing(
                r,
                "EKS Auto Mode instances and management fee",
                "Auto Mode picks instances for the pods when they run; the plan cannot know which",
            );
    },
    "aws:eks/addon:Addon": (p, r) => {
        // Other add-ons run on the nodes, which are priced; this one publishes Container Insights metrics and logs.
        if (r.inputs.addonName !== "amazon-cloudwatch-observability") return;
        const nodes = eksNodes(p).reduce((s, f) => s + f.count, 0);
        const replicas = p
            .ofType("kubernetes:apps/v1:Deployment")
            .reduce((s, d) => s + (asNumber(record(d.inputs.spec).replicas) ?? 1), 0);
        const pods = replicas + EKS_SYSTEM_PODS_PER_NODE * nodes;
        const m = IDLE.eksContainerInsights;
        const metrics = m.clusterMetrics + m.metricsPerNode * nodes + m.metricsPerPod * pods;
        p.charge(
            r,
            `Container Insights (enhanced): metrics for ${nodes} nodes, ${pods} pods`,
            "cloudwatch.container-insights-enhanced.metric-month",
            metrics,
            "idle",
            `${m.clusterMetrics} per cluster, ${m.metricsPerNode} per node, ${m.metricsPerPod} per pod (app replicas + ${EKS_SYSTEM_PODS_PER_NODE} system pods per node)`,
        );
        p.logs(
            r,
            "Container Insights host and data-plane logs",
            nodes * m.logGbPerNode,
            "idle",
            `${m.logGbPerNode} GB a month per node`,
            `/aws/containerinsights/${asString(r.inputs.clusterName) ?? ""}/host`,
        );
        p.logs(
            r,
            "application logs (Fluent Bit)",
            (p.votes * PER_VOTE.containerLogBytes) / UNITS.GB,
            "load",
            `${PER_VOTE.containerLogBytes} B of app logs per vote`,
            `/aws/containerinsights/${asString(r.inputs.clusterName) ?? ""}/application`,
        );
    },
    "aws:eks/nodeGroup:NodeGroup": (p, r) => {
        const [fleet] = eksNodes(p).filter((f) => f.owner === r);
        if (asString(r.inputs.capacityType) === "SPOT")
            return p.missing(r, "EC2 Spot nodes", "EC2 Spot prices move hourly; the table has none");
        const schedule = workingHoursOf(p, r);
        missingSchedule(p, schedule.unreadSchedule, " scaling the node group");
        priceFleet(p, fleet, "EKS nodes", launchTemplateOf(p, r), asNumber(r.inputs.diskSize) ?? 20);
    },
    "aws:autoscaling/group:Group": (p, r) => {
        const [fleet] = autoScalingInstances(p).filter((f) => f.owner === r);
        const template = launchTemplateOf(p, r);
        priceFleet(p, fleet, "EC2 instances", template, 8);
        const interfaces = asArray(template?.inputs.networkInterfaces).filter(isRecord);
        if (interfaces.some((i) => i.associatePublicIpAddress === true || i.associatePublicIpAddress === "true"))
            p.charge(
                r,
                "public IPv4 address per instance",
                "vpc.public-ipv4.hour",
                fleet.count * HOURS_PER_MONTH,
                "idle",
            );
    },
    "aws:ec2/instance:Instance": (p, r) => {
        const [fleet] = ec2Instances(p).filter((f) => f.owner === r);
        priceFleet(p, fleet, "EC2 instance", undefined, asNumber(record(r.inputs.rootBlockDevice).volumeSize) ?? 8);
        if (r.inputs.associatePublicIpAddress === true)
            p.charge(r, "public IPv4 address", "vpc.public-ipv4.hour", HOURS_PER_MONTH, "idle");
    },
    "aws:rds/instance:Instance": (p, r) => {
        const engine = asString(r.inputs.engine) ?? "";
        const instanceClass = asString(r.inputs.instanceClass) ?? "";
        const copies = r.inputs.multiAz === true ? 2 : 1;
        const deployment = copies === 2 ? "Multi-AZ (primary + standby)" : "Single-AZ";
        if (engine !== "postgres") return p.missing(r, `RDS ${engine}`, "only RDS for PostgreSQL is priced");
        // Stopped outside working hours, an instance bills its storage only.
        const schedule = workingHoursOf(p, r);
        missingSchedule(p, schedule.unreadSchedule, " stopping and starting the database");
        p.charge(
            r,
            `RDS PostgreSQL ${instanceClass} ${deployment}${workingHoursNote(schedule.runningShare)}`,
            `rds.postgres.${instanceClass}.hour`,
            copies * HOURS_PER_MONTH * schedule.runningShare,
            "idle",
        );
        const storageType = asString(r.inputs.storageType) ?? "gp2";
        if (storageType !== "gp3") p.missing(r, `RDS ${storageType} storage`, "only gp3 storage is priced");
        else
            p.charge(
                r,
                `RDS gp3 storage ${asNumber(r.inputs.allocatedStorage) ?? 20} GB × ${copies}`,
                "rds.gp3.gb-month",
                copies * (asNumber(r.inputs.allocatedStorage) ?? 20),
                "idle",
            );
        if (r.inputs.manageMasterUserPassword === true)
            p.charge(
                r,
                "master password secret (RDS-managed, Secrets Manager)",
                "secretsmanager.secret.month",
                1,
                "idle",
            );
        const exports = asArray(r.inputs.enabledCloudwatchLogsExports);
        if (exports.length > 0)
            p.logs(
                r,
                `exported logs (${exports.join(", ")})`,
                IDLE.rdsLogGb,
                "idle",
                `${IDLE.rdsLogGb} GB a month`,
                `/aws/rds/instance/${asString(r.inputs.identifier) ?? r.name}/postgresql`,
            );
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (p, r) => {
        const engine = asString(r.inputs.engine) ?? "redis";
        const nodeType = asString(r.inputs.nodeType) ?? "";
        const nodes =
            asNumber(r.inputs.numCacheClusters) ??
            (asNumber(r.inputs.numNodeGroups) ?? 1) * (1 + (asNumber(r.inputs.replicasPerNodeGroup) ?? 0));
        p.charge(
            r,
            `ElastiCache ${engine} ${nodes} × ${nodeType}`,
            `elasticache.${engine}.${nodeType}.hour`,
            nodes * HOURS_PER_MONTH,
            "idle",
        );
    },
    "aws:elasticache/serverlessCache:ServerlessCache": (p, r) => {
        const engine = asString(r.inputs.engine) ?? "valkey";
        const minimumGb = engine === "valkey" ? 0.1 : 1;
        p.charge(
            r,
            `ElastiCache Serverless ${engine}: data stored (metered minimum ${minimumGb} GB)`,
            `elasticache.serverless.${engine}.gb-hour`,
            minimumGb * HOURS_PER_MONTH,
            "idle",
            "the queue holds a few KB: the metered minimum applies",
        );
        p.chargePerVote(
            r,
            `ElastiCache Serverless ${engine}: ECPUs`,
            `elasticache.serverless.${engine}.million-ecpu`,
            PER_VOTE.redisEcpu,
            1e6,
            "ECPUs per vote",
        );
    },
    "aws:kms/key:Key": (p, r) =>
        p.charge(r, `KMS key (${asString(r.inputs.description) ?? r.name})`, "kms.key.month", 1, "idle"),
    "aws:secretsmanager/secret:Secret": (p, r) => p.charge(r, "secret", "secretsmanager.secret.month", 1, "idle"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (p, r) => {
        const queries = asArray(r.inputs.metricQueries).filter(isRecord);
        const metrics = queries.length > 0 ? queries.filter((q) => isRecord(q.metric)).length : 1;
        const period =
            asNumber(r.inputs.period) ?? asNumber(record(queries.find((q) => isRecord(q.metric))?.metric).period) ?? 60;
        p.charge(
            r,
            `alarm (${metrics} metric${metrics === 1 ? "" : "s"})`,
            period < 60 ? "cloudwatch.alarm.high-resolution.metric-month" : "cloudwatch.alarm.metric-month",
            metrics,
            "idle",
        );
    },
    "aws:cloudwatch/dashboard:Dashboard": (p, r) => p.charge(r, "dashboard", "cloudwatch.dashboard.month", 1, "idle"),
    "aws:ec2/flowLog:FlowLog": (p, r) => {
        const destination = asString(r.inputs.logDestinationType) ?? "cloud-watch-logs";
        if (destination !== "cloud-watch-logs")
            return p.missing(r, `flow logs to ${destination}`, "only flow logs to CloudWatch Logs are priced");
        const group = asString(r.inputs.logDestination) ?? asString(r.inputs.logGroupName);
        p.logs(
            r,
            "VPC flow logs (idle)",
            IDLE.flowLogGbPerVpc,
            "idle",
            `${IDLE.flowLogGbPerVpc} GB a month of health checks and agents`,
            group,
            true,
        );
        p.logs(
            r,
            "VPC flow logs (votes)",
            (p.votes * PER_VOTE.flowLogBytes) / UNITS.GB,
            "load",
            `${PER_VOTE.flowLogBytes} B per vote`,
            group,
            true,
        );
    },
    "aws:cloudtrail/trail:Trail": (p, r) => {
        if (asArray(r.inputs.eventSelectors).length > 0 || asArray(r.inputs.advancedEventSelectors).length > 0)
            p.missing(r, "CloudTrail data events", "data event selectors are not priced");
        const events = managementEventsPerMonth(p);
        const groupArn = asString(r.inputs.cloudWatchLogsGroupArn);
        if (groupArn)
            p.logs(
                r,
                "management events delivered to CloudWatch Logs",
                (events * IDLE.managementEventBytes) / UNITS.GB,
                "idle",
                MANAGEMENT_EVENTS_BASIS,
                groupArn,
            );
        const retentionDays = p.logRetentionDays(groupArn) ?? 365;
        p.charge(
            r,
            "log files in S3: storage",
            "s3.standard.gb-month",
            ((events * IDLE.managementEventCompressedBytes) / UNITS.GB) * (retentionDays / (365 / 12)),
            "idle",
            `${MANAGEMENT_EVENTS_BASIS}, ${IDLE.managementEventCompressedBytes} B each compressed, kept ${retentionDays} days`,
        );
        p.charge(
            r,
            "log files in S3: PUT requests",
            "s3.put.thousand-requests",
            IDLE.trailFilesPerMonth / 1000,
            "idle",
            `${IDLE.trailFilesPerMonth.toLocaleString("en-US")} files a month`,
        );
    },
    "aws:guardduty/detector:Detector": (p, r) => {
        if (r.inputs.enable === false) return;
        p.charge(
            r,
            "GuardDuty: CloudTrail management events analysed",
            "guardduty.cloudtrail.million-events",
            managementEventsPerMonth(p) / 1e6,
            "idle",
            MANAGEMENT_EVENTS_BASIS,
        );
        const vpcs = vpcCount(p);
        p.charge(
            r,
            "GuardDuty: VPC flow and DNS logs analysed (idle)",
            "guardduty.flow-dns.gb",
            vpcs * (IDLE.flowLogGbPerVpc + IDLE.dnsLogGbPerVpc),
            "idle",
            `${IDLE.flowLogGbPerVpc + IDLE.dnsLogGbPerVpc} GB a month per VPC`,
        );
        if (vpcs > 0)
            p.chargePerVote(
                r,
                "GuardDuty: VPC flow logs analysed (votes)",
                "guardduty.flow-dns.gb",
                PER_VOTE.flowLogBytes,
                UNITS.GB,
                "B per vote",
            );
    },
    "aws:guardduty/detectorFeature:DetectorFeature": (p, r) => priceGuardDutyFeature(p, r),
    "aws:inspector2/enabler:Enabler": (p, r) => {
        // ECR scans are priced on the repositories they scan (the account's registry, usually the bootstrap's).
        const types = new Set(asArray(r.inputs.resourceTypes).map(asString));
        const functions = p.ofType("aws:lambda/function:Function").length;
        if (types.has("LAMBDA"))
            p.charge(
                r,
                `Inspector: ${functions} Lambda functions`,
                "inspector.lambda.function-month",
                functions,
                "idle",
            );
        if (types.has("LAMBDA_CODE"))
            p.charge(
                r,
                `Inspector: ${functions} Lambda functions, code scanning`,
                "inspector.lambda-code.function-month",
                functions,
                "idle",
            );
        if (types.has("EC2")) {
            // Inspector bills an instance for the hours it is scanned (running).
            const instances = [...eksNodes(p), ...autoScalingInstances(p), ...ec2Instances(p)].reduce(
                (s, f) => s + f.count * (f.runningShare ?? 1),
                0,
            );
            p.charge(
                r,
                `Inspector: ${Math.round(instances * 100) / 100} EC2 instances`,
                "inspector.ec2.instance-month",
                instances,
                "idle",
            );
        }
    },
    "aws:ecr/repository:Repository": (p, r) => {
        const keep = keptImages(p, r);
        p.charge(
            r,
            `image storage (${keep} images kept)`,
            "ecr.storage.gb-month",
            keep * IDLE.imageGb,
            "idle",
            `${IDLE.imageGb} GB per image, the lifecycle policy's ${keep} kept`,
        );
        const enhanced = enhancedScanning(p);
        if (!enhanced) return; // ECR's basic scan on push is free
        p.charge(
            r,
            "Inspector: images scanned on push",
            "inspector.ecr.initial-scan",
            IDLE.imagesPushedPerRepository,
            "idle",
            `${IDLE.imagesPushedPerRepository} images pushed a month`,
        );
        if (enhanced.continuous)
            p.charge(
                r,
                `Inspector: continuous rescans of the ${keep} kept images`,
                "inspector.ecr.rescan",
                keep * IDLE.rescansPerImage,
                "idle",
                `${IDLE.rescansPerImage} rescan a month per kept image`,
            );
    },
    "aws:s3/bucketLogging:BucketLogging": (p, r) => {
        // Delivering server access logs is free; the log records stored in the target bucket are not. Requests to
        // the logged bucket are known for the state backend's bucket only.
        if (!p.isUnder(r, STATE_BACKEND))
            return p.missing(r, "server access log storage", "requests to the logged bucket unknown");
        const { writes, reads } = stateRequests();
        const keptDays = lifecycleDays(p, asString(r.inputs.targetBucket), "current") ?? 365;
        p.charge(
            r,
            "server access logs of the state bucket: storage",
            "s3.standard.gb-month",
            (((writes + reads) * IDLE.s3AccessLogRecordBytes) / UNITS.GB) * (keptDays / (365 / 12)),
            "idle",
            `one ${IDLE.s3AccessLogRecordBytes} B record per request (${STATE_BASIS}), kept ${keptDays} days`,
        );
    },
    "aws:securityhub/account:Account": (p, r) => {
        // Security Hub checks the whole account: the bootstrap's resources too, when its plan is priced along.
        const resources = p.resources.filter((x) => x.custom && x.type.startsWith("aws:")).length;
        p.charge(
            r,
            `Security Hub checks (${resources} resources in the account)`,
            "securityhub.check",
            resources * IDLE.securityHubChecksPerResource,
            "idle",
            `${IDLE.securityHubChecksPerResource} checks a month per resource in the stack`,
        );
    },
    "aws:accessanalyzer/analyzer:Analyzer": (p, r) => {
        const kind = asString(r.inputs.type) ?? "ACCOUNT";
        if (kind.includes("UNUSED"))
            p.missing(
                r,
                `${kind} analyzer`,
                "unused-access analysis is priced per role and user, which the plan does not count",
            );
    },
    "aws:lambda/function:Function": (p, r) => {
        const spec = lambdaService(p, r);
        if (!spec) {
            // A function the program itself invokes once per `pulumi up` (e.g. the database setup) costs a fraction of a cent.
            const invokedByDeploy = p
                .ofType("aws:lambda/invocation:Invocation")
                .some((invocation) => invocation.dependencies.includes(r.urn));
            if (!invokedByDeploy)
                p.missing(r, "Lambda invocations", "not one of the app's functions: its traffic is unknown");
            return;
        }
        const service = spec.name;
        const invocations = lambdaInvocations(p, spec);
        const traffic = p.trafficOf(spec);
        if (invocations === undefined || !traffic)
            return p.missing(r, `${service}: Lambda invocations`, noTrafficReason(spec));
        const arch = asArray(r.inputs.architectures).includes("arm64") ? "arm64" : "x86_64";
        const memoryGb = (asNumber(r.inputs.memorySize) ?? 128) / 1024;
        const durationMs = traffic.lambdaDurationMs;
        const basis = `${invocations / Math.max(1, p.votes)} invocations per vote`;
        p.charge(r, `${service}: requests`, "lambda.million-requests", invocations / 1e6, "load", basis);
        p.charge(
            r,
            `${service}: compute (${memoryGb * 1024} MB × ${durationMs} ms, ${arch})`,
            `lambda.${arch}.gb-second`,
            invocations * memoryGb * (durationMs / 1000),
            "load",
            `${basis}, ${durationMs} ms each`,
        );
        p.logs(
            r,
            `${service} function logs`,
            (invocations * PER_VOTE.lambdaLogBytesPerInvocation) / UNITS.GB,
            "load",
            `${PER_VOTE.lambdaLogBytesPerInvocation} B per invocation`,
            asString(record(r.inputs.loggingConfig).logGroup) ?? `/aws/lambda/${asString(r.inputs.name) ?? r.name}`,
        );
        if (record(r.inputs.tracingConfig).mode === "Active") {
            // The default sampling rule's reservoir is shared by every traced function: split the sampled total.
            const traced = p
                .ofType("aws:lambda/function:Function")
                .filter((fn) => record(fn.inputs.tracingConfig).mode === "Active");
            const all = traced.reduce((s, fn) => {
                const other = lambdaService(p, fn);
                return s + ((other && lambdaInvocations(p, other)) ?? 0);
            }, 0);
            p.charge(
                r,
                `${service}: X-Ray traces`,
                "xray.million-traces",
                (sampledTraces(all) * (invocations / all)) / 1e6,
                "load",
                "default sampling over all traced functions: one request a second, then 5%, shared in proportion",
            );
        }
    },
    "aws:apigatewayv2/stage:Stage": (p, r) => {
        const requests = httpRequests(p);
        p.charge(r, "HTTP API requests", "apigateway.http.million-requests", requests / 1e6, "load", httpBasis(p));
        missingHttpTraffic(p, r, "HTTP API requests");
        const accessLogs = record(r.inputs.accessLogSettings);
        if (accessLogs.destinationArn)
            p.logs(
                r,
                "API access logs",
                (requests * PER_VOTE.apiAccessLogBytes) / UNITS.GB,
                "load",
                `${PER_VOTE.apiAccessLogBytes} B per request`,
                asString(accessLogs.destinationArn),
            );
        if (record(r.inputs.defaultRouteSettings).detailedMetricsEnabled === true && p.votes > 0) {
            const routes = p.ofType("aws:apigatewayv2/route:Route").length;
            p.charge(
                r,
                `detailed route metrics (${routes} routes × 5)`,
                "cloudwatch.metric.month",
                routes * 5,
                "load",
                "Count, 4xx, 5xx, Latency and IntegrationLatency per route, published while requests flow",
            );
        }
    },
    // ecsIngress httpApi (components/fargate/httpApiIngress.ts): the tasks' Cloud Map namespace is a private hosted zone.
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (p, r) => {
        p.charge(r, "Route 53 private hosted zone (Cloud Map DNS namespace)", "route53.hosted-zone.month", 1, "idle");
        if (
            p
                .ofType("aws:apigatewayv2/integration:Integration")
                .some((i) => asString(i.inputs.connectionType) === "VPC_LINK")
        )
            p.charge(
                r,
                "Cloud Map discovery calls of the HTTP API's private integrations",
                "cloudmap.million-discovery-calls",
                httpRequests(p) / 1e6,
                "load",
                "at most one DiscoverInstances call per API request (an upper bound: API Gateway may cache)",
            );
    },
    // Each running task an ECS service registers (serviceRegistries) is one Cloud Map instance while it runs.
    "aws:servicediscovery/service:Service": (p, r) => {
        const registering = fargateTasks(p).filter((t) => t.service.dependencies.includes(r.urn));
        const instances = registering.reduce((sum, t) => sum + t.count * t.runningShare, 0);
        const hours =
            registering.length > 0 ? Math.round(registering[0].runningShare * HOURS_PER_MONTH) : HOURS_PER_MONTH;
        p.charge(
            r,
            `Cloud Map instances (one per running task${hours < HOURS_PER_MONTH ? `, ${hours} of ${HOURS_PER_MONTH} h` : ""})`,
            "cloudmap.instance.month",
            instances,
            "idle",
        );
    },
    "aws:sqs/queue:Queue": (p, r) => {
        const key = r.inputs.fifoQueue === true ? "sqs.fifo.million-requests" : "sqs.standard.million-requests";
        const name = asString(r.inputs.name) ?? r.name;
        const polled = p
            .ofType("aws:lambda/eventSourceMapping:EventSourceMapping")
            .some((m) => (asString(m.inputs.eventSourceArn) ?? "").endsWith(`:${name}`));
        if (!polled) return;
        const polls = IDLE.sqsPollers * (SECONDS_PER_MONTH / IDLE.sqsLongPollSeconds);
        p.charge(
            r,
            "Lambda's long polls of the empty queue",
            key,
            polls / 1e6,
            "idle",
            `${IDLE.sqsPollers} pollers, ${IDLE.sqsLongPollSeconds} s long polls`,
        );
        p.chargePerVote(
            r,
            "ballot requests (send, receive, delete)",
            key,
            PER_VOTE.sqsRequests,
            1e6,
            "requests per ballot",
        );
        const cmk = asString(r.inputs.kmsMasterKeyId);
        if (cmk && !cmk.startsWith("alias/aws/") && p.votes > 0) {
            const reuse = asNumber(r.inputs.kmsDataKeyReusePeriodSeconds) ?? 300;
            p.charge(
                r,
                "KMS data key requests (producer and consumer)",
                "kms.ten-thousand-requests",
                (2 * (SECONDS_PER_MONTH / reuse)) / 10_000,
                "load",
                `one request per principal every ${reuse} s while ballots flow`,
            );
        }
    },
    "aws:dynamodb/table:Table": (p, r) => {
        if (asString(r.inputs.billingMode) !== "PAY_PER_REQUEST")
            return p.missing(r, "DynamoDB provisioned capacity", "only on-demand tables are priced");
        p.chargePerVote(
            r,
            "write request units",
            "dynamodb.on-demand.million-wru",
            PER_VOTE.dynamoWriteUnits,
            1e6,
            "WRU per ballot",
        );
        // Every request of a service that reads the totals (its row's access) is a totals read.
        const totalsReads = p.services
            .filter((spec) => spec.lambda.access.includes("readTotals"))
            .reduce((sum, spec) => sum + (p.trafficOf(spec)?.requests ?? 0), 0);
        const reads = p.votes * (PER_VOTE.dynamoReadUnitsPerBallot + totalsReads * PER_VOTE.dynamoReadUnitsPerTotals);
        p.charge(
            r,
            "read request units",
            "dynamodb.on-demand.million-rru",
            reads / 1e6,
            "load",
            `${PER_VOTE.dynamoReadUnitsPerBallot} RRU per ballot, ${PER_VOTE.dynamoReadUnitsPerTotals} per totals read`,
        );
        const gb = (p.votes * PER_VOTE.dynamoItemBytes) / UNITS.GB;
        p.charge(
            r,
            "storage",
            "dynamodb.storage.gb-month",
            gb,
            "load",
            `a month of voters, ${PER_VOTE.dynamoItemBytes} B each`,
        );
        if (record(r.inputs.pointInTimeRecovery).enabled === true)
            p.charge(r, "point-in-time recovery", "dynamodb.pitr.gb-month", gb, "load", "the table's size");
    },
    "aws:wafv2/webAcl:WebAcl": (p, r) => {
        p.charge(r, "web ACL", "waf.web-acl.month", 1, "idle");
        p.charge(r, "rules", "waf.rule.month", asArray(r.inputs.rules).length, "idle");
        p.charge(r, "requests inspected", "waf.million-requests", httpRequests(p) / 1e6, "load", httpBasis(p));
        missingHttpTraffic(p, r, "requests inspected");
    },
};

function awslogsGroup(p: Pricing, service: CapturedResource): string | undefined {
    const [taskDefinition] = p.dependenciesOf(service, "aws:ecs/taskDefinition:TaskDefinition");
    try {
        const containers = asArray(JSON.parse(asString(taskDefinition?.inputs.containerDefinitions) ?? "[]"));
        return asString(record(record(record(containers[0]).logConfiguration).options)["awslogs-group"]);
    } catch {
        return undefined;
    }
}

function priceFleet(
    p: Pricing,
    fleet: Ec2Fleet,
    what: string,
    template: CapturedResource | undefined,
    defaultDiskGb: number,
): void {
    const { owner, instanceType, count } = fleet;
    const share = fleet.runningShare ?? 1;
    if (!instanceType) return p.missing(owner, what, "its instance type is not known when planning");
    p.charge(
        owner,
        `${what}: ${count} × ${instanceType}${workingHoursNote(share)}`,
        `ec2.${instanceType}.hour`,
        count * HOURS_PER_MONTH * share,
        "idle",
    );
    const volumes = asArray(template?.inputs.blockDeviceMappings)
        .filter(isRecord)
        .map((m) => record(m.ebs));
    const disks = volumes.length > 0 ? volumes : [{ volumeSize: defaultDiskGb, volumeType: "gp3" }];
    for (const disk of disks) {
        const kind = asString(disk.volumeType) ?? "gp3";
        const size = asNumber(disk.volumeSize) ?? defaultDiskGb;
        if (kind !== "gp3") p.missing(owner, `EBS ${kind} volumes`, "only gp3 volumes are priced");
        // A node's volume is deleted with it (deleteOnTermination): the disks run as long as the instances.
        else
            p.charge(
                owner,
                `${what}: EBS gp3 ${size} GB × ${count}${workingHoursNote(share)}`,
                "ebs.gp3.gb-month",
                size * count * share,
                "idle",
            );
    }
}

/** Images a repository keeps: the lifecycle policy's count (30 when it has none). */
function keptImages(p: Pricing, repository: CapturedResource): number {
    for (const policy of p.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy")) {
        if (!policy.dependencies.includes(repository.urn)) continue;
        try {
            const rules = asArray(record(JSON.parse(asString(policy.inputs.policy) ?? "{}")).rules);
            const count = asNumber(record(record(rules[0]).selection).countNumber);
            if (count !== undefined) return count;
        } catch {
            // fall through to the default
        }
    }
    return 30;
}

/** A working-hours schedule the estimate cannot read: its savings are not priced (the resource runs always). */
function missingSchedule(p: Pricing, unread: CapturedResource | undefined, what: string): void {
    if (unread)
        p.missing(
            unread,
            "working-hours savings",
            `its schedule is not a weekly cron${what} the estimate reads; priced as always running`,
        );
}

/** An idle line priced per vCPU a month (GuardDuty's RDS and runtime protection), the vCPUs in its item. */
function chargeVcpus(p: Pricing, r: CapturedResource, what: string, priceKey: string, vcpus: number, basis: string) {
    p.charge(r, `${what} (${Math.round(vcpus * 100) / 100} vCPUs)`, priceKey, vcpus, "idle", basis);
}

/**
 * How the account's registry is scanned: Inspector's enhanced scanning when an Inspector enabler covers ECR
 * and the registry scanning configuration does not say BASIC (enabling Inspector for ECR turns enhanced
 * scanning on), continuously unless every rule scans on push only; otherwise ECR's free basic scan.
 */
function enhancedScanning(p: Pricing): { readonly continuous: boolean } | undefined {
    const inspectsEcr = p
        .ofType("aws:inspector2/enabler:Enabler")
        .some((e) => asArray(e.inputs.resourceTypes).map(asString).includes("ECR"));
    if (!inspectsEcr) return undefined;
    const scanning = p.ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")[0];
    if (scanning && scanning.inputs.scanType === "BASIC") return undefined;
    const continuous =
        !scanning ||
        asArray(scanning.inputs.rules)
            .filter(isRecord)
            .some((rule) => rule.scanFrequency === "CONTINUOUS_SCAN");
    return { continuous };
}

function priceGuardDutyFeature(p: Pricing, r: CapturedResource): void {
    if (r.inputs.status !== "ENABLED") return;
    const name = asString(r.inputs.name) ?? "";
    const additional = new Set(
        asArray(r.inputs.additionalConfigurations)
            .filter(isRecord)
            .filter((c) => c.status === "ENABLED")
            .map((c) => asString(c.name)),
    );
    switch (name) {
        case "S3_DATA_EVENTS": {
            const trails = p.ofType("aws:cloudtrail/trail:Trail").length;
            return p.charge(
                r,
                "GuardDuty S3 protection: data events on the stack's buckets",
                "guardduty.s3-data.million-events",
                (trails * IDLE.trailFilesPerMonth * 2) / 1e6,
                "idle",
                "CloudTrail's log file writes and reads",
            );
        }
        case "RDS_LOGIN_EVENTS": {
            let vcpus = 0;
            for (const db of p.ofType("aws:rds/instance:Instance")) {
                const n = rdsVcpus(asString(db.inputs.instanceClass) ?? "");
                if (n === undefined)
                    return p.missing(
                        r,
                        "GuardDuty RDS protection",
                        `vCPUs of ${asString(db.inputs.instanceClass)} unknown`,
                    );
                vcpus += n * workingHoursOf(p, db).runningShare;
            }
            return chargeVcpus(
                p,
                r,
                "GuardDuty RDS protection",
                "guardduty.rds.vcpu-month",
                vcpus,
                "the primary instances' vCPUs",
            );
        }
        case "EKS_AUDIT_LOGS": {
            const clusters = p.ofType("aws:eks/cluster:Cluster").length;
            const events = (clusters * (IDLE.eksControlPlaneLogGb.audit ?? 0) * UNITS.GB) / IDLE.eksAuditEventBytes;
            return p.charge(
                r,
                "GuardDuty EKS protection: audit events",
                "guardduty.eks-audit.million-events",
                events / 1e6,
                "idle",
                `${IDLE.eksControlPlaneLogGb.audit} GB of audit events a month of ${IDLE.eksAuditEventBytes} B`,
            );
        }
        case "RUNTIME_MONITORING":
        case "EKS_RUNTIME_MONITORING": {
            let vcpus = 0;
            if (additional.has("ECS_FARGATE_AGENT_MANAGEMENT"))
                vcpus += fargateTasks(p).reduce((s, t) => s + t.count * t.vcpu * t.runningShare, 0);
            const fleets: Ec2Fleet[] = [];
            if (additional.has("EKS_ADDON_MANAGEMENT") || name === "EKS_RUNTIME_MONITORING")
                fleets.push(...eksNodes(p));
            if (additional.has("EC2_AGENT_MANAGEMENT")) fleets.push(...autoScalingInstances(p), ...ec2Instances(p));
            for (const fleet of fleets) {
                const n = fleet.instanceType ? ec2Vcpus(fleet.instanceType) : undefined;
                if (n === undefined)
                    return p.missing(
                        r,
                        "GuardDuty runtime monitoring",
                        `vCPUs of ${fleet.instanceType ?? "an unknown type"} unknown`,
                    );
                vcpus += n * fleet.count * (fleet.runningShare ?? 1);
            }
            return chargeVcpus(
                p,
                r,
                "GuardDuty runtime monitoring",
                "guardduty.runtime.vcpu-month",
                vcpus,
                "vCPUs of the monitored tasks and instances",
            );
        }
        case "LAMBDA_NETWORK_LOGS": {
            const invocations = p.ofType("aws:lambda/function:Function").reduce((s, fn) => {
                const service = lambdaService(p, fn);
                return s + ((service && lambdaInvocations(p, service)) ?? 0);
            }, 0);
            return p.charge(
                r,
                "GuardDuty Lambda protection: network logs",
                "guardduty.lambda-network.gb",
                (invocations * 200) / UNITS.GB,
                "load",
                "~200 B of network log per invocation",
            );
        }
        case "EBS_MALWARE_PROTECTION":
            return; // billed per GB scanned, and a scan runs only when a finding triggers one
        default:
            return p.missing(r, `GuardDuty feature ${name}`, "no pricing rule for this feature");
    }
}

/** The bootstrap's state backend component (components/delivery/stateBackend.ts). */
const STATE_BACKEND = "voteapp:delivery:StateBackend";

const STATE_BASIS = `${IDLE.stateBackend.updatesPerMonth} updates and ${IDLE.stateBackend.previewsPerMonth} previews a month`;

/** Requests a month the account's Pulumi operations make to the state bucket. */
function stateRequests(): { readonly writes: number; readonly reads: number } {
    const s = IDLE.stateBackend;
    return {
        writes: s.updatesPerMonth * s.writesPerUpdate,
        reads: (s.updatesPerMonth + s.previewsPerMonth) * s.readsPerOperation,
    };
}

/** Days a bucket's lifecycle configuration keeps what it expires (`current` objects or `noncurrent` versions). */
function lifecycleDays(p: Pricing, bucket: string | undefined, kind: "current" | "noncurrent"): number | undefined {
    if (!bucket) return undefined;
    for (const config of p.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")) {
        if (config.inputs.bucket !== bucket) continue;
        for (const rule of asArray(config.inputs.rules).filter(isRecord)) {
            if (rule.status !== "Enabled") continue;
            const days =
                kind === "current"
                    ? asNumber(record(rule.expiration).days)
                    : asNumber(record(rule.noncurrentVersionExpiration).noncurrentDays);
            if (days !== undefined) return days;
        }
    }
    return undefined;
}

/**
 * Components whose cost is what uses them rather than what they create: their children are priced by their own
 * rules, and these add the usage.
 */
const COMPONENT_RULES: Readonly<Record<string, Rule>> = {
    // The state bucket: what the account's Pulumi operations write and read, and the checkpoint versions kept.
    [STATE_BACKEND]: (p, r) => {
        const bucket = p.ofType("aws:s3/bucketLogging:BucketLogging").find((l) => p.isUnder(l, STATE_BACKEND));
        const name = asString(bucket?.inputs.bucket);
        const { writes, reads } = stateRequests();
        p.charge(
            r,
            "Pulumi state: checkpoint writes (S3 PUT)",
            "s3.put.thousand-requests",
            writes / 1000,
            "idle",
            `${STATE_BASIS}, ${IDLE.stateBackend.writesPerUpdate} writes per update`,
        );
        p.charge(
            r,
            "Pulumi state: reads (S3 GET)",
            "s3.get.thousand-requests",
            reads / 1000,
            "idle",
            `${STATE_BASIS}, ${IDLE.stateBackend.readsPerOperation} reads each`,
        );
        const keptDays = lifecycleDays(p, name, "noncurrent") ?? 365;
        p.charge(
            r,
            "Pulumi state: checkpoints and their versions (storage)",
            "s3.standard.gb-month",
            ((writes * IDLE.stateBackend.checkpointMb) / 1000) * (keptDays / (365 / 12)),
            "idle",
            `each write keeps a ${IDLE.stateBackend.checkpointMb} MB version ${keptDays} days`,
        );
    },
};

/** Every custom resource gets a rule, a free-type reason, or a "not priced" item. */
function priceResource(p: Pricing, r: CapturedResource): void {
    if (!r.custom && !r.remote) return COMPONENT_RULES[r.type]?.(p, r); // components: their children are priced
    if (r.type.startsWith("pulumi:")) return;
    const rule = RULES[r.type];
    if (rule) return rule(p, r);
    if (FREE_TYPES[r.type] !== undefined || isFreeKubernetesType(r.type)) return;
    p.missing(r, r.type, "no pricing rule and not known to be free");
}

function totalsOf(lines: readonly CostLine[]): CostTotals {
    const idle = lines.filter((l) => l.driver === "idle").reduce((s, l) => s + l.monthlyUsd, 0);
    const load = lines.filter((l) => l.driver === "load").reduce((s, l) => s + l.monthlyUsd, 0);
    return { idleUsd: roundCents(idle), atLoadUsd: roundCents(idle + load) };
}

/**
 * The monthly estimate of a planned stack, and of its account's bootstrap plan when given (account lines,
 * totalled apart: an account pays them once, whichever stacks it runs).
 */
export function estimateCost(resources: readonly CapturedResource[], options: EstimateOptions): CostEstimate {
    const votes = options.votesPerMonth ?? DEFAULT_VOTES_PER_MONTH;
    const table = priceTableFor(options.region);
    const accountResources = options.account?.resources ?? [];
    const all = [...resources, ...accountResources];
    const p = new Pricing(
        all,
        table,
        options.region,
        votes,
        new Set(accountResources.map((r) => r.urn)),
        options.services,
        options.traffic,
    );
    for (const r of all) priceResource(p, r);
    priceDataTransfer(p);
    return {
        region: options.region,
        pricesRead: table?.read,
        votesPerMonth: votes,
        lines: p.lines,
        notPriced: p.notPriced,
        totals: totalsOf(p.lines.filter((l) => l.scope === "stack")),
        ...(options.account
            ? {
                  account: {
                      bootstrapStack: options.account.bootstrapStack,
                      totals: totalsOf(p.lines.filter((l) => l.scope === "account")),
                  },
              }
            : {}),
    };
}
