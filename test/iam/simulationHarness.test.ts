import * as assert from "assert";
import { bootstrapRun } from "../bootstrap/support";
import { exampleResources, expandAction } from "../support/iamArns";
import {
    decide,
    type Decision,
    forAction,
    type IamRequest,
    type PolicyDocumentJson,
    regionOf,
    resourcePatternMatches,
    resourceTypeResolutions,
    type RoleDocuments,
    roleNamed,
} from "../support/iamSimulation";

/**
 * The simulation harness hands the simulator, per request, only the statements (and of each only the Action
 * patterns) that may apply to the request's action, each document validated once (test/support/iamSimulation.ts,
 * "One request's share of a document"). That is a speed-up only if no decision changes: these tests hold the
 * decisions equal to the simulator's on the whole documents, on fixtures of every statement form and on the
 * deploy role itself, and hold a document IAM would refuse refused whatever the request.
 */
const ACCOUNT = "111111111111";
const REGION = "eu-west-1";

const document = (...Statement: Record<string, unknown>[]): PolicyDocumentJson => ({
    Version: "2012-10-17",
    Statement,
});

const FIXTURE: RoleDocuments = {
    logicalName: "fixture",
    roleName: "fixture",
    arn: `arn:aws:iam::${ACCOUNT}:role/voteapp/fixture`,
    accountId: ACCOUNT,
    trust: document(),
    identityPolicies: [
        {
            name: "grants",
            policy: document(
                {
                    Sid: "Lists",
                    Effect: "Allow",
                    Action: ["S3:listBUCKET", "ec2:Describe*", "sqs:?endMessage"],
                    Resource: "*",
                },
                { Sid: "OneString", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
                {
                    Sid: "TaggedOnly",
                    Effect: "Allow",
                    Action: ["logs:*", "ecs:*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:ResourceTag/project": "voteapp" } },
                },
                { Sid: "Everything", Effect: "Allow", Action: "*", Resource: `arn:aws:s3:::voteapp-*` },
            ),
        },
        {
            name: "guardrails",
            policy: document(
                {
                    Sid: "NotInRegion",
                    Effect: "Deny",
                    NotAction: ["iam:*", "sts:*"],
                    Resource: "*",
                    Condition: { StringNotEquals: { "aws:RequestedRegion": REGION } },
                },
                { Sid: "NoDelete", Effect: "Deny", Action: ["logs:Delete*", "s3:DeleteBucket"], Resource: "*" },
            ),
        },
    ],
    permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
    permissionsBoundary: {
        name: "boundary",
        policy: document(
            { Sid: "Most", Effect: "Allow", NotAction: ["ec2:DescribeRegions"], Resource: "*" },
            { Sid: "NoQueues", Effect: "Deny", Action: "sqs:Send*", Resource: "*" },
        ),
    },
    unresolvedPolicyArns: [],
};

const inRegion = { "aws:RequestedRegion": REGION };
const FIXTURE_REQUESTS: readonly IamRequest[] = [
    { action: "s3:ListBucket", resource: "arn:aws:s3:::voteapp-logs", context: inRegion },
    { action: "s3:ListBucket", resource: "arn:aws:s3:::other", context: inRegion },
    { action: "s3:ListBucket", resource: "arn:aws:s3:::other", context: { "aws:RequestedRegion": "us-east-1" } },
    { action: "s3:DeleteBucket", resource: "arn:aws:s3:::voteapp-logs", context: inRegion },
    { action: "s3:GetObject", resource: "arn:aws:s3:::voteapp-logs/a", context: inRegion },
    { action: "ec2:DescribeVpcs", resource: "*", context: inRegion },
    { action: "ec2:DescribeRegions", resource: "*", context: inRegion },
    { action: "sqs:SendMessage", resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:q`, context: inRegion },
    { action: "kms:Decrypt", resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`, context: inRegion },
    { action: "kms:Encrypt", resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`, context: inRegion },
    // A wildcard resource: the simulator runs one simulation per resource type and pattern.
    { action: "logs:PutRetentionPolicy", resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*`, context: inRegion },
    { action: "s3:GetObject", resource: "arn:aws:s3:::voteapp-*/*", context: inRegion },
    {
        action: "logs:PutRetentionPolicy",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g`,
        context: { ...inRegion, "aws:ResourceTag/project": "voteapp" },
    },
    {
        action: "logs:PutRetentionPolicy",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g`,
        context: { ...inRegion, "aws:ResourceTag/project": "other" },
    },
    {
        action: "logs:DeleteLogGroup",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g`,
        context: { ...inRegion, "aws:ResourceTag/project": "voteapp" },
    },
    {
        action: "iam:GetRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/x`,
        context: { "aws:RequestedRegion": "us-east-1" },
    },
];

