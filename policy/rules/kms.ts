import * as aws from "@pulumi/aws";
import { noPublicPolicyRule } from "./resourcePolicies";
import { resourceRule, validateResourceOfType } from "./util";

/** KMS keys (FSBP KMS.4). */

export const kmsRotation = resourceRule(
    {
        name: "kms-rotation",
        passes: "the key is not a symmetric ENCRYPT_DECRYPT key (asymmetric and HMAC keys cannot rotate), or `enableKeyRotation` is true",
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

export const kmsNoPublicPolicy = noPublicPolicyRule({
    name: "kms-no-public-policy",
    control: "KMS.5",
    service: "kms",
    what: "KMS key policies",
});

export const kmsNoLockoutBypass = resourceRule(
    {
        name: "kms-no-lockout-bypass",
        description:
            "KMS keys and key policies keep KMS's policy lockout safety check: `bypassPolicyLockoutSafetyCheck` is unset or false on aws.kms.Key, aws.kms.ReplicaKey and aws.kms.KeyPolicy. Bypassing it lets a policy that locks every principal out of the key (and the data it encrypts) through. Passes when the flag is not true.",
        remediation:
            "Remove bypassPolicyLockoutSafetyCheck (keep the account root administering the key in its policy).",
    },
    [
        validateResourceOfType(aws.kms.Key, (key, _args, report) => {
            if (key.bypassPolicyLockoutSafetyCheck === true) report("bypassPolicyLockoutSafetyCheck is true.");
        }),
        validateResourceOfType(aws.kms.ReplicaKey, (key, _args, report) => {
            if (key.bypassPolicyLockoutSafetyCheck === true) report("bypassPolicyLockoutSafetyCheck is true.");
        }),
        validateResourceOfType(aws.kms.KeyPolicy, (policy, _args, report) => {
            if (policy.bypassPolicyLockoutSafetyCheck === true) report("bypassPolicyLockoutSafetyCheck is true.");
        }),
    ],
);

export const kmsPolicies = [kmsRotation, kmsNoPublicPolicy, kmsNoLockoutBypass];
