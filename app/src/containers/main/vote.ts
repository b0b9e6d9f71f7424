/** Container entry point of the vote service (bundled by app/build.ts into app/dist/vote.js). */
import { runService } from "../run";
import { startVoteService } from "../vote";

runService("vote", startVoteService);
