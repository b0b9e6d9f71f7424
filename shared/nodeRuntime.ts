/**
 * The Node.js release the voting app ships on, everywhere it runs or is built: the container images (build
 * and runtime stages of app/Dockerfile), the esbuild targets of every bundle, the Lambda runtime, the CI
 * toolchain of the workflows and of the AWS-native pipeline, and app/package.json `engines`. This constant is
 * the one place to change it; test/components/nodeRuntime.test.ts holds every consumer (including the
 * Dockerfile and the workflow YAML, which cannot import it) to it, and fails once any pinned runtime is past
 * its end of life (components/runtimeSupport.ts).
 *
 * Why 24: the supported LTS with the longest remaining support that both AWS Lambda and the distroless images
 * offer (see the table's sources). Node.js 26 is LTS since 2026-10-28 and distroless builds it, but Lambda
 * publishes no nodejs26.x runtime in the sources we could check: move when it does.
 *
 * The repository's own toolchain (npm ci, tests, Pulumi) may run on an older Node (the root package.json
 * `engines`): what ships is pinned here.
 */
export const NODE_MAJOR = 24;

type Major = typeof NODE_MAJOR;

export const NODE_RUNTIME = {
    major: NODE_MAJOR,
    /** esbuild `target` of the container and Lambda bundles. */
    esbuildTarget: `node${NODE_MAJOR}` as `node${Major}`,
    /** Lambda managed runtime identifier. */
    lambdaRuntime: `nodejs${NODE_MAJOR}.x` as `nodejs${Major}.x`,
    /** Build stage of app/Dockerfile (Docker official image; bundles are plain JavaScript, built once for every platform). */
    buildImage: `node:${NODE_MAJOR}-alpine` as `node:${Major}-alpine`,
    /**
     * Runtime stage of app/Dockerfile: distroless Node.js on Debian 13 (distroless builds its Node.js images on
     * Debian 13 only), non-root variant.
     */
    runtimeImage:
        `gcr.io/distroless/nodejs${NODE_MAJOR}-debian13:nonroot` as `gcr.io/distroless/nodejs${Major}-debian13:nonroot`,
    /** `node-version` of actions/setup-node and `runtime-versions.nodejs` of the CodeBuild buildspecs. */
    toolchainVersion: String(NODE_MAJOR),
    /** app/package.json `engines.node`. */
    enginesRange: `${NODE_MAJOR}.x`,
} as const;
