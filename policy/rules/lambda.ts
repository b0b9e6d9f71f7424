import * as aws from "@pulumi/aws";
import { type PolicyResource } from "@pulumi/policy";
import { plaintextSecret } from "./ecs";
import {
    isAwsManagedKey,
    ofType,
    prop,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    stringList,
    UNKNOWN,
    validateResourceOfType,
} from "./util";

/** Lambda functions, their permissions and failure handling (FSBP Lambda.*). */

/**
 * When AWS deprecates each Lambda runtime (from then on it receives no security patches; function creation,
 * then updates, are blocked some weeks later). Past dates are deprecated runtimes; future ones are AWS's
 * published schedule, so the rule starts failing on the day a runtime is deprecated without anyone editing
 * this table. Every runtime identifier of @pulumi/aws's `lambda.Runtime` enum has an entry (a test checks).
 *
 * Source: AWS Lambda Developer Guide, "Lambda runtimes" (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html,
 * supported and deprecated runtime tables), as transcribed with dates in terraform-linters/tflint-ruleset-aws
 * rules/aws_lambda_function_deprecated_runtime.go (updated November 2025: python3.9 2025-12-15, nodejs18.x
 * 2025-09-01), and endoflife.date/aws-lambda for the runtimes added since (nodejs24.x, python3.14, java25,
 * dotnet10, ruby3.4, dotnet9). Checked 2026-12-03.
 */
export const LAMBDA_RUNTIME_DEPRECATIONS_CHECKED = "2026-12-03";
export const LAMBDA_RUNTIME_DEPRECATIONS: Readonly<Record<string, string>> = {
    "nodejs24.x": "2028-04-30",
    "nodejs22.x": "2027-04-30",
    "nodejs20.x": "2026-04-30",
    "nodejs18.x": "2025-09-01",
    "nodejs16.x": "2024-06-12",
    "nodejs14.x": "2023-12-04",
    "nodejs12.x": "2023-03-31",
    "nodejs10.x": "2021-07-30",
    "nodejs8.10": "2020-03-06",
    "nodejs6.10": "2019-08-12",
    "nodejs4.3": "2020-03-05",
    "nodejs4.3-edge": "2020-03-05",
    nodejs: "2016-10-31",
    "python3.14": "2029-06-30",
    "python3.13": "2029-06-30",
    "python3.12": "2028-10-31",
    "python3.11": "2026-06-30",
    "python3.10": "2026-06-30",
    "python3.9": "2025-12-15",
    "python3.8": "2024-10-14",
    "python3.7": "2023-12-04",
    "python3.6": "2022-07-18",
    "python2.7": "2021-07-15",
    java25: "2029-06-30",
    java21: "2029-06-30",
    java17: "2026-06-30",
    java11: "2026-06-30",
    "java8.al2": "2026-06-30",
    java8: "2024-01-08",
    dotnet10: "2028-11-14",
    dotnet9: "2026-11-10",
    dotnet8: "2026-11-10",
    dotnet7: "2024-05-14",
    dotnet6: "2024-11-12",
    "dotnet5.0": "2022-05-10",
    "dotnetcore3.1": "2023-04-03",
    "dotnetcore2.1": "2022-01-05",
    "dotnetcore2.0": "2019-05-30",
    "dotnetcore1.0": "2019-07-27",
    "ruby3.4": "2028-03-31",
    "ruby3.3": "2027-03-31",
    "ruby3.2": "2026-03-31",
    "ruby2.7": "2023-11-27",
    "ruby2.5": "2021-07-30",
    "go1.x": "2024-01-08",
    "provided.al2023": "2029-06-30",
    "provided.al2": "2026-06-30",
    provided: "2024-01-08",
};

/** Runtimes deprecated on `asOf` (YYYY-MM-DD) according to a deprecation table. */
export function deprecatedRuntimesOn(
    asOf: string,
    deprecations: Readonly<Record<string, string>> = LAMBDA_RUNTIME_DEPRECATIONS,
): string[] {
    return Object.entries(deprecations)
        .filter(([, date]) => date <= asOf)
        .map(([runtime]) => runtime)
        .sort();
}

interface RuntimeConfig {
    readonly deprecationDates?: Record<string, string>;
    readonly deprecatedRuntimes?: string[];
    readonly asOf?: string;
}

const today = () => new Date().toISOString().slice(0, 10);

export const lambdaSupportedRuntime = resourceRule(
    {
        name: "lambda-supported-runtime",
        control: "Lambda.2",
        description: `Lambda functions use a runtime AWS still patches. Fails when \`runtime\` has a deprecation date on or before the evaluation day in \`deprecationDates\` (default: AWS's published schedule, checked ${LAMBDA_RUNTIME_DEPRECATIONS_CHECKED}), or is listed in \`deprecatedRuntimes\` (extra identifiers to refuse). Passes for runtimes whose deprecation date is still ahead, and for container-image functions (no runtime). \`asOf\` (YYYY-MM-DD) pins the evaluation day; default today.`,
        remediation: "Move the function to a supported runtime (e.g. nodejs22.x or later).",
        configSchema: {
            properties: {
                deprecationDates: {
                    type: "object",
                    default: LAMBDA_RUNTIME_DEPRECATIONS,
                    description: "Runtime identifier → the date (YYYY-MM-DD) AWS deprecates it.",
                },
                deprecatedRuntimes: stringList("Runtime identifiers refused whatever their date.", []),
                asOf: {
                    type: "string",
                    pattern: "^\\d{4}-\\d{2}-\\d{2}$",
                    description: "The day to judge deprecation on (default: today).",
                },
            },
        },
    },
    validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
        if (fn.runtime === undefined) return;
        const config = args.getConfig<RuntimeConfig>();
        const dates = config.deprecationDates ?? LAMBDA_RUNTIME_DEPRECATIONS;
        const asOf = config.asOf ?? today();
        const date = dates[fn.runtime];
        if ((config.deprecatedRuntimes ?? []).includes(fn.runtime))
            report(`Runtime ${fn.runtime} is deprecated (listed in deprecatedRuntimes).`);
        else if (date !== undefined && date <= asOf)
            report(`Runtime ${fn.runtime} was deprecated on ${date}: AWS no longer patches it.`);
    }),
);

