import { useRunStore } from "../../plan/stackRun";
import { diskRunStore } from "./runStore";

/**
 * Loaded by .mocharc.json in mocha and in each of its workers: every mocked stack run of the tests goes through
 * the shared run store (test/support/runStore.ts). `VOTEAPP_RUN_STORE=off` plans every run afresh. It loads no
 * SDK, harness or config reader (the registry and the store import none): a mocha main process and a test file
 * that never plans pay ~0.05 CPU-s for it instead of ~0.7.
 */
if (process.env.VOTEAPP_RUN_STORE !== "off") useRunStore(diskRunStore());
