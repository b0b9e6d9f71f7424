import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { runTypeScriptChild } from "../support/children";
import { planCli, planCliThroughPipe } from "../support/plan";

describe("npm run plan", function () {
    this.timeout(180_000);

    it("prints the dev stack's tree, counts and outputs without AWS credentials", async () => {
        const { code, out, err } = await planCli("--stack", "dev");
        assert.strictEqual(code, 0, err);
        for (const fragment of [
            "## Resources",
            "voteapp:fargate:VoteAppOnFargate  vote-app",
            "aws:rds/instance:Instance",
            "## Count by type",
            "## Stack outputs",
            "url:",
        ]) {
            assert.ok(out.includes(fragment), `plan output lacks "${fragment}"`);
        }
    });

    it("plans a lambda stack offline: API, functions, queue and table, with the URL, queue and table as outputs", async () => {
        const { code, out, err } = await planCli("--stack", "dev", "--set", "voteapp:platform=lambda");
        assert.strictEqual(code, 0, err);
        for (const fragment of [
            "voteapp:serverless:VoteAppServerless  vote-app",
            "aws:apigatewayv2/api:Api",
            "aws:lambda/function:Function",
            "aws:sqs/queue:Queue",
            "aws:dynamodb/table:Table",
            'url: "https://',
            ".execute-api.eu-west-1.amazonaws.com",
            "votesQueueUrl:",
            "votesTableName:",
        ]) {
            assert.ok(out.includes(fragment), `plan output lacks "${fragment}"`);
        }
        assert.ok(!out.includes("awsx:ec2:Vpc"), "a lambda stack plans no VPC");
    });

    it("prints JSON with --json", async () => {
        const { code, out } = await planCli("--stack", "dev", "--json", "--set", "voteapp:azCount=3");
        assert.strictEqual(code, 0);
        const parsed = JSON.parse(out) as { resources: { type: string; inputs: Record<string, unknown> }[] };
        assert.strictEqual(
            parsed.resources.find((r) => r.type === "awsx:ec2:Vpc")?.inputs.numberOfAvailabilityZones,
            3,
        );
    });

    it("delivers every byte of --json through a pipe, well past the 64 KiB a pipe holds (issue 11.12)", async () => {
        const { code, out, err } = await planCliThroughPipe("--stack", "dev", "--json");
        assert.strictEqual(code, 0, err);
        const bytes = Buffer.byteLength(out);
        assert.ok(bytes > 64 * 1024, `only ${bytes} bytes arrived: the plan is larger than one pipe buffer`);
        const parsed = JSON.parse(out) as { stack: string; policy: { configFile: string } };
        assert.strictEqual(parsed.stack, "dev");
        assert.ok(parsed.policy.configFile.endsWith("dev.json"), "the JSON is complete up to its last member");
    });

    it("exits non-zero with the validation errors on invalid config", async () => {
        const { code, err } = await planCli("--stack", "prod", "--set", "voteapp:multiAz=false");
        assert.strictEqual(code, 1);
        assert.ok(err.includes("voteapp:multiAz = false: must be true in prod"), err);
    });

    it("refuses an unknown stack, listing the known ones, before loading the SDK or the program", () => {
        // The entry point as a process (as `npm run plan` starts it), with the @pulumi packages it loaded.
        const result = runTypeScriptChild([path.join(PROJECT_ROOT, "plan", "cli.ts"), "--stack", "qa"], {
            cwd: PROJECT_ROOT,
        });
        assert.strictEqual(result.status, 2);
        assert.ok(result.stderr.includes("dev, prod, staging"), result.stderr);
        assert.deepStrictEqual(result.pulumiPackages, [], "a usage error answered after loading Pulumi");
    });

    it("prints the policy verdicts under the environment's enforcement after the tree", async () => {
        const { code, out } = await planCli("--stack", "dev");
        assert.strictEqual(code, 0);
        const tree = out.indexOf("## Resources");
        const verdicts = out.indexOf("## Policy verdicts (voteapp-devsecops, policy/config/dev.json)");
        assert.ok(tree >= 0 && verdicts > tree, out.slice(-2000));
        assert.match(out, /\d+ rules ran \(\d+ disabled\): 0 mandatory, \d+ advisory violation/);
    });

    it("exits 3 naming the rules when a mandatory violation would block the deployment", async () => {
        const strict = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "all-mandatory.json");
        fs.writeFileSync(strict, JSON.stringify({ all: "mandatory" }));
        const { code, out, err } = await planCli("--stack", "dev", "--policy-config", strict);
        assert.strictEqual(code, 3, err);
        assert.ok(
            out.includes("MANDATORY (blocks the deployment)") && out.includes("[mandatory] rds-multi-az"),
            out.slice(-3000),
        );
        assert.match(err, /\d+ mandatory policy violation\(s\)/);
    });

    it("puts the verdicts in --json output", async () => {
        const { code, out } = await planCli("--stack", "dev", "--json");
        assert.strictEqual(code, 0);
        const parsed = JSON.parse(out) as {
            policy: { configFile: string; summary: { mandatory: number }; violations: { policyName: string }[] };
        };
        assert.ok(parsed.policy.configFile.endsWith(path.join("policy", "config", "dev.json")));
        assert.strictEqual(parsed.policy.summary.mandatory, 0);
        assert.ok(parsed.policy.violations.some((v) => v.policyName === "rds-multi-az"));
    });
});
