import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICES, type AppService } from "../shared/appContract";
import { type ResourceTransform, transformed } from "./transform";

export interface RegistryArgs {
    /**
     * Prefix of every repository name: repositories are `<prefix>/<service>`.
     * @example "voteapp-dev"
     */
    readonly namePrefix: string;
    /** KMS key encrypting images at rest (ECR.5). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /**
     * Images kept per repository; older ones expire through the lifecycle policy (ECR.3).
     * @default 30
     */
    readonly keepImages?: number;
    /**
     * Keep the repositories (and their images) when the stack is destroyed or the resource replaced.
     * Set in prod, where images are the release record.
     * @default false
     */
    readonly retainOnDelete?: boolean;
    /** Services that get a repository. @default ["vote", "result", "worker"] */
    readonly services?: readonly AppService[];
    /** Last-word adjustments of the underlying resources (see {@link ResourceTransform}). */
    readonly transform?: { readonly repository?: ResourceTransform<aws.ecr.RepositoryArgs> };
}

/**
 * One private ECR repository per app service: scan on push (ECR.1), immutable tags (ECR.2) so a tag
 * always means one image, KMS encryption (ECR.5), and a lifecycle policy keeping the last N images.
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
            const repositoryName = `${name}-${service}`;
            const repository = new aws.ecr.Repository(
                repositoryName,
                transformed(
                    args.transform?.repository,
                    {
                        name: `${args.namePrefix}/${service}`,
                        imageTagMutability: "IMMUTABLE",
                        imageScanningConfiguration: { scanOnPush: true },
                        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                        forceDelete: false,
                    },
                    repositoryName,
                ),
                { parent, retainOnDelete: args.retainOnDelete ?? false },
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

    /** Image reference for a service: the repository URL with a tag, or `@digest` when given a sha256 digest. */
    imageFor(service: AppService, tagOrDigest: string): pulumi.Output<string> {
        const repository = this.repositories[service];
        if (!repository) throw new Error(`The registry has no repository for ${service}`);
        const separator = tagOrDigest.startsWith("sha256:") ? "@" : ":";
        return pulumi.interpolate`${repository.repositoryUrl}${separator}${tagOrDigest}`;
    }
}
