import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    APP_HTTP_PORT,
    APP_SERVICE_TABLE,
    type AppServiceSpec,
    checkedServiceTable,
    defaultHttpService,
    httpServices,
    type ServiceTable,
} from "../../shared/appContract";
import { createHttpApiFront } from "../httpApiFront";
import { physicalName } from "../naming";

/**
 * HTTP APIs end an integration at 30 s (API Gateway quotas, "Maximum integration timeout": 30 seconds for HTTP
 * APIs). The result page's event stream ends itself before that (app/src/core/pages.ts RESULT_STREAM_MAX_SECONDS)
 * and the browser's EventSource reconnects.
 */
export const HTTP_API_INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * The HTTP API route keys of a service, from the same path patterns the ALB's listener rules match
 * (shared/appContract.ts): `/result` → `ANY /result`, `/result/*` → `ANY /result/{proxy+}`; the default HTTP
 * service (no patterns) gets `$default`, every request no other route matches, as the ALB's default action.
 * A pattern an HTTP API route cannot express (a `*` or `?` anywhere but a trailing `/*`) is refused.
 */
export function httpApiRouteKeys(spec: AppServiceSpec, table: ServiceTable): string[] {
    if (!spec.http) throw new Error(`${spec.name} serves no HTTP: it has no route`);
    if (defaultHttpService(table).name === spec.name) return ["$default"];
    return (spec.http.pathPatterns ?? []).map((pattern) => {
        const prefix = pattern.endsWith("/*") ? pattern.slice(0, -2) : pattern;
        if (!prefix.startsWith("/") || /[*?{}]/.test(prefix))
            throw new Error(
                `${spec.name}: path pattern "${pattern}" has no HTTP API route equivalent (only exact paths and a trailing /* are)`,
            );
        return pattern.endsWith("/*") ? `ANY ${prefix}/{proxy+}` : `ANY ${prefix}`;
    });
}

