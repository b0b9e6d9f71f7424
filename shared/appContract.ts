/**
 * The app contract: the one place that says what configuration each voting-app service receives,
 * whatever the platform (ECS, EKS, Lambda). Platforms turn it into task definition `environment` and
 * `secrets`, Kubernetes env and Secret references, or Lambda environment variables.
 *
 * Passwords never travel as plain environment values: a platform injects them from a secret store
 * (Secrets Manager via ECS `secrets`, a Kubernetes Secret) under the names in `AppSecretName`.
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
    pgHost: "PGHOST",
    pgPort: "PGPORT",
    pgDatabase: "PGDATABASE",
    pgUser: "PGUSER",
    /** libpq sslmode: "require" on AWS (RDS forces SSL through its parameter group). */
    pgSslMode: "PGSSLMODE",
    /** Labels of the two vote options. */
    optionA: "OPTION_A",
    optionB: "OPTION_B",
    /** TCP port an HTTP service listens on inside its container. */
    port: "PORT",
    /**
     * ARN of the Secrets Manager secret holding the Postgres password (JSON key `password`: the RDS-managed
     * master secret). When set, the app reads the password from it and re-reads it when Postgres rejects the
     * current one, so a rotation needs no restart. An ARN is a name, not a secret: plain environment.
     */
    pgPasswordSecretArn: "PGPASSWORD_SECRET_ARN",
} as const;

/** Secret variable names: injected from a secret store, never set as plain environment. */
export const AppSecretName = {
    redisPassword: "REDIS_PASSWORD",
    pgPassword: "PGPASSWORD",
} as const;

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

/** Default vote options, as in the original voting app. */
export const DEFAULT_OPTIONS = { a: "Cats", b: "Dogs" } as const;

/** Connection details of the data layer, as the platforms receive them from the Data component. */
export interface DataEndpoints<T> {
    readonly redisHost: T;
    readonly redisPort: T;
    readonly pgHost: T;
    readonly pgPort: T;
    readonly pgDatabase: T;
    readonly pgUser: T;
    /** The Postgres password's secret (PGPASSWORD_SECRET_ARN), when the platform lets the app read it. */
    readonly pgPasswordSecretArn?: T;
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
    if (needs.redis) {
        env[AppEnv.redisHost] = data.redisHost;
        env[AppEnv.redisPort] = data.redisPort;
        env[AppEnv.redisTls] = literal("true");
    }
    if (needs.postgres) {
        env[AppEnv.pgHost] = data.pgHost;
        env[AppEnv.pgPort] = data.pgPort;
        env[AppEnv.pgDatabase] = data.pgDatabase;
        env[AppEnv.pgUser] = data.pgUser;
        env[AppEnv.pgSslMode] = literal("require");
        if (data.pgPasswordSecretArn !== undefined) env[AppEnv.pgPasswordSecretArn] = data.pgPasswordSecretArn;
    }
    return env;
}

/** Secret variable names one service needs. */
export function appSecretNames(service: AppService): string[] {
    const needs = SERVICE_NEEDS[service];
    const names: string[] = [];
    if (needs.redis) names.push(AppSecretName.redisPassword);
    if (needs.postgres) names.push(AppSecretName.pgPassword);
    return names;
}
