import * as aws from "@pulumi/aws";
import { isTrue, ofType, prop, relatesTo, reportOn, resourceRule, stackRule, validateResourceOfType } from "./util";

/** Application load balancers and their listeners (FSBP ELB.*). */

function isApplication(type: string | undefined): boolean {
    return type === undefined || type === "application";
}

export const albHttpToHttps = resourceRule(
    {
        name: "alb-http-to-https",
        passes: "the listener is not HTTP, or it has default actions and every one is a redirect with protocol HTTPS",
        control: "ELB.1",
        description:
            "HTTP listeners only redirect to HTTPS (every default action is a redirect with protocol HTTPS), so no request or cookie travels in clear text.",
        remediation:
            'Make the HTTP listener\'s default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }.',
    },
    validateResourceOfType(aws.lb.Listener, (listener, _args, report) => {
        if (listener.protocol !== "HTTP") return;
        const actions = listener.defaultActions ?? [];
        const bad = actions.filter((a) => !(a.type === "redirect" && a.redirect?.protocol === "HTTPS"));
        if (actions.length === 0 || bad.length > 0)
            report(
                `HTTP listener on port ${listener.port ?? "?"} serves ${bad.map((a) => a.type).join(", ") || "no action"} instead of redirecting to HTTPS.`,
            );
    }),
);

/** TLS 1.2+ ELB security policies (TLS13-1-2/1-3, TLS-1-2, FS-1-2 families). */
export function isTls12Policy(name: string): boolean {
    return /TLS13-1-[23]\b|TLS13-1-[23]-|TLS-1-2|FS-1-2/.test(name);
}

export const albTlsPolicy = resourceRule(
    {
        name: "alb-tls-policy",
        passes: "the listener is neither HTTPS nor TLS, or its `sslPolicy` is a TLS 1.2+ policy (names with TLS13-1-2, TLS13-1-3, TLS-1-2 or FS-1-2); unset fails",
        control: "ELB.17",
        description:
            "HTTPS/TLS listeners use a TLS 1.2+ security policy (e.g. ELBSecurityPolicy-TLS13-1-2-2021-06); the default ELBSecurityPolicy-2016-08 still accepts TLS 1.0 and 1.1 (ELB.17-like).",
        remediation: 'Set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06".',
    },
    validateResourceOfType(aws.lb.Listener, (listener, _args, report) => {
        if (listener.protocol !== "HTTPS" && listener.protocol !== "TLS") return;
        const policy = listener.sslPolicy;
        if (policy === undefined)
            report("sslPolicy is unset, so the default ELBSecurityPolicy-2016-08 (TLS 1.0+) applies.");
        else if (!isTls12Policy(policy)) report(`sslPolicy ${policy} accepts TLS versions below 1.2.`);
    }),
);

export const albDropInvalidHeaders = resourceRule(
    {
        name: "alb-drop-invalid-headers",
        passes: "the load balancer is not an application load balancer, or `dropInvalidHeaderFields` is true",
        control: "ELB.4",
        description:
            "Application load balancers drop invalid HTTP header fields (`dropInvalidHeaderFields` true), closing a request-smuggling vector.",
        remediation: "Set dropInvalidHeaderFields: true.",
    },
    validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
        if (isApplication(lb.loadBalancerType) && lb.dropInvalidHeaderFields !== true)
            report("dropInvalidHeaderFields is not true.");
    }),
);

export const albAccessLogs = resourceRule(
    {
        name: "alb-access-logs",
        passes: "`accessLogs.enabled` is true and `accessLogs.bucket` is set",
        control: "ELB.5",
        description:
            "Load balancers write access logs (`accessLogs.enabled` true with a bucket), the record of every request for incident investigation.",
        remediation: "Set accessLogs: { bucket, enabled: true }.",
    },
    validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
        if (lb.accessLogs?.enabled !== true || !lb.accessLogs.bucket) report("Access logs are not enabled.");
    }),
);

export const albDeletionProtection = resourceRule(
    {
        name: "alb-deletion-protection",
        passes: "`enableDeletionProtection` is true",
        control: "ELB.6",
        description:
            "Load balancers enable deletion protection (`enableDeletionProtection` true), so the public entry point is not removed by accident.",
        remediation: "Set enableDeletionProtection: true.",
    },
    validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
        if (lb.enableDeletionProtection !== true) report("enableDeletionProtection is not true.");
    }),
);

export const albDesyncMitigation = resourceRule(
    {
        name: "alb-desync-mitigation",
        passes: "the load balancer is not an application load balancer, or `desyncMitigationMode` is unset (defensive), `defensive` or `strictest`",
        control: "ELB.12",
        description:
            "Application load balancers use desync mitigation mode `defensive` (the default) or `strictest`, never `monitor`, against HTTP desync attacks.",
        remediation: 'Set desyncMitigationMode: "defensive" or "strictest".',
    },
    validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
        const mode = lb.desyncMitigationMode ?? "defensive";
        if (isApplication(lb.loadBalancerType) && mode !== "defensive" && mode !== "strictest")
            report(`desyncMitigationMode is ${mode}.`);
    }),
);

export const albMultiAz = resourceRule(
    {
        name: "alb-multi-az",
        passes: "`subnets` and `subnetMappings` together list at least 2 subnets",
        control: "ELB.13",
        description:
            "Load balancers span at least two subnets (Availability Zones), so losing one zone does not take the application offline.",
        remediation: "Give the load balancer subnets in two or more Availability Zones.",
    },
    validateResourceOfType(aws.lb.LoadBalancer, (lb, _args, report) => {
        const count = (lb.subnets ?? []).length + (lb.subnetMappings ?? []).length;
        if (count < 2) report(`The load balancer has ${count} subnet(s); it needs at least 2.`);
    }),
);

const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
const WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";

export const albWaf = stackRule(
    {
        name: "alb-waf",
        passes: "every internet-facing (not `internal`) application load balancer has an aws.wafv2.WebAclAssociation depending on it",
        control: "ELB.16",
        description:
            "Every internet-facing application load balancer has a WAFv2 web ACL association (matched by dependency on the load balancer), filtering common web exploits before they reach the app.",
        remediation: "Add an aws.wafv2.WebAclAssociation with resourceArn = the load balancer's arn.",
    },
    (args, report) => {
        const associations = ofType(args.resources, WAF_ASSOCIATION);
        const lbs = ofType(args.resources, LOAD_BALANCER).filter(
            (lb) =>
                !isTrue(prop(lb, "internal")) &&
                [undefined, "application"].includes(prop(lb, "loadBalancerType") as string | undefined),
        );
        if (lbs.length === 0) args.notApplicable("No internet-facing application load balancer.");
        for (const lb of lbs)
            if (!associations.some((a) => relatesTo(a, lb)))
                reportOn(report, lb, "is internet-facing without a WAF web ACL association.");
    },
);

export const elbPolicies = [
    albHttpToHttps,
    albDropInvalidHeaders,
    albAccessLogs,
    albDeletionProtection,
    albDesyncMitigation,
    albMultiAz,
    albTlsPolicy,
    albWaf,
];