export interface HttpApiIngressArgs {
    /** `<project>-<environment>`, used in physical names. @example "voteapp-dev" */
    readonly namePrefix: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets: the VPC link's network interfaces (where the tasks run). */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The VPC link's own group (FargateSecurityGroups.vpcLink): the tasks admit their port only from it. */
    readonly vpcLinkSecurityGroupId: pulumi.Input<string>;
    /** KMS key of the access log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Default route throttling of the stage. @example { burstLimit: 200, rateLimit: 100 } */
    readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
    /**
     * A custom domain (regional, TLS 1.2) mapped to the stage; the execute-api endpoint is then disabled.
     * @default the execute-api endpoint (HTTPS)
     */
    readonly domain?: { readonly name: string; readonly certificateArn: string };
    /**
     * The app's services: a Cloud Map service (SRV records: the port travels with the address), an integration
     * and routes per HTTP service.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
}

/**
 * The ALB's replacement where idle cost matters: an API Gateway HTTP API whose private integrations reach the
 * HTTP services' tasks through a VPC link in the private subnets, discovering them in a Cloud Map private DNS
 * namespace (the ECS services register each task with an SRV record). Access logs, default route throttling and
 * per-route metrics on the stage; HTTPS on the execute-api endpoint or the custom domain, nothing public in the VPC.
 */
export class HttpApiIngress extends pulumi.ComponentResource {
    readonly namespace: aws.servicediscovery.PrivateDnsNamespace;
    /** The Cloud Map service of each HTTP service, by service name: its ECS service registers its tasks there. */
    readonly discoveryServices: Readonly<Record<string, aws.servicediscovery.Service>>;
    readonly vpcLink: aws.apigatewayv2.VpcLink;
    readonly api: aws.apigatewayv2.Api;
    readonly stage: aws.apigatewayv2.Stage;
    /** The route keys of each HTTP service (httpApiRouteKeys), by service name. */
    readonly routeKeys: Readonly<Record<string, readonly string[]>>;
    readonly domainName?: aws.apigatewayv2.DomainName;
    /** Where users reach the app: https://<domain>, or the execute-api endpoint. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: HttpApiIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:fargate:HttpApiIngress", name, {}, opts);
        const parent = this;
        const table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const http = httpServices(table);

        this.namespace = new aws.servicediscovery.PrivateDnsNamespace(
            `${name}-namespace`,
            {
                name: `${args.namePrefix}.ingress.internal`,
                vpc: args.vpcId,
                description: "Tasks of the voting app's HTTP services, for the HTTP API's private integrations",
            },
            { parent },
        );
        // SRV records: API Gateway's Cloud Map integration takes the port from the instance (ECS sets it from
        // serviceRegistries' containerPort). ECS reports each task's container health check to Cloud Map
        // (custom health checks), so only healthy tasks are discovered.
        this.discoveryServices = Object.fromEntries(
            http.map((spec) => [
                spec.name,
                new aws.servicediscovery.Service(
                    `${name}-${spec.name}`,
                    {
                        name: spec.name,
                        description: `${spec.name} tasks`,
                        dnsConfig: {
                            namespaceId: this.namespace.id,
                            dnsRecords: [{ type: "SRV", ttl: 10 }],
                            routingPolicy: "MULTIVALUE",
                        },
                        healthCheckCustomConfig: {},
                        // ECS deregisters its tasks; a leftover instance must not block a replacement.
                        forceDestroy: true,
                    },
                    { parent },
                ),
            ]),
        );
        this.vpcLink = new aws.apigatewayv2.VpcLink(
            `${name}-vpc-link`,
            {
                name: physicalName("apiGateway", args.namePrefix, "vpc-link"),
                subnetIds: args.privateSubnetIds,
                securityGroupIds: [args.vpcLinkSecurityGroupId],
            },
            { parent },
        );
        // Per-route metrics: each service's 5xx and latency alarms (its rollback signals) read its routes.
        const front = createHttpApiFront(
            { api: `${name}-api`, accessLogs: `${name}-access`, stage: `${name}-stage`, domain: `${name}-domain` },
            {
                namePrefix: args.namePrefix,
                description: "The voting app: vote and result tasks on ECS through a VPC link",
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                throttling: args.throttling,
                detailedRouteMetrics: true,
                domain: args.domain,
            },
            parent,
        );
        this.api = front.api;
        this.stage = front.stage;
        this.domainName = front.domainName;
        this.url = front.url;
        const routeKeys: Record<string, string[]> = {};
        for (const spec of http) {
            const integration = new aws.apigatewayv2.Integration(
                `${name}-${spec.name}`,
                {
                    apiId: this.api.id,
                    description: `${spec.name} tasks (Cloud Map) through the VPC link`,
                    integrationType: "HTTP_PROXY",
                    integrationMethod: "ANY",
                    integrationUri: this.discoveryServices[spec.name].arn,
                    connectionType: "VPC_LINK",
                    connectionId: this.vpcLink.id,
                    payloadFormatVersion: "1.0",
                    timeoutMilliseconds: HTTP_API_INTEGRATION_TIMEOUT_MS,
                },
                { parent },
            );
            routeKeys[spec.name] = httpApiRouteKeys(spec, table);
            for (const routeKey of routeKeys[spec.name])
                new aws.apigatewayv2.Route(
                    `${name}-${spec.name}-${routeKey
                        .replace(/[^A-Za-z0-9]+/g, "-")
                        .replace(/^-+|-+$/g, "")
                        .toLowerCase()}`,
                    { apiId: this.api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` },
                    { parent },
                );
        }
        this.routeKeys = routeKeys;
        this.registerOutputs({ url: this.url, apiId: this.api.id });
    }

    /** The ECS service registry of an HTTP service's tasks (the SRV record carries APP_HTTP_PORT). */
    registryOf(service: string): aws.types.input.ecs.ServiceServiceRegistries {
        const discovery = this.discoveryServices[service];
        if (!discovery) throw new Error(`HttpApiIngress: no Cloud Map service for ${service}`);
        return { registryArn: discovery.arn, containerName: service, containerPort: APP_HTTP_PORT };
    }
}
