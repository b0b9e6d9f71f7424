import { useRunStore } from "../../plan/runStack";
import { diskRunStore } from "./runStore";

/**
 * Loaded by .mocharc.json in mocha and in each of its workers: every mocked stack run of the tests goes through
 * the shared run store (test/support/runStore.ts). `VOTEAPP_RUN_STORE=off` plans every run afresh.
 */
if (process.env.VOTEAPP_RUN_STORE !== "off") useRunStore(diskRunStore());
