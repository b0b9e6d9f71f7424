/**
 * The app contract: the one place that says what configuration each voting-app service receives,
 * whatever the platform (ECS, EKS, Lambda). Platforms turn it into task definition `environment` and
 * `secrets`, Kubernetes env and Secret references, or Lambda environment variables.
 *
 * On AWS no service receives a secret at all: Redis and Postgres clients sign short-lived IAM authentication
 * tokens with their task or pod role (REDIS_AUTH=iam, PGAUTH=iam). The passwords in `AppSecretName` are for
 * local servers only.
 */

/** The three application services that run as containers (redis and postgres are managed services). */
export const APP_SERVICES = ["vote", "result", "worker"] as const;
export type AppService = (typeof APP_SERVICES)[number];

/** Plain (non-secret) environment variable names, by concern. */
export const AppEnv = {
    redisHost: "REDIS_HOST",
    redisPort: "REDIS_PORT",
    /** "true" when the client must speak TLS to Redis (always true on AWS: ElastiCache transit encryption). */
    redisTls: "REDIS_TLS",
    /**
     * How the service authenticates to Redis: "iam" on AWS (an ElastiCache IAM authentication token for REDIS_USER,
     * signed with the task or pod role for REDIS_CACHE_NAME in AWS_REGION, valid 15 minutes, nothing secret stored
     * anywhere); unset locally (REDIS_PASSWORD if the server wants one).
     */
    redisAuth: "REDIS_AUTH",
    /** The service's own ElastiCache user (authentication mode iam; its id is its name). */
    redisUser: "REDIS_USER",
    /** The replication group id: what the Redis IAM token is signed for (not the endpoint's host name). */
    redisCacheName: "REDIS_CACHE_NAME",
    pgHost: "PGHOST",
    pgPort: "PGPORT",
    pgDatabase: "PGDATABASE",
    /** The service's own least-privilege database user (never the RDS master user on AWS). */
    pgUser: "PGUSER",
    /**
     * libpq sslmode: "verify-full" on AWS (the server certificate must chain to an RDS CA and name PGHOST;
     * RDS also forces SSL through its parameter group), "disable" for a local database only.
     */
    pgSslMode: "PGSSLMODE",
    /** PEM file of the CAs to trust instead of the bundled RDS CAs (libpq's PGSSLROOTCERT): local databases. */
    pgSslRootCert: "PGSSLROOTCERT",
    /**
     * How the service authenticates to Postgres: "iam" (an RDS IAM authentication token signed with the task or
     * pod role, valid 15 minutes, nothing secret stored anywhere) on AWS, "password" (PGPASSWORD) locally.
     */
    pgAuth: "PGAUTH",
    /** Region the IAM authentication token is signed for (the database's). */
    awsRegion: "AWS_REGION",
    /** Labels of the two vote options. */
    optionA: "OPTION_A",
    optionB: "OPTION_B",
    /** TCP port an HTTP service listens on inside its container. */
    port: "PORT",
} as const;

/** Secret variable names: injected from a secret store, never set as plain environment. */
export const AppSecretName = {
    /** Local servers only: on AWS the Redis clients sign IAM tokens (REDIS_AUTH=iam) and receive no password. */
    redisPassword: "REDIS_PASSWORD",
    /** Local databases only: on AWS the Postgres clients sign IAM tokens (PGAUTH=iam) and receive no password. */
    pgPassword: "PGPASSWORD",
} as const;

/** The database users of the Postgres clients: the worker writes ballots, result only reads the totals. */
export const DATABASE_USERS = {
    worker: { name: "voteapp_worker", access: "write" },
    result: { name: "voteapp_result", access: "read" },
} as const;
export type DatabaseClient = keyof typeof DATABASE_USERS;
export const DATABASE_CLIENTS = Object.keys(DATABASE_USERS) as DatabaseClient[];

/**
 * The database setup's input (app/src/dbsetup/setup.ts): the database and each client's user with its access.
 * Pulumi sends exactly this to the setup function; the app tests run the setup with it too.
 */
