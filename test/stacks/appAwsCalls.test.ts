import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { mockResourceOutputs } from "../../plan/mockOutputs";
import type { StackRun } from "../../plan/stackRun";
import { isServerlessCacheEndpoint } from "../../app/src/core/config";
import { AppEnv, DATABASE_SETUP_ENV, LambdaEnv, STORE_IAM_ACTIONS } from "../../shared/appContract";
import type { CapturedResource } from "../../shared/capturedResource";
import { workloadBoundaryOf } from "../bootstrap/support";
import {
    accountOf,
    decide,
    type PolicyDocumentJson,
    regionOf,
    roleIn,
    type RoleDocuments,
    rolesOf,
    withBoundary,
} from "../support/iamSimulation";
import { input, ofType, SHIPPED_STACKS, single, stackRun } from "../support/stacks";
import { containerWorkloads } from "../support/workloads";

/**
 * The AWS calls the app itself makes at run time, joined to what each platform plans for them: the role the
 * calling service runs as may make each call on the very resource the app addresses (from the environment the
 * platform hands it), the customer key of an encrypted resource included (simulated, every shipped stack ×
 * platform); and without NAT, each AWS endpoint a caller inside the VPC needs exists. The table of calls is
 * checked against the app's source, so a new SDK command or signer fails here until it is joined.
 */

type Platform = "ecs" | "eks" | "lambda";
const PLATFORMS: readonly Platform[] = ["ecs", "eks", "lambda"];

/** A call as the app addresses it, given the caller's environment: IAM actions on one resource each. */
interface Request {
    readonly action: string;
    readonly resource: string;
    readonly context?: Readonly<Record<string, string>>;
}

interface Caller {
    readonly service: string;
    readonly role: RoleDocuments;
    readonly env: Readonly<Record<string, string>>;
}

/** One way the app calls AWS: where in its source, who calls on which platform, and what IAM then decides. */
interface AppAwsCall {
    /** The app file, relative to app/src, and the constructor (SDK command or signer) that makes the call. */
    readonly file: string;
    readonly constructs: readonly string[];
    readonly callers: Readonly<Partial<Record<Platform, readonly string[]>>>;
    /** The interface endpoint service a caller inside the VPC reaches (none: signed locally, no request). */
    readonly endpoint?: string;
    readonly requests: (run: StackRun, caller: Caller) => Request[];
}

const viaService = (service: string, run: StackRun) => ({
    "kms:ViaService": `${service}.${regionOf(run)}.amazonaws.com`,
});
const defined = (value: string | undefined, what: string): string => {
    assert.ok(value, `no ${what}`);
    return value;
};

