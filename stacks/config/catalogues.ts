import { closest } from "fastest-levenshtein";
import * as fs from "node:fs";
import * as path from "node:path";
// The enums' own modules, not @pulumi/aws's index: that loads the whole provider and the SDK (~0.8 CPU-s) for
// two lists of names, in every process that only reads config (scripts/stack-info.ts, the CLIs).
import { InstanceType as Ec2InstanceType } from "@pulumi/aws/types/enums/ec2";
import { InstanceType as RdsInstanceType } from "@pulumi/aws/types/enums/rds";

/**
 * Catalogues of values AWS actually has, for the config checks that a pattern cannot make: a region that
 * fits `xx-name-n` but does not exist, an instance size its family never had, an engine version RDS or
 * ElastiCache does not offer, an ARN of another partition. Each check is a pure function, value → problem
 * (a sentence naming what is allowed) or undefined, so any config structure can call it.
 *
 * Where each catalogue comes from (see CATALOGUE_SOURCES, printed in the README's config reference):
 * - regions and partitions: the AWS SDK's own endpoint partition data (@aws-sdk/core, installed with our
 *   AWS SDK clients), the table the SDK resolves endpoints with;
 * - EC2 instance types: @pulumi/aws's `ec2.InstanceType` enum (generated from the AWS provider schema);
 * - RDS instance classes and ElastiCache node types: the instance families each service offers (AWS docs,
 *   checked-in and dated below) with the sizes EC2 has for that family (the enum above), no bare metal;
 *   plus @pulumi/aws's `rds.InstanceType` enum;
 * - engine versions: checked-in, dated lists (AWS release notes, via the sources cited on each list).
 */

export interface CatalogueSource {
    readonly catalogue: string;
    readonly source: string;
    readonly checked: string;
}

// ---------------------------------------------------------------------------------------------------
// Regions and partitions

interface PartitionsData {
    readonly partitions: readonly {
        readonly id: string;
        readonly regionRegex: string;
        readonly regions: Readonly<Record<string, { readonly description?: string }>>;
    }[];
}

const SDK_CORE_DIR = path.dirname(require.resolve("@aws-sdk/core/package.json"));
const PARTITIONS_FILE = path.join(
    SDK_CORE_DIR,
    "dist-es",
    "submodules",
    "client",
    "util-endpoints",
    "lib",
    "aws",
    "partitions.js",
);

/** The SDK's partitions table (`export const partitionsInfo = {...}`: JSON after the assignment). */
function readPartitions(): PartitionsData {
    const text = fs.readFileSync(PARTITIONS_FILE, "utf8");
    return JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as PartitionsData;
}

const PARTITIONS = readPartitions();

/** Every region the SDK knows, with its partition (pseudo-regions such as aws-global excluded). */
export const AWS_REGIONS: ReadonlyMap<string, string> = new Map(
    PARTITIONS.partitions.flatMap((p) =>
        Object.keys(p.regions)
            .filter((r) => new RegExp(p.regionRegex).test(r))
            .map((r) => [r, p.id] as const),
    ),
);

export const SDK_CORE_VERSION = (
    JSON.parse(fs.readFileSync(path.join(SDK_CORE_DIR, "package.json"), "utf8")) as { version: string }
).version;

export function regionProblem(region: string): string | undefined {
    if (AWS_REGIONS.has(region)) return undefined;
    return `is not an AWS region (the AWS SDK's partition data, @aws-sdk/core ${SDK_CORE_VERSION}, lists ${AWS_REGIONS.size}); did you mean ${closest(region, [...AWS_REGIONS.keys()])}?`;
}

/** The partition of a known region (aws, aws-cn, aws-us-gov, ...), or undefined. */
export function partitionOfRegion(region: string): string | undefined {
    return AWS_REGIONS.get(region);
}

/** An ARN whose partition is not the region's: AWS would reject it (or it names a resource the stack cannot reach). */
export function arnPartitionProblem(arn: string, region: string): string | undefined {
    const expected = partitionOfRegion(region);
    const actual = /^arn:([^:]+):/.exec(arn)?.[1];
    if (expected === undefined || actual === undefined || actual === expected) return undefined;
    return `is in partition ${actual}, but region ${region} is in partition ${expected} (use arn:${expected}:...)`;
}

// ---------------------------------------------------------------------------------------------------
// Instance types

