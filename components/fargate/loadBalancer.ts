import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    APP_HEALTH_PATH,
    APP_HTTP_PORT,
    APP_SERVICE_TABLE,
    checkedServiceTable,
    defaultHttpService,
    httpServices,
    type ServiceTable,
} from "../../shared/appContract";
import { autoName } from "../naming";
import type { TrafficShifting } from "./strategies";
import { ACCESS_LOG_PREFIX, createAccessLogBucket } from "../accessLogBucket";
import { NO_PROTECTION, type Protection } from "../vocabulary";

/** TLS 1.3 with TLS 1.2 fallback, AWS's recommended policy for ALB HTTPS listeners. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * Port of the blue/green test listener (HTTPS with a certificate, else HTTP). The security group opens it only
 * to the stack's testTrafficCidrs, never to the internet: test traffic reaches the new (green) tasks before
 * users do, so it must not be something anyone can ask for.
 */
export const TEST_LISTENER_PORT = { https: 8443, http: 8080 } as const;

/** The test listener's port for a load balancer with or without HTTPS: the listener and its ingress rules share it. */
export function testListenerPort(https: boolean): number {
    return https ? TEST_LISTENER_PORT.https : TEST_LISTENER_PORT.http;
}

export interface AppLoadBalancerArgs {
    /** Short name prefix; AWS caps load balancer and target group names at 32 characters. */
    readonly namePrefix: string;
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets, at least two AZs (ELB.13). */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupId: pulumi.Input<string>;
    /**
     * ACM certificate for HTTPS. When set, port 443 serves the app with a TLS 1.2+ policy and port 80 only
     * redirects to it; without it (dev only) port 80 serves the app.
     */
    readonly certificateArn?: string;
    /**
     * `accessLogs`: access logs to a dedicated, private, TLS-only S3 bucket (ELB.5); `deletionProtection`: on
     * the load balancer (ELB.6).
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /** Days access logs are kept. @default 90 */
    readonly accessLogRetentionDays?: number;
    /**
     * Layout for the deployment strategy: `none` (rolling: one target group per service), `ecsNative` (an
     * alternate target group per service, production listener rules with weighted forwards ECS shifts, and, with
     * `testListener`, a test listener whose rules ECS points at the green tasks), `codeDeploy` (an alternate
     * target group per service and a test listener on 8443/8080 that CodeDeploy routes to the green tasks).
     * @default "none"
     */
    readonly trafficShifting?: TrafficShifting;
    /**
     * Serve blue/green test traffic (ecsNative) on a test listener on `testListenerPort`; whoever may reach that
     * port (FargateSecurityGroups' testTrafficCidrs) can test the green tasks before users see them. Without
     * it ECS native deployments have no test route at all. CodeDeploy always gets its test listener.
     * @default false
     */
    readonly testListener?: boolean;
    /**
     * The app's services: a target group (and under blue/green an alternate) per HTTP service, a listener rule on
     * its path patterns at its priority, and the default HTTP service behind every other path.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
}

/**
 * The internet-facing ALB: routes each HTTP service's path patterns to it (`/result*` to result) and every
 * other path to the default service (vote), drops invalid
 * headers (ELB.4), defensive desync mitigation (ELB.12), a long idle timeout so result's server-sent
 * events stay open, HTTPS with HTTP redirect when a certificate is given.
 */
export class AppLoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancer: aws.lb.LoadBalancer;
    /** The target group of each HTTP service, by service name (the live one under blue/green at first). */
    readonly targetGroups: Readonly<Record<string, aws.lb.TargetGroup>>;
    /** The listener serving the app (HTTPS, or HTTP in dev without a certificate). */
    readonly appListener: aws.lb.Listener;
    readonly listeners: aws.lb.Listener[] = [];
    /** Second target group per service, for blue/green: the one not live at the moment. */
    readonly alternateTargetGroups?: Readonly<Record<string, aws.lb.TargetGroup>>;
    /** Listener rules serving production traffic per service (ECS native strategies shift their weights). */
    readonly productionRules: Partial<Record<string, aws.lb.ListenerRule>> = {};
    /** Listener rules of the test listener per service (ECS native strategies with a test listener). */
    readonly testRules: Partial<Record<string, aws.lb.ListenerRule>> = {};
    /** The test listener (CodeDeploy, or ECS native with `testListener`): never on the public ports. */
    readonly testListener?: aws.lb.Listener;
    /** Listeners and rules a service must wait for. */
    readonly routing: pulumi.Resource[] = [];
    readonly accessLogBucket?: aws.s3.Bucket;
    readonly dnsName: pulumi.Output<string>;

