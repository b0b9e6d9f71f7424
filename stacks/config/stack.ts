import { z } from "zod";
import { environmentName, fromList, oneOf, REGION, region, tagValue, tier } from "../../shared/config/values";
import { regionProblem } from "./catalogues";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { LOG_RETENTION_DAYS, PLATFORMS } from "./rules";
import { CPU_ARCHITECTURES } from "../../shared/cpuArchitecture";
import { VOTE_OPTION_MAX_LENGTH } from "../../shared/appContract";

/** The stack itself: its environment, tier, region, platform and CPU architecture, tags, log retention and vote options. */

// Trimmed as the app trims OPTION_A/OPTION_B (app/src/core/config.ts voteOptions), so the length and the optionA ≠
// optionB check judge the label the page shows: "Cats " and "Cats" would pass untrimmed and stop every service.
const label = z
    .string()
    .trim()
    .min(1, { error: "must not be empty or only spaces" })
    .max(VOTE_OPTION_MAX_LENGTH, { error: `must be at most ${VOTE_OPTION_MAX_LENGTH} characters` });

export const stackKeys = {
    environment: environmentName,
    tier: tier.optional(),
    // The pattern, then the AWS SDK's region list: eu-west-9 fits the pattern but does not exist.
    region: region.superRefine((value, ctx) => {
        const problem = REGION.test(value) ? regionProblem(value) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    platform: oneOf(PLATFORMS),
    cpuArchitecture: oneOf(CPU_ARCHITECTURES),
    owner: tagValue,
    costCentre: tagValue,
    logRetentionDays: fromList(LOG_RETENTION_DAYS),
    optionA: label,
    optionB: label,
};

export type StackFlatConfig = FlatOf<typeof stackKeys>;

export const checkStack: ConfigCheck<StackFlatConfig> = (flat, tier, report) => {
    if (tier === "prod" && flat.logRetentionDays < 30)
        report("logRetentionDays", flat.logRetentionDays, "must be at least 30 in prod");
    if (flat.optionA === flat.optionB) report("optionB", flat.optionB, `must differ from ${qualifiedKey("optionA")}`);
};