export function databaseSetupInput(database: string): {
    readonly database: string;
    readonly users: { readonly name: string; readonly access: "write" | "read" }[];
} {
    return { database, users: DATABASE_CLIENTS.map((client) => ({ ...DATABASE_USERS[client] })) };
}

/** True for the services that connect to Postgres (SERVICE_NEEDS[service].postgres). */
export function isDatabaseClient(service: AppService): service is DatabaseClient {
    return service in DATABASE_USERS;
}

/**
 * Redis keys of the vote queue (the original app's `votes` list, plus the worker's own two lists). All three hash
 * to one cluster slot (the hash tag `{votes}` hashes as the key `votes` does), so the worker's BLMOVE, LMOVE and
 * MULTI across them work where the cache runs in cluster mode: ElastiCache Serverless always does, and refuses
 * multi-key commands across slots (CROSSSLOT).
 */
export const REDIS_KEYS = {
    /** Ballots waiting for the worker: vote pushes on the right, the worker takes from the left. */
    queue: "votes",
    /** Ballots the worker has taken but not yet committed to Postgres; requeued when a worker starts. */
    processing: "{votes}:processing",
    /** Queue entries that are not valid ballots: kept for inspection, never silently dropped. */
    deadLetter: "{votes}:dead-letter",
} as const;

/**
 * The Redis users of the Redis clients, each with exactly the keys and commands its code sends (ACL rules; the
 * data layer makes them ElastiCache users with IAM authentication, a test runs the app against a real Redis
 * holding these rules). The ready check ioredis runs on connect sends INFO.
 */
export const REDIS_USERS = {
    vote: { keys: [REDIS_KEYS.queue], commands: ["rpush", "info"] },
    worker: {
        keys: [REDIS_KEYS.queue, REDIS_KEYS.processing, REDIS_KEYS.deadLetter],
        commands: ["blmove", "lmove", "lrem", "rpush", "multi", "exec", "info"],
    },
} as const satisfies Record<string, { readonly keys: readonly string[]; readonly commands: readonly string[] }>;
export type RedisClient = keyof typeof REDIS_USERS;
export const REDIS_CLIENTS = Object.keys(REDIS_USERS) as RedisClient[];

/** The ACL rules of a Redis client's user (ElastiCache access string): on, its keys, no command but its own. */
export function redisAccessString(client: RedisClient): string {
    const { keys, commands } = REDIS_USERS[client];
    return ["on", ...keys.map((key) => `~${key}`), "-@all", ...commands.map((command) => `+${command}`)].join(" ");
}

/** True for the services that connect to Redis (SERVICE_NEEDS[service].redis). */
export function isRedisClient(service: AppService): service is RedisClient {
    return service in REDIS_USERS;
}

/** Which services need which backing store: least privilege in secrets and network rules. */
export const SERVICE_NEEDS: Readonly<
    Record<AppService, { readonly redis: boolean; readonly postgres: boolean; readonly http: boolean }>
> = {
    vote: { redis: true, postgres: false, http: true },
    result: { redis: false, postgres: true, http: true },
    worker: { redis: true, postgres: true, http: false },
};

/** Container port the HTTP services (vote, result) listen on. */
export const APP_HTTP_PORT = 8080;

/** Health check path served by vote and result. */
export const APP_HEALTH_PATH = "/healthz";

/**
 * The worker's liveness signal (it serves no HTTP): when the variable is set, the worker rewrites that file
 * at least every `intervalSeconds` while its loop makes progress or retries, so a probe can restart a
 * worker stuck on a call that never returns. Platforms that can run a probe command (Kubernetes) set it.
 */
export const WORKER_HEARTBEAT = {
    variable: "WORKER_HEARTBEAT_FILE",
    intervalSeconds: 5,
    staleAfterSeconds: 60,
} as const;

/** Path prefix of the result service behind a shared load balancer (ALB path rules, API Gateway routes). */
export const RESULT_PATH_PREFIX = "/result";

/** ALB path patterns that reach result; everything else reaches vote. */
export const RESULT_PATH_PATTERNS = [RESULT_PATH_PREFIX, `${RESULT_PATH_PREFIX}/*`] as const;

