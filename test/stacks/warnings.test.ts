import * as assert from "assert";
import { deployWarnings } from "../../stacks/warnings";
import { parseWith } from "../support/config";
import { planCli } from "../support/plan";

describe("deploy warnings (stacks/warnings.ts): printed by the plan, logged by the program under the CLI", () => {
    it("the shipped stacks plan without warnings", () => {
        for (const stack of ["dev", "staging", "prod"]) assert.deepStrictEqual(deployWarnings(parseWith(stack)), []);
    });

    it("changing azCount 2 → 3 names the subnets awsx moves (the second AZ's), which replaces them", () => {
        const warnings = deployWarnings(parseWith("dev", { azCount: "3" }), parseWith("dev"));
        assert.strictEqual(warnings.length, 1);
        assert.strictEqual(warnings[0].key, "voteapp:azCount");
        for (const fragment of [
            "network-private-2 10.10.128.0/22 → 10.10.64.0/22",
            "network-public-2 10.10.132.0/24 → 10.10.68.0/24",
            "replaced",
        ])
            assert.ok(warnings[0].message.includes(fragment), warnings[0].message);
        assert.ok(!warnings[0].message.includes("network-private-1"), "the first AZ's subnets stay");
    });

    it("3 → 2 moves the second AZ's subnets back and removes the third's; 2 → 2 on a new CIDR moves all", () => {
        const down = deployWarnings(parseWith("prod", { azCount: "2" }), parseWith("prod"));
        assert.match(down[0].message, /network-private-2 10\.30\.64\.0\/22 → 10\.30\.128\.0\/22/);
        assert.match(down[0].message, /subnets go \(network-private-3, network-public-3\)/);
        const moved = deployWarnings(parseWith("dev", { vpcCidr: "10.99.0.0/16" }), parseWith("dev"));
        assert.strictEqual(moved[0].key, "voteapp:vpcCidr");
        assert.strictEqual(moved[0].message.match(/network-\S+ \S+ → 10\.99\./g)?.length, 4);
    });

    it("lambda with the account quota unstated: the reserved executions need a quota of 145, new accounts have 10", () => {
        const [warning] = deployWarnings(parseWith("dev", { platform: "lambda" }));
        assert.strictEqual(warning.key, "voteapp:lambdaAccountConcurrency");
        for (const fragment of ["reserve 45", "at least 145", "start at 10", "L-B99A9384"])
            assert.ok(warning.message.includes(fragment), warning.message);
        assert.deepStrictEqual(
            deployWarnings(parseWith("dev", { platform: "lambda", lambdaAccountConcurrency: "1000" })),
            [],
        );
    });

    it("npm run plan prints them under Warnings (and in --json)", async function () {
        this.timeout(180_000);
        const text = await planCli("--stack", "dev", "--set", "voteapp:azCount=3");
        assert.strictEqual(text.code, 0, text.err);
        assert.match(text.out, /## Warnings \(read before pulumi up\)\n {2}voteapp:azCount changes the VPC layout/);
    });
});
