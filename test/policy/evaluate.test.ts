import * as assert from "assert";
import * as aws from "@pulumi/aws";
import {
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import {
    evaluatePolicies,
    evaluatePoliciesAsync,
    formatReport,
    hasMandatoryViolations,
    parseUrn,
    resolveLevel,
    splitProviderReference,
} from "../../policy/evaluate";
import { allPolicies } from "../../policy/rules";
import { TYPE_ALIAS_FAMILIES } from "../../policy/rules/typeAliases";
import { judgedTypesOf } from "../../policy/rules/util";
import { rdsNotPublic } from "../../policy/rules/rds";
import { requiredTags } from "../../policy/rules/tagging";
import { accountProvider, captured, PROVIDER_URN, stackOf, urnOf } from "./helpers";
import { db } from "./fixtures/rds";

const DB = "aws:rds/instance:Instance";

/** A policy recording the arguments it was given. */
function recorder<T>(record: (args: T) => void, name = "recorder"): ResourceValidationPolicy {
    return { name, description: "records its arguments", validateResource: (args) => record(args as T) };
}

describe("offline policy evaluator", () => {
    describe("arguments, as CrossGuard gives them", () => {
        it("gives resource rules type, props, urn, name, opts, provider, isType/asType and getConfig", () => {
            const seen: ResourceValidationArgs[] = [];
            const policy: ResourceValidationPolicy = {
                name: "recorder",
                description: "d",
                validateResource: (args) => void seen.push(args),
            };
            const resource = captured({
                type: DB,
                name: "data-postgres",
                props: db(),
                dependencies: [urnOf("aws:kms/key:Key", "k")],
                protect: true,
            });
            evaluatePolicies(stackOf([resource]), { policies: [policy], config: { all: "mandatory" } });
            const args = seen.find((a) => a.type === DB);
            assert.ok(args, "the rule saw the database");
            assert.strictEqual(args.urn, resource.urn);
            assert.strictEqual(args.name, "data-postgres");
            assert.strictEqual(args.props.engine, "postgres");
            assert.strictEqual(args.opts.protect, true);
            assert.strictEqual(args.opts.parent, resource.parent);
            assert.deepStrictEqual((args.opts as unknown as { dependsOn: string[] }).dependsOn, [
                urnOf("aws:kms/key:Key", "k"),
            ]);
            assert.ok(args.isType(aws.rds.Instance));
            assert.ok(!args.isType(aws.s3.Bucket));
            assert.strictEqual(args.asType(aws.rds.Instance)?.instanceClass, "db.t4g.micro");
            assert.strictEqual(args.asType(aws.s3.Bucket), undefined);
            assert.deepStrictEqual(args.getConfig(), {});
            assert.ok(args.provider, "provider resolved");
            assert.strictEqual(args.provider.urn, PROVIDER_URN);
            assert.strictEqual(args.provider.type, "pulumi:providers:aws");
            assert.strictEqual(args.provider.name, "test-account");
            assert.strictEqual(
                JSON.parse(args.provider.props.allowedAccountIds as string)[0],
                "333333333333",
                "provider inputs stay JSON strings, as the engine sends them",
            );
            assert.strictEqual(
                seen.some((a) => a.type === "pulumi:pulumi:Stack"),
                false,
                "the root stack is not analysed",
            );
        });

        it("resolves the provider reference <providerUrn>::<id> (the URN itself contains ::)", () => {
            assert.deepStrictEqual(splitProviderReference(`${PROVIDER_URN}::abc-123`), {
                urn: PROVIDER_URN,
                id: "abc-123",
            });
            assert.deepStrictEqual(parseUrn(PROVIDER_URN), { type: "pulumi:providers:aws", name: "test-account" });
        });

        it("builds a provider from its URN when the provider resource was not captured", () => {
            let provider: { type: string; name: string } | undefined;
            const orphanUrn = "urn:pulumi:test::voteapp::pulumi:providers:aws::elsewhere";
            const resource = captured({ type: DB, name: "db", props: db(), provider: `${orphanUrn}::id` });
            evaluatePolicies(stackOf([resource]), {
                policies: [
                    recorder<{ type: string; provider?: { type: string; name: string } }>((a) => {
                        if (a.type === DB) provider = a.provider;
                    }),
                ],
                config: {},
            });
            assert.deepStrictEqual(provider && { type: provider.type, name: provider.name }, {
                type: "pulumi:providers:aws",
                name: "elsewhere",
            });
        });

        it("gives stack rules every resource with parent, dependencies and provider resolved", () => {
            let checked = false;
            const policy: StackValidationPolicy = {
                name: "stack-recorder",
                description: "d",
                validateStack: (args) => {
                    const bucket = args.resources.find((r) => r.type === "aws:s3/bucket:Bucket");
                    const block = args.resources.find(
                        (r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                    );
                    assert.ok(bucket && block);
                    assert.strictEqual(block.dependencies[0], bucket, "dependencies are the PolicyResource objects");
                    assert.strictEqual(bucket.parent?.type, "pulumi:pulumi:Stack");
                    assert.strictEqual(bucket.provider?.urn, PROVIDER_URN);
                    assert.ok(bucket.isType(aws.s3.Bucket));
                    assert.strictEqual(bucket.asType(aws.s3.Bucket)?.forceDestroy, false);
                    assert.ok(
                        args.resources.some((r) => r.type === "pulumi:providers:aws"),
                        "providers are resources of the stack",
                    );
                    checked = true;
                },
            };
            const resources = stackOf([
                { type: "aws:s3/bucket:Bucket", name: "b", props: { forceDestroy: false } },
                {
                    type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                    name: "b",
                    props: { bucket: "b" },
                    dependencies: [urnOf("aws:s3/bucket:Bucket", "b")],
                },
            ]);
            const report = evaluatePolicies(resources, { policies: [policy], config: {} });
            assert.ok(checked);
            assert.deepStrictEqual(report.violations, [], formatReport(report));
        });

        it("applies config schema defaults and the config's parameters through getConfig", () => {
            const params: unknown[] = [];
            const policy: StackValidationPolicy = {
                name: "configured",
                description: "d",
                configSchema: {
                    properties: { a: { type: "string", default: "from-schema" }, b: { type: "integer", default: 1 } },
                },
                validateStack: (args) => void params.push(args.getConfig()),
            };
            evaluatePolicies(stackOf([]), {
                policies: [policy],
                config: { configured: { enforcementLevel: "advisory", b: 5 } },
            });
            assert.deepStrictEqual(params, [{ a: "from-schema", b: 5 }]);
        });
    });

    describe("unknown values (preview)", () => {
        it("reports a rule touching an unknown value as advisory 'can't run during preview', as CrossGuard does", () => {
            const resource = captured({
                type: DB,
                name: "db",
                props: db({ publiclyAccessible: pulumi.runtime.unknownValue }),
            });
            const report = evaluatePolicies(stackOf([resource]), {
                policies: [rdsNotPublic],
                config: { "rds-not-public": "mandatory" },
            });
            assert.strictEqual(report.violations.length, 1, formatReport(report));
            assert.strictEqual(report.violations[0].level, "advisory");
            assert.match(
                report.violations[0].message,
                /can't run policy 'rds-not-public'.*during preview: string value at \.publiclyAccessible can't be known/,
            );
            assert.strictEqual(hasMandatoryViolations(report), false);
        });

        it("treats the SDK's `unknown` marker (mocks in preview mode) like the engine's sentinel", () => {
            const resource = captured({ type: DB, name: "db", props: db({ publiclyAccessible: pulumi.unknown }) });
            const report = evaluatePolicies(stackOf([resource]), { policies: [rdsNotPublic], config: {} });
            assert.match(report.violations[0]?.message ?? "", /during preview/);
        });

        it("an unknown property the rule does not read changes nothing", () => {
            const resource = captured({ type: DB, name: "db", props: db({ kmsKeyId: pulumi.runtime.unknownValue }) });
            const report = evaluatePolicies(stackOf([resource]), { policies: [rdsNotPublic], config: {} });
            assert.deepStrictEqual(report.violations, []);
        });

        it("stack rules skip unknown parts instead of crashing (required-tags with unknown tags)", () => {
            const report = evaluatePolicies(
                stackOf([
                    { type: "aws:s3/bucket:Bucket", name: "b", props: { tags: pulumi.runtime.unknownValue } },
                    accountProvider({ defaultTags: undefined }),
                ]),
                {
                    policies: [requiredTags],
                    config: { all: "mandatory" },
                },
            );
            assert.deepStrictEqual(report.violations, [], formatReport(report));
        });

        it("no rule of the pack crashes on a resource whose every input is unknown", () => {
            const types = [
                "aws:ecs/taskDefinition:TaskDefinition",
                DB,
                "aws:ec2/securityGroup:SecurityGroup",
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "aws:s3/bucket:Bucket",
                "aws:lb/loadBalancer:LoadBalancer",
                "aws:iam/rolePolicy:RolePolicy",
                "kubernetes:apps/v1:Deployment",
                "aws:lambda/function:Function",
                "aws:sqs/queue:Queue",
                "pulumi:providers:aws",
            ];
            const keys = [
                "containerDefinitions",
                "networkMode",
                "publiclyAccessible",
                "ingress",
                "tags",
                "cidrIpv4",
                "policy",
                "spec",
                "metadata",
                "runtime",
                "redrivePolicy",
                "allowedAccountIds",
                "defaultTags",
                "assumeRoles",
                "accessLogs",
                "subnets",
            ];
            const props = Object.fromEntries(keys.map((k) => [k, pulumi.runtime.unknownValue]));
            const resources = types.map((type) => ({
                type,
                name: `unknown-${type.split(":").pop()?.toLowerCase()}`,
                props,
            }));
            const report = evaluatePolicies(stackOf(resources), {
                policies: allPolicies,
                config: { all: "mandatory" },
            });
            const crashes = report.violations.filter((v) => /instead of stopping the run/.test(v.message));
            assert.deepStrictEqual(crashes, [], formatReport(report));
        });
    });

    describe("errors and enforcement", () => {
        const throwing: ResourceValidationPolicy = {
            name: "throws",
            description: "a buggy rule",
            validateResource: validateResourceOfType(aws.rds.Instance, () => {
                throw new Error("boom");
            }),
        };

        it("reports a rule that throws as a violation of that rule at its level, without stopping other rules", () => {
            const resources = stackOf([{ type: DB, name: "db", props: db({ publiclyAccessible: true }) }]);
            const report = evaluatePolicies(resources, {
                policies: [throwing, rdsNotPublic],
                config: { all: "mandatory" },
            });
            const names = report.violations.map((v) => v.policyName).sort();
            assert.deepStrictEqual(names, ["rds-not-public", "throws"]);
            const thrown = report.violations.find((v) => v.policyName === "throws");
            assert.strictEqual(thrown?.level, "mandatory");
            assert.match(thrown?.message ?? "", /boom/);
            assert.strictEqual(thrown?.name, "db");
        });

        it("reports a rejected asynchronous rule (evaluatePoliciesAsync)", async () => {
            const asyncRule: ResourceValidationPolicy = {
                name: "async",
                description: "d",
                validateResource: async (args) => {
                    if (args.type === DB) throw new Error("late boom");
                },
            };
            const report = await evaluatePoliciesAsync(stackOf([{ type: DB, name: "db", props: db() }]), {
                policies: [asyncRule],
                config: { async: "advisory" },
            });
            assert.strictEqual(report.violations.length, 1);
            assert.strictEqual(report.violations[0].level, "advisory");
            assert.match(report.violations[0].message, /late boom/);
        });

        it("applies levels: the rule's entry over `all` over the rule's own level over the pack's", () => {
            const p = { ...rdsNotPublic, enforcementLevel: "advisory" as const };
            assert.strictEqual(resolveLevel(p, { all: "mandatory", "rds-not-public": "disabled" }), "disabled");
            assert.strictEqual(resolveLevel(p, { all: "mandatory" }), "mandatory");
            assert.strictEqual(resolveLevel(p, {}), "advisory");
            assert.strictEqual(resolveLevel(rdsNotPublic, {}, "mandatory"), "mandatory");
            assert.strictEqual(
                resolveLevel(rdsNotPublic, { "rds-not-public": { enforcementLevel: "remediate" } }),
                "remediate",
            );
        });

        it("levels reach the violations; remediate counts as mandatory", () => {
            const resources = stackOf([{ type: DB, name: "db", props: db({ publiclyAccessible: true }) }]);
            for (const [configured, expected] of [
                ["advisory", "advisory"],
                ["mandatory", "mandatory"],
                ["remediate", "mandatory"],
            ] as const) {
                const report = evaluatePolicies(resources, {
                    policies: [rdsNotPublic],
                    config: { "rds-not-public": configured },
                });
                assert.strictEqual(report.violations[0]?.level, expected, configured);
                assert.strictEqual(report.summary[expected], 1);
            }
        });

        it("does not run disabled rules", () => {
            let ran = false;
            const spy: ResourceValidationPolicy = {
                name: "spy",
                description: "d",
                validateResource: () => void (ran = true),
            };
            const report = evaluatePolicies(stackOf([{ type: DB, name: "db", props: db() }]), {
                policies: [spy],
                config: { spy: "disabled" },
            });
            assert.strictEqual(ran, false);
            assert.strictEqual(report.summary.policiesDisabled, 1);
            assert.strictEqual(report.summary.policiesRun, 0);
        });

        it("records stack rules that are not applicable", () => {
            const report = evaluatePolicies(stackOf([]), { policies: allPolicies, config: {} });
            assert.ok(
                report.notApplicable.some((n) => n.policyName === "lambda-dlq" && /No Lambda/.test(n.reason ?? "")),
            );
        });

        it("reports config mistakes: unknown rules, wrong parameter types, bad patterns", () => {
            const report = evaluatePolicies(stackOf([]), {
                policies: allPolicies,
                config: {
                    "no-such-rule": "mandatory",
                    "rds-backups": { enforcementLevel: "advisory", minimumDays: "seven" },
                    "prod-account-pin": { prodAccountId: "prod" },
                },
            });
            assert.ok(report.configErrors.some((e) => /unknown rule "no-such-rule"/.test(e)));
            assert.ok(
                report.configErrors.some((e) => /rds-backups: parameter "minimumDays" should be "integer"/.test(e)),
            );
            assert.ok(
                report.configErrors.some((e) =>
                    /prod-account-pin: parameter "prodAccountId" "prod" does not match/.test(e),
                ),
            );
            assert.ok(
                report.violations.some(
                    (v) =>
                        v.policyName === "rds-backups" &&
                        v.level === "mandatory" &&
                        /invalid pack config/.test(v.message),
                ),
            );
        });
    });

    describe("typed rules' other types", () => {
        // The evaluator does not call a validation marked with the types it judges (policy/rules/util.ts) on a resource
        // of another type: here, for every such validation of the pack, calling it there only refuses (notApplicable),
        // which on a resource reports nothing, so the skipped call could not have changed a report.
        it("every rule validation marked with its judged types refuses every other type, and reports nothing there", () => {
            class Refused extends Error {}
            const validations = (allPolicies as readonly Partial<ResourceValidationPolicy>[]).flatMap((policy) =>
                [policy.validateResource ?? []].flat().map((validation) => ({ policy: policy.name, validation })),
            );
            // Every type a marked validation or an alias family names, the provider, and one no rule knows.
            const types = new Set([
                "aws:test/unjudged:Unjudged",
                "pulumi:providers:aws",
                ...TYPE_ALIAS_FAMILIES.flat(),
                ...validations.flatMap(({ validation }) => judgedTypesOf(validation) ?? []),
            ]);
            const stack = stackOf([...types].map((type, i) => ({ type, name: `r${i}`, props: { tags: {} } })));
            let marked = 0;
            for (const { policy, validation } of validations) {
                const judged = judgedTypesOf(validation);
                if (!judged) continue;
                marked++;
                assert.ok(judged.length > 0, policy);
                const outcomes = new Map<string, string>();
                const probe: ResourceValidationPolicy = {
                    name: "probe",
                    description: "calls the validation itself, unmarked",
                    validateResource: (args, report) => {
                        if (judged.includes(args.type)) return;
                        const refuse = (reason?: string): never => {
                            throw new Refused(reason);
                        };
                        try {
                            void validation({ ...args, notApplicable: refuse }, report);
                            outcomes.set(args.type, "judged");
                        } catch (e) {
                            outcomes.set(args.type, e instanceof Refused ? "refused" : `threw ${String(e)}`);
                        }
                    },
                };
                const report = evaluatePolicies(stack, { policies: [probe], config: { all: "mandatory" } });
                assert.deepStrictEqual(report.violations, [], policy);
                const notRefused = [...outcomes].filter(([, outcome]) => outcome !== "refused");
                assert.deepStrictEqual(notRefused, [], policy);
                assert.strictEqual(outcomes.size, types.size - judged.filter((t) => types.has(t)).length, policy);
            }
            assert.ok(marked > 50, `only ${marked} marked validations`);
        });
    });

    describe("provider inputs as JSON strings", () => {
        it("reads allowedAccountIds, assumeRoles and defaultTags from the strings mocks produce", () => {
            const pins = allPolicies.filter((p) =>
                ["provider-allowed-accounts", "prod-account-pin", "required-tags"].includes(p.name),
            );
            const resources = stackOf([{ type: "aws:s3/bucket:Bucket", name: "b", props: {} }]);
            const ok = evaluatePolicies(resources, {
                policies: pins,
                config: { all: "mandatory", "prod-account-pin": { prodAccountId: "333333333333" } },
            });
            assert.deepStrictEqual(ok.violations, [], formatReport(ok));
            const wrong = evaluatePolicies(resources, {
                policies: pins,
                config: { all: "mandatory", "prod-account-pin": { prodAccountId: "999999999999" } },
            });
            assert.deepStrictEqual([...new Set(wrong.violations.map((v) => v.policyName))], ["prod-account-pin"]);
        });
    });

    describe("formatReport", () => {
        it("lists mandatory violations first, with rule, resource and message", () => {
            const resources = stackOf([
                { type: DB, name: "data-postgres", props: db({ publiclyAccessible: true, multiAz: false }) },
            ]);
            const report = evaluatePolicies(resources, {
                policies: allPolicies.filter((p) => p.name.startsWith("rds-")),
                config: { "rds-not-public": "mandatory", "rds-multi-az": "advisory", all: "disabled" },
            });
            const text = formatReport(report);
            assert.match(text, /2 rules ran .*: 1 mandatory, 1 advisory/);
            assert.ok(
                text.indexOf('[mandatory] rds-not-public  aws:rds/instance:Instance "data-postgres"') <
                    text.indexOf("[advisory] rds-multi-az"),
                text,
            );
            assert.match(formatReport(evaluatePolicies(stackOf([]), { policies: [], config: {} })), /No violations/);
        });
    });
});
