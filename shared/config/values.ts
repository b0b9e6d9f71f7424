import { z } from "zod";

/**
 * The value checks both Pulumi programs' config schemas are written in (the main program's
 * `stacks/config/`, the bootstrap project's `bootstrap/config.ts`): one definition each. Every message
 * says what is allowed; the reader prefixes it with the key and the value found, so a user reads e.g.
 * `voteapp:platform = "ec2": must be one of ecs, eks, lambda`.
 */

/** Protection tiers: which protections and rules apply. An environment named like a tier gets that tier. */
export const TIERS = ["dev", "staging", "prod"] as const;
export type Tier = (typeof TIERS)[number];

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{1,14}[a-z0-9]$/;
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Characters AWS accepts in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** One of a fixed list of strings. */
export const oneOf = <T extends readonly [string, ...string[]]>(values: T, why = "") =>
    z.enum(values, { error: `must be one of ${values.join(", ")}${why}` });

/** A string matching a pattern, described for a person. */
export const matching = (pattern: RegExp, what: string) => z.string().regex(pattern, { error: `must be ${what}` });

/** A whole number in [min, max]; `why` is appended to the range (e.g. " MiB (what Lambda offers)"). */
export const intBetween = (min: number, max: number, why = "") =>
    z
        .number()
        .int({ error: "must be a whole number" })
        .min(min, { error: `must be between ${min} and ${max}${why}` })
        .max(max, { error: `must be between ${min} and ${max}${why}` });

/** One of a fixed list of numbers (e.g. the retention periods CloudWatch accepts). */
export const fromList = (values: readonly number[]) =>
    z.number().refine((v) => values.includes(v), { error: `must be one of ${values.join(", ")}` });

export const accountId = matching(ACCOUNT_ID, "a 12-digit AWS account id");
export const region = matching(REGION, "an AWS region name such as eu-west-1");
export const environmentName = matching(
    ENVIRONMENT_NAME,
    "3–16 lowercase letters, digits or hyphens, starting with a letter",
);
export const iamRoleName = matching(IAM_ROLE_NAME, "an IAM role name (1–64 of letters, digits and +=,.@_-)");
export const tagValue = z.string().regex(TAG_VALUE, {
    error: "must be 1–256 characters valid in an AWS tag value (letters, digits, spaces, _ . : / = + - @)",
});
export const tier = oneOf(TIERS);
