export { createAccountProvider, defaultTags } from "./accountProvider";
export * from "./config";
export type { VoteAppTransforms } from "./transforms";
export { createVoteApp, type VoteAppOutputs } from "./voteApp";

import { loadVoteAppConfig } from "./config";
import type { ServiceTable } from "../shared/appContract";
import type { VoteAppTransforms } from "./transforms";
import { createVoteApp, type VoteAppOutputs } from "./voteApp";
import { deployWarnings, logWarnings } from "./warnings";

export { deployWarnings, formatWarning, type DeployWarning } from "./warnings";

/** The program: read and validate this stack's config, then compose. Runs under the CLI and under mocks alike. */
export function voteAppProgram(
    options: {
        readonly transforms?: VoteAppTransforms;
        /** The app's services. @default APP_SERVICE_TABLE (shared/appContract.ts) */
        readonly services?: ServiceTable;
    } = {},
): VoteAppOutputs {
    const config = loadVoteAppConfig(options.services);
    logWarnings(deployWarnings(config, undefined, options.services));
    return createVoteApp(config, options.transforms, options.services);
}
