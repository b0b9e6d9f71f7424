import type * as pulumi from "@pulumi/pulumi";

/**
 * Typed CloudWatch metrics, alarms and dashboard widgets. Signal builders (signals.ts) describe what to
 * watch with these types; StackObservability turns them into MetricAlarms and one dashboard, so a platform
 * wires its golden signals in a few lines.
 */

export type MetricStatistic = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount" | "p50" | "p90" | "p95" | "p99";

export interface MetricSpec {
    readonly namespace: string;
    readonly metricName: string;
    /** Dimension values may be outputs of the resources watched (ARN suffixes, names). */
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
    readonly stat: MetricStatistic;
    /** Shown in the dashboard legend. */
    readonly label?: string;
}

/**
 * What an alarm evaluates: one metric, or several combined with a metric math function (for a service
 * whose traffic alternates between two target groups during blue/green deployments).
 */
export type AlarmSignal =
    | { readonly metric: MetricSpec }
    | { readonly combine: "SUM" | "MAX"; readonly metrics: readonly MetricSpec[]; readonly label: string };

export type ComparisonOperator =
    "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

export interface AlarmSpec {
    /** Physical alarm name: deployments refer to rollback alarms by name (alarmNames.ts). */
    readonly name: string;
    /** Says what is wrong and what to look at, for the person paged. */
    readonly description: string;
    readonly signal: AlarmSignal;
    readonly comparison: ComparisonOperator;
    readonly threshold: number;
    /** Seconds per datapoint. @default 60 */
    readonly periodSeconds?: number;
    readonly evaluationPeriods: number;
    /** Breaching datapoints among evaluationPeriods that trigger the alarm. @default evaluationPeriods */
    readonly datapointsToAlarm?: number;
    /** No data means nothing is wrong (no traffic, no errors) unless said otherwise. @default "notBreaching" */
    readonly treatMissingData?: "notBreaching" | "breaching" | "ignore" | "missing";
}

/** One dashboard graph. */
export interface GraphSpec {
    readonly title: string;
    readonly metrics: readonly MetricSpec[];
    /** Left Y axis label, e.g. "Count", "Seconds", "Percent". */
    readonly unit?: string;
    /** Horizontal lines drawn at alarm thresholds. */
    readonly thresholds?: readonly { readonly label: string; readonly value: number }[];
}

/** A titled row of graphs on the dashboard. */
export interface DashboardSection {
    readonly title: string;
    readonly graphs: readonly GraphSpec[];
}

/** A metric counted from log lines (a CloudWatch Logs metric filter), e.g. the app's error lines. */
export interface LogMetricSpec {
    /** Filter name, unique per log group. */
    readonly name: string;
    readonly logGroupName: pulumi.Input<string>;
    /** CloudWatch Logs filter pattern, e.g. `{ $.level = "error" }` for the app's JSON lines. */
    readonly pattern: string;
    /** The metric each matching line adds 1 to. */
    readonly metric: {
        readonly namespace: string;
        readonly metricName: string;
        readonly dimensions: Readonly<Record<string, string>>;
    };
}

/** A platform's golden signals: dashboard sections, the alarms on them, and metrics derived from logs. */
export interface SignalSet {
    readonly sections: readonly DashboardSection[];
    readonly alarms: readonly AlarmSpec[];
    readonly logMetrics?: readonly LogMetricSpec[];
}

/** Metric math id for the i-th metric of an alarm (ids must start with a lowercase letter). */
export const metricId = (index: number): string => `m${index}`;

/** The metric math expression combining an alarm's metrics, missing points counted as 0 for SUM. */
export function combineExpression(combine: "SUM" | "MAX", count: number): string {
    const ids = Array.from({ length: count }, (_, i) => (combine === "SUM" ? `FILL(${metricId(i)}, 0)` : metricId(i)));
    return `${combine}([${ids.join(", ")}])`;
}

export function mergeSignalSets(...sets: readonly SignalSet[]): SignalSet {
    return {
        sections: sets.flatMap((s) => s.sections),
        alarms: sets.flatMap((s) => s.alarms),
        logMetrics: sets.flatMap((s) => s.logMetrics ?? []),
    };
}
