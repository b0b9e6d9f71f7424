/** Container entry point of the worker service (bundled by app/build.ts into app/dist/worker.js). */
import { runService } from "../run";
import { startWorkerService } from "../worker";

runService("worker", startWorkerService);
