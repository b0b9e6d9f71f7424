import * as aws from "@pulumi/aws";
import { type PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { ofType, prop, relatesTo, reportOn, resourceRule, stackRule, stringList, UNKNOWN } from "./util";

/** Lambda functions, their permissions and failure handling (FSBP Lambda.*). */

export const DEFAULT_DEPRECATED_RUNTIMES = [
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "provided",
];

export const lambdaSupportedRuntime = resourceRule(
    {
        name: "lambda-supported-runtime",
        control: "Lambda.2",
        description:
            "Lambda functions use a runtime AWS still patches: `runtime` must not be in the pack config's `deprecatedRuntimes` list (container-image functions have no runtime and pass).",
        remediation: "Move the function to a supported runtime (e.g. nodejs22.x).",
        configSchema: {
            properties: {
                deprecatedRuntimes: stringList(
                    "Lambda runtime identifiers that are deprecated or past end of support.",
                    DEFAULT_DEPRECATED_RUNTIMES,
                ),
            },
        },
    },
    validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
        const deprecated =
            args.getConfig<{ deprecatedRuntimes?: string[] }>().deprecatedRuntimes ?? DEFAULT_DEPRECATED_RUNTIMES;
        if (fn.runtime !== undefined && deprecated.includes(fn.runtime)) report(`Runtime ${fn.runtime} is deprecated.`);
    }),
);

export const lambdaNoPublicInvoke = resourceRule(
    {
        name: "lambda-no-public-invoke",
        control: "Lambda.1",
        description:
            "A Lambda permission granted to principal `*` must carry a `sourceArn`, `sourceAccount` or `principalOrgId` condition; otherwise anyone can invoke the function.",
        remediation: "Grant the permission to a specific service or account, or add sourceArn / sourceAccount.",
    },
    validateResourceOfType(aws.lambda.Permission, (perm, _args, report) => {
        if (perm.principal === "*" && !perm.sourceArn && !perm.sourceAccount && !perm.principalOrgId)
            report(
                "Principal * without sourceArn, sourceAccount or principalOrgId: the function is publicly invocable.",
            );
    }),
);

export const lambdaTracing = resourceRule(
    {
        name: "lambda-tracing",
        description:
            "Lambda functions enable active X-Ray tracing (`tracingConfig.mode` Active), to follow a request through the queue and the worker when investigating.",
        remediation: 'Set tracingConfig: { mode: "Active" }.',
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (fn.tracingConfig?.mode !== "Active")
            report(`tracingConfig.mode is ${JSON.stringify(fn.tracingConfig?.mode ?? "unset (PassThrough)")}.`);
    }),
);

export const lambdaConcurrency = resourceRule(
    {
        name: "lambda-concurrency",
        description:
            "Lambda functions set `reservedConcurrentExecutions`, so one function cannot exhaust the account's concurrency (or run up an unbounded bill under attack).",
        remediation: "Set reservedConcurrentExecutions to the function's expected peak.",
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (fn.reservedConcurrentExecutions === undefined || fn.reservedConcurrentExecutions < 0)
            report("reservedConcurrentExecutions is not set.");
    }),
);

const FUNCTION = "aws:lambda/function:Function";
const ALIAS = "aws:lambda/alias:Alias";
const PERMISSION = "aws:lambda/permission:Permission";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const HTTP_API_INTEGRATION = "aws:apigatewayv2/integration:Integration";
const INVOCATION = "aws:lambda/invocation:Invocation";
const QUEUE = "aws:sqs/queue:Queue";

type Resource = PolicyResource;

/** A function name or ARN, qualified (`:alias` / `:version`) or not, that names `fnName`. */
function namesFunction(value: unknown, fnName: unknown): boolean {
    if (typeof value !== "string" || typeof fnName !== "string" || fnName === "") return false;
    if (value === fnName) return true;
    const arn = /^arn:[^:]+:lambda:[^:]*:\d*:function:([^:]+)(:[^:]+)?$/.exec(value);
    return arn?.[1] === fnName;
}

/**
 * True when `r` points at the function: it depends on it or on one of its aliases (the usual way, through
 * outputs), or names it in `key` (a name or a function/alias ARN, as when the function is not in the stack).
 */
