import * as aws from "@pulumi/aws";
import { resourceRule, validateResourceOfType } from "./util";

/** API Gateway v2 (HTTP API) stages (FSBP APIGateway.9). */

export const apigwAccessLogs = resourceRule(
    {
        name: "apigw-access-logs",
        passes: "`accessLogSettings.destinationArn` and `accessLogSettings.format` are both set",
        control: "APIGateway.9",
        description:
            "API Gateway v2 stages write access logs (`accessLogSettings` with a destination and format), the record of who called the API.",
        remediation: "Set accessLogSettings: { destinationArn: <log group arn>, format: <JSON format> }.",
    },
    validateResourceOfType(aws.apigatewayv2.Stage, (stage, _args, report) => {
        const settings = stage.accessLogSettings;
        if (!settings?.destinationArn || !settings.format)
            report("accessLogSettings (destinationArn and format) is not set.");
    }),
);

export const apigwThrottling = resourceRule(
    {
        name: "apigw-throttling",
        passes: "`defaultRouteSettings.throttlingBurstLimit` and `throttlingRateLimit` are both set and non-zero",
        description:
            "API Gateway v2 stages set default route throttling (`defaultRouteSettings.throttlingBurstLimit` and `throttlingRateLimit`), so a flood of requests cannot run up the Lambda bill or starve the queue.",
        remediation: "Set defaultRouteSettings: { throttlingBurstLimit, throttlingRateLimit }.",
    },
    validateResourceOfType(aws.apigatewayv2.Stage, (stage, _args, report) => {
        const s = stage.defaultRouteSettings;
        const missing = [
            s?.throttlingBurstLimit ? "" : "throttlingBurstLimit",
            s?.throttlingRateLimit ? "" : "throttlingRateLimit",
        ].filter(Boolean);
        if (missing.length) report(`defaultRouteSettings lacks ${missing.join(" and ")}.`);
    }),
);

export const apigatewayPolicies = [apigwAccessLogs, apigwThrottling];
