import { z } from "zod";
import { FARGATE_CPU_VALUES } from "./fargate";
import { safetyKeySchema } from "./safety";
import { lambdaKeySchema } from "./lambda";
import {
    ACCOUNT_ID,
    ACM_CERTIFICATE_ARN,
    CACHE_NODE_TYPE,
    DB_INSTANCE_CLASS,
    DOMAIN_NAME,
    ENVIRONMENT_NAME,
    IAM_ROLE_NAME,
    IMAGE_DIGEST,
    IMAGE_REFERENCE,
    IMAGE_TAG,
    LOG_RETENTION_DAYS,
    NAT_STRATEGIES,
    PLATFORMS,
    POSTGRES_VERSION,
    REGION,
    SUPPORTED_POSTGRES_MAJORS,
    TIERS,
} from "./rules";

/**
 * Per-key constraints. Every message says what is allowed; the loader prefixes it with the key and the
 * value found, so a user reads e.g. `voteapp:platform = "ec2": must be one of ecs, eks, lambda`.
 */
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `must be one of ${values.join(", ")}` });
const matching = (pattern: RegExp, what: string) => z.string().regex(pattern, { error: `must be ${what}` });
const intBetween = (min: number, max: number) =>
    z
        .number()
        .int({ error: "must be a whole number" })
        .min(min, { error: `must be between ${min} and ${max}` })
        .max(max, { error: `must be between ${min} and ${max}` });
const fromList = (values: readonly number[]) =>
    z.number().refine((v) => values.includes(v), { error: `must be one of ${values.join(", ")}` });
const label = z.string().min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" });
const tagValue = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u, {
    error: "must be 1–256 characters valid in an AWS tag value (letters, digits, spaces, _ . : / = + - @)",
});
const accountId = matching(ACCOUNT_ID, "a 12-digit AWS account id");
const imageReference = matching(
    IMAGE_REFERENCE,
    "a full image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/vote@sha256:<64 hex>",
);

const serviceSize = {
    Cpu: fromList(FARGATE_CPU_VALUES),
    Memory: intBetween(512, 122880),
    DesiredCount: intBetween(1, 100),
    MinCount: intBetween(1, 100),
    MaxCount: intBetween(1, 100),
};

export const flatConfigSchema = z.object({
    environment: matching(ENVIRONMENT_NAME, "3–16 lowercase letters, digits or hyphens, starting with a letter"),
    tier: oneOf(TIERS).optional(),
    region: matching(REGION, "an AWS region name such as eu-west-1"),
    accountId,
    deployRoleName: matching(IAM_ROLE_NAME, "an IAM role name (1–64 of letters, digits and +=,.@_-)"),
    devAccountId: accountId.optional(),
    stagingAccountId: accountId.optional(),
    prodAccountId: accountId.optional(),
    platform: oneOf(PLATFORMS),
    vpcCidr: z.string(),
    azCount: intBetween(1, 3),
    natGateways: oneOf(NAT_STRATEGIES),
    vpcInterfaceEndpoints: z.boolean(),
    voteCpu: serviceSize.Cpu,
    voteMemory: serviceSize.Memory,
    voteDesiredCount: serviceSize.DesiredCount,
    voteMinCount: serviceSize.MinCount,
    voteMaxCount: serviceSize.MaxCount,
    resultCpu: serviceSize.Cpu,
    resultMemory: serviceSize.Memory,
    resultDesiredCount: serviceSize.DesiredCount,
    resultMinCount: serviceSize.MinCount,
    resultMaxCount: serviceSize.MaxCount,
    workerCpu: serviceSize.Cpu,
    workerMemory: serviceSize.Memory,
    workerDesiredCount: serviceSize.DesiredCount,
    workerMinCount: serviceSize.MinCount,
    workerMaxCount: serviceSize.MaxCount,
    redisNodeType: matching(CACHE_NODE_TYPE, "an ElastiCache node type such as cache.t4g.micro"),
    postgresInstanceClass: matching(DB_INSTANCE_CLASS, "an RDS instance class such as db.t4g.micro"),
    postgresAllocatedStorageGb: intBetween(20, 65536),
    postgresEngineVersion: z
        .string()
        .refine(
            (v) =>
                POSTGRES_VERSION.test(v) &&
                (SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(Number(v.split(".")[0])),
            {
                error: `must be a PostgreSQL version with major ${SUPPORTED_POSTGRES_MAJORS.join(", ")} (e.g. 17 or 16.4)`,
            },
        ),
    multiAz: z.boolean(),
    backupRetentionDays: intBetween(0, 35),
    domainName: matching(DOMAIN_NAME, "a lowercase DNS name such as vote.example.com").optional(),
    certificateArn: matching(
        ACM_CERTIFICATE_ARN,
        "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)",
    ).optional(),
    logRetentionDays: fromList(LOG_RETENTION_DAYS),
    owner: tagValue,
    costCentre: tagValue,
    imageTag: z.string().refine((v) => IMAGE_TAG.test(v) || IMAGE_DIGEST.test(v), {
        error: "must be an image tag (letters, digits, _ . -, up to 128) or a digest sha256:<64 hex>",
    }),
    voteImage: imageReference.optional(),
    resultImage: imageReference.optional(),
    workerImage: imageReference.optional(),
    optionA: label,
    optionB: label,
    ...safetyKeySchema,
    ...lambdaKeySchema,
});

export type FlatConfig = z.infer<typeof flatConfigSchema>;
