import { alarmName, serviceAlarmName } from "../alarmNames";
import type { AlarmSpec, MetricSpec, SignalSet } from "../metrics";
import { type AlarmThresholds, DEFAULT_THRESHOLDS, graph, type Input, metric } from "./shared";

/**
 * platform ecs with ecsIngress httpApi: the API Gateway HTTP API in front of the tasks, in place of the ALB's
 * signals. Per service, from its routes' metrics (the stage publishes them per route: detailed metrics on), its 5xx
 * (which includes API Gateway's 503 when Cloud Map has no healthy task) and its integration latency (the tasks'
 * own answer time, as TargetResponseTime is behind the ALB); the API's own 5xx for the stage.
 */

const API = "AWS/ApiGateway";

/** An HTTP service behind the API: the route keys whose requests reach it. */
export interface HttpApiServiceRoutes {
    readonly service: string;
    readonly routeKeys: readonly string[];
}

export interface HttpApiSignalInputs {
    readonly namePrefix: string;
    readonly api: { readonly apiId: Input; readonly stage: Input };
    readonly services: readonly HttpApiServiceRoutes[];
}

/** 5xx and p95 integration latency per service (its routes), the stage's 5xx; requests, 5xx and latency graphs. */
export function httpApiSignals(
    inputs: HttpApiSignalInputs,
    thresholds: AlarmThresholds = DEFAULT_THRESHOLDS,
): SignalSet {
    const stage = { ApiId: inputs.api.apiId, Stage: inputs.api.stage };
    const perRoute = (s: HttpApiServiceRoutes, metricName: string, stat: MetricSpec["stat"]) =>
        s.routeKeys.map((route) =>
            metric(
                API,
                metricName,
                { ...stage, Route: route },
                stat,
                `${s.service} ${route === "$default" ? "" : route}`.trim(),
            ),
        );
    const alarms: AlarmSpec[] = [
        {
            name: alarmName(inputs.namePrefix, "api", "5xx"),
            description:
                "The HTTP API answers 5xx (a 503 when Cloud Map has no healthy task, 504 when a task does not answer within 30 s): check the services' events and the tasks' health checks.",
            signal: { metric: metric(API, "5xx", stage, "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.target5xxPerMinute,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        },
    ];
    for (const s of inputs.services)
        alarms.push(
            {
                name: serviceAlarmName(inputs.namePrefix, s.service, "target-5xx"),
                description: `${s.service} answers 5xx through the HTTP API (or has no healthy task: 503): check its logs and events. Rolls back a deployment in progress.`,
                signal: { combine: "SUM", metrics: perRoute(s, "5xx", "Sum"), label: `${s.service} 5xx` },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.target5xxPerMinute,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
            },
            {
                name: serviceAlarmName(inputs.namePrefix, s.service, "latency-p95"),
                description: `${s.service} p95 integration latency above ${thresholds.p95LatencySeconds}s: check its CPU, Redis and PostgreSQL. Rolls back a deployment in progress.`,
                signal: {
                    combine: "MAX",
                    metrics: perRoute(s, "IntegrationLatency", "p95"),
                    label: `${s.service} p95`,
                },
                comparison: "GreaterThanThreshold",
                // API Gateway reports latency in milliseconds.
                threshold: thresholds.p95LatencySeconds * 1000,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
            },
        );
    const all = (metricName: string, stat: MetricSpec["stat"]) =>
        inputs.services.flatMap((s) => perRoute(s, metricName, stat));
    return {
        sections: [
            {
                title: "Traffic (HTTP API)",
                graphs: [
                    graph("Requests", [metric(API, "Count", stage, "Sum", "all"), ...all("Count", "Sum")], "Count"),
                    graph("5xx", [metric(API, "5xx", stage, "Sum", "API"), ...all("5xx", "Sum")], "Count", [
                        { label: "alarm", value: thresholds.target5xxPerMinute },
                    ]),
                    graph("p95 integration latency", all("IntegrationLatency", "p95"), "Milliseconds", [
                        { label: "alarm", value: thresholds.p95LatencySeconds * 1000 },
                    ]),
                ],
            },
        ],
        alarms,
    };
}
