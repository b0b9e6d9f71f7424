import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    accountAdministersKey,
    cloudWatchAlarmsMayUseKey,
    cloudWatchLogsMayUseKey,
    policyDocument,
    type PolicyStatementInput,
} from "./iamPolicy";
import { partitionOf } from "./partition";
import { NO_PROTECTION, type Protection } from "./vocabulary";

export interface CustomerManagedKeyOptions {
    /** What the key protects, for people reading the console. */
    readonly description: pulumi.Input<string>;
    readonly partition: string;
    /** Account that owns the key: its root principal administers it, so the account's IAM policies decide who uses it. */
    readonly accountId: string;
    /** Statements letting services use the key, after the account's administration statement. */
    readonly statements?: readonly PolicyStatementInput[];
    /** Creates `alias/<alias>` for the key, under the key's resource name. */
    readonly alias?: string;
    /** Days AWS waits before deleting the key once scheduled (7–30). @default 30 */
    readonly deletionWindowInDays?: number;
    /** Pulumi `protect` on the key. @default inherited from the parent */
    readonly protect?: boolean;
    /** Keep the key in AWS when the stack deletes it: what it encrypted stays readable. @default inherited from the parent */
    readonly retainOnDelete?: boolean;
}

/**
 * The one way this project writes a customer-managed KMS key: yearly rotation (KMS.4), a 30-day deletion
 * window, and a key policy whose first statement lets the account administer it through IAM. The key is
 * created under `parent` with the given name, so components keep their resource names.
 */
export function customerManagedKey(
    name: string,
    args: CustomerManagedKeyOptions,
    parent: pulumi.Resource,
): { readonly key: aws.kms.Key; readonly alias?: aws.kms.Alias } {
    const key = new aws.kms.Key(
        name,
        {
            description: args.description,
            enableKeyRotation: true,
            deletionWindowInDays: args.deletionWindowInDays ?? 30,
            policy: policyDocument(`${name} key policy`, [
                accountAdministersKey(args.partition, args.accountId),
                ...(args.statements ?? []),
            ]),
        },
        // Unset options stay inherited from the parent (Pulumi children inherit `protect`).
        {
            parent,
            ...(args.protect !== undefined ? { protect: args.protect } : {}),
            ...(args.retainOnDelete !== undefined ? { retainOnDelete: args.retainOnDelete } : {}),
        },
    );
    const alias =
        args.alias === undefined
            ? undefined
            : new aws.kms.Alias(name, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent });
    return { key, alias };
}

export interface EncryptionKeyArgs {
    /**
     * What the key protects, used in its description and alias, e.g. `data`.
     * @example "data"
     */
    readonly purpose: string;
    /** Environment name, part of the alias (`alias/<project>-<environment>-<purpose>`). */
    readonly environment: string;
    /** Project name, part of the alias. */
    readonly project: string;
    /** Account that owns the key: its root principal administers it through IAM. */
    readonly accountId: string;
    /** Region of the key: CloudWatch Logs in this region may use it for log groups of this account. */
    readonly region: string;
    /**
     * Days AWS waits before deleting the key once scheduled (7–30).
     * @default 30
     */
    readonly deletionWindowInDays?: number;
    /**
     * CloudWatch may also use the key to publish this account's alarms to a topic it encrypts, so the alarm
     * topic needs no key of its own (StackObservability `topicKeyArn`). A cost choice for dev: prod keeps the
     * data key to the data's own services.
     * @default false
     */
    readonly alarmTopic?: boolean;
    /**
     * With `deletionProtection`, the key is Pulumi-protected and kept in AWS when the stack is destroyed:
     * data encrypted with it (snapshots, retained repositories, backups) stays readable.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
}

/** The alias an EncryptionKey creates: `alias/<project>-<environment>-<purpose>`. */
export const encryptionKeyAlias = (args: {
    readonly project: string;
    readonly environment: string;
    readonly purpose: string;
}): string => `alias/${args.project}-${args.environment}-${args.purpose}`;

/**
 * A customer-managed KMS key with yearly rotation (KMS.4) that the account's IAM policies can grant, and
 * that CloudWatch Logs may use for this account's log groups. ECR, Secrets Manager, RDS and ElastiCache
 * use it through grants they create on behalf of IAM principals allowed by the account.
 */
export class EncryptionKey extends pulumi.ComponentResource {
    readonly key: aws.kms.Key;
    readonly alias: aws.kms.Alias;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        // Losing the key loses every encrypted store: never deleted with the stack when protected (the
        // component too, so whatever is added under it later inherits the protection).
        const keep = (args.protection ?? NO_PROTECTION).deletionProtection;
        super("voteapp:security:EncryptionKey", name, {}, { ...opts, protect: opts?.protect ?? keep });
        const parent = this;
        const partition = partitionOf(args.region);
        const { key } = customerManagedKey(
            name,
            {
                description: `${args.project} ${args.environment}: ${args.purpose}`,
                partition,
                accountId: args.accountId,
                // IAM policies of the account grant the key; CloudWatch Logs may use it for this account's log groups.
                statements: [
                    cloudWatchLogsMayUseKey(partition, args.region, args.accountId),
                    ...(args.alarmTopic ? [cloudWatchAlarmsMayUseKey(args.accountId)] : []),
                ],
                deletionWindowInDays: args.deletionWindowInDays,
                protect: keep,
                retainOnDelete: keep,
            },
            parent,
        );
        this.key = key;
        this.alias = new aws.kms.Alias(
            name,
            { name: encryptionKeyAlias(args), targetKeyId: key.keyId },
            { parent, protect: keep },
        );
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
