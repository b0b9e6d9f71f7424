import { z } from "zod";
import { intBetween, matching } from "../../shared/config/values";
import { cacheNodeTypeProblem, postgresVersionProblem, rdsInstanceClassProblem } from "./catalogues";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import {
    CACHE_NODE_TYPE,
    DB_INSTANCE_CLASS,
    type Platform,
    POSTGRES_VERSION,
    SUPPORTED_POSTGRES_MAJORS,
} from "./rules";

/**
 * A zod refinement running a catalogue check (value → problem) once the value has the pattern's shape, so a
 * malformed value gets one message (the pattern's), a well-formed but non-existent one the catalogue's.
 */
export function catalogue(problemOf: (value: string) => string | undefined, shape: RegExp) {
    return (value: string, ctx: z.RefinementCtx): void => {
        const problem = shape.test(value) ? problemOf(value) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    };
}

/** The container platforms' data layer: ElastiCache Redis and RDS PostgreSQL. */
export const dataKeys = {
    redisNodeType: matching(CACHE_NODE_TYPE, "an ElastiCache node type such as cache.t4g.micro").superRefine(
        catalogue(cacheNodeTypeProblem, CACHE_NODE_TYPE),
    ),
    postgresInstanceClass: matching(DB_INSTANCE_CLASS, "an RDS instance class such as db.t4g.micro").superRefine(
        catalogue(rdsInstanceClassProblem, DB_INSTANCE_CLASS),
    ),
    postgresAllocatedStorageGb: intBetween(20, 65536),
    postgresEngineVersion: z
        .string()
        .refine(
            (v) =>
                POSTGRES_VERSION.test(v) &&
                (SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(Number(v.split(".")[0])),
            {
                error: `must be a PostgreSQL version with major ${SUPPORTED_POSTGRES_MAJORS.join(", ")} (e.g. 17 or 16.10)`,
            },
        )
        .superRefine(catalogue((v) => postgresVersionProblem(v, SUPPORTED_POSTGRES_MAJORS), POSTGRES_VERSION)),
    multiAz: z.boolean(),
    backupRetentionDays: intBetween(0, 35),
};

export type DataFlatConfig = FlatOf<typeof dataKeys> & { readonly platform: Platform; readonly azCount: number };

export interface DataConfig {
    readonly redisNodeType: string;
    readonly postgresInstanceClass: string;
    readonly postgresAllocatedStorageGb: number;
    readonly postgresEngineVersion: string;
    readonly postgresMajorVersion: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
}

/** Prod keeps at least a week of RDS backups and Redis snapshots. */
export const PROD_MINIMUM_BACKUP_DAYS = 7;

export const checkData: ConfigCheck<DataFlatConfig> = (flat, tier, report) => {
    // Prod's data-layer rules apply where RDS and ElastiCache exist: lambda builds neither.
    const prodContainers = tier === "prod" && flat.platform !== "lambda";
    if (prodContainers && !flat.multiAz)
        report("multiAz", flat.multiAz, "must be true in prod (RDS Multi-AZ and Redis automatic failover)");
    if (prodContainers && flat.backupRetentionDays < PROD_MINIMUM_BACKUP_DAYS)
        report("backupRetentionDays", flat.backupRetentionDays, `must be at least ${PROD_MINIMUM_BACKUP_DAYS} in prod`);
    if (flat.multiAz && flat.azCount < 2)
        report("multiAz", flat.multiAz, `needs ${qualifiedKey("azCount")} of at least 2`);
};

export function resolveData(flat: DataFlatConfig): DataConfig {
    return {
        redisNodeType: flat.redisNodeType,
        postgresInstanceClass: flat.postgresInstanceClass,
        postgresAllocatedStorageGb: flat.postgresAllocatedStorageGb,
        postgresEngineVersion: flat.postgresEngineVersion,
        postgresMajorVersion: Number(flat.postgresEngineVersion.split(".")[0]),
        multiAz: flat.multiAz,
        backupRetentionDays: flat.backupRetentionDays,
    };
}