/** EC2 instance types @pulumi/aws knows, by family → sizes. */
const EC2_TYPES: readonly string[] = Object.values(Ec2InstanceType);
const EC2_SIZES = new Map<string, Set<string>>();
for (const t of EC2_TYPES) {
    const [family, size] = t.split(".");
    if (!EC2_SIZES.has(family)) EC2_SIZES.set(family, new Set());
    EC2_SIZES.get(family)?.add(size);
}

export function ec2InstanceTypeProblem(type: string): string | undefined {
    if (EC2_TYPES.includes(type)) return undefined;
    const [family, size] = type.split(".");
    const sizes = EC2_SIZES.get(family);
    if (sizes)
        return `is not an EC2 instance type: family ${family} has no size ${size} (it has ${[...sizes].sort().join(", ")})`;
    return `is not an EC2 instance type (@pulumi/aws's ec2.InstanceType lists ${EC2_TYPES.length}); did you mean ${closest(type, [...EC2_TYPES])}?`;
}

/**
 * Instance families RDS for PostgreSQL offers (AWS RDS User Guide, "Supported DB engines for DB instance
 * classes", PostgreSQL column; previous generations db.m4/db.r4/db.t2 excluded as no longer creatable).
 */
export const RDS_POSTGRES_FAMILIES = [
    "t3",
    "t4g",
    "m5",
    "m5d",
    "m6g",
    "m6gd",
    "m6i",
    "m6id",
    "m6idn",
    "m6in",
    "m7g",
    "m7i",
    "m8g",
    "r5",
    "r5b",
    "r5d",
    "r6g",
    "r6gd",
    "r6i",
    "r6id",
    "r6idn",
    "r6in",
    "r7g",
    "r7i",
    "r8g",
    "x2g",
    "x2idn",
    "x2iedn",
    "x2iezn",
    "z1d",
] as const;

/** Sizes a service never offers for a family although EC2 does (burstable nano, bare metal). */
const RDS_EXCLUDED_SIZES = /^(nano|metal.*)$/;

const RDS_ENUM: readonly string[] = Object.values(RdsInstanceType);

export function rdsInstanceClassProblem(cls: string): string | undefined {
    if (RDS_ENUM.includes(cls)) return undefined;
    const m = /^db\.([a-z0-9]+)\.([a-z0-9-]+)$/.exec(cls);
    if (!m) return "is not an RDS instance class (db.<family>.<size>, e.g. db.t4g.micro)";
    const [, family, size] = m;
    if (!(RDS_POSTGRES_FAMILIES as readonly string[]).includes(family))
        return `is not an RDS for PostgreSQL instance class: family db.${family} is not offered (families: ${RDS_POSTGRES_FAMILIES.map((f) => `db.${f}`).join(", ")})`;
    const sizes = [...(EC2_SIZES.get(family) ?? [])].filter((s) => !RDS_EXCLUDED_SIZES.test(s)).sort();
    if (!sizes.includes(size))
        return `is not an RDS instance class: db.${family} has no size ${size} (it has ${sizes.join(", ")})`;
    return undefined;
}

/**
 * Node families ElastiCache offers for Valkey/Redis OSS (AWS ElastiCache User Guide, "Supported node types",
 * current generation), with the sizes each family is offered in when ElastiCache restricts EC2's list.
 */
export const ELASTICACHE_FAMILIES = ["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn"] as const;
const ELASTICACHE_SIZE_LIMITS: Readonly<Record<string, readonly string[]>> = {
    t3: ["micro", "small", "medium"],
    t4g: ["micro", "small", "medium"],
    r6gd: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
};

