import type { Tier } from "../../shared/config/values";
import { oneOf } from "../../shared/config/values";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import type { Platform } from "./rules";
import { DEFAULT_DEPLOYMENT_STRATEGY } from "./safety";

/**
 * How users reach the app on platform ecs (voteapp:ecsIngress):
 *   - `loadBalancer`: the internet-facing ALB (path rules, blue/green target groups, HTTPS with a certificate,
 *     access logs, a WAF web ACL can be associated);
 *   - `httpApi`: an API Gateway HTTP API whose private integrations reach the tasks through a VPC link and Cloud
 *     Map (SRV records), paid per request: no load balancer hours and no public IPv4 addresses while idle. The
 *     tasks stay in private subnets; the execute-api endpoint (or the custom domain) serves HTTPS only.
 */
export const ECS_INGRESS_MODES = ["loadBalancer", "httpApi"] as const;
export type EcsIngress = (typeof ECS_INGRESS_MODES)[number];

/**
 * dev pays per request (issue 13: the always-on ALB was $25.70 of dev's $56.97 a month idle); staging rehearses
 * prod, which keeps the load balancer (WAF-capable, blue/green).
 */
export const ECS_INGRESS_DEFAULTS: Readonly<Record<Tier, EcsIngress>> = {
    dev: "httpApi",
    staging: "loadBalancer",
    prod: "loadBalancer",
};

export const ingressKeys = {
    ecsIngress: oneOf(ECS_INGRESS_MODES).optional(),
};

export type IngressFlatConfig = FlatOf<typeof ingressKeys> & {
    readonly platform: Platform;
    readonly deploymentStrategy?: string;
};

/** The stack's ECS deployment strategy: the key's, else the tier's. */
const ecsStrategyOf = (flat: IngressFlatConfig, tier: Tier): string =>
    flat.deploymentStrategy ?? DEFAULT_DEPLOYMENT_STRATEGY[tier].ecs;

/**
 * The ingress the stack runs: the key's; unset, the tier's, except that a stack choosing a strategy that shifts
 * target groups (blue/green, canary, linear, CodeDeploy) keeps the load balancer it needs.
 */
export function resolveEcsIngress(flat: IngressFlatConfig, tier: Tier): EcsIngress {
    if (flat.ecsIngress !== undefined) return flat.ecsIngress;
    const tierDefault = ECS_INGRESS_DEFAULTS[tier];
    return tierDefault === "httpApi" && ecsStrategyOf(flat, tier) !== "rolling" ? "loadBalancer" : tierDefault;
}

/**
 * Only on ecs; never in prod (an HTTP API takes no WAF web ACL: AWS WAF protects REST APIs, ALBs, CloudFront,
 * AppSync, Cognito, App Runner and Verified Access, not HTTP APIs — "Resources that you can protect with AWS WAF",
 * docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html); on an HTTP API the services
 * roll (blue/green, canary and linear shift weights between ALB target groups, which an HTTP API has not).
 */
export const checkIngress: ConfigCheck<IngressFlatConfig> = (flat, tier, report) => {
    if (flat.ecsIngress === undefined) return;
    if (flat.platform !== "ecs") {
        report("ecsIngress", flat.ecsIngress, `has no effect on platform ${flat.platform}; it applies to ecs`);
        return;
    }
    if (flat.ecsIngress !== "httpApi") return;
    if (tier === "prod")
        report(
            "ecsIngress",
            flat.ecsIngress,
            "must be loadBalancer in prod: prod's ingress must be able to carry a WAF web ACL (the pack's alb-waf rule), and AWS WAF cannot protect an API Gateway HTTP API",
        );
    const strategy = ecsStrategyOf(flat, tier);
    if (strategy !== "rolling")
        report(
            "ecsIngress",
            flat.ecsIngress,
            `needs ${qualifiedKey("deploymentStrategy")} rolling, not ${strategy}${flat.deploymentStrategy === undefined ? ` (the ${tier} default)` : ""}: blue/green, canary, linear and CodeDeploy strategies shift traffic between load balancer target groups, which an HTTP API has not; choose ecsIngress loadBalancer, or deploymentStrategy rolling`,
        );
};
