import { useBundleStore } from "../../components/serverless/bundleStore";
import { diskBundleStore } from "./bundleStore";

/**
 * Loaded by .mocharc.json in mocha and in each of its workers, and by the children tests start
 * (./children.ts): every esbuild bundle the program builds goes through the tests' bundle store
 * (./bundleStore.ts). It loads neither Pulumi nor esbuild: a process that bundles nothing pays for neither.
 * Off with the run store: `VOTEAPP_RUN_STORE=off` builds everything afresh.
 */
if (process.env.VOTEAPP_RUN_STORE !== "off") useBundleStore(diskBundleStore());
