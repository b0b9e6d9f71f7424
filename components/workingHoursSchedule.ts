import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { roleScopeArgs, type WorkloadRoleScope } from "./delivery/workloadRoles";
import { policyDocument } from "./iamPolicy";
import { partitionOf } from "./partition";
import { type WorkingHours, workingHoursCron } from "./workingHours";

/** An EKS managed node group the schedule empties outside the hours and restores at the start. */
export interface ScheduledNodeGroup {
    readonly clusterName: pulumi.Input<string>;
    /** The node group's name as EKS knows it (its `nodeGroupName` output). */
    readonly nodeGroupName: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    /** The scaling the group runs with during the hours (the stack's node counts). */
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
}

/** An RDS instance the schedule stops outside the hours and starts at the start. */
export interface ScheduledDatabase {
    /** The instance identifier (its `identifier` output). */
    readonly identifier: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
}

export interface WorkingHoursScheduleArgs {
    /** `<project>-<environment>`: schedule and role names. @example "voteapp-dev" */
    readonly namePrefix: string;
    readonly region: string;
    readonly accountId: string;
    /** The days and hours the targets run; outside them they are scaled to zero or stopped. */
    readonly hours: WorkingHours;
    /** EKS node groups to scale to zero nodes outside the hours. @default none */
    readonly nodeGroups?: readonly ScheduledNodeGroup[];
    /** RDS instances to stop outside the hours. @default none */
    readonly databases?: readonly ScheduledDatabase[];
    /**
     * Where the scheduler's role lives and the permissions boundary it carries. @default none: "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * EventBridge Scheduler's universal targets call an AWS API directly with the schedule's role
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html: the target ARN is
 * `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`, the input the action's request parameters as JSON).
 */
export const universalTarget = (partition: string, service: string, action: string): string =>
    `arn:${partition}:scheduler:::aws-sdk:${service}:${action}`;

/** The API actions the schedules call, each with the IAM action it needs (service:Action, same name). */
export const SCHEDULED_ACTIONS = {
    scaleNodeGroup: { service: "eks", action: "updateNodegroupConfig", iam: "eks:UpdateNodegroupConfig" },
    stopDatabase: { service: "rds", action: "stopDBInstance", iam: "rds:StopDBInstance" },
    startDatabase: { service: "rds", action: "startDBInstance", iam: "rds:StartDBInstance" },
} as const;

const WEEK = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const minutesOf = (hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number);
    return h * 60 + m;
};

/** The days (0 = Sunday) a cron day-of-week field of the working hours names: `MON-FRI`, `MON,WED,FRI`, `SUN`. */
export function workingDays(days: string): number[] {
    const range = /^([A-Z]{3})-([A-Z]{3})$/.exec(days);
    const named = range
        ? WEEK.slice(WEEK.indexOf(range[1]), WEEK.indexOf(range[2]) + 1)
        : days.split(",").filter((d) => WEEK.includes(d));
    return [...new Set(named.map((d) => WEEK.indexOf(d)))].sort((a, b) => a - b);
}

/**
 * The longest time, in hours, the targets stay off under the hours: from one working day's stop to the next
 * working day's start (a week round for a single day).
 */
export function longestStopHours(hours: WorkingHours): number {
    const days = workingDays(hours.days);
    const start = minutesOf(hours.start);
    const stop = minutesOf(hours.stop);
    let longest = 0;
    days.forEach((day, i) => {
        const next = i + 1 < days.length ? days[i + 1] : days[0] + 7;
        longest = Math.max(longest, next * 1440 + start - (day * 1440 + stop));
    });
    return longest / 60;
}

/** RDS starts an instance stopped this long by itself (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html). */
export const RDS_AUTO_START_HOURS = 7 * 24;

/**
 * Working hours for what Application Auto Scaling cannot schedule: EKS node groups go to zero nodes and RDS
 * instances are stopped outside the hours, and come back at the start, by EventBridge Scheduler schedules in
 * the hours' time zone. Their one role may call exactly those actions on exactly those resources.
 *
 * RDS starts a stopped instance by itself after seven days; a weekly schedule has at least one working day, so
 * an instance is never stopped for as long (the longest gap is a week less one day's hours), and the stop of
 * the next working day puts back any instance started early by hand.
 */
