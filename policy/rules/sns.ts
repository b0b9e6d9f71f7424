import * as aws from "@pulumi/aws";
import { noPublicPolicyRule } from "./resourcePolicies";
import { resourceRule, validateResourceOfType } from "./util";

/** SNS topics (FSBP SNS.1). */

export const snsEncrypted = resourceRule(
    {
        name: "sns-encrypted",
        passes: "`kmsMasterKeyId` is set (the AWS managed alias/aws/sns counts, as in FSBP SNS.1)",
        control: "SNS.1",
        description: "SNS topics encrypt messages at rest with KMS (`kmsMasterKeyId`).",
        remediation: 'Set kmsMasterKeyId (e.g. "alias/aws/sns" or a customer key).',
    },
    validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
        if (!topic.kmsMasterKeyId) report("kmsMasterKeyId is not set.");
    }),
);

export const snsNoPublicPolicy = noPublicPolicyRule({
    name: "sns-no-public-policy",
    control: "SNS.4",
    service: "sns",
    what: "SNS topic access policies",
});

export const snsPolicies = [snsEncrypted, snsNoPublicPolicy];
