/**
 * CloudWatch alarm names are chosen, not generated: deployments (ECS service `alarms`, CodeDeploy alarm
 * configurations) name the alarms that roll them back before the alarms themselves exist, since the
 * alarms watch the services being created. Both sides call these functions.
 */

/**
 * The signals a service's rollback watches. HTTP services add their entry point's signals to CPU and memory: behind
 * the ALB its targets' 5xx, latency and failed health checks; behind an HTTP API (ecsIngress httpApi) its routes'
 * 5xx and integration latency. There no target group checks health: the container health check does, ECS replaces
 * a failing task and reports it unhealthy to Cloud Map, the deployment circuit breaker rolls back a release whose
 * tasks never turn healthy, and a service left without a healthy task answers 503 through the API (its 5xx alarm).
 */
export const SERVICE_ROLLBACK_SIGNALS = {
    http: ["target-5xx", "latency-p95", "unhealthy-hosts", "cpu", "memory"],
    httpApi: ["target-5xx", "latency-p95", "cpu", "memory"],
    worker: ["cpu", "memory", "errors"],
    function: ["errors"],
} as const;

export type ServiceRollbackSignal = (typeof SERVICE_ROLLBACK_SIGNALS)[keyof typeof SERVICE_ROLLBACK_SIGNALS][number];

/**
 * Every alarm's name: `<namePrefix>-<subject>-<signal>`, e.g. `voteapp-prod-postgres-cpu` (alarm names
 * allow 255 characters). The subject is a service, a function or a shared resource (alb, postgres, redis).
 */
export function alarmName(namePrefix: string, subject: string, signal: string): string {
    return `${namePrefix}-${subject}-${signal}`;
}

/** A service's alarm on one of the signals its rollback watches, e.g. `voteapp-prod-vote-target-5xx`. */
export function serviceAlarmName(namePrefix: string, service: string, signal: ServiceRollbackSignal): string {
    return alarmName(namePrefix, service, signal);
}

/** The alarms that roll back a Lambda function's alias shift (CodeDeploy on the `live` alias). */
export function functionRollbackAlarmNames(namePrefix: string, role: string): string[] {
    return SERVICE_ROLLBACK_SIGNALS.function.map((signal) => serviceAlarmName(namePrefix, role, signal));
}

/** The alarms that roll back a deployment of the service (an HTTP service's depend on its entry point). */
export function rollbackAlarmNames(
    namePrefix: string,
    service: string,
    http: boolean,
    ingress: "loadBalancer" | "httpApi" = "loadBalancer",
): string[] {
    const signals = !http
        ? SERVICE_ROLLBACK_SIGNALS.worker
        : ingress === "httpApi"
          ? SERVICE_ROLLBACK_SIGNALS.httpApi
          : SERVICE_ROLLBACK_SIGNALS.http;
    return signals.map((signal) => serviceAlarmName(namePrefix, service, signal));
}
