import * as path from "path";
import type { BuildOptions } from "esbuild";
import { slot } from "../../shared/slot";

/**
 * Where built bundles may be kept between processes: the hook that components/serverless/bundle.ts's bundleOnce
 * reads. A Pulumi program installs none (each run bundles the checked-out sources afresh); the tests install one
 * (test/support/installBundleStore.ts), so that the mocha workers and the children of test runs bundle each entry
 * once, until a file the bundle read changes. This module imports nothing that costs time to load (no Pulumi, no
 * esbuild), so a preload can install a store before anything needs a bundle.
 */

/** Where the tests keep bundles (test/support/bundleStore.ts): here so that the bench can empty it. */
export const BUNDLE_STORE_DIR = path.resolve(__dirname, "..", "..", "node_modules", ".cache", "voteapp-bundles");

/** Everything that shapes a bundle besides the files esbuild reads. */
export interface BundleRequest {
    /** The entry file, absolute. */
    readonly entry: string;
    /** esbuild's options, as given to `build` with the entry (plain data: no plugins). */
    readonly options: BuildOptions;
    /** The esbuild that builds it: another version may emit other bytes from the same files. */
    readonly esbuildVersion: string;
}

/** A bundle and what it was built from. */
export interface BuiltBundle {
    readonly code: string;
    /** Absolute paths of every file esbuild read for it (its metafile's inputs). */
    readonly inputs: readonly string[];
}

export interface BundleStore {
    /**
     * The bundle kept for `request` if what it was built from is unchanged; if not, the bundle `build` makes,
     * which the store then keeps if it can (a rejected `build` is passed on, never kept).
     */
    bundle(request: BundleRequest, build: () => Promise<BuiltBundle>): Promise<string>;
}

const installed = slot<BundleStore>();

/** Sets (or, with undefined, removes) the store bundleOnce reads and writes; returns the previous one. */
export const useBundleStore = installed.use;

/** The installed store, if any. */
export const bundleStore = installed.current;
