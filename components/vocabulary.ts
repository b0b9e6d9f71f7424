/**
 * The words every component's Args share, defined once: what a tier protects, how big a service or a
 * function is, and Kubernetes' int-or-percent. The composition (stacks/) fills them from the validated
 * config; a component reads the fields that apply to it.
 */

/** What a stack protects, derived from its tier (dev: nothing; staging rehearses prod: everything). */
export interface Protection {
    /**
     * Nothing stateful is lost by accident: Pulumi `protect` and retain-on-delete on stateful resources and
     * their keys, AWS deletion protection (RDS, EKS, load balancers, DynamoDB), final snapshots of databases
     * and caches, a 30-day recovery window for secrets, database changes in the maintenance window.
     */
    readonly deletionProtection: boolean;
    /** Load balancers write access logs to an encrypted, private S3 bucket. */
    readonly accessLogs: boolean;
    /** Cluster add-ons (the AWS Load Balancer Controller) run two replicas, so one lost node does not stop them. */
    readonly redundantControllers: boolean;
}

/** No protection: what a dev stack gets, and a component's default. */
export const NO_PROTECTION: Protection = { deletionProtection: false, accessLogs: false, redundantControllers: false };

/** Every protection: staging and prod. */
export const FULL_PROTECTION: Protection = { deletionProtection: true, accessLogs: true, redundantControllers: true };

/** Size and scaling of one container service (a Fargate service, or a Kubernetes Deployment and its HPA). */
export interface ServiceSize {
    /** CPU units (1024 = 1 vCPU): the Fargate task size, or the container's request on Kubernetes. */
    readonly cpu: number;
    /** MiB: the Fargate task size, or the container's request and limit on Kubernetes. */
    readonly memory: number;
    /** Tasks or pods started with (Kubernetes starts at the floor and lets the HPA scale). */
    readonly desiredCount: number;
    /** Autoscaling floor. */
    readonly minCount: number;
    /** Autoscaling ceiling. */
    readonly maxCount: number;
}

/** Size and limits of one Lambda function. */
export interface FunctionSize {
    /** MiB, 128–10240; CPU is allotted in proportion. */
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
}

/** A Kubernetes IntOrString as rollouts take it: a pod count, or a percentage such as "25%". */
export type IntOrPercent = number | `${number}%`;