/** The decision, or the simulator's refusal, in one string. */
async function outcome(
    role: RoleDocuments,
    request: IamRequest,
    documents: "for the action" | "whole",
): Promise<string> {
    try {
        return await decide(role, request, documents);
    } catch (err) {
        return `refused: ${(err as Error).message}`;
    }
}

async function differences(
    role: RoleDocuments,
    requests: readonly IamRequest[],
): Promise<{ differ: string[]; seen: Set<string> }> {
    const differ: string[] = [];
    const seen = new Set<string>();
    for (const request of requests) {
        const whole = await outcome(role, request, "whole");
        const forTheAction = await outcome(role, request, "for the action");
        seen.add(whole.startsWith("refused") ? "refused" : whole);
        if (forTheAction !== whole)
            differ.push(
                `${request.action} on ${request.resource} ${JSON.stringify(request.context)}: ${forTheAction}, whole: ${whole}`,
            );
    }
    return { differ, seen };
}

describe("the IAM simulation harness: each request's share of the documents", function () {
    this.timeout(300_000);

    it("keeps every statement and Action pattern that may apply (NotAction, `*`, any case, `?` and `*` wildcards)", () => {
        const grants = FIXTURE.identityPolicies[0].policy;
        const sids = (kept: unknown) =>
            (kept as { policyDocument: PolicyDocumentJson }).policyDocument.Statement.map(
                (s) => `${String(s.Sid)} ${JSON.stringify(s.Action ?? s.NotAction)}`,
            );
        assert.deepStrictEqual(sids(forAction(grants, "s3:ListBucket")), ['Lists ["S3:listBUCKET"]', 'Everything "*"']);
        assert.deepStrictEqual(sids(forAction(grants, "sqs:SendMessage")), [
            'Lists ["sqs:?endMessage"]',
            'Everything "*"',
        ]);
        assert.deepStrictEqual(sids(forAction(grants, "LOGS:GetLogEvents")), [
            'TaggedOnly ["logs:*"]',
            'Everything "*"',
        ]);
        assert.deepStrictEqual(sids(forAction(grants, "kms:Decrypt")), ['OneString "kms:Decrypt"', 'Everything "*"']);
        assert.deepStrictEqual(sids(forAction(grants, "kms:DecryptAll")), ['Everything "*"']);
        const guardrails = FIXTURE.identityPolicies[1].policy;
        assert.deepStrictEqual(sids(forAction(guardrails, "iam:GetRole")), ['NotInRegion ["iam:*","sts:*"]']);
    });

    it("decides as the simulator does on the whole documents: fixtures of every statement form", async () => {
        const { differ, seen } = await differences(FIXTURE, FIXTURE_REQUESTS);
        assert.deepStrictEqual(differ, []);
        // Not vacuous: the fixtures reach every decision.
        assert.deepStrictEqual([...seen].sort(), ["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"]);
    });

    it("decides as the simulator does on the whole documents: the deploy role, one action of each of its statements", async () => {
        const run = await bootstrapRun("staging");
        const deploy = roleNamed(run, "voteapp-deploy");
        const region = regionOf(run);
        const requests: IamRequest[] = [];
        for (const { policy } of deploy.identityPolicies)
            for (const statement of policy.Statement) {
                const patterns = [statement.Action ?? statement.NotAction].flat().map(String);
                // The statement's first and last action, so a statement's list is cut at both ends.
                for (const pattern of new Set([patterns[0], patterns[patterns.length - 1]])) {
                    const action = pattern === "*" ? "s3:GetObject" : (await expandAction(pattern))[0];
                    if (!action) continue;
                    const [resource] = await exampleResources(action, {
                        partition: "aws",
                        region,
                        accountId: deploy.accountId,
                        name: "voteapp-staging-example",
                    });
                    const global = action.startsWith("iam:") || action.startsWith("sts:");
                    requests.push({
                        action,
                        resource,
                        context: {
                            "aws:RequestedRegion": global ? "us-east-1" : region,
                            "aws:RequestTag/project": "voteapp",
                            "aws:ResourceTag/project": "voteapp",
                            "aws:TagKeys": ["project"],
                        },
                    });
                }
            }
        assert.ok(requests.length >= 20, `${requests.length} requests`);
        const { differ, seen } = await differences(deploy, requests);
        assert.deepStrictEqual(differ, []);
        assert.ok(seen.has("Allowed") && seen.has("ExplicitlyDenied"), [...seen].join(", "));
    });

    it("resolves a request's resource to its types once, where the simulator asks twice", async () => {
        const before = { ...resourceTypeResolutions };
        const request = {
            action: "sqs:SendMessage",
            resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:asked-once`,
            context: inRegion,
        };
        assert.strictEqual(await decide(FIXTURE, request), "ExplicitlyDenied");
        assert.deepStrictEqual(
            [resourceTypeResolutions.calls - before.calls, resourceTypeResolutions.computed - before.computed],
            [2, 1],
        );
    });

    it("matches an ARN against the same resource types once, whichever action takes them", async () => {
        const resolutions = { ...resourceTypeResolutions };
        const matches = { ...resourcePatternMatches };
        const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:matched-once`;
        const context = { ...inRegion, "aws:ResourceTag/project": "voteapp" };
        const decisions: Decision[] = [];
        for (const action of ["logs:PutRetentionPolicy", "logs:DeleteLogGroup"])
            decisions.push(await decide(FIXTURE, { action, resource: group, context }));
        assert.deepStrictEqual(decisions, ["Allowed", "ExplicitlyDenied"]);
        // Two actions, two resolutions (each asked twice); both take only a log group: matched once.
        assert.deepStrictEqual(
            {
                resolved: resourceTypeResolutions.computed - resolutions.computed,
                asked: resourcePatternMatches.calls - matches.calls,
                matched: resourcePatternMatches.computed - matches.computed,
            },
            { resolved: 2, asked: 2, matched: 1 },
        );
    });

    it("refuses a document IAM would refuse, whatever the request's action", async () => {
        const broken: RoleDocuments = {
            ...FIXTURE,
            identityPolicies: [
                ...FIXTURE.identityPolicies,
                {
                    name: "broken",
                    policy: document({
                        Sid: "NoResource",
                        Effect: "Allow",
                        Action: "ecs:ListClusters",
                    }),
                },
            ],
        };
        // The faulty statement names only ecs: a request for s3 is handed none of it, and is still refused.
        const request = FIXTURE_REQUESTS[0];
        for (const documents of ["whole", "for the action"] as const)
            await assert.rejects(decide(broken, request, documents), /refused the input.*broken/);
        const decisions: Decision[] = [];
        for (const documents of ["whole", "for the action"] as const)
            decisions.push(await decide(FIXTURE, request, documents));
        assert.deepStrictEqual(decisions, ["Allowed", "Allowed"]);
    });
});
