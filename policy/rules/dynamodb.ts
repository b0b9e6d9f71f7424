import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** DynamoDB tables (FSBP DynamoDB.*). */

export const dynamodbPitr = resourceRule(
    {
        name: "dynamodb-pitr",
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
        description:
            "DynamoDB tables encrypt with a customer-managed KMS key (`serverSideEncryption.enabled` with `kmsKeyArn`), not the AWS owned key, so key access is audited and revocable.",
        remediation: "Set serverSideEncryption: { enabled: true, kmsKeyArn }.",
    },
    validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
        const sse = table.serverSideEncryption;
        if (sse?.enabled !== true) report("serverSideEncryption is not enabled (the AWS owned key is used).");
        else if (!sse.kmsKeyArn)
            report("serverSideEncryption uses the AWS managed key; set kmsKeyArn to a customer key.");
    }),
);

export const dynamodbPolicies = [dynamodbPitr, dynamodbDeletionProtection, dynamodbKms];