const SERVICE_PRINCIPAL = /\.amazonaws\.com(\.cn)?$/;

export const lambdaNoPublicInvoke = resourceRule(
    {
        name: "lambda-no-public-invoke",
        control: "Lambda.1",
        description:
            "Lambda permissions name who may invoke and from where. Fails for principal `*` without `sourceArn`, `sourceAccount` or `principalOrgId` (anyone can invoke), and for an AWS service principal (`*.amazonaws.com`) without `sourceArn` or `sourceAccount` (any account's resource of that service could invoke it: the confused deputy). Passes for account/role principals and for grants carrying those conditions.",
        remediation:
            "Grant the permission to a specific account or service and add sourceArn (the calling resource) and sourceAccount.",
    },
    validateResourceOfType(aws.lambda.Permission, (perm, _args, report) => {
        if (perm.principal === "*" && !perm.sourceArn && !perm.sourceAccount && !perm.principalOrgId)
            report(
                "Principal * without sourceArn, sourceAccount or principalOrgId: the function is publicly invocable.",
            );
        else if (SERVICE_PRINCIPAL.test(perm.principal) && !perm.sourceArn && !perm.sourceAccount)
            report(
                `Service principal ${perm.principal} without sourceArn or sourceAccount: any account's ${perm.principal.split(".")[0]} resource could invoke the function.`,
            );
    }),
);

export const lambdaUrlAuth = resourceRule(
    {
        name: "lambda-url-auth",
        control: "Lambda.1",
        description:
            'Lambda function URLs require IAM authentication: an aws.lambda.FunctionUrl with `authorizationType` "NONE", or a lambda.Permission for `lambda:InvokeFunctionUrl` with `functionUrlAuthType` "NONE", fails (anyone on the internet can invoke the function). Passes with AWS_IAM.',
        remediation:
            'Set authorizationType: "AWS_IAM" and grant lambda:InvokeFunctionUrl to the callers, or put an API Gateway with an authorizer in front.',
    },
    [
        validateResourceOfType(aws.lambda.FunctionUrl, (url, _args, report) => {
            if (url.authorizationType === "NONE")
                report('authorizationType is "NONE": the function URL is open to anyone on the internet.');
        }),
        validateResourceOfType(aws.lambda.Permission, (perm, _args, report) => {
            if (perm.action === "lambda:InvokeFunctionUrl" && perm.functionUrlAuthType === "NONE")
                report(`Grants lambda:InvokeFunctionUrl to ${perm.principal} with functionUrlAuthType "NONE".`);
        }),
    ],
);

export const lambdaNoSecretsInEnv = resourceRule(
    {
        name: "lambda-no-secrets-in-env",
        description:
            "No secret in a Lambda function's `environment.variables` (readable by anyone who may call lambda:GetFunctionConfiguration): the same test as ecs-task-no-secrets-in-env, so names with a part PASSWORD, TOKEN, SECRET, KEY, CREDENTIAL or PRIVATE (or ending in one), and values that look like AWS access keys, private keys or URLs with credentials, fail; a name ending in _ARN holding exactly an ARN is a reference and passes. Read secrets at run time from Secrets Manager or SSM.",
        remediation: "Store the value in Secrets Manager and read it at run time; pass its ARN in a *_ARN variable.",
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        for (const [name, value] of Object.entries(fn.environment?.variables ?? {})) {
            const finding = plaintextSecret(name, String(value));
            if (finding) report(`Environment variable "${name}" ${finding}.`);
        }
    }),
);

export const lambdaEnvKms = resourceRule(
    {
        name: "lambda-env-kms",
        description:
            "Lambda functions with environment variables encrypt them with a customer managed KMS key (`kmsKeyArn` set, not the AWS managed alias/aws/lambda), so reading the configuration needs a key grant too. Functions without environment variables pass.",
        remediation: "Set kmsKeyArn to the stack's customer managed key.",
    },
    validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (Object.keys(fn.environment?.variables ?? {}).length === 0) return;
        if (!fn.kmsKeyArn) report("Environment variables are encrypted with the AWS managed key (kmsKeyArn is unset).");
        else if (isAwsManagedKey(fn.kmsKeyArn))
            report(`kmsKeyArn ${fn.kmsKeyArn} is the AWS managed key; use a customer managed key.`);
    }),
);

export const lambdaTracing = resourceRule(
    {
        name: "lambda-tracing",
        passes: "`tracingConfig.mode` is `Active` (unset means PassThrough and fails)",
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
        passes: "`reservedConcurrentExecutions` is set to 0 or more",
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
        passes: "the function has a `deadLetterConfig.targetArn`, an on-failure destination, only SQS sources whose queues redrive to a DLQ (or mappings with on-failure destinations), or is invoked only through HTTP API proxy integrations",
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
    lambdaUrlAuth,
    lambdaNoSecretsInEnv,
    lambdaEnvKms,
    lambdaTracing,
    lambdaDlq,
    lambdaConcurrency,
];