    constructor(name: string, args: AppLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:fargate:AppLoadBalancer", name, {}, opts);
        const parent = this;
        const table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const http = httpServices(table);
        const defaultService = defaultHttpService(table).name;
        // The services with their own paths, in priority order; the default service takes the rest.
        const routed = http.filter((spec) => spec.name !== defaultService);
        const everyPath = { pathPattern: { values: ["/*"] } };

        const protection = args.protection ?? NO_PROTECTION;
        const accessLogs = protection.accessLogs
            ? createAccessLogBucket(name, args.accessLogRetentionDays ?? 90, this, `${args.namePrefix}-`)
            : undefined;
        this.accessLogBucket = accessLogs?.bucket;
        this.loadBalancer = new aws.lb.LoadBalancer(
            autoName("loadBalancer", args.namePrefix),
            {
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [args.securityGroupId],
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "defensive",
                enableDeletionProtection: protection.deletionProtection,
                idleTimeout: 120,
                accessLogs: accessLogs
                    ? { bucket: accessLogs.bucket.bucket, enabled: true, prefix: ACCESS_LOG_PREFIX }
                    : undefined,
            },
            // The bucket policy must exist before AWS checks that the load balancer may write to the bucket.
            { parent, dependsOn: accessLogs ? [accessLogs.policy] : [] },
        );
        this.dnsName = this.loadBalancer.dnsName;

        const shifting = args.trafficShifting ?? "none";
        const targetGroup = (service: string, role = "") =>
            new aws.lb.TargetGroup(
                // The component name, not the environment, keeps this within 32 characters with Pulumi's suffix.
                autoName("targetGroup", name, service, role),
                {
                    vpcId: args.vpcId,
                    targetType: "ip",
                    port: APP_HTTP_PORT,
                    protocol: "HTTP",
                    protocolVersion: "HTTP1",
                    deregistrationDelay: 30,
                    healthCheck: {
                        path: APP_HEALTH_PATH,
                        matcher: "200",
                        interval: 15,
                        healthyThreshold: 2,
                        unhealthyThreshold: 3,
                        timeout: 5,
                    },
                },
                { parent },
            );
        const primary: Record<string, aws.lb.TargetGroup> = Object.fromEntries(
            http.map((spec) => [spec.name, targetGroup(spec.name)]),
        );
        this.targetGroups = primary;
        const alternate =
            shifting === "none"
                ? undefined
                : Object.fromEntries(http.map((spec) => [spec.name, targetGroup(spec.name, "alt")]));
        this.alternateTargetGroups = alternate;
        const forwardTo = (service: string) => [{ type: "forward", targetGroupArn: primary[service].arn }];
        // ECS native strategies shift weights between the pair; all traffic starts on the primary group.
        const weightedForward = (service: string, pair: Record<string, aws.lb.TargetGroup>) => [
            {
                type: "forward",
                forward: {
                    targetGroups: [
                        { arn: primary[service].arn, weight: 100 },
                        { arn: pair[service].arn, weight: 0 },
                    ],
                },
            },
        ];
        // With ECS native strategies every app path matches a rule ECS manages (`/*`); the default still
        // forwards, since ECS refuses listeners mixing forward and non-forward (fixed-response) actions.
        const appDefault = forwardTo(defaultService);
        // CodeDeploy rewrites the listeners' actions to the live target group; Pulumi must not reset them.
        const listenerOptions: pulumi.CustomResourceOptions = {
            parent,
            ignoreChanges: shifting === "codeDeploy" ? ["defaultActions"] : [],
        };
        const ruleOptions: pulumi.CustomResourceOptions = {
            parent,
            ignoreChanges: shifting === "none" ? [] : ["actions"],
        };

        if (args.certificateArn) {
            this.appListener = new aws.lb.Listener(
                `${name}-https`,
                {
                    loadBalancerArn: this.loadBalancer.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: TLS_POLICY,
                    certificateArn: args.certificateArn,
                    defaultActions: appDefault,
                },
                listenerOptions,
            );
            this.listeners.push(
                new aws.lb.Listener(
                    `${name}-http-redirect`,
                    {
                        loadBalancerArn: this.loadBalancer.arn,
                        port: 80,
                        protocol: "HTTP",
                        defaultActions: [
                            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
                        ],
                    },
                    { parent },
                ),
            );
        } else {
            this.appListener = new aws.lb.Listener(
                `${name}-http`,
                { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: appDefault },
                listenerOptions,
            );
        }
        this.listeners.unshift(this.appListener);
        const pathsOf = (spec: (typeof routed)[number]) => ({
            pathPattern: { values: [...(spec.http.pathPatterns ?? [])] },
        });
        for (const spec of routed) {
            this.productionRules[spec.name] = new aws.lb.ListenerRule(
                `${name}-${spec.name}`,
                {
                    listenerArn: this.appListener.arn,
                    priority: spec.http.priority,
                    conditions: [pathsOf(spec)],
                    actions:
                        alternate && shifting === "ecsNative"
                            ? weightedForward(spec.name, alternate)
                            : forwardTo(spec.name),
                },
                ruleOptions,
            );
        }
        if (alternate && shifting === "ecsNative") {
            this.productionRules[defaultService] = new aws.lb.ListenerRule(
                `${name}-${defaultService}`,
                {
                    listenerArn: this.appListener.arn,
                    priority: defaultHttpService(table).http.priority,
                    conditions: [everyPath],
                    actions: weightedForward(defaultService, alternate),
                },
                ruleOptions,
            );
        }
        // The test route: its own listener on a port only testTrafficCidrs may reach (FargateSecurityGroups), so a
        // request from the internet can never land on the green tasks. CodeDeploy rewrites the listener's default
        // action; ECS native shifts the listener's rules (/* for the default service, the others' paths before it).
        if (shifting === "codeDeploy" || (shifting === "ecsNative" && alternate && args.testListener)) {
            const port = testListenerPort(args.certificateArn !== undefined);
            const testListener = new aws.lb.Listener(
                `${name}-test`,
                {
                    loadBalancerArn: this.loadBalancer.arn,
                    port,
                    protocol: args.certificateArn ? "HTTPS" : "HTTP",
                    ...(args.certificateArn ? { sslPolicy: TLS_POLICY, certificateArn: args.certificateArn } : {}),
                    defaultActions: forwardTo(defaultService),
                },
                listenerOptions,
            );
            this.testListener = testListener;
            this.listeners.push(testListener);
            if (shifting === "codeDeploy") {
                for (const spec of routed)
                    this.routing.push(
                        new aws.lb.ListenerRule(
                            `${name}-test-${spec.name}`,
                            {
                                listenerArn: testListener.arn,
                                priority: spec.http.priority,
                                conditions: [pathsOf(spec)],
                                actions: forwardTo(spec.name),
                            },
                            ruleOptions,
                        ),
                    );
            } else if (alternate) {
                for (const spec of routed)
                    this.testRules[spec.name] = new aws.lb.ListenerRule(
                        `${name}-${spec.name}-test`,
                        {
                            listenerArn: testListener.arn,
                            priority: spec.http.priority,
                            conditions: [pathsOf(spec)],
                            actions: weightedForward(spec.name, alternate),
                        },
                        ruleOptions,
                    );
                this.testRules[defaultService] = new aws.lb.ListenerRule(
                    `${name}-${defaultService}-test`,
                    {
                        listenerArn: testListener.arn,
                        priority: defaultHttpService(table).http.priority,
                        conditions: [everyPath],
                        actions: weightedForward(defaultService, alternate),
                    },
                    ruleOptions,
                );
            }
        }
        const rules = [...Object.values(this.productionRules), ...Object.values(this.testRules)];
        this.routing.push(...this.listeners, ...rules.filter((rule) => rule !== undefined));
        this.registerOutputs({ dnsName: this.dnsName });
    }
}
