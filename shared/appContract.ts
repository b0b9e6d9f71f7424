/**
 * The app contract: the one place that says what configuration each voting-app service receives,
 * whatever the platform (ECS, EKS, Lambda). Platforms turn it into task definition `environment` and
 * `secrets`, Kubernetes env and Secret references, or Lambda environment variables.
 *
 * On AWS no service receives a secret at all: Redis and Postgres clients sign short-lived IAM authentication
 * tokens with their task or pod role (REDIS_AUTH=iam, PGAUTH=iam). The passwords in `AppSecretName` are for
 * local servers only.
 */

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
    /** How the result page stays live: "stream" (server-sent events, the default) or "poll" (RESULT_EVENT_MODES). */
    resultEvents: "RESULT_EVENTS",
} as const;

/**
 * How the result page stays live: `stream` (server-sent events; behind the ALB, whose idle timeout the stream's
 * heartbeats keep open) or `poll` (the page polls the JSON totals every 2 s). Behind an API Gateway HTTP API
 * (ecsIngress httpApi) the services get `poll`: the API ends an integration at 30 s and returns a response once it
 * is complete, so an event stream would reach the browser in one late burst, or be cut with a 504. A stream a
 * client still opens there (a page loaded before the switch) ends after RESULT_STREAM_LIMIT_SECONDS, before the
 * API's cut, and the browser's EventSource reconnects (`retry`).
 */
export const RESULT_EVENT_MODES = ["stream", "poll"] as const;
export type ResultEventMode = (typeof RESULT_EVENT_MODES)[number];

/** Under `poll`, the longest an event stream stays open: under the HTTP API's 30 s integration timeout. */
export const RESULT_STREAM_LIMIT_SECONDS = 25;

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

/**
 * Environment of the database setup function (plain: an ARN names a secret, it is not one): the component
 * (components/databaseSetup.ts) sets these, the handler (app/src/dbsetup/handler.ts) reads them.
 */
export const DATABASE_SETUP_ENV = {
    host: "PGHOST",
    port: "PGPORT",
    database: "PGDATABASE",
    masterSecretArn: "MASTER_SECRET_ARN",
    /** "verify-full" on AWS; "disable" only for a local test database. */
    sslMode: "PGSSLMODE",
    /** Local test databases: trust this PEM instead of the RDS CAs. */
    sslRootCert: "PGSSLROOTCERT",
} as const;

