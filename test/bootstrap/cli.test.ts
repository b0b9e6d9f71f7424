import * as assert from "assert";
import * as path from "path";
import { bootstrapPlanCommand } from "../../plan/bootstrapCli";
import { captureCommand } from "../../plan/command";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { runTypeScriptChild } from "../support/children";

/**
 * The entry point as a process, as `npm run plan:bootstrap -- <args>` starts it (TypeScript: test/support/children.ts),
 * with the @pulumi packages it loaded.
 */
function plan(...args: string[]) {
    return runTypeScriptChild([path.join(PROJECT_ROOT, "plan", "bootstrapCli.ts"), ...args], { cwd: PROJECT_ROOT });
}

describe("npm run plan:bootstrap", function () {
    this.timeout(120_000);

    it("plans a bootstrap stack offline: the roles and state bucket, and the outputs the README's commands use", async () => {
        const result = await captureCommand(bootstrapPlanCommand, ["--stack", "staging"]);
        assert.strictEqual(result.code, 0, result.err);
        assert.match(result.out, /Offline plan of bootstrap stack "staging"/);
        assert.match(result.out, /aws:iam\/role:Role\s+github-deploy/);
        assert.match(result.out, /stateBackendUrl: "s3:\/\/voteapp-pulumi-state-222222222222\?region=eu-west-1"/);
    });

    it("exits 2 naming the stacks for an unknown stack, before loading the SDK or the program", () => {
        const result = plan("--stack", "qa");
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /No stack file bootstrap\/Pulumi\.qa\.yaml[\s\S]*dev, prod, staging/);
        assert.deepStrictEqual(result.pulumiPackages, [], "a usage error answered after loading Pulumi");
    });
});