const APP_AWS_CALLS: readonly AppAwsCall[] = [
    {
        file: "lambda/vote.ts",
        constructs: ["SendMessageCommand"],
        callers: { lambda: ["vote"] },
        requests: (run, { env }) => {
            const url = defined(env[LambdaEnv.queueUrl], LambdaEnv.queueUrl);
            const name = url.slice(url.lastIndexOf("/") + 1);
            const queue = ofType(run, "aws:sqs/queue:Queue").find((q) => q.inputs.name === name);
            assert.ok(queue, `no queue ${name} (${url})`);
            const key = String(queue.inputs.kmsMasterKeyId);
            return [
                { action: "sqs:SendMessage", resource: `arn:aws:sqs:${regionOf(run)}:${accountOf(run)}:${name}` },
                // SQS encrypts the message with a data key of the queue's key, in the sender's name.
                { action: "kms:GenerateDataKey", resource: key, context: viaService("sqs", run) },
                { action: "kms:Decrypt", resource: key, context: viaService("sqs", run) },
            ];
        },
    },
    {
        file: "lambda/store.ts",
        constructs: ["BatchGetCommand", "GetCommand", "UpdateCommand"],
        callers: { lambda: ["worker", "result"] },
        requests: (run, { service, env }) => {
            const name = defined(env[LambdaEnv.tableName], LambdaEnv.tableName);
            const table = ofType(run, "aws:dynamodb/table:Table").find((t) => t.inputs.name === name);
            assert.ok(table, `no table ${name}`);
            const key = String(input(table, "serverSideEncryption", "kmsKeyArn"));
            // Which of the store's commands each function sends: test/app/lambda.test.ts runs the store to hold it.
            const actions = STORE_IAM_ACTIONS[service as keyof typeof STORE_IAM_ACTIONS];
            assert.ok(actions, `${service} uses the store`);
            return [
                ...actions.map((action) => ({
                    action,
                    resource: `arn:aws:dynamodb:${regionOf(run)}:${accountOf(run)}:table/${name}`,
                })),
                { action: "kms:Decrypt", resource: key, context: viaService("dynamodb", run) },
            ];
        },
    },
    {
        file: "dbsetup/handler.ts",
        constructs: ["GetSecretValueCommand"],
        callers: { ecs: ["db-setup"], eks: ["db-setup"] },
        endpoint: "secretsmanager",
        requests: (run, { env }) => {
            const arn = defined(env[DATABASE_SETUP_ENV.masterSecretArn], DATABASE_SETUP_ENV.masterSecretArn);
            const key = String(single(run, "aws:rds/instance:Instance").inputs.masterUserSecretKmsKeyId);
            return [
                { action: "secretsmanager:GetSecretValue", resource: arn },
                { action: "kms:Decrypt", resource: key, context: viaService("secretsmanager", run) },
            ];
        },
    },
    {
        file: "containers/pgPassword.ts",
        constructs: ["Signer"],
        callers: { ecs: ["worker", "result"], eks: ["worker", "result"] },
        requests: (run, { env }) => {
            const host = env[AppEnv.pgHost];
            const instance = single(run, "aws:rds/instance:Instance");
            const { state } = mockResourceOutputs(instance.type, instance.name, instance.inputs, {
                region: regionOf(run),
                accountId: accountOf(run),
            });
            assert.strictEqual(state.address, host, "the app connects to the stack's database");
            const user = defined(env[AppEnv.pgUser], AppEnv.pgUser);
            const resource = `arn:aws:rds-db:${regionOf(run)}:${accountOf(run)}:dbuser:${String(state.resourceId)}/${user}`;
            return [{ action: "rds-db:connect", resource }];
        },
    },
    {
        file: "containers/redisAuth.ts",
        constructs: ["SignatureV4"],
        callers: { ecs: ["vote", "worker"], eks: ["vote", "worker"] },
        requests: (run, { env }) => {
            const cache = defined(env[AppEnv.redisCacheName], AppEnv.redisCacheName);
            const kind = isServerlessCacheEndpoint(defined(env[AppEnv.redisHost], AppEnv.redisHost))
                ? "serverlesscache"
                : "replicationgroup";
            const arn = (type: string, id: string) =>
                `arn:aws:elasticache:${regionOf(run)}:${accountOf(run)}:${type}:${id}`;
            // ElastiCache authorises the connection on both the cache and the user the token names.
            return [
                { action: "elasticache:Connect", resource: arn(kind, cache) },
                {
                    action: "elasticache:Connect",
                    resource: arn("user", defined(env[AppEnv.redisUser], AppEnv.redisUser)),
                },
            ];
        },
    },
];

/** What the app constructs that calls or signs for AWS, file by file (relative to app/src). */
function awsConstructionsInSource(): string[] {
    const root = path.join(__dirname, "../../app/src");
    const found: string[] = [];
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".ts"))
                for (const match of fs
                    .readFileSync(full, "utf8")
                    .matchAll(/new\s+(\w+Command|Signer|SignatureV4)\s*\(/g))
                    found.push(`${path.relative(root, full)} ${match[1]}`);
        }
    };
    walk(root);
    return [...new Set(found)].sort();
}

const roleByArn = (roles: readonly RoleDocuments[], arn: unknown): RoleDocuments =>
    roleIn(roles, String(arn).slice(String(arn).lastIndexOf("/") + 1));

/** Each calling service of the run with the role it runs as and its plain environment. */
function callersOf(run: StackRun, platform: Platform): Caller[] {
    const roles = rolesOf(run);
    const functions = ofType(run, "aws:lambda/function:Function");
    const lambda = (fn: CapturedResource, service: string): Caller => ({
        service,
        role: roleByArn(roles, fn.inputs.role),
        env: (input(fn, "environment", "variables") ?? {}) as Record<string, string>,
    });
    const setup = functions.filter((f) => f.name === "data-db-setup").map((f) => lambda(f, "db-setup"));
    if (platform === "lambda")
        return functions.map((f) => lambda(f, f.name.slice(f.name.lastIndexOf("-") + 1))).concat(setup);
    return containerWorkloads(run)
        .map(({ service, env, roleArn }) => ({ service, role: roleByArn(roles, roleArn), env }))
        .concat(setup);
}

