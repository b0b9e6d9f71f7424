import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BOOTSTRAP_KEYS, parseBootstrapConfig } from "../../bootstrap/config";
import { BOOTSTRAP_ROOT, listStacks } from "../../plan/projectRoot";
import { ConfigValidationError, declarationsFor } from "../../shared/config/reader";
import { assertRejectsWith } from "../support/stacks";
import { githubDeployOrder } from "../support/workflows";
import { BOOTSTRAP_STACKS, bootstrapConfigWith, bootstrapRun } from "./support";

function problemsFor(stack: string, changes: Record<string, string | undefined>): string {
    const config = bootstrapConfigWith(stack, changes);
    try {
        parseBootstrapConfig(config.config, { project: config.project, stack });
    } catch (err) {
        assert.ok(err instanceof ConfigValidationError, String(err));
        return err.message;
    }
    return assert.fail(`expected ${JSON.stringify(changes)} to be refused in ${stack}`);
}

describe("bootstrap config", () => {
    it("ships dev, staging and prod stack files, one account each", () => {
        assert.deepStrictEqual(listStacks(BOOTSTRAP_ROOT), ["dev", "prod", "staging", "tooling"]);
        const accounts = BOOTSTRAP_STACKS.map((s) => bootstrapConfigWith(s, {}).config["voteapp-bootstrap:accountId"]);
        assert.deepStrictEqual(accounts, ["111111111111", "222222222222", "333333333333"]);
    });

    for (const stack of BOOTSTRAP_STACKS) {
        it(`${stack}: parses, and uses the account the main program's ${stack} stack targets`, () => {
            const raw = bootstrapConfigWith(stack, {});
            const config = parseBootstrapConfig(raw.config, { project: raw.project, stack });
            const program = YAML.parse(
                fs.readFileSync(path.join(BOOTSTRAP_ROOT, "..", `Pulumi.${stack}.yaml`), "utf8"),
            ) as { config: Record<string, string> };
            assert.strictEqual(config.accountId, program.config["voteapp:accountId"]);
            assert.strictEqual(config.region, program.config["voteapp:region"]);
            assert.ok(Object.isFrozen(config.roles));
        });
    }

    it("bootstrap/Pulumi.yaml declares exactly the keys of bootstrap/config.ts (regenerate with scripts/write-pulumi-yaml.ts)", () => {
        const file = YAML.parse(fs.readFileSync(path.join(BOOTSTRAP_ROOT, "Pulumi.yaml"), "utf8")) as {
            name: string;
            config: Record<string, unknown>;
        };
        assert.strictEqual(file.name, "voteapp-bootstrap");
        assert.deepStrictEqual(file.config["pulumi:disable-default-providers"], { value: ["aws"] });
        const declared = Object.fromEntries(Object.entries(file.config).filter(([key]) => !key.includes(":")));
        assert.deepStrictEqual(declared, declarationsFor(BOOTSTRAP_KEYS));
    });

    it("reads promotedTo as a list of GitHub environments, and refuses a wildcard or an empty name, naming the key", () => {
        const promotedTo = (value: string) => {
            const config = bootstrapConfigWith("dev", { "voteapp-bootstrap:promotedTo": value });
            return parseBootstrapConfig(config.config, { project: config.project, stack: "dev" }).github.promotedTo;
        };
        assert.deepStrictEqual(promotedTo("int,staging"), ["int", "staging"]);
        for (const bad of ["stag*", "staging,", ",staging"])
            assert.match(
                problemsFor("dev", { "voteapp-bootstrap:promotedTo": bad }),
                /voteapp-bootstrap:promotedTo = .*: must be comma-separated GitHub environment names/,
                bad,
            );
    });

    it("refuses deploying from main outside dev, naming the key", () => {
        const message = problemsFor("prod", { "voteapp-bootstrap:deployFromMainBranch": "true" });
        assert.match(message, /voteapp-bootstrap:deployFromMainBranch = true: must be false for a prod account/);
        assert.match(
            problemsFor("staging", { "voteapp-bootstrap:deployFromMainBranch": "true" }),
            /must be false for a staging account/,
        );
    });

    it("refuses a repository that is not owner/name, and a wildcard in it", () => {
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:githubRepository": "example-org" }),
            /githubRepository = "example-org": must be a GitHub repository owner\/name/,
        );
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:githubRepository": "example-org/*" }),
            /githubRepository = "example-org\/\*"/,
        );
    });

    it("refuses a wildcard GitHub environment", () => {
        assert.match(
            problemsFor("prod", { "voteapp-bootstrap:githubEnvironment": "*" }),
            /githubEnvironment = "\*": must be a GitHub environment name/,
        );
    });

    it("suggests the closest key for a typo and lists every problem at once", () => {
        const message = problemsFor("dev", {
            "voteapp-bootstrap:githubRepo": "a/b",
            "voteapp-bootstrap:accountId": "1234",
            "voteapp-bootstrap:projectName": "Vote App",
        });
        assert.match(
            message,
            /voteapp-bootstrap:githubRepo = "a\/b": is not a known key; did you mean voteapp-bootstrap:githubRepository\?/,
        );
        assert.match(message, /accountId = "1234": must be a 12-digit AWS account id/);
        assert.match(message, /projectName = "Vote App": must be a lowercase project name/);
    });

    it("refuses malformed pipeline role ARNs, equal role names, and a bucket name without the backend", () => {
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:pipelineDeployRoleArn": "not-an-arn" }),
            /pipelineDeployRoleArn = "not-an-arn": must be an IAM role ARN/,
        );
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:previewRoleName": "voteapp-deploy" }),
            /previewRoleName = "voteapp-deploy": must differ from voteapp-bootstrap:deployRoleName/,
        );
        assert.match(
            problemsFor("dev", {
                "voteapp-bootstrap:stateBackend": "false",
                "voteapp-bootstrap:stateBucketName": "my-state",
            }),
            /stateBucketName = "my-state": is only used with voteapp-bootstrap:stateBackend = true/,
        );
    });

    it("the tooling stack lists the pipeline's environments with the accounts of the program's stack files, its own account apart", () => {
        const raw = bootstrapConfigWith("tooling", {});
        const config = parseBootstrapConfig(raw.config, { project: raw.project, stack: "tooling" });
        const environments = config.deliveryPipeline?.environments ?? [];
        // The AWS-native pipeline promotes through every stack in the order the GitHub workflows do.
        assert.deepStrictEqual(
            environments.map((e) => e.stack),
            githubDeployOrder(),
        );
        assert.deepStrictEqual(environments.map((e) => e.stack).sort(), listStacks());
        for (const e of environments) {
            const program = YAML.parse(
                fs.readFileSync(path.join(BOOTSTRAP_ROOT, "..", `Pulumi.${e.stack}.yaml`), "utf8"),
            ) as { config: Record<string, string> };
            assert.strictEqual(e.accountId, program.config["voteapp:accountId"], e.stack);
        }
        assert.ok(!environments.some((e) => e.accountId === config.accountId));
    });

    it("refuses a pipeline without environments, in an environment's own account, or listing a stack twice", () => {
        assert.match(
            problemsFor("tooling", { "voteapp-bootstrap:pipelineEnvironments": undefined }),
            /pipelineEnvironments = \(not set\): is required with voteapp-bootstrap:deliveryPipeline = true/,
        );
        assert.match(
            problemsFor("tooling", { "voteapp-bootstrap:pipelineEnvironments": "dev:444444444444" }),
            /includes this stack's own account 444444444444/,
        );
        assert.match(
            problemsFor("tooling", { "voteapp-bootstrap:pipelineEnvironments": "dev:111111111111,dev:222222222222" }),
            /lists a stack twice/,
        );
        assert.match(
            problemsFor("tooling", { "voteapp-bootstrap:pipelineEnvironments": "dev=111111111111" }),
            /must be comma-separated stack:accountId pairs/,
        );
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:pipelineEnvironments": "staging:222222222222" }),
            /is only used with voteapp-bootstrap:deliveryPipeline = true/,
        );
    });

    it("needs a tier for an environment outside dev, staging and prod", () => {
        assert.match(
            problemsFor("dev", { "voteapp-bootstrap:environment": "int" }),
            /voteapp-bootstrap:tier = \(not set\): is required/,
        );
    });

    it("fails the program run before any resource is registered", async () => {
        await assertRejectsWith(
            bootstrapRun("dev", { config: bootstrapConfigWith("dev", { "voteapp-bootstrap:region": "mars-1" }) }),
            'voteapp-bootstrap:region = "mars-1"',
        );
    });
});
