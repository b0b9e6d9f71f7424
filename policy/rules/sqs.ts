import * as aws from "@pulumi/aws";
import { noPublicPolicyRule } from "./resourcePolicies";
import { ofType, prop, relatesTo, reportOn, resourceRule, stackRule, validateResourceOfType } from "./util";

/** SQS queues (FSBP SQS.1). */

export const sqsEncrypted = resourceRule(
    {
        name: "sqs-encrypted",
        passes: "`kmsMasterKeyId` is set or `sqsManagedSseEnabled` is true",
        control: "SQS.1",
        description:
            "SQS queues encrypt messages at rest (`kmsMasterKeyId` or `sqsManagedSseEnabled` true; explicitly disabling SSE is refused): unencrypted data stores are refused in every environment.",
        remediation: "Set kmsMasterKeyId, or leave sqsManagedSseEnabled true.",
    },
    validateResourceOfType(aws.sqs.Queue, (queue, _args, report) => {
        if (!queue.kmsMasterKeyId && queue.sqsManagedSseEnabled !== true)
            report("Neither kmsMasterKeyId nor sqsManagedSseEnabled: true is set.");
    }),
);

const QUEUE = "aws:sqs/queue:Queue";
const DLQ_NAME = /dlq|dead-?letter/i;

export const sqsDlq = stackRule(
    {
        name: "sqs-dlq",
        passes: "the queue has a `redrivePolicy`, or is itself a DLQ: another queue's redrive policy depends on it, it sets `redriveAllowPolicy`, or its name says dlq or dead-letter",
        description:
            "Work queues have a `redrivePolicy` to a dead-letter queue, so poison messages are set aside instead of retried forever. A queue is a DLQ (and exempt) when another queue's redrive policy depends on it, when it sets `redriveAllowPolicy`, or when its name says dlq / dead-letter.",
        remediation: "Create a DLQ and set redrivePolicy: { deadLetterTargetArn, maxReceiveCount }.",
    },
    (args, report) => {
        const queues = ofType(args.resources, QUEUE);
        if (queues.length === 0) args.notApplicable("No SQS queue in the stack.");
        const hasRedrive = (q: (typeof queues)[number]) => {
            const r = prop(q, "redrivePolicy");
            return r !== undefined && r !== "";
        };
        for (const queue of queues) {
            if (hasRedrive(queue)) continue;
            const isDlq =
                queues.some((other) => other !== queue && hasRedrive(other) && relatesTo(other, queue)) ||
                prop(queue, "redriveAllowPolicy") !== undefined ||
                DLQ_NAME.test(queue.name) ||
                DLQ_NAME.test(String(prop(queue, "name") ?? ""));
            if (!isDlq) reportOn(report, queue, "is a work queue without a redrivePolicy (dead-letter queue).");
        }
    },
);

export const sqsNoPublicPolicy = noPublicPolicyRule({
    name: "sqs-no-public-policy",
    control: "SQS.3",
    service: "sqs",
    what: "SQS queue access policies",
});

export const sqsPolicies = [sqsEncrypted, sqsDlq, sqsNoPublicPolicy];
