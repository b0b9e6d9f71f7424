/** Container entry point of the result service (bundled by app/build.ts into app/dist/result.js). */
import { runService } from "../run";
import { startResultService } from "../result";

runService("result", startResultService);