function targets(r: Resource, fn: Resource, aliases: readonly Resource[], key: string): boolean {
    if (relatesTo(r, fn)) return true;
    if (aliases.some((alias) => relatesTo(alias, fn) && relatesTo(r, alias))) return true;
    return namesFunction(prop(r, key), prop(fn, "name"));
}

export const lambdaDlq = stackRule(
    {
        name: "lambda-dlq",
        description:
            "Failures are never dropped silently: every Lambda function has a dead-letter queue (`deadLetterConfig`) or an on-failure destination (FunctionEventInvokeConfig), unless all its events come from SQS event source mappings, whose queues must then have a redrive policy (a DLQ), or it is invoked only synchronously, through HTTP API (API Gateway v2) Lambda proxy integrations, where the caller sees the error and Lambda never uses a DLQ, or by Pulumi itself (aws.lambda.Invocation, a RequestResponse call whose error fails the deployment). Mappings, integrations, invocations and permissions may target the function or one of its aliases.",
        remediation:
            "Set deadLetterConfig.targetArn or an on-failure destination; for SQS sources, give the queue a redrivePolicy.",
    },
    (args, report) => {
        const functions = ofType(args.resources, FUNCTION);
        if (functions.length === 0) args.notApplicable("No Lambda functions in the stack.");
        const aliases = ofType(args.resources, ALIAS);
        const mappings = ofType(args.resources, EVENT_SOURCE_MAPPING);
        const invokeConfigs = ofType(args.resources, EVENT_INVOKE_CONFIG);
        const permissions = ofType(args.resources, PERMISSION);
        const integrations = ofType(args.resources, HTTP_API_INTEGRATION);
        const invocations = ofType(args.resources, INVOCATION);
        const queues = ofType(args.resources, QUEUE);
        for (const fn of functions) {
            const dlq = prop(fn, "deadLetterConfig", "targetArn");
            if (dlq === UNKNOWN || (typeof dlq === "string" && dlq !== "")) continue;
            const onFailure = invokeConfigs.some(
                (c) =>
                    targets(c, fn, aliases, "functionName") &&
                    prop(c, "destinationConfig", "onFailure", "destination") !== undefined,
            );
            if (onFailure) continue;
            const sources = mappings.filter((m) => targets(m, fn, aliases, "functionName"));
            if (sources.length > 0) {
                const unprotected = sources.filter((m) => {
                    if (prop(m, "destinationConfig", "onFailure", "destinationArn") !== undefined) return false;
                    const queue = queues.find((q) => relatesTo(m, q));
                    if (!queue) return true;
                    const redrive = prop(queue, "redrivePolicy");
                    return redrive === undefined || redrive === "";
                });
                if (unprotected.length === 0) continue;
                reportOn(
                    report,
                    fn,
                    `event source mapping(s) ${unprotected.map((m) => m.name).join(", ")} have no DLQ on their queue and no on-failure destination.`,
                );
                continue;
            }
            // Synchronous only: an HTTP API proxies to it, and nothing else (S3, SNS, EventBridge...) may invoke it.
            const proxied = integrations.some(
                (i) => prop(i, "integrationType") === "AWS_PROXY" && targets(i, fn, aliases, "integrationUri"),
            );
            const grants = permissions.filter((p) => targets(p, fn, aliases, "function"));
            const otherInvokers = grants.filter((p) => prop(p, "principal") !== "apigateway.amazonaws.com");
            if (proxied && otherInvokers.length === 0) continue;
            // Run by Pulumi (aws.lambda.Invocation, RequestResponse) and granted to nobody: no asynchronous path.
            const invokedByPulumi = invocations.some((i) => targets(i, fn, aliases, "functionName"));
            if (invokedByPulumi && grants.length === 0) continue;
            if (proxied) {
                reportOn(
                    report,
                    fn,
                    `is also invocable by ${otherInvokers.map((p) => String(prop(p, "principal"))).join(", ")} (asynchronous sources) but has no deadLetterConfig and no on-failure destination.`,
                );
                continue;
            }
            reportOn(
                report,
                fn,
                "has no deadLetterConfig and no on-failure destination: failed asynchronous invocations are dropped.",
            );
        }
    },
);

export const lambdaPolicies = [
    lambdaSupportedRuntime,
    lambdaNoPublicInvoke,
    lambdaTracing,
    lambdaDlq,
    lambdaConcurrency,
];
