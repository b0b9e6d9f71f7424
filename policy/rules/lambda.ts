import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { ofType, prop, relatesTo, reportOn, resourceRule, stackRule, stringList, UNKNOWN } from "./util";

/** Lambda functions, their permissions and failure handling (FSBP Lambda.*). */

export const DEFAULT_DEPRECATED_RUNTIMES = [
    "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x",
    "python2.7", "python3.6", "python3.7", "python3.8",
    "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6", "dotnet7",
    "go1.x", "ruby2.5", "ruby2.7", "ruby3.2", "provided",
];

export const lambdaSupportedRuntime = resourceRule(
    {
        name: "lambda-supported-runtime",
        control: "Lambda.2",
        description: "Lambda functions use a runtime AWS still patches: `runtime` must not be in the pack config's `deprecatedRuntimes` list (container-image functions have no runtime and pass).",
        remediation: "Move the function to a supported runtime (e.g. nodejs22.x).",
        configSchema: { properties: { deprecatedRuntimes: stringList("Lambda runtime identifiers that are deprecated or past end of support.", DEFAULT_DEPRECATED_RUNTIMES) } },
    },
    validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
        const deprecated = args.getConfig<{ deprecatedRuntimes?: string[] }>().deprecatedRuntimes ?? DEFAULT_DEPRECATED_RUNTIMES;
        if (fn.runtime !== undefined && deprecated.includes(fn.runtime)) report(`Runtime ${fn.runtime} is deprecated.`);
    }),
);

export const lambdaNoPublicInvoke = resourceRule(
    {
        name: "lambda-no-public-invoke",
        control: "Lambda.1",
        description: "A Lambda permission granted to principal `*` must carry a `sourceArn`, `sourceAccount` or `principalOrgId` condition; otherwise anyone can invoke the function.",
        remediation: "Grant the permission to a specific service or account, or add sourceArn / sourceAccount.",
    },
    validateResourceOfType(aws.lambda.Permission, (perm, _args, report) => {
        if (perm.principal === "*" && !perm.sourceArn && !perm.sourceAccount && !perm.principalOrgId) report("Principal * without sourceArn, sourceAccount or principalOrgId: the function is publicly invocable.");
    }),
);

export const lambdaTracing = resourceRule(
    {
        name: "lambda-tracing",
        description: "Lambda functions enable active X-Ray tracing (`tracingConfig.mode` Active), to follow a request through the queue and the worker when investigating.",
        remediation: 'Set tracingConfig: { mode: "Active" }.',
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (fn.tracingConfig?.mode !== "Active") report(`tracingConfig.mode is ${JSON.stringify(fn.tracingConfig?.mode ?? "unset (PassThrough)")}.`);
    }),
);

export const lambdaConcurrency = resourceRule(
    {
        name: "lambda-concurrency",
        description: "Lambda functions set `reservedConcurrentExecutions`, so one function cannot exhaust the account's concurrency (or run up an unbounded bill under attack).",
        remediation: "Set reservedConcurrentExecutions to the function's expected peak.",
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (fn.reservedConcurrentExecutions === undefined || fn.reservedConcurrentExecutions < 0) report("reservedConcurrentExecutions is not set.");
    }),
);

const FUNCTION = "aws:lambda/function:Function";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const QUEUE = "aws:sqs/queue:Queue";

export const lambdaDlq = stackRule(
    {
        name: "lambda-dlq",
        description:
            "Failures are never dropped silently: every Lambda function has a dead-letter queue (`deadLetterConfig`) or an on-failure destination (FunctionEventInvokeConfig), unless all its events come from SQS event source mappings, whose queues must then have a redrive policy (a DLQ).",
        remediation: "Set deadLetterConfig.targetArn or an on-failure destination; for SQS sources, give the queue a redrivePolicy.",
    },
    (args, report) => {
        const functions = ofType(args.resources, FUNCTION);
        if (functions.length === 0) args.notApplicable("No Lambda functions in the stack.");
        const mappings = ofType(args.resources, EVENT_SOURCE_MAPPING);
        const invokeConfigs = ofType(args.resources, EVENT_INVOKE_CONFIG);
        const queues = ofType(args.resources, QUEUE);
        for (const fn of functions) {
            const dlq = prop(fn, "deadLetterConfig", "targetArn");
            if (dlq === UNKNOWN || (typeof dlq === "string" && dlq !== "")) continue;
            const fnName = prop(fn, "name");
            const matches = (r: (typeof mappings)[number], key: string) => relatesTo(r, fn) || (fnName !== undefined && prop(r, key) === fnName);
            const onFailure = invokeConfigs.some((c) => matches(c, "functionName") && prop(c, "destinationConfig", "onFailure", "destination") !== undefined);
            if (onFailure) continue;
            const sources = mappings.filter((m) => matches(m, "functionName"));
            if (sources.length > 0) {
                const unprotected = sources.filter((m) => {
                    if (prop(m, "destinationConfig", "onFailure", "destinationArn") !== undefined) return false;
                    const queue = queues.find((q) => relatesTo(m, q));
                    if (!queue) return true;
                    const redrive = prop(queue, "redrivePolicy");
                    return redrive === undefined || redrive === "";
                });
                if (unprotected.length === 0) continue;
                reportOn(report, fn, `event source mapping(s) ${unprotected.map((m) => m.name).join(", ")} have no DLQ on their queue and no on-failure destination.`);
                continue;
            }
            reportOn(report, fn, "has no deadLetterConfig and no on-failure destination: failed asynchronous invocations are dropped.");
        }
    },
);

export const lambdaPolicies = [lambdaSupportedRuntime, lambdaNoPublicInvoke, lambdaTracing, lambdaDlq, lambdaConcurrency];
