export { createAccountProvider, defaultTags } from "./accountProvider";
export * from "./config";
export { createVoteApp, type VoteAppOutputs } from "./voteApp";

import { loadVoteAppConfig } from "./config";
import { createVoteApp, type VoteAppOutputs } from "./voteApp";

/** The program: read and validate this stack's config, then compose. Runs under the CLI and under mocks alike. */
export function voteAppProgram(): VoteAppOutputs {
    return createVoteApp(loadVoteAppConfig());
}