/** What the result Lambda function serves (its HTTP API routes). */
export const LAMBDA_RESULT_PATHS = {
    page: RESULT_PATH_PREFIX,
    totals: `${RESULT_PATH_PREFIX}/totals.json`,
    script: `${RESULT_PATH_PREFIX}/app.js`,
    health: `${RESULT_PATH_PREFIX}${APP_HEALTH_PATH}`,
} as const;

/**
 * Environment of the Lambda functions (serverless platform). The container contract's Redis/Postgres
 * settings do not apply: the vote function sends to an SQS FIFO queue, the worker and result functions use
 * a DynamoDB table. The platform component sets these names; the handlers read them.
 */
export const LambdaEnv = {
    /** URL of the SQS FIFO queue of ballots (vote function). */
    queueUrl: "VOTES_QUEUE_URL",
    /** Name of the DynamoDB table of voters and totals (worker and result functions). */
    tableName: "VOTES_TABLE_NAME",
} as const;

/** The votes table's partition key attribute (type S): the component declares it, the handlers key items by it. */
export const TABLE_PARTITION_KEY = "pk";

/**
 * The DynamoDB actions each function's store calls need (app/src/lambda/store.ts): the component grants exactly
 * these on the table, and a test runs the store's calls to check they are all it uses.
 */
export const STORE_IAM_ACTIONS = {
    worker: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
    result: ["dynamodb:GetItem"],
} as const;

/** Default vote options, as in the original voting app. */
export const DEFAULT_OPTIONS = { a: "Cats", b: "Dogs" } as const;

/** Connection details of the data layer, as the platforms receive them from the Data component. */
export interface DataEndpoints<T> {
    readonly redisHost: T;
    readonly redisPort: T;
    readonly pgHost: T;
    readonly pgPort: T;
    readonly pgDatabase: T;
    /** Each Postgres client's own database user (created by the data layer's database setup). */
    readonly pgUsers: Readonly<Record<DatabaseClient, T>>;
    /** The replication group id the Redis IAM tokens are signed for. */
    readonly redisCacheName: T;
    /** Each Redis client's own ElastiCache user (IAM authentication). */
    readonly redisUsers: Readonly<Record<RedisClient, T>>;
    /** The data stores' region: the IAM authentication tokens are signed for it. */
    readonly region: T;
}

/**
 * The plain environment for one service, given resolved or output-typed endpoint values.
 * Only the variables the service needs: vote gets no Postgres settings, result no Redis settings.
 */
export function appEnvironment<T>(
    service: AppService,
    data: DataEndpoints<T>,
    literal: (value: string) => T,
    options: { readonly a: string; readonly b: string } = DEFAULT_OPTIONS,
): Record<string, T> {
    const needs = SERVICE_NEEDS[service];
    const env: Record<string, T> = {
        [AppEnv.optionA]: literal(options.a),
        [AppEnv.optionB]: literal(options.b),
    };
    if (needs.http) env[AppEnv.port] = literal(String(APP_HTTP_PORT));
    if (needs.redis && isRedisClient(service)) {
        env[AppEnv.redisHost] = data.redisHost;
        env[AppEnv.redisPort] = data.redisPort;
        env[AppEnv.redisTls] = literal("true");
        env[AppEnv.redisAuth] = literal("iam");
        env[AppEnv.redisUser] = data.redisUsers[service];
        env[AppEnv.redisCacheName] = data.redisCacheName;
        env[AppEnv.awsRegion] = data.region;
    }
    if (needs.postgres && isDatabaseClient(service)) {
        env[AppEnv.pgHost] = data.pgHost;
        env[AppEnv.pgPort] = data.pgPort;
        env[AppEnv.pgDatabase] = data.pgDatabase;
        env[AppEnv.pgUser] = data.pgUsers[service];
        env[AppEnv.pgSslMode] = literal("verify-full");
        env[AppEnv.pgAuth] = literal("iam");
        env[AppEnv.awsRegion] = data.region;
    }
    return env;
}
