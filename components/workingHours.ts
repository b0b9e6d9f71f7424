/**
 * A working-hours schedule: the days and the hours (in a time zone) a dev environment runs. Outside them the
 * ECS services scale to zero (Application Auto Scaling scheduled actions), the EKS node group has no nodes and
 * the database is stopped (EventBridge Scheduler, components/workingHoursSchedule.ts). The config states it as
 * `MON-FRI 07:00-19:00 Europe/Dublin`; each mechanism runs it as a cron at the start and at the stop, in the zone.
 */
export interface WorkingHours {
    /** Days of the week the services start, as cron's day-of-week field: `MON-FRI`, `MON,WED,FRI`. */
    readonly days: string;
    /** Start and stop, `HH:MM` on each of those days (start before stop: no overnight windows). */
    readonly start: string;
    readonly stop: string;
    /** IANA time zone of the hours, e.g. `Europe/Dublin`, or `UTC`. */
    readonly timezone: string;
}

/**
 * The cron (`cron(M H ? * DAYS *)`) that fires at `HH:MM` on the schedule's days: the six-field form both
 * Application Auto Scaling and EventBridge Scheduler take.
 */
export function workingHoursCron(hours: WorkingHours, at: "start" | "stop"): string {
    const [h, m] = hours[at].split(":").map(Number);
    return `cron(${m} ${h} ? * ${hours.days} *)`;
}