describe("the app's AWS calls and what each platform plans for them", function () {
    this.timeout(600_000);

    it("the table holds every SDK command and signer the app's source constructs", () => {
        assert.deepStrictEqual(
            awsConstructionsInSource(),
            APP_AWS_CALLS.flatMap((call) => call.constructs.map((c) => `${call.file} ${c}`)).sort(),
        );
    });

    for (const stack of SHIPPED_STACKS)
        for (const platform of PLATFORMS)
            it(`${stack}/${platform}: each caller's role may make each call on what the app addresses, the key included`, async () => {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                const keyPolicy = JSON.parse(
                    String(single(run, "aws:kms/key:Key", "data-key").inputs.policy),
                ) as PolicyDocumentJson;
                const boundary = await workloadBoundaryOf(stack);
                const callers = callersOf(run, platform);
                const problems: string[] = [];
                let simulated = 0;
                for (const call of APP_AWS_CALLS)
                    for (const service of call.callers[platform] ?? []) {
                        const caller = callers.find((c) => c.service === service);
                        if (!caller) {
                            problems.push(`${call.file}: no ${service} on ${platform}`);
                            continue;
                        }
                        for (const request of call.requests(run, caller)) {
                            simulated++;
                            const decision = await decide(withBoundary(caller.role, boundary), {
                                action: request.action,
                                resource: request.resource,
                                context: { "aws:RequestedRegion": regionOf(run), ...request.context },
                                ...(request.action.startsWith("kms:") ? { resourcePolicy: keyPolicy } : {}),
                            });
                            if (decision !== "Allowed")
                                problems.push(
                                    `${service} (${caller.role.roleName}): ${request.action} on ${request.resource}: ${decision}`,
                                );
                        }
                    }
                assert.deepStrictEqual(problems, []);
                assert.ok(simulated >= 4, `only ${simulated} requests simulated`);
            });

    // ecs only: eks refuses natGateways none (stacks/config/network.ts: its add-ons pull from public registries).
    for (const platform of ["ecs"] as const)
        it(`${platform} without NAT: every AWS endpoint a caller inside the VPC reaches has an interface endpoint`, async () => {
            const run = await stackRun("dev", {
                overrides: {
                    "voteapp:platform": platform,
                    "voteapp:natGateways": "none",
                    "voteapp:vpcInterfaceEndpoints": "true",
                },
            });
            const region = regionOf(run);
            const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint")
                .filter((e) => e.inputs.vpcEndpointType === "Interface" && e.inputs.privateDnsEnabled === true)
                .map((e) => String(e.inputs.serviceName));
            const needed = APP_AWS_CALLS.filter(
                (call) => call.endpoint && (call.callers[platform] ?? []).length > 0,
            ).map((call) => `com.amazonaws.${region}.${call.endpoint}`);
            assert.deepStrictEqual(
                needed.filter((service) => !endpoints.includes(service)),
                [],
                `interface endpoints: ${endpoints.join(", ")}`,
            );
            // The function calling through an endpoint may send HTTPS to it, and the endpoints admit the VPC.
            const vpcCidr = String(
                run.stackConfig.config["voteapp:vpcCidr"] ?? input(single(run, "awsx:ec2:Vpc"), "cidrBlock"),
            );
            const endpointIngress = single(
                run,
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "network-endpoints-https",
            );
            assert.deepStrictEqual(
                [endpointIngress.inputs.cidrIpv4, endpointIngress.inputs.fromPort, endpointIngress.inputs.toPort],
                [vpcCidr, 443, 443],
            );
            const setup = single(run, "aws:lambda/function:Function", "data-db-setup");
            const groups = input(setup, "vpcConfig", "securityGroupIds") as string[];
            const https = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
                (rule) =>
                    groups.includes(String(rule.inputs.securityGroupId)) &&
                    ["tcp", "-1"].includes(String(rule.inputs.ipProtocol)) &&
                    (rule.inputs.ipProtocol === "-1" ||
                        (Number(rule.inputs.fromPort) <= 443 && Number(rule.inputs.toPort) >= 443)) &&
                    ["0.0.0.0/0", vpcCidr].includes(String(rule.inputs.cidrIpv4)),
            );
            assert.ok(https.length > 0, `db-setup's groups ${groups.join(", ")} send no HTTPS into the VPC`);
        });
});
