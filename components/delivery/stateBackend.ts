import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKey } from "../encryptionKey";
import { FULL_PROTECTION } from "../vocabulary";
import { SecureBucket } from "./secureBucket";

export interface StateBackendArgs {
    /**
     * Bucket name (globally unique).
     * @example "voteapp-pulumi-state-111111111111"
     */
    readonly bucketName: string;
    readonly partition: string;
    readonly accountId: string;
    /** Alias of the key, usable as the stacks' secrets provider `awskms://alias/<alias>`. @example "voteapp-pulumi-state" */
    readonly keyAlias: string;
}

/**
 * A self-managed Pulumi backend in the environment's own account: an S3 bucket (`pulumi login
 * s3://<bucket>`) and a KMS key that encrypts the bucket and serves as the stacks' secrets provider.
 * Both are protected: losing either loses every stack's state or secrets.
 */
export class StateBackend extends pulumi.ComponentResource {
    readonly key: aws.kms.Key;
    readonly bucket: SecureBucket;
    readonly keyArn: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:delivery:StateBackend", name, {}, opts);
        const parent = this;
        // IAM policies of the account (the CI roles' state statements) decide who uses the key.
        this.key = customerManagedKey(
            `${name}-key`,
            {
                description: `Pulumi state and secrets of ${args.bucketName}`,
                partition: args.partition,
                accountId: args.accountId,
                alias: args.keyAlias,
                protect: true,
                retainOnDelete: true,
            },
            parent,
        ).key;
        this.keyArn = this.key.arn;
        this.bucket = new SecureBucket(
            `${name}-bucket`,
            { bucketName: args.bucketName, kmsKeyArn: this.key.arn, protection: FULL_PROTECTION },
            { parent },
        );
        this.bucketArn = this.bucket.arn;
        this.bucketName = this.bucket.name;
        this.registerOutputs({ bucketName: this.bucketName, keyArn: this.keyArn });
    }
}
