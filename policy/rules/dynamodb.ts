import * as aws from "@pulumi/aws";
import { isAwsManagedKey, resourceRule, validateResourceOfType } from "./util";

/** DynamoDB tables (FSBP DynamoDB.*). */

export const dynamodbPitr = resourceRule(
    {
        name: "dynamodb-pitr",
        passes: "`pointInTimeRecovery.enabled` is true",
        control: "DynamoDB.2",
        description:
            "DynamoDB tables enable point-in-time recovery (`pointInTimeRecovery.enabled`), so ballots can be restored to any second of the last 35 days.",
        remediation: "Set pointInTimeRecovery: { enabled: true }.",
    },
    validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
        if (table.pointInTimeRecovery?.enabled !== true) report("pointInTimeRecovery.enabled is not true.");
    }),
);

export const dynamodbDeletionProtection = resourceRule(
    {
        name: "dynamodb-deletion-protection",
        passes: "`deletionProtectionEnabled` is true",
        control: "DynamoDB.6",
        description: "DynamoDB tables enable deletion protection (`deletionProtectionEnabled`).",
        remediation: "Set deletionProtectionEnabled: true.",
    },
    validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
        if (table.deletionProtectionEnabled !== true) report("deletionProtectionEnabled is not true.");
    }),
);

export const dynamodbKms = resourceRule(
    {
        name: "dynamodb-kms",
        passes: "`serverSideEncryption.enabled` is true with a `kmsKeyArn` that is not alias/aws/dynamodb",
        description:
            "DynamoDB tables encrypt with a customer managed KMS key: `serverSideEncryption.enabled` true with a `kmsKeyArn` that is not the AWS managed alias/aws/dynamodb, so key access is audited and revocable. The AWS owned key (SSE disabled), the AWS managed key (enabled without kmsKeyArn) and alias/aws/dynamodb fail.",
        remediation: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer key arn> }.",
    },
    validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
        const sse = table.serverSideEncryption;
        if (sse?.enabled !== true) report("serverSideEncryption is not enabled (the AWS owned key is used).");
        else if (!sse.kmsKeyArn)
            report("serverSideEncryption uses the AWS managed key; set kmsKeyArn to a customer key.");
        else if (isAwsManagedKey(sse.kmsKeyArn))
            report(`serverSideEncryption.kmsKeyArn ${sse.kmsKeyArn} is the AWS managed key; use a customer key.`);
    }),
);

export const dynamodbPolicies = [dynamodbPitr, dynamodbDeletionProtection, dynamodbKms];
