import { z } from "zod";
import {
    APP_SERVICE_TABLE,
    APP_SERVICES,
    type AppService,
    type AppServiceSpec,
    consumesVotesQueue,
    type ServiceTable,
} from "../../shared/appContract";
import type { ConfigKeyDeclaration } from "../../shared/config/reader";
import { fromList, intBetween, matching } from "../../shared/config/values";
import { recordOf } from "../../shared/record";
import { FARGATE_CPU_VALUES } from "./fargate";
import { LAMBDA_MEMORY_MB, WORKER_CONCURRENCY } from "./lambdaLimits";
import { IMAGE_REFERENCE } from "./rules";

/**
 * The config keys every row of the service table gets (shared/appContract.ts APP_SERVICE_TABLE): one table of
 * fields, each with its key's name (derived from the row's name), its Pulumi.yaml declaration (description and
 * the row's default) and its zod schema. keys.ts declares, schema.ts validates and the domains (services.ts,
 * delivery.ts, lambda.ts) read exactly these, so a row added to the table has every key, declared, validated
 * and applied, with no per-service line anywhere else.
 */

const imageReference = matching(
    IMAGE_REFERENCE,
    "a full image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/vote@sha256:<64 hex>",
);

/** What one field of a service's keys is: its declaration and its schema, for a row of the table. */
interface FieldDefinition {
    readonly declare: (spec: AppServiceSpec) => ConfigKeyDeclaration;
    readonly schema: (spec: AppServiceSpec) => z.ZodType;
}

const integer = (description: string, value: number): ConfigKeyDeclaration => ({
    type: "integer",
    description,
    default: value,
});

/**
 * Every per-service key, by field. Fields named `Lambda<What>` are the service's function on the lambda
 * platform and are called `lambda<Service><What>` (e.g. lambdaVoteMemory); the others `<service><Field>`
 * (e.g. voteCpu, voteImage).
 */
const SERVICE_KEY_FIELDS = {
    Cpu: {
        declare: (spec) =>
            integer(
                `Fargate CPU units of one ${spec.name} task (256, 512, 1024, 2048, 4096, 8192, 16384).`,
                spec.defaultSize.cpu,
            ),
        schema: () => fromList(FARGATE_CPU_VALUES),
    },
    Memory: {
        declare: (spec) =>
            integer(
                `Memory (MiB) of one ${spec.name} task; must be a size Fargate offers with the CPU value.`,
                spec.defaultSize.memory,
            ),
        schema: () => intBetween(512, 122880),
    },
    DesiredCount: {
        declare: (spec) => integer(`Number of ${spec.name} tasks/pods to run.`, 1),
        schema: () => intBetween(1, 100),
    },
    MinCount: {
        declare: (spec) => integer(`Autoscaling floor for ${spec.name}.`, 1),
        schema: () => intBetween(1, 100),
    },
    MaxCount: {
        declare: (spec) =>
            integer(
                spec.singleReplica
                    ? `Ceiling for ${spec.name}: 1 on ecs and eks, where the ${spec.name} runs as one replica.`
                    : `Autoscaling ceiling for ${spec.name}.`,
                spec.defaultSize.maxCount,
            ),
        schema: () => intBetween(1, 100),
    },
    Image: {
        declare: (spec) => ({
            type: "string",
            description: `Full image reference for ${spec.name}, overriding the stack's ECR repository and imageTag.`,
            optional: true,
        }),
        schema: () => imageReference.optional(),
    },
    LambdaMemory: {
        declare: (spec) =>
            integer(
                `Memory (MiB, ${LAMBDA_MEMORY_MB.min}–${LAMBDA_MEMORY_MB.max}) of the ${spec.name} function (platform lambda); CPU scales with it.`,
                spec.lambda.defaultSize.memoryMb,
            ),
        schema: () => intBetween(LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max, " MiB (what Lambda offers)"),
    },
    LambdaReservedConcurrency: {
        declare: (spec) =>
            integer(
                consumesVotesQueue(spec)
                    ? `Reserved concurrency of the ${spec.name} function (${WORKER_CONCURRENCY.min}–${WORKER_CONCURRENCY.max}), also the queue mapping's maximum concurrency so it is never throttled.`
                    : `Reserved concurrency of the ${spec.name} function (1–1000): its ceiling and its guaranteed share.`,
                spec.lambda.defaultSize.reservedConcurrency,
            ),
        schema: (spec) =>
            consumesVotesQueue(spec)
                ? intBetween(
                      WORKER_CONCURRENCY.min,
                      WORKER_CONCURRENCY.max,
                      " (the queue's event source mapping needs a maximum concurrency of at least 2)",
                  )
                : intBetween(1, 1000, " (0 would stop the function)"),
    },
} as const satisfies Record<string, FieldDefinition>;

/** A field of a service's keys. */
export type ServiceKeyField = keyof typeof SERVICE_KEY_FIELDS;
export const SERVICE_KEY_FIELD_NAMES = Object.keys(SERVICE_KEY_FIELDS) as ServiceKeyField[];

/** The config key of a service's field: `voteCpu`, `voteImage`, `lambdaVoteMemory`. */
export type ServiceKeyName<S extends string, F extends ServiceKeyField> = F extends `Lambda${infer What}`
    ? `lambda${Capitalize<S>}${What}`
    : `${S}${F}`;

/** Any service's key (the reporter accepts these for a row added to the table at run time). */
export type ServiceConfigKey = ServiceKeyName<string, ServiceKeyField>;

