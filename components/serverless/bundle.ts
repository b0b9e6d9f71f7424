import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { Message } from "esbuild";
import type { LambdaBundleName } from "../../app/build";
import { NODE_RUNTIME } from "../../shared/nodeRuntime";

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
 * esbuild and app/build.ts are imported on first use only: ecs and eks runs never load them.
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

/**
 * Bundles one entry file (absolute, or relative to the repository root) into the source text of a
 * CommonJS module. Rejects with a BundleError naming the bundle and the entry.
 */
export async function bundleEntry(bundle: string, entry: string): Promise<string> {
    const absolute = path.resolve(REPOSITORY_ROOT, entry);
    const shown = path.relative(REPOSITORY_ROOT, absolute) || absolute;
    const { withEsbuild } = await import("../../app/build");
    let result;
    try {
        result = await withEsbuild(({ build }) =>
            build({
                entryPoints: [absolute],
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
            }),
        );
    } catch (error) {
        throw new BundleError(
            bundle,
            shown,
            hasMessages(error)
                ? describeMessages(error.errors)
                : `  ${error instanceof Error ? error.message : String(error)}`,
        );
    }
    const output = result.outputFiles.find((file) => file.path.endsWith(BUNDLE_FILE));
    if (!output || output.text.length === 0) throw new BundleError(bundle, shown, "  esbuild produced no output");
    return output.text;
}

const bundles = new Map<LambdaBundleName, Promise<string>>();

/**
 * Keeps built handler bundles between processes. A Pulumi program has none (each run bundles the checked-out
 * sources); the tests install one (test/app/handlerBundles.ts) so that the mocha workers of one test run
 * bundle each handler once, not once per worker and per file.
 */
export interface HandlerBundleStore {
    read(name: LambdaBundleName): string | undefined;
    write(name: LambdaBundleName, code: string): void;
}

let handlerStore: HandlerBundleStore | undefined;

/** Install (or, with undefined, remove) the store bundleLambdaHandler reads first and writes what it builds to. */
export function useHandlerBundleStore(store: HandlerBundleStore | undefined): void {
    handlerStore = store;
}

/** The bundled source of one of the app's Lambda handlers (built once per process, or read from the store). */
export function bundleLambdaHandler(name: LambdaBundleName): Promise<string> {
    let bundle = bundles.get(name);
    if (!bundle) {
        const store = handlerStore;
        const stored = store?.read(name);
        bundle =
            stored !== undefined
                ? Promise.resolve(stored)
                : import("../../app/build")
                      .then(({ LAMBDA_ENTRIES }) => bundleEntry(name, path.join("app", LAMBDA_ENTRIES[name])))
                      .then((code) => {
                          store?.write(name, code);
                          return code;
                      });
        bundles.set(name, bundle);
    }
    return bundle;
}

/** The code archive of one handler: `index.js` holding the bundle (handler `index.handler`). */
export function lambdaHandlerArchive(name: LambdaBundleName): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundleLambdaHandler(name)) });
}
