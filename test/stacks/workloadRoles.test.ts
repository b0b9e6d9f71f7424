import * as assert from "assert";
import { stackBucketPrefix } from "../../components/delivery/workloadRoles";
import type { StackRun } from "../../plan/stackRun";
import { readOncePerKey } from "../support/sharedReads";
import { bootstrapRun, workloadBoundaryOf } from "../bootstrap/support";
import managed from "../support/awsManagedPolicies.json";
import { exampleResources, expandAction } from "../support/iamArns";
import {
    decide,
    type Decision,
    type PolicyDocumentJson,
    regionOf,
    type RoleDocuments,
    roleNamed,
    rolesOf,
} from "../support/iamSimulation";
import { SHIPPED_STACKS, single, stackRun } from "../support/stacks";

/**
 * The app's roles (issue 12.1, stacks' side): every role a stack creates sits on the program's IAM path and
 * carries the permissions boundary its account's bootstrap creates; the boundary leaves every grant of
 * every role intact (simulated action by action); and the deploy role may create, change and pass each
 * of them.
 */
const PLATFORMS = ["ecs", "eks", "lambda"] as const;
const MANAGED: Readonly<Record<string, PolicyDocumentJson>> = Object.fromEntries(
    Object.entries(managed.policies).map(([arn, p]) => [arn, p.document as PolicyDocumentJson]),
);

/**
 * Read once per file and shared, frozen (no test can change what another reads), as the account's boundary is
 * (workloadBoundaryOf): each (stack, platform) of each test read its account's deploy role afresh, so the IAM harness (which validates and indexes a
 * document once per document object) did that again for the same documents.
 */
const deployRoleOf = readOncePerKey(async (stack: string): Promise<RoleDocuments> =>
    roleNamed(await bootstrapRun(stack), "voteapp-deploy"),
);

const runs = async (): Promise<{ stack: string; platform: string; run: StackRun }[]> => {
    const all = [];
    for (const stack of SHIPPED_STACKS)
        for (const platform of PLATFORMS)
            all.push({ stack, platform, run: await stackRun(stack, { overrides: { "voteapp:platform": platform } }) });
    return all;
};

/** Grants of AWS managed policies the app never uses, which the boundary withholds on purpose. */
const WITHHELD: readonly { role: RegExp; action: RegExp; why: string }[] = [
    {
        role: /codedeploy/,
        action: /^s3:GetObject/,
        why: "revisions stored in S3: the Lambda deployments pass their AppSpec inline (scripts/shift-lambda-traffic.ts, AppSpecContent)",
    },
];

/**
 * Actions whose only resource forms the simulator cannot tell apart (a Lambda alias ARN and a version ARN
 * share one shape), so it refuses to decide them; checked to stay exactly these.
 */
const AMBIGUOUS_FOR_THE_SIMULATOR = ["lambda:GetProvisionedConcurrencyConfig"];

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

