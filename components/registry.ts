import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICES, type AppService } from "../shared/appContract";
import { repositoryName } from "./registryNames";
import { type ResourceTransform, transformed } from "./transform";
import { NO_PROTECTION, type Protection } from "./vocabulary";

export interface RegistryArgs {
    /** Project and environment the repositories belong to: names are {@link repositoryName}'s. */
    readonly project: string;
    readonly environment: string;
    /** KMS key encrypting images at rest (ECR.5). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /**
     * Images kept per repository; older ones expire through the lifecycle policy (ECR.3).
     * @default 30
     */
    readonly keepImages?: number;
    /**
     * With `deletionProtection`, the repositories (and their images, the release record) are kept when the
     * stack is destroyed or the resource replaced.
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /** Services that get a repository. @default APP_SERVICES (the service table's rows) */
    readonly services?: readonly AppService[];
    /** Last-word adjustments of the underlying resources (see {@link ResourceTransform}). */
    readonly transform?: { readonly repository?: ResourceTransform<aws.ecr.RepositoryArgs> };
}

/**
 * One private ECR repository per app service: scan on push (ECR.1), immutable tags (ECR.2) so a tag
 * always means one image, KMS encryption (ECR.5), and a lifecycle policy keeping the last N images.
 * Each account's bootstrap creates it (bootstrap/registry.ts), so images are pushed before the
 * environment's first `pulumi up` and no deploy needs `--target`.
 */
export class Registry extends pulumi.ComponentResource {
    readonly repositories: Readonly<Partial<Record<AppService, aws.ecr.Repository>>>;
    readonly repositoryUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:registry:Registry", name, {}, opts);
        const parent = this;
        const keep = args.keepImages ?? 30;
        const repositories: Partial<Record<AppService, aws.ecr.Repository>> = {};
        for (const service of args.services ?? APP_SERVICES) {
            const repositoryLogicalName = `${name}-${service}`;
            const repository = new aws.ecr.Repository(
                repositoryLogicalName,
                transformed(
                    args.transform?.repository,
                    {
                        name: repositoryName(args.project, args.environment, service),
                        imageTagMutability: "IMMUTABLE",
                        imageScanningConfiguration: { scanOnPush: true },
                        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                        forceDelete: false,
                    },
                    repositoryLogicalName,
                ),
                { parent, retainOnDelete: (args.protection ?? NO_PROTECTION).deletionProtection },
            );
            new aws.ecr.LifecyclePolicy(
                `${name}-${service}`,
                {
                    repository: repository.name,
                    policy: JSON.stringify({
                        rules: [
                            {
                                rulePriority: 1,
                                description: `Keep the last ${keep} images`,
                                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                                action: { type: "expire" },
                            },
                        ],
                    }),
                },
                { parent },
            );
            repositories[service] = repository;
        }
        this.repositories = repositories;
        this.repositoryUrls = pulumi
            .all(
                Object.entries(repositories).map(([service, repo]) =>
                    repo.repositoryUrl.apply((url) => [service, url] as const),
                ),
            )
            .apply((pairs) => Object.fromEntries(pairs));
        this.registerOutputs({ repositoryUrls: this.repositoryUrls });
    }
}
