import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import {
    asArray,
    isRecord,
    ofType,
    plainCopy,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    validateResourceOfType,
} from "./util";

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

const VPC_LINK = "aws:apigatewayv2/vpcLink:VpcLink";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

const propsOf = (r: PolicyResource): Record<string, unknown> => {
    const copy = plainCopy(r.props);
    return isRecord(copy) ? copy : {};
};

/**
 * The HTTP API's way into the VPC (ecsIngress httpApi, components/fargate/httpApiIngress.ts): a VPC link's network
 * interfaces only open connections to the targets (API Gateway sends from them), so its security groups need no
 * inbound rule; one would make the link's interfaces in the private subnets reachable from whatever it admits. A link
 * without a group of its own would get the VPC's default group.
 */
export const apigwVpcLinkClosed = stackRule(
    {
        name: "apigw-vpc-link-closed",
        passes: "every aws.apigatewayv2.VpcLink names at least one security group, and no inbound permission targets its groups (inline `ingress` on a group it depends on; an aws.vpc.SecurityGroupIngressRule or ingress aws.ec2.SecurityGroupRule whose `securityGroupId` it names)",
        description:
            "API Gateway VPC links (HTTP APIs' private integrations) carry security groups of their own that admit nothing: the link only opens connections to its targets, whose groups admit the link's group on their port. An inbound rule on the link's group would expose its interfaces in the private subnets; a link without a group would get the VPC's default group.",
        remediation:
            "Give the VPC link its own security group with no inbound rule and egress only to the targets' port (FargateSecurityGroups with ingress httpApi).",
    },
    (args, report) => {
        const links = ofType(args.resources, VPC_LINK);
        if (links.length === 0) return args.notApplicable("No API Gateway VPC link in the stack.");
        const groups = ofType(args.resources, SECURITY_GROUP);
        const inbound = ofType(args.resources, INGRESS_RULE, LEGACY_RULE).filter(
            (rule) => rule.type === INGRESS_RULE || propsOf(rule).type === "ingress",
        );
        for (const link of links) {
            if (asArray(propsOf(link).securityGroupIds).length === 0) {
                reportOn(report, link, "names no security group (it would get the VPC's default group).");
                continue;
            }
            // A rule belongs to the group its securityGroupId names (a rule admitting the link's group into another
            // group depends on the link's group too, as its source).
            const linkGroupIds = new Set<unknown>(
                asArray(propsOf(link).securityGroupIds).filter((id) => typeof id === "string"),
            );
            for (const rule of inbound.filter((r) => linkGroupIds.has(propsOf(r).securityGroupId)))
                reportOn(
                    report,
                    rule,
                    `admits traffic into the VPC link "${link.name}"'s group (${String(propsOf(rule).securityGroupId)}); a VPC link's group needs no inbound rule.`,
                );
            for (const group of groups.filter((g) => relatesTo(link, g))) {
                const inline = asArray(propsOf(group).ingress).length;
                if (inline > 0)
                    reportOn(
                        report,
                        group,
                        `is the VPC link "${link.name}"'s group but has ${inline} inline ingress rule(s); a VPC link's group needs no inbound rule.`,
                    );
            }
        }
    },
);

export const apigatewayPolicies = [apigwAccessLogs, apigwThrottling, apigwVpcLinkClosed];
