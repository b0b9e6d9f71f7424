import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** CloudTrail trails (FSBP CloudTrail.*). */

export const cloudtrailMultiRegion = resourceRule(
    {
        name: "cloudtrail-multi-region",
        passes: "`isMultiRegionTrail` is true",
        control: "CloudTrail.1",
        description:
            "Trails record every region (`isMultiRegionTrail` true), so activity in an unused region is not invisible.",
        remediation: "Set isMultiRegionTrail: true.",
    },
    validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, report) => {
        if (trail.isMultiRegionTrail !== true) report("isMultiRegionTrail is not true.");
    }),
);

export const cloudtrailEncrypted = resourceRule(
    {
        name: "cloudtrail-encrypted",
        passes: "`kmsKeyId` is set",
        control: "CloudTrail.2",
        description: "Trails encrypt their log files with a KMS key (`kmsKeyId`).",
        remediation: "Set kmsKeyId.",
    },
    validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, report) => {
        if (!trail.kmsKeyId) report("kmsKeyId is not set.");
    }),
);

export const cloudtrailLogValidation = resourceRule(
    {
        name: "cloudtrail-log-validation",
        passes: "`enableLogFileValidation` is true",
        control: "CloudTrail.4",
        description:
            "Trails enable log file integrity validation (`enableLogFileValidation`), so tampering with audit logs is detectable.",
        remediation: "Set enableLogFileValidation: true.",
    },
    validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, report) => {
        if (trail.enableLogFileValidation !== true) report("enableLogFileValidation is not true.");
    }),
);

export const cloudtrailCloudwatch = resourceRule(
    {
        name: "cloudtrail-cloudwatch",
        passes: "`cloudWatchLogsGroupArn` is set",
        control: "CloudTrail.5",
        description:
            "Trails also deliver to CloudWatch Logs (`cloudWatchLogsGroupArn`), for metric filters and alarms on API activity.",
        remediation: "Set cloudWatchLogsGroupArn and cloudWatchLogsRoleArn.",
    },
    validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, report) => {
        if (!trail.cloudWatchLogsGroupArn) report("cloudWatchLogsGroupArn is not set.");
    }),
);

export const cloudtrailPolicies = [
    cloudtrailMultiRegion,
    cloudtrailEncrypted,
    cloudtrailLogValidation,
    cloudtrailCloudwatch,
];
