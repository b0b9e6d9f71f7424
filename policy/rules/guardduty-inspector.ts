import type { PolicyResource } from "@pulumi/policy";
import { asStrings, isTrue, ofType, parseJsonish, prop, stackRule, UNKNOWN } from "./util";

/** Threat detection (GuardDuty) and vulnerability scanning (Inspector v2) per account stack. */

const DETECTOR = "aws:guardduty/detector:Detector";
const DETECTOR_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature";
const ENABLER = "aws:inspector2/enabler:Enabler";

const centralSchema = {
    properties: {
        centralSecurityAccount: {
            type: "boolean" as const,
            default: false,
            description:
                "A delegated administrator / central security account owns this service for the environment's account.",
        },
    },
};

function central(args: { getConfig<T extends object>(): T }): boolean {
    return args.getConfig<{ centralSecurityAccount?: boolean }>().centralSecurityAccount === true;
}

function enabledDetectors(resources: readonly PolicyResource[]): PolicyResource[] {
    return ofType(resources, DETECTOR).filter((d) => {
        const enable = prop(d, "enable");
        return enable === undefined || enable === UNKNOWN || isTrue(enable);
    });
}

export const guarddutyEnabled = stackRule(
    {
        name: "guardduty-enabled",
        passes: "the stack has an aws.guardduty.Detector whose `enable` is not false, or the config sets `centralSecurityAccount: true`",
        control: "GuardDuty.1",
        description:
            "Every environment stack has an enabled GuardDuty detector (`enable` not false), unless the pack config says a central security account owns GuardDuty (`centralSecurityAccount: true`).",
        remediation:
            "Add an aws.guardduty.Detector with enable: true, or set centralSecurityAccount in the pack config.",
        configSchema: centralSchema,
    },
    (args, report) => {
        if (central(args)) args.notApplicable("A central security account owns GuardDuty.");
        if (enabledDetectors(args.resources).length === 0) report("The stack has no enabled GuardDuty detector.");
    },
);

/** GuardDuty features each platform needs, by the resource types that reveal the platform. */
const FEATURES_BY_TYPE: readonly [string, string[]][] = [
    ["aws:s3/bucket:Bucket", ["S3_DATA_EVENTS"]],
    ["aws:rds/instance:Instance", ["RDS_LOGIN_EVENTS"]],
    ["aws:ecs/service:Service", ["RUNTIME_MONITORING"]],
    ["aws:eks/cluster:Cluster", ["EKS_AUDIT_LOGS", "RUNTIME_MONITORING"]],
    ["aws:lambda/function:Function", ["LAMBDA_NETWORK_LOGS"]],
];

export const guarddutyFeatures = stackRule(
    {
        name: "guardduty-features",
        passes: "for each kind of resource in the stack, the matching DetectorFeature exists with status ENABLED; not applicable without a detector or with `centralSecurityAccount: true`",
        control: "GuardDuty.5",
        description:
            "The stack's GuardDuty detector enables the protections matching what the stack runs (DetectorFeature with status ENABLED): S3_DATA_EVENTS with buckets, RDS_LOGIN_EVENTS with RDS, RUNTIME_MONITORING with ECS or EKS, EKS_AUDIT_LOGS with EKS, LAMBDA_NETWORK_LOGS with Lambda (GuardDuty.5-12). Not applicable without a detector in the stack.",
        remediation: "Add aws.guardduty.DetectorFeature resources with status ENABLED for the listed features.",
        configSchema: centralSchema,
    },
    (args, report) => {
        if (central(args)) args.notApplicable("A central security account owns GuardDuty.");
        const detectors = enabledDetectors(args.resources);
        if (detectors.length === 0)
            args.notApplicable("No GuardDuty detector in the stack (guardduty-enabled reports that).");
        const needed = new Set<string>();
        for (const [type, features] of FEATURES_BY_TYPE)
            if (ofType(args.resources, type).length > 0) features.forEach((f) => needed.add(f));
        const enabled = new Set<string>();
        for (const f of ofType(args.resources, DETECTOR_FEATURE)) {
            const name = prop(f, "name");
            const status = prop(f, "status");
            if (typeof name === "string" && (status === "ENABLED" || status === UNKNOWN)) enabled.add(name);
        }
        const missing = [...needed].filter((f) => !enabled.has(f));
        if (missing.length)
            report(`GuardDuty features not enabled for what the stack runs: ${missing.join(", ")}.`, detectors[0].urn);
    },
);

export const inspectorEnabled = stackRule(
    {
        name: "inspector-enabled",
        passes: "an aws.inspector2.Enabler's `resourceTypes` include ECR, and LAMBDA and LAMBDA_CODE when the stack has functions, or the config sets `centralSecurityAccount: true`",
        control: "Inspector.2",
        description:
            "Every environment stack enables Inspector v2 scanning (an aws.inspector2.Enabler) for ECR images, plus LAMBDA and LAMBDA_CODE when the stack has Lambda functions (Inspector.2-4), unless the pack config says a central security account owns Inspector (`centralSecurityAccount: true`).",
        remediation: 'Add an aws.inspector2.Enabler with accountIds [<account>] and resourceTypes ["ECR", ...].',
        configSchema: centralSchema,
    },
    (args, report) => {
        if (central(args)) args.notApplicable("A central security account owns Inspector.");
        const enabled = new Set<string>();
        let unknown = false;
        for (const e of ofType(args.resources, ENABLER)) {
            const types = prop(e, "resourceTypes");
            if (types === UNKNOWN) unknown = true;
            else asStrings(parseJsonish(types)).forEach((t) => enabled.add(t));
        }
        if (unknown) return;
        const needed = [
            "ECR",
            ...(ofType(args.resources, "aws:lambda/function:Function").length > 0 ? ["LAMBDA", "LAMBDA_CODE"] : []),
        ];
        const missing = needed.filter((t) => !enabled.has(t));
        if (missing.length) report(`Inspector v2 scanning is not enabled for ${missing.join(", ")}.`);
    },
);

export const guarddutyInspectorPolicies = [guarddutyEnabled, guarddutyFeatures, inspectorEnabled];
