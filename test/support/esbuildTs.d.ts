// Types of the TypeScript preload (esbuildTs.js: plain JavaScript, as it runs before TypeScript can load).
import type { TransformOptions } from "esbuild";

/** Where transforms are kept, under node_modules/.cache. */
export const TRANSFORM_CACHE_DIR: string;
/** esbuild's version and the transform options (tsconfig.json's text among them), as one string. */
export const TRANSFORM_FINGERPRINT: string;
export function transformOptions(file: string): TransformOptions;
/** The CommonJS code of one TypeScript file, from the cache when it was made from the same inputs. */
export function compiledTypeScript(file: string, source: string, cacheDir?: string, fingerprint?: string): string;
