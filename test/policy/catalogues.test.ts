import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ACCESS_LOGGING_EXEMPTION_TAG_KEY } from "../../components/accessLogBucket";
import { LAMBDA_RUNTIME } from "../../components/serverless/serverlessFunction";
import { ENVIRONMENT_ACCOUNT_IDS, ruleProps } from "../../policy/enforcement";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "../../policy/rules/awsServiceAccounts";
import {
    deprecatedRuntimesOn,
    LAMBDA_RUNTIME_DEPRECATIONS,
    LAMBDA_RUNTIME_DEPRECATIONS_CHECKED,
} from "../../policy/rules/lambda";
import { RESOURCE_POLICY_HOLDERS } from "../../policy/rules/resourcePolicies";
import { ACCESS_LOGGING_EXEMPTION_TAG } from "../../policy/rules/s3";
import { mockCallOutputs } from "../../plan/mockOutputs";
import { CATALOGUE_SOURCES } from "../../stacks/config/catalogues";

const ROOT = path.join(__dirname, "..", "..");
const yamlConfig = (file: string) =>
    (parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as { config: Record<string, unknown> }).config;

/** The data tables the pack's rules judge by: complete against the SDK, dated, and equal to the stack files. */
describe("policy pack catalogues", () => {
    it("every Lambda runtime identifier of @pulumi/aws's lambda.Runtime enum has an AWS deprecation date", () => {
        const missing = Object.values(aws.types.enums.lambda.Runtime).filter(
            (r) => !(r in LAMBDA_RUNTIME_DEPRECATIONS),
        );
        assert.deepStrictEqual(missing, []);
        for (const [runtime, date] of Object.entries(LAMBDA_RUNTIME_DEPRECATIONS))
            assert.match(date, /^20\d\d-\d\d-\d\d$/, runtime);
    });

    it("on the day the table was checked, the runtimes AWS deprecated in 2025 and 2026 are refused", () => {
        const deprecated = deprecatedRuntimesOn(LAMBDA_RUNTIME_DEPRECATIONS_CHECKED);
        for (const r of ["nodejs18.x", "python3.9", "nodejs20.x", "ruby3.2", "python3.10", "java17", "dotnet8"])
            assert.ok(deprecated.includes(r), r);
        for (const r of ["nodejs22.x", "nodejs24.x", "python3.13", "java21"]) assert.ok(!deprecated.includes(r), r);
    });

    it(`the functions' runtime (${LAMBDA_RUNTIME}) is not deprecated today: this fails on its deprecation day, on purpose`, () => {
        const today = new Date().toISOString().slice(0, 10);
        assert.ok(
            !deprecatedRuntimesOn(today).includes(LAMBDA_RUNTIME),
            `${LAMBDA_RUNTIME} was deprecated on ${LAMBDA_RUNTIME_DEPRECATIONS[LAMBDA_RUNTIME]}: move components/serverless to a supported runtime`,
        );
    });

    it("the known accounts of resource policies are the stack files' environment accounts and the bootstrap's tooling account", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const config = yamlConfig(`Pulumi.${env}.yaml`);
            for (const other of ["dev", "staging", "prod"])
                assert.strictEqual(
                    String(config[`voteapp:${other}AccountId`]),
                    ENVIRONMENT_ACCOUNT_IDS[other],
                    `${env}: ${other}`,
                );
        }
        assert.strictEqual(
            String(yamlConfig("bootstrap/Pulumi.tooling.yaml")["voteapp-bootstrap:accountId"]),
            ENVIRONMENT_ACCOUNT_IDS.tooling,
        );
        for (const env of ["dev", "staging", "prod"] as const)
            assert.deepStrictEqual(ruleProps[env]["resource-policy-known-accounts"], {
                knownAccountIds: Object.values(ENVIRONMENT_ACCOUNT_IDS),
            });
    });

    it("the mocked aws.elb.getServiceAccount answer is the eu-west-1 ELB account of the checked-in table", () => {
        const answer = mockCallOutputs(
            "aws:elb/getServiceAccount:getServiceAccount",
            {},
            { region: "eu-west-1", accountId: "1" },
        );
        assert.strictEqual(answer.id, ELB_LOG_DELIVERY_ACCOUNTS["eu-west-1"]);
    });

    it("every resource-policy holder names a property the installed @pulumi/aws typings declare", () => {
        const awsRoot = path.dirname(require.resolve("@pulumi/aws/package.json"));
        for (const h of RESOURCE_POLICY_HOLDERS) {
            const [, modulePath, cls] = h.type.split(/[:]/);
            const file = path.join(awsRoot, modulePath.split("/")[0], `${modulePath.split("/")[1]}.d.ts`);
            const text = fs.readFileSync(file, "utf8");
            const args = text.slice(text.indexOf(`export interface ${cls}Args {`));
            assert.ok(
                new RegExp(`\\n    (readonly )?${h.property}\\??:`).test(args.slice(0, args.indexOf("\n}"))),
                `${h.type}.${h.property}`,
            );
        }
    });

    it("the README's config reference lists every config catalogue with its source and date", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        for (const c of CATALOGUE_SOURCES)
            assert.ok(
                readme.includes(`| ${c.catalogue} | ${c.source} | ${c.checked} |`),
                `README.md lacks the row for ${c.catalogue} (source ${c.source}, checked ${c.checked})`,
            );
    });

    it("components tag log buckets with the exemption key the s3-access-logging rule reads", () => {
        assert.strictEqual(ACCESS_LOGGING_EXEMPTION_TAG_KEY, ACCESS_LOGGING_EXEMPTION_TAG);
    });
});
