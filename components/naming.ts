/**
 * Physical names AWS gives short limits to. Names are built from the project and environment, and
 * checked here so a long environment name fails while reading the program, not halfway through a deploy.
 */
export const NAME_LIMITS = {
    loadBalancer: 32,
    targetGroup: 32,
    elasticacheReplicationGroup: 40,
    rdsInstance: 63,
    iamRole: 64,
    ecsCluster: 255,
    eksCluster: 100,
    ecrRepository: 256,
    logGroup: 512,
    secret: 512,
    s3Bucket: 63,
    cloudTrail: 128,
    lambdaFunction: 64,
    /** Including the `.fifo` suffix of FIFO queues. */
    sqsQueue: 80,
    dynamodbTable: 255,
    apiGateway: 128,
    codestarConnection: 32,
    codebuildProject: 255,
    codepipeline: 100,
} as const;

export type NamedKind = keyof typeof NAME_LIMITS;

/** Joins parts with hyphens and checks the kind's length limit. */
export function physicalName(kind: NamedKind, ...parts: string[]): string {
    const name = parts.filter((p) => p.length > 0).join("-");
    const limit = NAME_LIMITS[kind];
    if (name.length > limit)
        throw new Error(
            `The ${kind} name "${name}" is ${name.length} characters; AWS allows at most ${limit}. Use a shorter environment name.`,
        );
    return name;
}

/** Pulumi appends an 8-character random suffix ("-" + 7) to auto-named resources. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** Checks that an auto-named resource's logical name leaves room for Pulumi's suffix. */
export function autoName(kind: NamedKind, ...parts: string[]): string {
    const name = parts.filter((p) => p.length > 0).join("-");
    const limit = NAME_LIMITS[kind] - AUTONAME_SUFFIX_LENGTH;
    if (name.length > limit)
        throw new Error(
            `The ${kind} name prefix "${name}" is ${name.length} characters; with Pulumi's random suffix AWS allows at most ${limit}. Use a shorter environment name.`,
        );
    return name;
}
