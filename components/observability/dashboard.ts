import type * as pulumi from "@pulumi/pulumi";
import type { DashboardSection, GraphSpec, MetricSpec } from "./metrics";

/**
 * CloudWatch dashboard body (the documented Dashboard Body Structure): a 24-column grid of widgets. Built
 * from typed sections after their dimension values resolved, so `JSON.stringify` of `dashboardBody` is the
 * exact `dashboardBody` AWS receives.
 */

export const GRID_COLUMNS = 24;
export const GRAPH_WIDTH = 8;
export const GRAPH_HEIGHT = 6;
const HEADER_HEIGHT = 1;

/** A metric row: [namespace, metricName, dim1Name, dim1Value, ..., { stat, label }]. */
export type DashboardMetricRow = readonly (string | { readonly stat: string; readonly label?: string })[];

export interface TextWidget {
    readonly type: "text";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly markdown: string };
}

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly view: "timeSeries";
        readonly region: string;
        readonly period: number;
        readonly stacked: false;
        readonly metrics: readonly DashboardMetricRow[];
        readonly yAxis?: { readonly left: { readonly label: string; readonly min: number } };
        readonly annotations?: { readonly horizontal: readonly { readonly label: string; readonly value: number }[] };
    };
}

export type DashboardWidget = TextWidget | MetricWidget;

export interface DashboardBody {
    readonly widgets: readonly DashboardWidget[];
}

/** A section after its outputs resolved. */
export type ResolvedSection = pulumi.Unwrap<DashboardSection>;
type ResolvedGraph = pulumi.Unwrap<GraphSpec>;
type ResolvedMetric = pulumi.Unwrap<MetricSpec>;

export function metricRow(metric: ResolvedMetric): DashboardMetricRow {
    const dimensions = Object.entries(metric.dimensions).flatMap(([name, value]) => [name, value]);
    return [
        metric.namespace,
        metric.metricName,
        ...dimensions,
        { stat: metric.stat, ...(metric.label ? { label: metric.label } : {}) },
    ];
}

export function graphWidget(graph: ResolvedGraph, region: string, position: { x: number; y: number }): MetricWidget {
    return {
        type: "metric",
        x: position.x,
        y: position.y,
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
        properties: {
            title: graph.title,
            view: "timeSeries",
            region,
            period: 60,
            stacked: false,
            metrics: graph.metrics.map(metricRow),
            ...(graph.unit ? { yAxis: { left: { label: graph.unit, min: 0 } } } : {}),
            ...(graph.thresholds && graph.thresholds.length > 0
                ? { annotations: { horizontal: graph.thresholds.map((t) => ({ label: t.label, value: t.value })) } }
                : {}),
        },
    };
}

export function textWidget(markdown: string, y: number, height = HEADER_HEIGHT): TextWidget {
    return { type: "text", x: 0, y, width: GRID_COLUMNS, height, properties: { markdown } };
}

/** Lays out sections top to bottom: a header line each, then its graphs three to a row. */
export function dashboardBody(title: string, sections: readonly ResolvedSection[], region: string): DashboardBody {
    const widgets: DashboardWidget[] = [textWidget(`# ${title}`, 0)];
    let y = HEADER_HEIGHT;
    for (const section of sections) {
        widgets.push(textWidget(`## ${section.title}`, y));
        y += HEADER_HEIGHT;
        section.graphs.forEach((graph, i) => {
            const column = i % (GRID_COLUMNS / GRAPH_WIDTH);
            if (i > 0 && column === 0) y += GRAPH_HEIGHT;
            widgets.push(graphWidget(graph, region, { x: column * GRAPH_WIDTH, y }));
        });
        if (section.graphs.length > 0) y += GRAPH_HEIGHT;
    }
    return { widgets };
}
