import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKey } from "../encryptionKey";
import { cloudWatchAlarmsMayUseKey, denyInsecureTransport, policyDocument } from "../iamPolicy";
import { partitionOf } from "../partition";
import { dashboardBody } from "./dashboard";
import { type AlarmSpec, combineExpression, metricId, type MetricSpec, type SignalSet } from "./metrics";
import { NO_PROTECTION, type Protection } from "../vocabulary";

export interface StackObservabilityArgs {
    /** `<project>-<environment>`: dashboard, topic and key alias names. @example "voteapp-prod" */
    readonly namePrefix: string;
    readonly region: string;
    readonly accountId: string;
    /** The platform's golden signals (signals.ts: fargateSignals, lambdaSignals, eksSignals). */
    readonly signals: SignalSet;
    /**
     * Address subscribed to the alarm topic (SNS sends a confirmation mail first).
     * @default no subscription: alarms still roll deployments back and show on the dashboard
     * @example "oncall@example.com"
     */
    readonly alarmEmail?: string;
    /**
     * With `deletionProtection`: Pulumi `protect` and retain-on-delete for the topic's KMS key.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /**
     * Create the CloudWatch dashboard ($3 a month each). The alarms, which roll deployments back and page,
     * do not depend on it.
     * @default true
     */
    readonly dashboard?: boolean;
    /**
     * A KMS key for the alarm topic whose policy already lets CloudWatch publish this account's alarms (an
     * EncryptionKey with `alarmTopic`): the topic then gets no key of its own ($1 a month less).
     * @default a key of the topic's own
     */
    readonly topicKeyArn?: pulumi.Input<string>;
}

const PERCENTILE = /^p\d{1,2}(\.\d+)?$/;

/** The MetricAlarm arguments that select what an alarm evaluates. */
export function alarmMetricArgs(
    spec: AlarmSpec,
): Pick<
    aws.cloudwatch.MetricAlarmArgs,
    "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "period" | "metricQueries"
> {
    const period = spec.periodSeconds ?? 60;
    if ("metric" in spec.signal) {
        const m = spec.signal.metric;
        return {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: { ...m.dimensions },
            period,
            ...(PERCENTILE.test(m.stat) ? { extendedStatistic: m.stat } : { statistic: m.stat }),
        };
    }
    const query = (m: MetricSpec, i: number) => ({
        id: metricId(i),
        returnData: false,
        metric: {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: { ...m.dimensions },
            stat: m.stat,
            period,
        },
    });
    return {
        metricQueries: [
            ...spec.signal.metrics.map(query),
            {
                id: "combined",
                expression: combineExpression(spec.signal.combine, spec.signal.metrics.length),
                label: spec.signal.label,
                returnData: true,
            },
        ],
    };
}

/**
 * A stack's alarms and dashboard: a KMS-encrypted SNS topic (its own key, which CloudWatch may use to
 * publish), an email subscription when configured, one CloudWatch alarm per signal, and one dashboard of
 * the golden signals.
 */
export class StackObservability extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;
    /** Undefined when the stack chose no dashboard. */
    readonly dashboard?: aws.cloudwatch.Dashboard;
    readonly dashboardUrl?: pulumi.Output<string>;

    constructor(name: string, args: StackObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:observability:StackObservability", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const alarmArns = `arn:${partition}:cloudwatch:${args.region}:${args.accountId}:alarm:*`;
        const names = args.signals.alarms.map((a) => a.name);
        const duplicate = names.find((n, i) => names.indexOf(n) !== i);
        if (duplicate) throw new Error(`${name}: two alarms are named ${duplicate}`);

        // CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key: the topic gets its own key,
        // unless the caller hands one whose policy lets CloudWatch publish.
        const protectKey = (args.protection ?? NO_PROTECTION).deletionProtection;
        const topicKeyArn =
            args.topicKeyArn ??
            customerManagedKey(
                `${name}-alarms`,
                {
                    description: `${args.namePrefix}: alarm notifications`,
                    partition,
                    accountId: args.accountId,
                    statements: [cloudWatchAlarmsMayUseKey(args.accountId)],
                    alias: `${args.namePrefix}-alarms`,
                    protect: protectKey,
                    retainOnDelete: protectKey,
                },
                parent,
            ).key.arn;
        this.topic = new aws.sns.Topic(
            `${name}-alarms`,
            { name: `${args.namePrefix}-alarms`, kmsMasterKeyId: topicKeyArn },
            { parent },
        );
        new aws.sns.TopicPolicy(
            `${name}-alarms`,
            {
                arn: this.topic.arn,
                policy: policyDocument(`${name} alarm topic policy`, [
                    {
                        Sid: "AccountManagesTopic",
                        Effect: "Allow",
                        Principal: { AWS: `arn:${partition}:iam::${args.accountId}:root` },
                        Action: [
                            "sns:GetTopicAttributes",
                            "sns:SetTopicAttributes",
                            "sns:Subscribe",
                            "sns:ListSubscriptionsByTopic",
                            "sns:Publish",
                        ],
                        Resource: this.topic.arn,
                    },
                    {
                        Sid: "CloudWatchAlarmsPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: this.topic.arn,
                        Condition: { ArnLike: { "aws:SourceArn": alarmArns } },
                    },
                    denyInsecureTransport("sns:Publish", this.topic.arn),
                ]),
            },
            { parent },
        );
        if (args.alarmEmail)
            new aws.sns.TopicSubscription(
                `${name}-email`,
                { topic: this.topic.arn, protocol: "email", endpoint: args.alarmEmail },
                { parent },
            );

        for (const logMetric of args.signals.logMetrics ?? []) {
            new aws.cloudwatch.LogMetricFilter(
                logMetric.name,
                {
                    name: logMetric.name,
                    logGroupName: logMetric.logGroupName,
                    pattern: logMetric.pattern,
                    metricTransformation: {
                        namespace: logMetric.metric.namespace,
                        name: logMetric.metric.metricName,
                        dimensions: { ...logMetric.metric.dimensions },
                        value: "1",
                        unit: "Count",
                    },
                },
                { parent },
            );
        }

        const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
        for (const spec of args.signals.alarms) {
            alarms[spec.name] = new aws.cloudwatch.MetricAlarm(
                spec.name,
                {
                    name: spec.name,
                    alarmDescription: spec.description,
                    ...alarmMetricArgs(spec),
                    comparisonOperator: spec.comparison,
                    threshold: spec.threshold,
                    evaluationPeriods: spec.evaluationPeriods,
                    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
                    treatMissingData: spec.treatMissingData ?? "notBreaching",
                    alarmActions: [this.topic.arn],
                    okActions: [this.topic.arn],
                },
                { parent },
            );
        }
        this.alarms = alarms;

        if (args.dashboard ?? true) {
            this.dashboard = new aws.cloudwatch.Dashboard(
                name,
                {
                    dashboardName: args.namePrefix,
                    dashboardBody: pulumi
                        .output(args.signals.sections)
                        .apply((sections) =>
                            JSON.stringify(dashboardBody(`${args.namePrefix}: golden signals`, sections, args.region)),
                        ),
                },
                { parent },
            );
            this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
        }
        this.registerOutputs({
            topicArn: this.topic.arn,
            ...(this.dashboardUrl ? { dashboardUrl: this.dashboardUrl } : {}),
        });
    }
}