describe("the stacks' IAM roles", function () {
    this.timeout(600_000);

    it("every role of every stack × platform is on /voteapp/ and carries the boundary its account's bootstrap creates", async () => {
        for (const { stack, platform, run } of await runs()) {
            const boundary = await workloadBoundaryOf(stack);
            const roles = run.resources.filter((r) => r.type === "aws:iam/role:Role");
            assert.ok(roles.length > 0);
            for (const role of roles)
                assert.deepStrictEqual(
                    [role.inputs.path, role.inputs.permissionsBoundary],
                    ["/voteapp/", boundary.arn],
                    `${stack}/${platform}: role ${role.name}`,
                );
        }
    });

    it("every bucket of every stack × platform is named with the prefix the deploy role may manage", async () => {
        for (const { stack, platform, run } of await runs()) {
            const buckets = run.resources.filter((r) => r.type === "aws:s3/bucket:Bucket");
            assert.ok(buckets.length > 0);
            for (const bucket of buckets)
                assert.strictEqual(
                    bucket.inputs.bucketPrefix,
                    stackBucketPrefix(run.stackConfig.project, stack),
                    `${stack}/${platform}: bucket ${bucket.name}`,
                );
        }
    });

    it("the boundary takes nothing away: every action each role's policies grant (AWS managed ones included) stays allowed", async () => {
        const checked = new Set<string>();
        const problems: string[] = [];
        for (const { stack, platform, run } of await runs()) {
            const boundary = await workloadBoundaryOf(stack);
            const region = regionOf(run);
            const keyPolicy = JSON.parse(
                String(single(run, "aws:kms/key:Key", "data-key").inputs.policy),
            ) as PolicyDocumentJson;
            for (const role of rolesOf(run, MANAGED)) {
                assert.deepStrictEqual(
                    role.unresolvedPolicyArns,
                    [],
                    `${role.roleName}: add the AWS managed policy to test/support/awsManagedPolicies.json`,
                );
                for (const { policy } of role.identityPolicies)
                    for (const statement of policy.Statement.filter((s) => s.Effect === "Allow")) {
                        for (const pattern of list(statement.Action))
                            for (const action of await expandAction(pattern)) {
                                if (WITHHELD.some((w) => w.role.test(role.logicalName) && w.action.test(action)))
                                    continue;
                                // A resource of this account, in a form the action takes (the dataset's ARN templates).
                                const resources =
                                    action === "iam:CreateServiceLinkedRole"
                                        ? [
                                              `arn:aws:iam::${role.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
                                          ]
                                        : await exampleResources(action, {
                                              partition: "aws",
                                              region,
                                              accountId: role.accountId,
                                              name: "voteapp-example",
                                          });
                                const key = `${stack}|${action}|${resources[0]}`;
                                if (checked.has(key)) continue;
                                checked.add(key);
                                // The role's grant, unconditioned: only the boundary decides.
                                const grant: RoleDocuments = {
                                    ...role,
                                    identityPolicies: [
                                        {
                                            name: "grant",
                                            policy: {
                                                Version: "2012-10-17",
                                                Statement: [{ Effect: "Allow", Action: action, Resource: "*" }],
                                            },
                                        },
                                    ],
                                    permissionsBoundary: boundary,
                                };
                                const context = {
                                    "aws:RequestedRegion": action.startsWith("iam:") ? "us-east-1" : region,
                                    ...(action === "iam:PassRole"
                                        ? { "iam:PassedToService": "ecs-tasks.amazonaws.com" }
                                        : {}),
                                    ...(action === "iam:CreateServiceLinkedRole"
                                        ? { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" }
                                        : {}),
                                };
                                let decision = "not simulated";
                                const resource = resources[0];
                                for (const candidate of resources) {
                                    try {
                                        decision = await decide(grant, {
                                            action,
                                            resource: candidate,
                                            context,
                                            // KMS honours IAM grants only where the key policy lets the account (the stack's keys do).
                                            ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy } : {}),
                                        });
                                        break;
                                    } catch (err) {
                                        decision = `not simulated: ${(err as Error).message}`;
                                    }
                                }
                                const ambiguous = decision.includes('"multiple.resource.types"');
                                if (ambiguous !== AMBIGUOUS_FOR_THE_SIMULATOR.includes(action))
                                    problems.push(`${action}: update AMBIGUOUS_FOR_THE_SIMULATOR`);
                                if (decision !== "Allowed" && !ambiguous)
                                    problems.push(
                                        `${platform} ${role.logicalName}: ${action} on ${resource}: ${decision}`,
                                    );
                            }
                    }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("the deploy role may create each role with its boundary, give it its policies and pass it to the service that assumes it", async () => {
        const problems: string[] = [];
        const decisions = new Map<string, Promise<Decision>>();
        for (const { stack, platform, run } of await runs()) {
            const deploy = await deployRoleOf(stack);
            const boundary = await workloadBoundaryOf(stack);
            const global = { "aws:RequestedRegion": "us-east-1" };
            for (const role of rolesOf(run, MANAGED)) {
                const withBoundary = { ...global, "iam:PermissionsBoundary": boundary.arn };
                const requests: { action: string; context: Record<string, string> }[] = [
                    { action: "iam:CreateRole", context: withBoundary },
                    { action: "iam:TagRole", context: global },
                    { action: "iam:UpdateAssumeRolePolicy", context: global },
                    { action: "iam:DeleteRole", context: global },
                    ...(role.identityPolicies.some((p) => !p.name.startsWith("arn:"))
                        ? ["iam:PutRolePolicy", "iam:DeleteRolePolicy"].map((action) => ({
                              action,
                              context: withBoundary,
                          }))
                        : []),
                    ...role.identityPolicies
                        .filter((p) => p.name.startsWith("arn:"))
                        .flatMap((p) =>
                            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"].map((action) => ({
                                action,
                                context: { ...withBoundary, "iam:PolicyARN": p.name },
                            })),
                        ),
                    // Every service the role trusts receives it from the deploy role (iam:PassRole at create/update).
                    ...role.trust.Statement.flatMap((s) =>
                        list((s.Principal as { Service?: unknown } | undefined)?.Service),
                    ).map((service) => ({
                        action: "iam:PassRole",
                        context: { ...global, "iam:PassedToService": service },
                    })),
                ];
                for (const request of requests) {
                    // The platforms of a stack share most roles (same ARN, same requests): one simulation per question.
                    const question = JSON.stringify([stack, role.arn, request.action, request.context]);
                    let decided = decisions.get(question);
                    if (!decided) {
                        decided = decide(deploy, { ...request, resource: role.arn });
                        decisions.set(question, decided);
                    }
                    const decision = await decided;
                    if (decision !== "Allowed")
                        problems.push(
                            `${stack}/${platform} ${role.logicalName}: ${request.action} ${JSON.stringify(request.context)}: ${decision}`,
                        );
                }
            }
        }
        assert.deepStrictEqual([...new Set(problems)], []);
    });
});
