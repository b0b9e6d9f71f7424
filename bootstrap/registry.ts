import type * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "../components/encryptionKey";
import { Registry, registryReference } from "../components/registry";
import { FULL_PROTECTION, NO_PROTECTION } from "../components/vocabulary";
import type { BootstrapConfig } from "./config";

/**
 * The environment's image registry, created with the account (before the program's first `pulumi up`):
 * the deploy workflow copies images in, then the program's first deploy runs them, with no targeted
 * update. The repositories' own KMS key, scan on push, immutable tags and lifecycle policy are the
 * Registry component's; the names are the program's (components/registry.ts, repositoryName).
 */
export function createImageRegistry(
    config: BootstrapConfig,
    opts: pulumi.ComponentResourceOptions,
): Record<string, pulumi.Input<unknown>> {
    // Images are the release record outside dev: keep the key and repositories if the stack goes, and protect them.
    const hardened = config.tier !== "dev";
    const protection = hardened ? FULL_PROTECTION : NO_PROTECTION;
    const key = new EncryptionKey(
        "images-key",
        {
            purpose: "images",
            environment: config.environment,
            project: config.programProject,
            accountId: config.accountId,
            region: config.region,
            protection,
        },
        opts,
    );
    const registry = new Registry(
        "registry",
        {
            project: config.programProject,
            environment: config.environment,
            kmsKeyArn: key.arn,
            keepImages: config.registry.keepImages,
            protection,
        },
        { ...opts, protect: hardened },
    );
    const reference = registryReference({
        accountId: config.accountId,
        region: config.region,
        project: config.programProject,
        environment: config.environment,
    });
    return {
        registry: `${reference.host}/${reference.prefix}`,
        repositoryUrls: registry.repositoryUrls,
        imagesKeyArn: key.arn,
    };
}
