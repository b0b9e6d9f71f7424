/**
 * When each runtime the app can ship on stops being supported: the dated table test/components/nodeRuntime.test.ts
 * checks the pinned runtime (shared/nodeRuntime.ts) against, with today's date, so an expired runtime fails
 * the tests rather than running unpatched in production. Add a row before moving NODE_MAJOR to a new release.
 *
 * Checked on 2026-12-03 against:
 * - Node.js: the release schedule, https://github.com/nodejs/Release/blob/main/schedule.json (commit e4bf922d,
 *   2026-07-02): `lts` and `end` per major.
 * - Lambda: "Building Lambda functions with Node.js", supported runtimes table,
 *   https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (deprecation, block create, block update).
 *   No nodejs26.x runtime is listed there.
 * - Distroless: https://github.com/GoogleContainerTools/distroless/blob/main/nodejs/config.bzl (commit cd080764,
 *   2026-08-21): images for Node.js 22, 24 and 26 on Debian 13 only (Debian 12 builds were removed), each for
 *   amd64 and arm64 among others; nodejs/README.md: "The supported versions match the Node.js LTS releases",
 *   so an image's support ends with its Node.js major. nodejs/nodejs.bzl: `entrypoint = ["/nodejs/bin/node"]`.
 * - The `node:<major>-alpine` build image is Docker's official image, published for Node.js releases until
 *   their end of life.
 */

export const RUNTIME_SUPPORT_CHECKED_ON = "2026-12-03";

export interface NodeRelease {
    /** Start of long-term support (an LTS line: even majors). */
    readonly ltsFrom: string;
    /** End of life: no more security releases. */
    readonly endOfLife: string;
}

/** Node.js majors: LTS start and end of life (nodejs/Release schedule.json). */
export const NODE_RELEASES: Readonly<Record<number, NodeRelease>> = {
    20: { ltsFrom: "2023-10-24", endOfLife: "2026-04-30" },
    22: { ltsFrom: "2024-10-29", endOfLife: "2027-04-30" },
    24: { ltsFrom: "2025-10-28", endOfLife: "2028-04-30" },
    26: { ltsFrom: "2026-10-28", endOfLife: "2029-04-30" },
};

export interface LambdaRuntimeSupport {
    /** AWS stops patching the runtime. */
    readonly deprecation: string;
    readonly blockFunctionCreate: string;
    readonly blockFunctionUpdate: string;
}

/** Lambda's Node.js managed runtimes (docs: lambda-nodejs.html, supported runtimes table). */
export const LAMBDA_NODE_RUNTIMES: Readonly<Record<string, LambdaRuntimeSupport>> = {
    "nodejs22.x": { deprecation: "2027-04-30", blockFunctionCreate: "2027-06-01", blockFunctionUpdate: "2027-07-01" },
    "nodejs24.x": { deprecation: "2028-04-30", blockFunctionCreate: "2028-06-01", blockFunctionUpdate: "2028-07-01" },
};

/** Distroless Node.js images that are built, with the CPU architectures each is published for (config.bzl). */
export const DISTROLESS_NODE_IMAGES: Readonly<
    Record<string, { readonly major: number; readonly architectures: readonly string[] }>
> = {
    "gcr.io/distroless/nodejs22-debian13": { major: 22, architectures: ["amd64", "arm64", "arm", "s390x", "ppc64le"] },
    "gcr.io/distroless/nodejs24-debian13": { major: 24, architectures: ["amd64", "arm64", "s390x", "ppc64le"] },
    "gcr.io/distroless/nodejs26-debian13": { major: 26, architectures: ["amd64", "arm64", "s390x", "ppc64le"] },
};
