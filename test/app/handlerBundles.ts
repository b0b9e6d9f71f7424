import * as fs from "fs";
import * as path from "path";
import { useHandlerBundleStore } from "../../components/serverless/bundle";
import { writeFileWhole } from "../../scripts/writeWhole";
import { sharedTestCache } from "./testCache";

/**
 * Loaded by .mocharc.json in mocha and in each of its workers: bundleLambdaHandler (components/serverless/bundle.ts,
 * the code the Lambda platform deploys) keeps each handler's bundle in the shared test cache (./testCache.ts, the
 * run store's directory of the current sources), so the files and workers of one test run bundle each handler
 * once (esbuild, about a CPU-second per set), not once per worker plus once per test file that builds its own.
 * A bundle is a function of the sources and the lockfile, which the cache's hash covers. Off with the run store.
 */
const fileOf = (name: string): string | undefined => {
    const home = sharedTestCache();
    return home ? path.join(home, "lambda-handlers", `${name}.js`) : undefined;
};

useHandlerBundleStore({
    read(name) {
        const file = fileOf(name);
        if (!file) return undefined;
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    },
    write(name, code) {
        const file = fileOf(name);
        if (!file) return;
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            writeFileWhole(file, code); // a reader in another worker sees no file or all of it
        } catch {
            // A store that cannot be written only costs time.
        }
    },
});
