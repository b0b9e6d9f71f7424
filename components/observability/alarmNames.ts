/**
 * CloudWatch alarm names are chosen, not generated: deployments (ECS service `alarms`, CodeDeploy alarm
 * configurations) name the alarms that roll them back before the alarms themselves exist, since the
 * alarms watch the services being created. Both sides call these functions.
 */

/** The signals a service's rollback watches. HTTP services add load balancer signals to CPU and memory. */
export const SERVICE_ROLLBACK_SIGNALS = {
    http: ["target-5xx", "latency-p95", "unhealthy-hosts", "cpu", "memory"],
    worker: ["cpu", "memory", "errors"],
    function: ["errors"],
} as const;

export type ServiceRollbackSignal = (typeof SERVICE_ROLLBACK_SIGNALS)[keyof typeof SERVICE_ROLLBACK_SIGNALS][number];

/** `<namePrefix>-<service>-<signal>`, e.g. `voteapp-prod-vote-target-5xx` (alarm names allow 255 characters). */
export function serviceAlarmName(namePrefix: string, service: string, signal: ServiceRollbackSignal): string {
    return `${namePrefix}-${service}-${signal}`;
}

/** The alarms that roll back a Lambda function's alias shift (CodeDeploy on the `live` alias). */
export function functionRollbackAlarmNames(namePrefix: string, role: string): string[] {
    return SERVICE_ROLLBACK_SIGNALS.function.map((signal) => serviceAlarmName(namePrefix, role, signal));
}

/** The alarms that roll back a deployment of the service. */
export function rollbackAlarmNames(namePrefix: string, service: string, http: boolean): string[] {
    return (http ? SERVICE_ROLLBACK_SIGNALS.http : SERVICE_ROLLBACK_SIGNALS.worker).map((signal) =>
        serviceAlarmName(namePrefix, service, signal),
    );
}
