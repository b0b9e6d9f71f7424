import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_FORMAT } from "./apiAccessLog";
import { physicalName } from "./naming";

/** What every HTTP API of the program is fronted with (lambda platform, ecs behind an HTTP API). */
export interface HttpApiFrontArgs {
    /** `<project>-<environment>`, used in physical names. */
    readonly namePrefix: string;
    readonly description: string;
    /** KMS key of the access log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Default route throttling of the stage. */
    readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
    /** Per-route metrics on the stage (what per-service alarms read). */
    readonly detailedRouteMetrics: boolean;
    /** A custom domain (regional, TLS 1.2) mapped to the stage; the execute-api endpoint is then disabled. */
    readonly domain?: { readonly name: string; readonly certificateArn: string };
}

/** The logical names of the front's resources: each caller keeps its own, so no URN moves. */
export interface HttpApiFrontNames {
    readonly api: string;
    readonly accessLogs: string;
    readonly stage: string;
    readonly domain: string;
}

export interface HttpApiFront {
    readonly api: aws.apigatewayv2.Api;
    readonly stage: aws.apigatewayv2.Stage;
    readonly domainName?: aws.apigatewayv2.DomainName;
    /** Where users reach the API: https://<domain>, or the execute-api endpoint. */
    readonly url: pulumi.Output<string>;
}

/**
 * The HTTP API, its KMS-encrypted access log group, the `$default` stage with access logs and default route
 * throttling, and the optional custom domain: one construction for both platforms that serve through an HTTP
 * API, so the policy rules on stages (access logs, throttling) judge the same shape everywhere.
 */
export function createHttpApiFront(
    names: HttpApiFrontNames,
    args: HttpApiFrontArgs,
    parent: pulumi.Resource,
): HttpApiFront {
    const api = new aws.apigatewayv2.Api(
        names.api,
        {
            name: physicalName("apiGateway", args.namePrefix, "vote-app"),
            protocolType: "HTTP",
            description: args.description,
            disableExecuteApiEndpoint: args.domain !== undefined,
        },
        { parent },
    );
    const accessLogs = new aws.cloudwatch.LogGroup(
        names.accessLogs,
        {
            name: `/aws/apigateway/${args.namePrefix}-vote-app/access`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.kmsKeyArn,
        },
        { parent },
    );
    const stage = new aws.apigatewayv2.Stage(
        names.stage,
        {
            apiId: api.id,
            name: "$default",
            autoDeploy: true,
            accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
            defaultRouteSettings: {
                throttlingBurstLimit: args.throttling.burstLimit,
                throttlingRateLimit: args.throttling.rateLimit,
                detailedMetricsEnabled: args.detailedRouteMetrics,
            },
        },
        { parent },
    );
    if (!args.domain) return { api, stage, url: api.apiEndpoint };
    const domainName = new aws.apigatewayv2.DomainName(
        names.domain,
        {
            domainName: args.domain.name,
            domainNameConfiguration: {
                certificateArn: args.domain.certificateArn,
                endpointType: "REGIONAL",
                securityPolicy: "TLS_1_2",
            },
        },
        { parent },
    );
    new aws.apigatewayv2.ApiMapping(
        names.domain,
        { apiId: api.id, domainName: domainName.id, stage: stage.id },
        { parent },
    );
    return { api, stage, domainName, url: pulumi.output(`https://${args.domain.name}`) };
}
