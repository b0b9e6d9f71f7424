import type * as pulumi from "@pulumi/pulumi";
import { EncryptionKey, encryptionKeyAlias } from "../components/encryptionKey";
import { Registry } from "../components/registry";
import { registryReference } from "../components/registryNames";
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
): {
    readonly outputs: Record<string, pulumi.Input<unknown>>;
    /** The repositories' key and its alias: the CI roles' guardrails deny changing them (and the repositories). */
    readonly key: { readonly keyArn: pulumi.Output<string>; readonly keyAliasArn: string };
} {
    // Images are the release record outside dev: keep the key and repositories if the stack goes, and protect them.
    const hardened = config.tier !== "dev";
    const protection = hardened ? FULL_PROTECTION : NO_PROTECTION;
    const keyArgs = { purpose: "images", environment: config.environment, project: config.programProject };
    const key = new EncryptionKey(
        "images-key",
        { ...keyArgs, accountId: config.accountId, region: config.region, protection },
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
        outputs: {
            registry: `${reference.host}/${reference.prefix}`,
            repositoryUrls: registry.repositoryUrls,
            imagesKeyArn: key.arn,
        },
        key: {
            keyArn: key.arn,
            keyAliasArn: `arn:${config.partition}:kms:${config.region}:${config.accountId}:${encryptionKeyAlias(keyArgs)}`,
        },
    };
}
