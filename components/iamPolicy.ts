import * as pulumi from "@pulumi/pulumi";

/**
 * Typed IAM policy documents. AWS rejects malformed JSON, unknown effects or empty action lists only at
 * deploy time; building every policy through `policyDocument` catches those, and grants of "*" actions,
 * while the program runs (also under mocks).
 */
export type IamPrincipal =
    | "*"
    | {
          readonly AWS?: string | readonly string[];
          readonly Service?: string | readonly string[];
          readonly Federated?: string;
      };

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    /** The actions the statement applies to; exactly one of Action and NotAction. */
    readonly Action?: string | readonly string[];
    /** Every action but these (permissions boundaries only: an Allow with NotAction must be resource-scoped). */
    readonly NotAction?: readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Principal?: IamPrincipal;
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;
const SID = /^[A-Za-z0-9]*$/;

/** Throws when a statement would be rejected by IAM or grants a service-wide or admin wildcard. */
export function validateStatement(statement: PolicyStatement, where: string): void {
    if ((statement.Action === undefined) === (statement.NotAction === undefined))
        throw new Error(`${where}: statement ${statement.Sid ?? "(no Sid)"} needs exactly one of Action and NotAction`);
    const actions =
        statement.Action === undefined
            ? []
            : typeof statement.Action === "string"
              ? [statement.Action]
              : statement.Action;
    if (actions.length === 0 && (statement.NotAction ?? []).length === 0)
        throw new Error(`${where}: statement ${statement.Sid ?? "(no Sid)"} has no actions`);
    for (const action of [...actions, ...(statement.NotAction ?? [])])
        if (!ACTION.test(action)) throw new Error(`${where}: "${action}" is not an IAM action (service:Action)`);
    for (const action of actions) {
        // Key policies name the account root with kms:* (AWS's default, to avoid an unmanageable key); identity
        // policies (no Principal) must list their actions.
        if (statement.Effect === "Allow" && statement.Principal === undefined && /:\*$/.test(action))
            throw new Error(`${where}: "${action}" grants every action of a service; list the actions needed`);
    }
    if (statement.Sid !== undefined && !SID.test(statement.Sid))
        throw new Error(`${where}: Sid "${statement.Sid}" must be alphanumeric`);
    const resources =
        statement.Resource === undefined
            ? []
            : typeof statement.Resource === "string"
              ? [statement.Resource]
              : statement.Resource;
    if (statement.Principal === undefined && resources.length === 0)
        throw new Error(`${where}: identity policy statement ${statement.Sid ?? ""} needs a Resource`);
    if (statement.Effect === "Allow" && statement.NotAction !== undefined && resources.includes("*"))
        throw new Error(
            `${where}: statement ${statement.Sid ?? ""} allows everything but some actions on every resource`,
        );
    for (const resource of resources) {
        if (resource !== "*" && !resource.startsWith("arn:"))
            throw new Error(`${where}: resource "${resource}" is not an ARN`);
    }
}

/** A statement whose resources and condition values may still be outputs (ARNs of resources being created). */
export interface PolicyStatementInput extends Omit<PolicyStatement, "Resource" | "Condition" | "Principal"> {
    readonly Principal?:
        | "*"
        | {
              readonly AWS?: pulumi.Input<string> | readonly pulumi.Input<string>[];
              readonly Service?: string | readonly string[];
              readonly Federated?: pulumi.Input<string>;
          };
    readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
    readonly Condition?: Readonly<
        Record<string, Readonly<Record<string, pulumi.Input<string> | boolean | readonly pulumi.Input<string>[]>>>
    >;
}

/** Serialises statements (which may contain outputs) into an IAM policy JSON document, validating each. */
export function policyDocument(where: string, statements: readonly PolicyStatementInput[]): pulumi.Output<string> {
    return pulumi.output(statements).apply((resolved) => {
        const plain = resolved as readonly PolicyStatement[];
        plain.forEach((statement) => validateStatement(statement, where));
        return JSON.stringify({ Version: "2012-10-17", Statement: plain });
    });
}

/** Trust policy letting one AWS service principal assume a role, optionally only for this account. */
export function serviceTrustPolicy(service: string | readonly string[], sourceAccount?: string): pulumi.Output<string> {
    return policyDocument("trust policy", [
        {
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
        },
    ]);
}

/**
 * Least privilege to read given Secrets Manager secrets: GetSecretValue on exactly those ARNs, and kms:Decrypt
 * on their key only when Secrets Manager asks on the caller's behalf (kms:ViaService). `sidPrefix` keeps Sids
 * distinct when a policy has other statements.
 */
export function readSecretsStatements(
    secretArns: readonly pulumi.Input<string>[],
    kmsKeyArn: pulumi.Input<string>,
    region: string,
    sidPrefix = "",
): PolicyStatementInput[] {
    return [
        {
            Sid: `${sidPrefix}ReadSecrets`,
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: secretArns,
        },
        {
            Sid: `${sidPrefix}DecryptSecretsViaSecretsManager`,
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    ];
}

/** Resource-policy statement refusing every request not made over TLS (S3.5, and its SNS/SQS counterparts). */
export function denyInsecureTransport(
    action: string,
    resource: pulumi.Input<string> | readonly pulumi.Input<string>[],
): PolicyStatementInput {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resource,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** The S3 form: the bucket and every object in it. */
export function denyInsecureS3Transport(bucketArn: pulumi.Output<string>): PolicyStatementInput {
    return denyInsecureTransport("s3:*", [bucketArn, pulumi.interpolate`${bucketArn}/*`]);
}

/** Key-policy statement keeping KMS's default: the account administers the key through its IAM policies. */
export function accountAdministersKey(partition: string, accountId: string): PolicyStatementInput {
    return {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** Key-policy statement letting CloudWatch Logs use the key for this account's log groups in the region. */
export function cloudWatchLogsMayUseKey(partition: string, region: string, accountId: string): PolicyStatementInput {
    return {
        Sid: "CloudWatchLogsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
            ArnLike: {
                "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
            },
        },
    };
}

/**
 * Key-policy statement letting CloudWatch publish this account's alarms to a topic the key encrypts (CloudWatch
 * cannot use the AWS managed SNS key): data keys and decryption through SNS only, for this account.
 */
export function cloudWatchAlarmsMayUseKey(accountId: string): PolicyStatementInput {
    return {
        Sid: "CloudWatchPublishesAlarms",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    };
}
