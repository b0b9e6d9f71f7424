import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { BuildOptions, Message } from "esbuild";
import type { LambdaBundleName } from "../../app/build";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";
import { bundleStore, type BuiltBundle, type BundleRequest } from "./bundleStore";

/**
 * Lambda code archives built from the app's handlers (`app/src/lambda/*`) with esbuild while the program
 * runs, so `pulumi up` always deploys the handlers of the checked-out commit and no build step can be
 * forgotten.
 *
 * - One self-contained, minified CommonJS file per function, `index.js` exporting `handler`, for the
 *   Node.js release of shared/nodeRuntime.ts. Plain JavaScript with no native addons, so the same
 *   archive runs on arm64 and x86_64.
 * - The AWS SDK v3 is bundled, not marked external: the handlers then run exactly the SDK versions of our
 *   lockfile, which the app tests exercise (dynalite, aws-sdk-client-mock), instead of whatever version
 *   the managed runtime ships that week; esbuild keeps only the clients the handler imports, so the
 *   archive stays small and loads faster than the runtime's full SDK.
 * - Deterministic: same sources and lockfile, same bytes (no source maps, no comments, no absolute
 *   paths, no timestamps), so previews show no code change when nothing changed. Pulumi zips archives
 *   with fixed timestamps, so the deployed zip is stable too.
 *
 * esbuild and app/build.ts are imported on first use only (ecs and eks runs use them for the database setup
 * function alone: components/databaseSetup.ts).
 */

/** The file name inside the archive, and the handler setting that goes with it. */
export const BUNDLE_FILE = "index.js";
export const BUNDLE_HANDLER = "index.handler";

/** Node.js version the bundles target: the functions' runtime (shared/nodeRuntime.ts). */
export const BUNDLE_TARGET = NODE_RUNTIME.esbuildTarget;

const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Thrown when a handler cannot be bundled: names the bundle and its source, then esbuild's messages. */
export class BundleError extends Error {
    constructor(
        readonly bundle: string,
        readonly entry: string,
        details: string,
    ) {
        super(`Lambda bundle "${bundle}" (entry ${entry}) failed to build:\n${details}`);
        this.name = "BundleError";
    }
}

function describeMessages(messages: readonly Message[]): string {
    return messages
        .map((m) =>
            m.location ? `  ${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : `  ${m.text}`,
        )
        .join("\n");
}

function hasMessages(error: unknown): error is Error & { errors: Message[] } {
    return error instanceof Error && Array.isArray((error as { errors?: unknown }).errors);
}

/** esbuild's options besides the entry: one minified CommonJS file, deterministic (see above), with its metafile. */
const BUILD_OPTIONS = {
    absWorkingDir: REPOSITORY_ROOT,
    bundle: true,
    write: false,
    outfile: BUNDLE_FILE,
    platform: "node",
    target: BUNDLE_TARGET,
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    // The files the bundle read, which a BundleStore keys it on; the output is the same without it.
    metafile: true,
} as const satisfies BuildOptions;

/** What esbuild builds for one entry file (absolute, or relative to the repository root). */
export async function bundleRequest(entry: string): Promise<BundleRequest> {
    const { version } = await import("esbuild");
    return { entry: path.resolve(REPOSITORY_ROOT, entry), options: BUILD_OPTIONS, esbuildVersion: version };
}

/**
 * Builds `request` with esbuild: the source text of a CommonJS module and the files it was built from. Rejects
 * with a BundleError naming the bundle and the entry.
 */
export async function buildBundle(bundle: string, request: BundleRequest): Promise<BuiltBundle> {
    const shown = path.relative(REPOSITORY_ROOT, request.entry) || request.entry;
    const { withEsbuild } = await import("../../app/build");
    let result;
    try {
        result = await withEsbuild(({ build }) => build({ ...request.options, entryPoints: [request.entry] }));
    } catch (error) {
        throw new BundleError(
            bundle,
            shown,
            hasMessages(error)
                ? describeMessages(error.errors)
                : `  ${error instanceof Error ? error.message : String(error)}`,
        );
    }
    const output = result.outputFiles?.find((file) => file.path.endsWith(BUNDLE_FILE));
    if (!output || output.text.length === 0) throw new BundleError(bundle, shown, "  esbuild produced no output");
    if (!result.metafile) throw new BundleError(bundle, shown, "  esbuild was not asked for a metafile");
    const workingDir = request.options.absWorkingDir ?? process.cwd();
    return {
        code: output.text,
        inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(workingDir, input)),
    };
}

/**
 * Bundles one entry file (absolute, or relative to the repository root) into the source text of a CommonJS
 * module, afresh (no store). Rejects with a BundleError naming the bundle and the entry.
 */
export async function bundleEntry(bundle: string, entry: string): Promise<string> {
    return (await buildBundle(bundle, await bundleRequest(entry))).code;
}

const bundles = new Map<string, Promise<string>>();

/**
 * The bundle of one entry file, built once per process, or read from the installed BundleStore (./bundleStore.ts:
 * none in a Pulumi program, which bundles the checked-out sources on each run; the tests' keeps bundles between
 * processes). Every function the program deploys gets its code here.
 */
export function bundleOnce(bundle: string, entry: string): Promise<string> {
    const absolute = path.resolve(REPOSITORY_ROOT, entry);
    let code = bundles.get(absolute);
    if (!code) {
        const store = bundleStore();
        code = bundleRequest(absolute).then((request) =>
            store
                ? store.bundle(request, () => buildBundle(bundle, request))
                : buildBundle(bundle, request).then((built) => built.code),
        );
        bundles.set(absolute, code);
    }
    return code;
}

/** The bundled source of one of the app's Lambda handlers (see bundleOnce). */
export function bundleLambdaHandler(name: LambdaBundleName): Promise<string> {
    return import("../../app/build").then(({ LAMBDA_ENTRIES }) =>
        bundleOnce(name, path.join("app", LAMBDA_ENTRIES[name])),
    );
}

/** The code archive of one handler: `index.js` holding the bundle (handler `index.handler`). */
export function lambdaHandlerArchive(name: LambdaBundleName): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundleLambdaHandler(name)) });
}