export class WorkingHoursSchedule extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly schedules: readonly aws.scheduler.Schedule[];

    constructor(name: string, args: WorkingHoursScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:cost:WorkingHoursSchedule", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const nodeGroups = args.nodeGroups ?? [];
        const databases = args.databases ?? [];
        if (nodeGroups.length + databases.length === 0)
            throw new Error(`${name}: a working-hours schedule needs a node group or a database to act on`);
        const days = workingDays(args.hours.days);
        if (days.length === 0) throw new Error(`${name}: the working hours name no day (${args.hours.days})`);
        // Never reached by a weekly schedule (the longest stop is a week less one day's hours); checked so a
        // future schedule shape cannot silently let RDS restart itself.
        if (databases.length > 0 && longestStopHours(args.hours) >= RDS_AUTO_START_HOURS)
            throw new Error(
                `${name}: the database would stay stopped ${longestStopHours(args.hours)} h, and RDS starts an instance by itself after ${RDS_AUTO_START_HOURS} h`,
            );

        this.role = new aws.iam.Role(
            `${name}-scheduler`,
            {
                ...roleScopeArgs(args.roleScope),
                description: `${args.namePrefix} working hours: EventBridge Scheduler scales the EKS nodes and stops/starts RDS`,
                assumeRolePolicy: policyDocument(`${name} trust`, [
                    {
                        Effect: "Allow",
                        Principal: { Service: "scheduler.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                    },
                ]),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-scheduler`,
            {
                role: this.role.id,
                policy: policyDocument(`${name} scheduler policy`, [
                    ...(nodeGroups.length > 0
                        ? [
                              {
                                  Sid: "ScaleTheNodeGroups",
                                  Effect: "Allow" as const,
                                  Action: SCHEDULED_ACTIONS.scaleNodeGroup.iam,
                                  Resource: nodeGroups.map((g) => g.arn),
                              },
                          ]
                        : []),
                    ...(databases.length > 0
                        ? [
                              {
                                  Sid: "StopAndStartTheDatabases",
                                  Effect: "Allow" as const,
                                  Action: [SCHEDULED_ACTIONS.stopDatabase.iam, SCHEDULED_ACTIONS.startDatabase.iam],
                                  Resource: databases.map((d) => d.arn),
                              },
                          ]
                        : []),
                ]),
            },
            { parent },
        );

        const schedule = (
            id: string,
            at: "start" | "stop",
            action: keyof typeof SCHEDULED_ACTIONS,
            input: pulumi.Input<string>,
        ) => {
            const { service, action: apiAction } = SCHEDULED_ACTIONS[action];
            return new aws.scheduler.Schedule(
                `${name}-${id}-${at}`,
                {
                    name: `${args.namePrefix}-${id}-${at}`,
                    description: `${args.namePrefix} working hours: ${at} (${args.hours.days} ${args.hours.start}-${args.hours.stop} ${args.hours.timezone})`,
                    scheduleExpression: workingHoursCron(args.hours, at),
                    scheduleExpressionTimezone: args.hours.timezone,
                    flexibleTimeWindow: { mode: "OFF" },
                    target: { arn: universalTarget(partition, service, apiAction), roleArn: this.role.arn, input },
                },
                { parent },
            );
        };
        this.schedules = [
            ...nodeGroups.flatMap((group, i) => {
                const scaling = (running: boolean) =>
                    pulumi.jsonStringify({
                        ClusterName: group.clusterName,
                        NodegroupName: group.nodeGroupName,
                        // EKS requires maxSize >= 1: the group keeps its maximum and has no nodes.
                        ScalingConfig: running
                            ? { MinSize: group.minSize, DesiredSize: group.desiredSize, MaxSize: group.maxSize }
                            : { MinSize: 0, DesiredSize: 0, MaxSize: group.maxSize },
                    });
                return [
                    schedule(`nodes-${i}`, "start", "scaleNodeGroup", scaling(true)),
                    schedule(`nodes-${i}`, "stop", "scaleNodeGroup", scaling(false)),
                ];
            }),
            ...databases.flatMap((db, i) => {
                const input = pulumi.jsonStringify({ DbInstanceIdentifier: db.identifier });
                return [
                    schedule(`database-${i}`, "start", "startDatabase", input),
                    schedule(`database-${i}`, "stop", "stopDatabase", input),
                ];
            }),
        ];
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
