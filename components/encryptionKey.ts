import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountAdministersKey, cloudWatchLogsMayUseKey, policyDocument } from "./iamPolicy";
import { partitionOf } from "./partition";

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
     * Keep the key in AWS when the stack is destroyed: data encrypted with it (snapshots, retained
     * repositories, backups) stays readable. Resource options like this one are not inherited from the component.
     * @default false
     */
    readonly retainOnDelete?: boolean;
}

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
        super("voteapp:security:EncryptionKey", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        this.key = new aws.kms.Key(
            name,
            {
                description: `${args.project} ${args.environment}: ${args.purpose}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.deletionWindowInDays ?? 30,
                policy: policyDocument(`${name} key policy`, [
                    accountAdministersKey(partition, args.accountId),
                    cloudWatchLogsMayUseKey(partition, args.region, args.accountId),
                ]),
            },
            { parent, retainOnDelete: args.retainOnDelete ?? false },
        );
        this.alias = new aws.kms.Alias(
            name,
            { name: `alias/${args.project}-${args.environment}-${args.purpose}`, targetKeyId: this.key.keyId },
            { parent },
        );
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