/** True for the services with a database user (those whose row says `postgres`). */
export function isDatabaseClient(service: string): service is DatabaseClient {
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

/**
 * ElastiCache user, user group and cache ids: lowercase letters, digits and single hyphens, a letter first (IAM
 * authentication requires lowercase). The data layer refuses to create an id outside it, and the app refuses a
 * REDIS_USER or REDIS_CACHE_NAME outside it.
 */
export const ELASTICACHE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The ACL rules of a Redis client's user (ElastiCache access string): on, its keys, no command but its own. */
export function redisAccessString(client: RedisClient): string {
    const { keys, commands } = REDIS_USERS[client];
    return ["on", ...keys.map((key) => `~${key}`), "-@all", ...commands.map((command) => `+${command}`)].join(" ");
}

/** True for the services with a Redis user (those whose row says `redis`). */
export function isRedisClient(service: string): service is RedisClient {
    return service in REDIS_USERS;
}

/** Container port the HTTP services (vote, result) listen on. */
export const APP_HTTP_PORT = 8080;

/** Health check path served by vote and result. */
export const APP_HEALTH_PATH = "/healthz";

/** The `level` of the app's JSON log lines (app/src/core/log.ts). */
export type LogLevel = "info" | "warn" | "error";
/** The level of the lines the stacks count as a service's errors (observability's log metric filters). */
export const ERROR_LOG_LEVEL: LogLevel = "error";

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

/**
 * The result service's JSON totals, on every platform (container and function): its page polls them, and the
 * deploy workflow's smoke test (scripts/smoke-test.ts) reads them through the stack's entry point.
 */
export const RESULT_TOTALS_PATH = `${RESULT_PATH_PREFIX}/totals.json`;

/** What the result Lambda function serves (its HTTP API routes). */
export const LAMBDA_RESULT_PATHS = {
    page: RESULT_PATH_PREFIX,
    totals: RESULT_TOTALS_PATH,
    script: `${RESULT_PATH_PREFIX}/app.js`,
    health: `${RESULT_PATH_PREFIX}${APP_HEALTH_PATH}`,
} as const;

/** API Gateway routes of the vote function. The handler answers exactly these paths (and 404 anything else). */
export const VOTE_LAMBDA_ROUTES = ["GET /", "HEAD /", "POST /", `GET ${APP_HEALTH_PATH}`] as const;
/** API Gateway routes of the result function. */
export const RESULT_LAMBDA_ROUTES = [
    `GET ${LAMBDA_RESULT_PATHS.page}`,
    `GET ${LAMBDA_RESULT_PATHS.totals}`,
    `GET ${LAMBDA_RESULT_PATHS.script}`,
    `GET ${LAMBDA_RESULT_PATHS.health}`,
] as const;

/**
 * What a function of the serverless platform does with its stores (each grants exactly its IAM statements and
 * sets its environment variable): send ballots to the votes queue, receive them from it (the one consumer: an
 * event source mapping), record them in the votes table, or read the totals from it.
 */
export type LambdaStoreAccess = "sendBallots" | "receiveBallots" | "recordBallots" | "readTotals";

/** How an HTTP service is reached through the stack's one entry point, on every platform. */
export interface HttpRouting {
    /**
     * ALB path patterns that reach the service (the Ingress takes those without `*` as prefixes). Omitted for
     * the one default service, which gets every path no other service claims (`/*`).
     * @example ["/result", "/result/*"]
     */
    readonly pathPatterns?: readonly string[];
    /**
     * Listener rule priority (1–50000, lower matches first; the Ingress lists paths in this order). The default
     * service's rule (`/*`, ECS native blue/green only) must come last.
     */
    readonly priority: number;
    /** API Gateway route keys of the service's function (lambda platform). @example ["GET /result"] */
    readonly lambdaRoutes: readonly string[];
}

/**
 * One row of the service table: everything the platforms derive a service from. Adding a service is a row here
 * (and its image and handler in app/): the load balancer's target groups and rules, the Fargate services, the
 * Kubernetes Deployments and Ingress paths, the Lambda functions and routes, the security groups, the
 * alarms and its config keys (sizes, counts, image pin, function size: stacks/config/serviceKeys.ts) follow.
 */
export interface AppServiceSpec {
    /**
     * A DNS label: the ECS service and container, the Kubernetes objects, the image repository
     * (`<project>-<environment>/<name>`), the function (`<namePrefix>-<name>`) and the alarms are named by it.
     */
    readonly name: string;
    /**
     * The service serves HTTP on APP_HTTP_PORT behind the entry point (health check GET APP_HEALTH_PATH), and
     * deploys blue/green where the stack's strategy does (two target groups on ecs, two slots on eks).
     * Omitted: a background worker (no port, a heartbeat health check, always rolls).
     */
    readonly http?: HttpRouting;
    /** Connects to Redis (as its own user: REDIS_USERS must list it). */
    readonly redis: boolean;
    /** Connects to PostgreSQL (as its own user: DATABASE_USERS must list it). */
    readonly postgres: boolean;
    /** Runs as exactly one replica, replaced only once stopped (no autoscaling, no rolling overlap). */
    readonly singleReplica: boolean;
    /** The service on the lambda platform: its handler bundle (app/build.ts LAMBDA_ENTRIES) and its stores. */
    readonly lambda: {
        readonly bundle: string;
        /** The function's description. */
        readonly description: string;
        readonly access: readonly LambdaStoreAccess[];
        /** Defaults of the function's keys, lambda<Service>Memory and lambda<Service>ReservedConcurrency. */
        readonly defaultSize: { readonly memoryMb: number; readonly reservedConcurrency: number };
    };
    /** Defaults of its task keys: <service>Cpu and <service>Memory (one task), <service>MaxCount (the ceiling). */
    readonly defaultSize: { readonly cpu: number; readonly memory: number; readonly maxCount: number };
}

/**
 * The service table of the voting app: vote (the default route, queues ballots in Redis), result (`/result`,
 * reads the totals from PostgreSQL) and the worker (moves ballots from Redis to PostgreSQL, no HTTP).
 */
export const APP_SERVICE_TABLE = [
    {
        name: "vote",
        http: { priority: 100, lambdaRoutes: VOTE_LAMBDA_ROUTES },
        redis: true,
        postgres: false,
        singleReplica: false,
        lambda: {
            bundle: "vote-lambda",
            description: "Vote page and ballots: API Gateway to the votes FIFO queue",
            access: ["sendBallots"],
            defaultSize: { memoryMb: 256, reservedConcurrency: 20 },
        },
        defaultSize: { cpu: 256, memory: 512, maxCount: 2 },
    },
    {
        name: "result",
        http: { pathPatterns: RESULT_PATH_PATTERNS, priority: 10, lambdaRoutes: RESULT_LAMBDA_ROUTES },
        redis: false,
        postgres: true,
        singleReplica: false,
        lambda: {
            bundle: "result-lambda",
            description: "Result page and JSON totals from DynamoDB",
            access: ["readTotals"],
            defaultSize: { memoryMb: 256, reservedConcurrency: 20 },
        },
        defaultSize: { cpu: 256, memory: 512, maxCount: 2 },
    },
    {
        name: "worker",
        redis: true,
        postgres: true,
        // Workers share Redis's processing list, and a starting worker requeues what is in it.
        singleReplica: true,
        lambda: {
            bundle: "worker-lambda",
            description: "Records ballots from the votes FIFO queue in DynamoDB",
            access: ["receiveBallots", "recordBallots"],
            defaultSize: { memoryMb: 256, reservedConcurrency: 5 },
        },
        defaultSize: { cpu: 256, memory: 512, maxCount: 1 },
    },
] as const satisfies readonly AppServiceSpec[];

/** A service table: the shipped one, or one a test or a fork extends. */
export type ServiceTable = readonly AppServiceSpec[];

/** The three application services that run as containers (redis and postgres are managed services). */
export type AppService = (typeof APP_SERVICE_TABLE)[number]["name"];
export const APP_SERVICES: readonly AppService[] = APP_SERVICE_TABLE.map((spec) => spec.name);

/** A service by name, or a row of a table. */
export type ServiceRef = AppService | AppServiceSpec;

/** The row of a shipped service, or the row itself. */
export function specOf(service: ServiceRef): AppServiceSpec {
    if (typeof service !== "string") return service;
    const spec = APP_SERVICE_TABLE.find((row) => row.name === service);
    if (!spec) throw new Error(`no service ${String(service)} in the app's service table`);
    return spec;
}

/** True for the row whose function consumes the votes queue (the worker): it deploys before the producers. */
export function consumesVotesQueue(spec: AppServiceSpec): boolean {
    return spec.lambda.access.includes("receiveBallots");
}

/** The one HTTP service without path patterns: it gets every path no other service claims. */
export function defaultHttpService(table: ServiceTable): AppServiceSpec & { readonly http: HttpRouting } {
    const [found] = httpServices(table).filter((spec) => spec.http.pathPatterns === undefined);
    if (!found) throw new Error("the service table has no default HTTP service (one without pathPatterns)");
    return found;
}

/** The HTTP services, in listener-rule priority order (the default service last). */
export function httpServices(table: ServiceTable): (AppServiceSpec & { readonly http: HttpRouting })[] {
    return table
        .filter((spec): spec is AppServiceSpec & { readonly http: HttpRouting } => spec.http !== undefined)
        .sort((a, b) => a.http.priority - b.http.priority);
}

/**
 * What is wrong with a service table, one sentence each (none: it can be deployed). Every platform derives
 * its names, routes and permissions from the table, so a row that would collide or reach a store without a
 * user of its own is refused before anything is created.
 */
export function serviceTableProblems(table: ServiceTable): string[] {
    const problems: string[] = [];
    const names = table.map((spec) => spec.name);
    for (const [index, name] of names.entries()) {
        if (!/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/.test(name))
            problems.push(`service name "${name}" must be a lowercase DNS label of at most 20 characters`);
        if (names.indexOf(name) !== index) problems.push(`service "${name}" is listed twice`);
    }
    const http = table.filter((spec) => spec.http !== undefined);
    const defaults = http.filter((spec) => spec.http?.pathPatterns === undefined);
    if (http.length > 0 && defaults.length !== 1)
        problems.push(
            `exactly one HTTP service must omit pathPatterns (the default route); found ${defaults.length}: ${defaults.map((s) => s.name).join(", ") || "none"}`,
        );
    const priorities = http.map((spec) => spec.http?.priority ?? 0);
    for (const spec of http) {
        const priority = spec.http?.priority ?? 0;
        if (!Number.isInteger(priority) || priority < 1 || priority > 50000)
            problems.push(`${spec.name}: listener rule priority ${priority} is not an integer in 1–50000`);
        if (priorities.filter((p) => p === priority).length > 1)
            problems.push(`${spec.name}: listener rule priority ${priority} is shared with another service`);
        if (spec.http?.pathPatterns?.length === 0) problems.push(`${spec.name}: pathPatterns is empty`);
    }
    if (defaults.length === 1 && priorities.some((p) => p > (defaults[0].http?.priority ?? 0)))
        problems.push(`${defaults[0].name}: the default route's priority must be the highest (its rule matches /*)`);
    for (const spec of table) {
        if (spec.redis && !isRedisClient(spec.name))
            problems.push(`${spec.name} connects to Redis but REDIS_USERS gives it no user`);
        if (spec.postgres && !isDatabaseClient(spec.name))
            problems.push(`${spec.name} connects to PostgreSQL but DATABASE_USERS gives it no user`);
        if (spec.http && spec.singleReplica)
            problems.push(`${spec.name}: an HTTP service scales and deploys blue/green, so it cannot be singleReplica`);
        if (spec.http && spec.http.lambdaRoutes.length === 0) problems.push(`${spec.name}: no lambdaRoutes`);
        if (!spec.http && spec.lambda.access.length === 0)
            problems.push(`${spec.name}: a worker function with no store access has nothing to trigger it`);
    }
    const consumers = table.filter(consumesVotesQueue);
    if (consumers.length > 1)
        problems.push(
            `only one function may consume the votes queue (receiveBallots); found ${consumers.map((s) => s.name).join(", ")}`,
        );
    return problems;
}

/** The table, or an error listing every problem (serviceTableProblems). */
export function checkedServiceTable(table: ServiceTable): ServiceTable {
    const problems = serviceTableProblems(table);
    if (problems.length > 0) throw new Error(`invalid service table:\n  - ${problems.join("\n  - ")}`);
    return table;
}

/** Which services need which backing store: least privilege in secrets and network rules (from the table). */
export const SERVICE_NEEDS: Readonly<
    Record<AppService, { readonly redis: boolean; readonly postgres: boolean; readonly http: boolean }>
> = Object.fromEntries(
    APP_SERVICE_TABLE.map((spec) => [
        spec.name,
        { redis: spec.redis, postgres: spec.postgres, http: "http" in spec && spec.http !== undefined },
    ]),
) as Record<AppService, { readonly redis: boolean; readonly postgres: boolean; readonly http: boolean }>;

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

/**
 * Longest vote label, counted once leading and trailing white space is trimmed: the app trims OPTION_A/OPTION_B
 * and the stack config trims voteapp:optionA/optionB, so both judge (and compare) the label the page shows.
 */
export const VOTE_OPTION_MAX_LENGTH = 64;

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
    serviceRef: ServiceRef,
    data: DataEndpoints<T>,
    literal: (value: string) => T,
    options: { readonly a: string; readonly b: string } = DEFAULT_OPTIONS,
): Record<string, T> {
    const needs = specOf(serviceRef);
    const service = needs.name;
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