export function cacheNodeTypeProblem(type: string): string | undefined {
    const m = /^cache\.([a-z0-9]+)\.([a-z0-9-]+)$/.exec(type);
    if (!m) return "is not an ElastiCache node type (cache.<family>.<size>, e.g. cache.t4g.micro)";
    const [, family, size] = m;
    if (!(ELASTICACHE_FAMILIES as readonly string[]).includes(family))
        return `is not an ElastiCache node type: family cache.${family} is not offered (families: ${ELASTICACHE_FAMILIES.map((f) => `cache.${f}`).join(", ")})`;
    const sizes =
        ELASTICACHE_SIZE_LIMITS[family] ??
        [...(EC2_SIZES.get(family) ?? [])].filter((s) => !RDS_EXCLUDED_SIZES.test(s)).sort();
    if (!sizes.includes(size))
        return `is not an ElastiCache node type: cache.${family} has no size ${size} (it has ${sizes.join(", ")})`;
    return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Engine versions

/**
 * RDS for PostgreSQL minor versions one can create, per major. Source: aws/aws-cdk
 * packages/aws-cdk-lib/aws-rds/lib/instance-engine.ts (PostgresEngineVersion, which marks the ones RDS no
 * longer supports), minus those AWS's May 2026 notice retired (14.14–14.17, 15.9–15.12, 16.5–16.8,
 * 17.1–17.4 reached end of standard support on 2026-05-31). Checked 2026-12-03.
 */
export const RDS_POSTGRES_VERSIONS: Readonly<Record<number, readonly number[]>> = {
    14: [12, 13, 18, 19, 20, 21, 22],
    15: [7, 8, 13, 14, 15, 16, 17],
    16: [3, 4, 9, 10, 11, 12, 13],
    17: [5, 6, 7, 8, 9],
    18: [1, 2, 3],
};

/** `17` (RDS picks the newest minor) or `17.6`; the major must be one the stack supports as well. */
export function postgresVersionProblem(version: string, supportedMajors: readonly number[]): string | undefined {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(version);
    if (!m) return "is not a PostgreSQL version (major, or major.minor such as 17 or 16.10)";
    const major = Number(m[1]);
    const minors = RDS_POSTGRES_VERSIONS[major];
    if (!minors || !supportedMajors.includes(major))
        return `is not a PostgreSQL major this stack supports on RDS (${supportedMajors.filter((x) => x in RDS_POSTGRES_VERSIONS).join(", ")})`;
    if (m[2] !== undefined && !minors.includes(Number(m[2])))
        return `is not an RDS for PostgreSQL version one can create: ${major} offers ${minors.map((n) => `${major}.${n}`).join(", ")} (or just ${major} for the newest)`;
    return undefined;
}

/**
 * ElastiCache engine versions for node-based clusters. Source: AWS ElastiCache User Guide, "Engine versions
 * and upgrading" / "Supported engines and versions" (Valkey 7.2 to 9.1; Redis OSS 4.0.10 to 7.1). Checked 2026-12-03.
 */
export const ELASTICACHE_ENGINE_VERSIONS: Readonly<Record<"redis" | "valkey", readonly string[]>> = {
    redis: ["4.0.10", "5.0.6", "6.0", "6.2", "7.0", "7.1"],
    valkey: ["7.2", "8.0", "8.1", "8.2", "9.0", "9.1"],
};

export function cacheEngineVersionProblem(engine: string, version: string): string | undefined {
    const versions = (ELASTICACHE_ENGINE_VERSIONS as Readonly<Record<string, readonly string[]>>)[engine];
    if (!versions) return `engine ${engine} is not offered by ElastiCache for this stack (redis or valkey)`;
    if (versions.includes(version)) return undefined;
    return `is not an ElastiCache ${engine} version (${versions.join(", ")})`;
}

/** Where each catalogue comes from and when it was checked: the README's config reference prints this. */
export const CATALOGUE_SOURCES: readonly CatalogueSource[] = [
    {
        catalogue: "regions and partitions",
        source: "AWS SDK endpoint partition data (@aws-sdk/core, as installed by package-lock.json)",
        checked: "with the installed package",
    },
    {
        catalogue: "EC2 instance types",
        source: "@pulumi/aws ec2.InstanceType enum (as installed by package-lock.json)",
        checked: "with the installed package",
    },
    {
        catalogue: "RDS for PostgreSQL instance classes",
        source: "families: AWS RDS User Guide, supported DB engines for DB instance classes; sizes: EC2 types of the family; plus @pulumi/aws rds.InstanceType",
        checked: "2026-12-03",
    },
    {
        catalogue: "ElastiCache node types",
        source: "families and burstable sizes: AWS ElastiCache User Guide, supported node types; other sizes: EC2 types of the family",
        checked: "2026-12-03",
    },
    {
        catalogue: "RDS for PostgreSQL versions",
        source: "aws/aws-cdk aws-rds instance-engine.ts PostgresEngineVersion, minus AWS's May 2026 end-of-standard-support notice",
        checked: "2026-12-03",
    },
    {
        catalogue: "ElastiCache Redis OSS / Valkey versions",
        source: "AWS ElastiCache User Guide, engine versions and upgrading",
        checked: "2026-12-03",
    },
];
