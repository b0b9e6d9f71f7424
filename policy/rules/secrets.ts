import * as aws from "@pulumi/aws";
import { noPublicPolicyRule } from "./resourcePolicies";
import {
    isAwsManagedKey,
    ofType,
    prop,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    validateResourceOfType,
} from "./util";

/** Secrets Manager secrets (FSBP SecretsManager.1). */

export const secretsKms = resourceRule(
    {
        name: "secrets-kms",
        passes: "`kmsKeyId` is set and is not alias/aws/secretsmanager",
        description:
            "Secrets are encrypted with a customer managed KMS key: `kmsKeyId` set and not the AWS managed alias/aws/secretsmanager, so reading them needs an explicit key grant. Unset `kmsKeyId` and alias/aws/secretsmanager fail.",
        remediation: "Set kmsKeyId to a customer managed key.",
    },
    validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, report) => {
        if (!secret.kmsKeyId) report("kmsKeyId is not set (the AWS managed key is used).");
        else if (isAwsManagedKey(secret.kmsKeyId))
            report(`kmsKeyId ${secret.kmsKeyId} is the AWS managed key; use a customer key.`);
    }),
);

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

export const DEFAULT_DATABASE_SECRET_PATTERN = "postgres|mysql|database|\\bdb\\b|rds";

export const secretsRotation = stackRule(
    {
        name: "secrets-rotation",
        passes: "every secret matching `databasePattern` has an aws.secretsmanager.SecretRotation depending on it; other secrets pass",
        control: "SecretsManager.1",
        description:
            "Database secrets (name, logical name or description matching `databasePattern`) have automatic rotation (an aws.secretsmanager.SecretRotation depending on the secret). RDS-managed master passwords (`manageMasterUserPassword`) are rotated by RDS and need no secret here.",
        remediation: "Add an aws.secretsmanager.SecretRotation with a rotation Lambda and rotationRules.",
        configSchema: {
            properties: {
                databasePattern: {
                    type: "string",
                    default: DEFAULT_DATABASE_SECRET_PATTERN,
                    description: "Case-insensitive regular expression marking database secrets.",
                },
            },
        },
    },
    (args, report) => {
        const pattern = new RegExp(
            args.getConfig<{ databasePattern?: string }>().databasePattern ?? DEFAULT_DATABASE_SECRET_PATTERN,
            "i",
        );
        const rotations = ofType(args.resources, ROTATION);
        for (const secret of ofType(args.resources, SECRET)) {
            const text = [secret.name, prop(secret, "name"), prop(secret, "description")]
                .filter((v): v is string => typeof v === "string")
                .join(" ");
            if (!pattern.test(text)) continue;
            if (!rotations.some((r) => relatesTo(r, secret)))
                reportOn(report, secret, "is a database secret without automatic rotation.");
        }
    },
);

export const secretsNoPublicPolicy = noPublicPolicyRule({
    name: "secrets-no-public-policy",
    service: "secretsmanager",
    what: "Secrets Manager secret policies",
});

export const secretsPolicies = [secretsKms, secretsRotation, secretsNoPublicPolicy];
