import type { AlarmSpec, SignalSet } from "../metrics";
import { alarmName, serviceAlarmName } from "../alarmNames";
import { type AlarmThresholds, DEFAULT_THRESHOLDS, graph, type Input, metric } from "./shared";

/** platform lambda: API Gateway, the functions, the votes queue and the DynamoDB table. */

export interface LambdaSignalInputs {
    readonly namePrefix: string;
    /** HTTP API (API Gateway v2) and its stage. */
    readonly api: { readonly apiId: Input; readonly stage: Input };
    /** Function names by role, e.g. { vote: ..., result: ..., worker: ... }. */
    readonly functions: Readonly<Record<string, Input>>;
    /** The vote queue the worker consumes. */
    readonly queueName: Input;
    /** Its dead-letter queue: any ballot there is a vote not counted. */
    readonly deadLetterQueueName?: Input;
    /** DynamoDB tables. */
    readonly tableNames: readonly Input[];
}

/** platform lambda: API 5xx/latency, function errors/duration/throttles, queue depth and oldest message, DynamoDB throttles. */
export function lambdaSignals(inputs: LambdaSignalInputs, thresholds: AlarmThresholds = DEFAULT_THRESHOLDS): SignalSet {
    const api = { ApiId: inputs.api.apiId, Stage: inputs.api.stage };
    const fn = (name: Input) => ({ FunctionName: name });
    const queue = { QueueName: inputs.queueName };
    const functions = Object.entries(inputs.functions);
    const alarms: AlarmSpec[] = [
        {
            name: alarmName(inputs.namePrefix, "api", "5xx"),
            description: "The HTTP API answers 5xx: check the functions' errors and logs.",
            signal: { metric: metric("AWS/ApiGateway", "5xx", api, "Sum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.target5xxPerMinute,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        },
        {
            name: alarmName(inputs.namePrefix, "api", "latency-p95"),
            description: `The HTTP API's p95 latency is above ${thresholds.p95LatencySeconds}s: check cold starts, DynamoDB throttles.`,
            signal: { metric: metric("AWS/ApiGateway", "Latency", api, "p95") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.p95LatencySeconds * 1000,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
        },
        {
            name: alarmName(inputs.namePrefix, "queue", "oldest-message"),
            description: `Votes wait more than ${thresholds.queueOldestMessageSeconds}s in the queue: the worker function is failing or throttled.`,
            signal: { metric: metric("AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum") },
            comparison: "GreaterThanThreshold",
            threshold: thresholds.queueOldestMessageSeconds,
            evaluationPeriods: 3,
        },
        ...(inputs.deadLetterQueueName !== undefined
            ? [
                  {
                      name: alarmName(inputs.namePrefix, "dead-letter", "queue"),
                      description:
                          "Ballots reached the dead-letter queue: votes the worker could not record. Inspect them, fix the cause, then redrive them to the votes queue.",
                      signal: {
                          metric: metric(
                              "AWS/SQS",
                              "ApproximateNumberOfMessagesVisible",
                              { QueueName: inputs.deadLetterQueueName },
                              "Maximum",
                          ),
                      },
                      comparison: "GreaterThanThreshold",
                      threshold: 0,
                      evaluationPeriods: 1,
                  } satisfies AlarmSpec,
              ]
            : []),
        ...functions.flatMap(([role, name]): AlarmSpec[] => [
            {
                name: serviceAlarmName(inputs.namePrefix, role, "errors"),
                description: `The ${role} function raises errors: check its logs. Rolls back a deployment in progress.`,
                signal: { metric: metric("AWS/Lambda", "Errors", fn(name), "Sum") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.functionErrorsPerMinute,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
            },
            {
                name: alarmName(inputs.namePrefix, role, "throttles"),
                description: `The ${role} function is throttled: raise its reserved concurrency or the account limit.`,
                signal: { metric: metric("AWS/Lambda", "Throttles", fn(name), "Sum") },
                comparison: "GreaterThanThreshold",
                threshold: thresholds.functionThrottlesPerMinute,
                evaluationPeriods: 3,
            },
        ]),
        ...inputs.tableNames.map((table, i): AlarmSpec => ({
            name: alarmName(inputs.namePrefix, "dynamodb", `throttles-${i + 1}`),
            description: "DynamoDB throttles requests: check the table's capacity mode and hot keys.",
            signal: {
                combine: "SUM",
                metrics: [
                    metric("AWS/DynamoDB", "ReadThrottleEvents", { TableName: table }, "Sum"),
                    metric("AWS/DynamoDB", "WriteThrottleEvents", { TableName: table }, "Sum"),
                ],
                label: "throttle events",
            },
            comparison: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 3,
        })),
    ];
    return {
        sections: [
            {
                title: "API (API Gateway)",
                graphs: [
                    graph("Requests", [metric("AWS/ApiGateway", "Count", api, "Sum", "requests")], "Count"),
                    graph(
                        "5xx / 4xx",
                        [
                            metric("AWS/ApiGateway", "5xx", api, "Sum", "5xx"),
                            metric("AWS/ApiGateway", "4xx", api, "Sum", "4xx"),
                        ],
                        "Count",
                        [{ label: "alarm", value: thresholds.target5xxPerMinute }],
                    ),
                    graph("p95 latency", [metric("AWS/ApiGateway", "Latency", api, "p95", "p95")], "Milliseconds", [
                        { label: "alarm", value: thresholds.p95LatencySeconds * 1000 },
                    ]),
                ],
            },
            {
                title: "Functions (Lambda)",
                graphs: [
                    graph(
                        "Errors",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Errors", fn(name), "Sum", role)),
                        "Count",
                    ),
                    graph(
                        "p95 duration",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Duration", fn(name), "p95", role)),
                        "Milliseconds",
                    ),
                    graph(
                        "Throttles",
                        functions.map(([role, name]) => metric("AWS/Lambda", "Throttles", fn(name), "Sum", role)),
                        "Count",
                    ),
                ],
            },
            {
                title: "Queue and tables",
                graphs: [
                    graph(
                        "Queue depth",
                        [
                            metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, "Maximum", "visible"),
                            ...(inputs.deadLetterQueueName !== undefined
                                ? [
                                      metric(
                                          "AWS/SQS",
                                          "ApproximateNumberOfMessagesVisible",
                                          { QueueName: inputs.deadLetterQueueName },
                                          "Maximum",
                                          "dead-letter",
                                      ),
                                  ]
                                : []),
                        ],
                        "Count",
                    ),
                    graph(
                        "Age of oldest message",
                        [metric("AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum", "oldest")],
                        "Seconds",
                        [{ label: "alarm", value: thresholds.queueOldestMessageSeconds }],
                    ),
                    graph(
                        "DynamoDB throttles",
                        inputs.tableNames.flatMap((t, i) => [
                            metric(
                                "AWS/DynamoDB",
                                "ReadThrottleEvents",
                                { TableName: t },
                                "Sum",
                                `table ${i + 1} read`,
                            ),
                            metric(
                                "AWS/DynamoDB",
                                "WriteThrottleEvents",
                                { TableName: t },
                                "Sum",
                                `table ${i + 1} write`,
                            ),
                        ]),
                        "Count",
                    ),
                ],
            },
        ],
        alarms,
    };
}
