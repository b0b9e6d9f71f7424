/**
 * Bundles each container entry point with esbuild into one self-contained file (dependencies included),
 * so the runtime image needs no node_modules:
 *   app/dist/vote.js, app/dist/result.js, app/dist/worker.js, app/dist/healthcheck.js
 *
 * Usage (from the repository root): npx ts-node --transpile-only app/build.ts [outdir]
 * (In the image build, where ts-node is absent, esbuild first bundles this script itself: see app/Dockerfile.)
 */
import type { ChildProcess } from "child_process";
import * as diagnostics from "diagnostics_channel";
import { once } from "events";
import * as path from "path";
import { HEALTHCHECK_ENTRY } from "../shared/imageContract";
import { NODE_RUNTIME } from "../shared/nodeRuntime";

/** Container entry points: bundle name -> source file. */
export const CONTAINER_ENTRIES = {
    vote: "src/containers/main/vote.ts",
    result: "src/containers/main/result.ts",
    worker: "src/containers/main/worker.ts",
    [HEALTHCHECK_ENTRY]: "src/containers/main/healthcheck.ts",
} as const;

export type BundleName = keyof typeof CONTAINER_ENTRIES;

/**
 * Lambda handlers (serverless platform), each exporting `handler`: bundle name -> source file. The platform
 * component bundles each at program run time with bundleOnce() (components/serverless/bundle.ts; shared/nodeRuntime.ts,
 * AWS SDK v3 included so the code does not depend on the runtime's SDK version).
 */
export const LAMBDA_ENTRIES = {
    "vote-lambda": "src/lambda/vote.ts",
    "result-lambda": "src/lambda/result.ts",
    "worker-lambda": "src/lambda/worker.ts",
} as const;

export type LambdaBundleName = keyof typeof LAMBDA_ENTRIES;

const APP_DIR = path.resolve(__dirname);

let esbuildUsers = 0;
/** Processes spawned while a build runs (Node's `child_process` diagnostics channel): esbuild's service among them. */
const spawnedDuringBuilds = new Set<ChildProcess>();
const trackSpawn = (message: unknown): void => {
    const child = (message as { process?: ChildProcess }).process;
    if (child) spawnedDuringBuilds.add(child);
};

/**
 * Runs `use` with esbuild, then stops esbuild's service process once no caller in this process needs it,
 * and waits for it to exit: a build leaves no child process behind. esbuild would otherwise keep its service
 * running until this process exits, and its `stop()` only sends the kill: the process lives on for a moment,
 * longer on a loaded machine, so the wait watches the service's own exit.
 */
export async function withEsbuild<T>(use: (esbuild: typeof import("esbuild")) => Promise<T>): Promise<T> {
    const esbuild = await import("esbuild");
    if (esbuildUsers === 0) diagnostics.subscribe("child_process", trackSpawn);
    esbuildUsers += 1;
    try {
        return await use(esbuild);
    } finally {
        esbuildUsers -= 1;
        if (esbuildUsers === 0) {
            // Taken before the first await, so a build that starts meanwhile tracks its own service.
            diagnostics.unsubscribe("child_process", trackSpawn);
            const services = [...spawnedDuringBuilds].filter((child) => /esbuild/.test(child.spawnfile ?? ""));
            spawnedDuringBuilds.clear();
            await esbuild.stop();
            await Promise.all(
                services
                    .filter((child) => child.exitCode === null && child.signalCode === null)
                    // esbuild unrefs its service: without a ref, a process with nothing else to do would exit
                    // while waiting here, before the build's result reaches its caller.
                    .map((child) => (child.ref(), once(child, "exit"))),
            );
        }
    }
}
export const DEFAULT_OUTDIR = path.join(APP_DIR, "dist");

/** Build every container bundle into `outdir`; resolves with the absolute paths written, by bundle name. */
export async function buildContainers(outdir: string = DEFAULT_OUTDIR): Promise<Record<BundleName, string>> {
    const entryPoints = Object.entries(CONTAINER_ENTRIES).map(([out, source]) => ({
        out,
        in: path.join(APP_DIR, source),
    }));
    const result = await withEsbuild(({ build }) =>
        build({
            entryPoints,
            outdir,
            bundle: true,
            platform: "node",
            target: NODE_RUNTIME.esbuildTarget,
            format: "cjs",
            minify: false,
            sourcemap: false,
            legalComments: "none",
            logLevel: "silent",
            // pg's optional native binding is never used.
            external: ["pg-native"],
            metafile: false,
        }),
    );
    if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.text).join("\n"));
    const written = {} as Record<BundleName, string>;
    for (const name of Object.keys(CONTAINER_ENTRIES) as BundleName[]) written[name] = path.join(outdir, `${name}.js`);
    return written;
}

/** Build every Lambda bundle into `outdir` (`<name>.js`, CommonJS, exports.handler). */
export async function buildLambdas(outdir: string): Promise<Record<LambdaBundleName, string>> {
    await withEsbuild(({ build }) =>
        build({
            entryPoints: Object.entries(LAMBDA_ENTRIES).map(([out, source]) => ({
                out,
                in: path.join(APP_DIR, source),
            })),
            outdir,
            bundle: true,
            platform: "node",
            target: NODE_RUNTIME.esbuildTarget,
            format: "cjs",
            legalComments: "none",
            logLevel: "silent",
        }),
    );
    const written = {} as Record<LambdaBundleName, string>;
    for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaBundleName[])
        written[name] = path.join(outdir, `${name}.js`);
    return written;
}

if (require.main === module) {
    buildContainers(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUTDIR).then(
        (written) => {
            for (const file of Object.values(written))
                process.stdout.write(`built ${path.relative(process.cwd(), file)}\n`);
        },
        (error: unknown) => {
            process.stderr.write(`app build failed: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