/** The config key of a service's field, e.g. serviceKeyName("vote", "LambdaMemory") is "lambdaVoteMemory". */
export function serviceKeyName<S extends string, F extends ServiceKeyField>(
    service: S,
    field: F,
): ServiceKeyName<S, F> {
    const lambda = /^Lambda(.+)$/.exec(field);
    // The template literal types above say the same as these two lines; TypeScript cannot follow string building.
    const name = lambda
        ? `lambda${service.charAt(0).toUpperCase()}${service.slice(1)}${lambda[1]}`
        : `${service}${field}`;
    return name as ServiceKeyName<S, F>;
}

/** A row's keys, by key name, each mapped through `value` (its declaration or its schema). */
type KeysOf<S extends string, V extends { [F in ServiceKeyField]: unknown }> = {
    [F in ServiceKeyField as ServiceKeyName<S, F>]: V[F];
};
type Schemas = { [F in ServiceKeyField]: ReturnType<(typeof SERVICE_KEY_FIELDS)[F]["schema"]> };
type Declarations = { [F in ServiceKeyField]: ConfigKeyDeclaration };

function keysOf<S extends string, V extends { [F in ServiceKeyField]: unknown }>(service: S, byField: V): KeysOf<S, V> {
    return Object.fromEntries(
        SERVICE_KEY_FIELD_NAMES.map((field) => [serviceKeyName(service, field), byField[field]]),
    ) as KeysOf<S, V>;
}

const fieldSchemas = (spec: AppServiceSpec): Schemas =>
    recordOf(SERVICE_KEY_FIELD_NAMES, (field) => SERVICE_KEY_FIELDS[field].schema(spec)) as Schemas;

/**
 * The rows of a table merged into one record, typed by their names: every row of the shipped table is a
 * literal, so the result names each key (voteCpu, ..., lambdaWorkerReservedConcurrency) for the compiler.
 */
function everyRow<T extends readonly AppServiceSpec[], V extends { [F in ServiceKeyField]: unknown }>(
    table: T,
    byField: (spec: AppServiceSpec) => V,
): KeysOf<T[number]["name"], V> {
    return Object.assign({}, ...table.map((spec) => keysOf(spec.name, byField(spec)))) as KeysOf<T[number]["name"], V>;
}

/** The declarations (Pulumi.yaml, did-you-mean, defaults) of every row's keys. */
export function serviceKeyDeclarations<T extends ServiceTable>(table: T): KeysOf<T[number]["name"], Declarations> {
    return everyRow(table, (spec) =>
        recordOf(SERVICE_KEY_FIELD_NAMES, (field) => SERVICE_KEY_FIELDS[field].declare(spec)),
    );
}

/** The zod schemas of every row's keys, for the one schema (schema.ts). */
export function serviceKeySchemas<T extends ServiceTable>(table: T): KeysOf<T[number]["name"], Schemas> {
    return everyRow(table, fieldSchemas);
}

/** A service's validated key values, by field. */
export type ServiceKeyValues = Readonly<z.output<z.ZodObject<Schemas>>>;

/** A row of the table with its keys' validated values: what the per-service checks and resolvers read. */
export interface ConfiguredService {
    readonly spec: AppServiceSpec;
    readonly values: ServiceKeyValues;
    /**
     * The row is in the table the program runs with (false: a shipped row that table leaves out, whose keys are
     * still declared and validated but which no platform deploys). Checks that count what runs (node fit, pod
     * networking, reserved concurrency) count these rows only.
     */
    readonly runs: boolean;
}

/** The configured services the stack deploys: the rows of the table it runs with. */
export function runningServices(services: readonly ConfiguredService[]): readonly ConfiguredService[] {
    return services.filter((service) => service.runs);
}

/**
 * Each row's values out of the flat config the one schema parsed (read again through the row's own schemas, by
 * field, so they come out typed whatever the row's name).
 */
export function configuredServices(
    flat: Readonly<Record<string, unknown>>,
    table: ServiceTable,
): readonly ConfiguredService[] {
    return configuredRows(table).map((spec) => {
        const byField = recordOf(SERVICE_KEY_FIELD_NAMES, (field) => flat[serviceKeyName(spec.name, field)]);
        return { spec, values: z.object(fieldSchemas(spec)).parse(byField), runs: table.includes(spec) };
    });
}

/**
 * The rows of a table that are not rows of the shipped table (APP_SERVICE_TABLE's keys are CONFIG_KEYS and
 * flatConfigSchema already): what a table handed to the program adds or replaces. A shipped row a table leaves
 * out keeps its keys, declared and validated but unused.
 */
export function rowsBeyondShipped(table: ServiceTable): ServiceTable {
    const shipped: ServiceTable = APP_SERVICE_TABLE;
    return table.filter((spec) => !shipped.includes(spec));
}

/**
 * The rows whose keys a run validates and resolves: the table's, and each shipped row the table does not hold by
 * name (its keys stay declared, so their values are checked and resolved too, though no platform uses them).
 */
function configuredRows(table: ServiceTable): ServiceTable {
    const names = new Set(table.map((spec) => spec.name));
    const shipped: ServiceTable = APP_SERVICE_TABLE;
    return [...shipped.filter((spec) => !names.has(spec.name)), ...table];
}

/** A value per configured service: every shipped service's, and any a table handed to the program adds. */
export type PerService<T> = Readonly<Record<AppService, T>> & Readonly<Partial<Record<string, T>>>;

/** `value` of each configured service, by name (configuredServices lists every shipped service). */
export function perService<T>(
    services: readonly ConfiguredService[],
    value: (service: ConfiguredService) => T,
): PerService<T> {
    const byName: Partial<Record<string, T>> = Object.fromEntries(services.map((s) => [s.spec.name, value(s)]));
    const shipped = recordOf(APP_SERVICES, (name) => {
        const entry = byName[name];
        if (entry === undefined) throw new Error(`the configured services have no entry for "${name}"`);
        return entry;
    });
    return { ...byName, ...shipped };
}
