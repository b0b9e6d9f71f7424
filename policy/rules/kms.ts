import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** KMS keys (FSBP KMS.4). */

export const kmsRotation = resourceRule(
    {
        name: "kms-rotation",
        control: "KMS.4",
        description:
            "Symmetric customer-managed KMS keys rotate their key material yearly or more often (`enableKeyRotation` true).",
        remediation: "Set enableKeyRotation: true.",
    },
    validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT" || (key.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return;
        if (key.enableKeyRotation !== true) report("enableKeyRotation is not true.");
    }),
);

export const kmsPolicies = [kmsRotation];
