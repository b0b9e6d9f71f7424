import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { captureCommand } from "../../plan/command";
import { runBootstrap } from "../../plan/runBootstrap";
import { readStackConfig } from "../../plan/stackFile";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { secretsProviderProblem, stackInfo, stackInfoCommand } from "../../scripts/stack-info";
import { parseVoteAppConfig } from "../../stacks/config";
import { single } from "../support/stacks";
import { readWorkflow, type WorkflowJob } from "../support/workflows";

/**
 * Issue 11.11: with the account's S3 backend, the stack's secrets provider is the bootstrap's KMS key, and it
 * lives in the committed stack file (`secretsprovider` + `encryptedkey`, written by `pulumi stack init
 * --secrets-provider`). The bootstrap's key, stack-info's provider URL, the README's command and the
 * workflows' check are joined here.
 */

/** A copy of the project's stack files in a temp dir, with Pulumi.<stack>.yaml given extra top-level keys. */
function withStackFile(stack: string, topLevel: Readonly<Record<string, string>>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-stackfile-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    const original = fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const extra = Object.entries(topLevel)
        .map(([key, value]) => `${key}: ${value}\n`)
        .join("");
    fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), `${extra}${original}`);
    return root;
}

const ENCRYPTED_KEY = "AQICAHhAdGhpcyBpcyBub3QgYSByZWFsIGtleSBidXQgaXQgaXMgYmFzZTY0";

describe("the stack's secrets provider is the bootstrap's KMS key (stack file ↔ bootstrap ↔ workflows)", () => {
    it("the bootstrap's state key alias and secretsProvider output are the provider stack-info names", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await runBootstrap(stack);
            const alias = String(single(run, "aws:kms/alias:Alias", "state").inputs.name);
            const { secretsProvider, region } = stackInfo(stack);
            assert.strictEqual(secretsProvider, `awskms://${alias}?region=${region}`);
            assert.strictEqual(run.outputs.secretsProvider, secretsProvider);
        }
    });

    it("a stack file as pulumi stack init wrote it (secretsprovider, encryptedkey, secure values) is accepted", () => {
        const provider = stackInfo("dev").secretsProvider;
        const root = withStackFile("dev", { secretsprovider: provider, encryptedkey: ENCRYPTED_KEY });
        try {
            assert.strictEqual(secretsProviderProblem("dev", root), undefined);
            // Stack-file hygiene reads only config: the CLI's top-level keys pass, the config still validates.
            const file = readStackConfig("dev", root);
            assert.doesNotThrow(() => parseVoteAppConfig(file.config, { project: file.project, stack: "dev" }));
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("refuses what CI could not decrypt with: no provider, another key, no data key, a passphrase", () => {
        const provider = stackInfo("staging").secretsProvider;
        const cases: [Record<string, string>, string][] = [
            [{}, `has no secrets provider yet`],
            [
                { secretsprovider: "awskms://alias/someone-elses-key?region=eu-west-1", encryptedkey: ENCRYPTED_KEY },
                "the only key the CI roles may use",
            ],
            [{ secretsprovider: provider }, "carries no encryptedkey"],
            [{ encryptionsalt: "v1:abc:def" }, "passphrase secrets provider"],
        ];
        for (const [topLevel, fragment] of cases) {
            const root = withStackFile("staging", topLevel);
            try {
                const problem = secretsProviderProblem("staging", root);
                assert.ok(problem?.includes(fragment), `${JSON.stringify(topLevel)}: ${problem}`);
                assert.ok(problem?.includes(provider), problem);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        }
    });

    it("the deploy job (and a credentialed preview) stops before Pulumi when the stack file lacks it", async () => {
        const check = (job: WorkflowJob) =>
            (job.steps ?? []).findIndex((s) => /--require-secrets-provider/.test(s.run ?? ""));
        const firstPulumi = (job: WorkflowJob) =>
            (job.steps ?? []).findIndex(
                (s) => /\bpulumi (login|up|preview)\b/.test(s.run ?? "") || s.with?.command === "preview",
            );
        for (const [file, name] of [
            ["deploy-environment.yml", "deploy"],
            ["preview.yml", "preview"],
        ] as const) {
            const job = readWorkflow(file).jobs[name];
            const at = check(job);
            assert.ok(at >= 0, `${file} ${name}: no --require-secrets-provider step`);
            assert.ok(at < firstPulumi(job), `${file} ${name}: the check runs after Pulumi`);
            assert.match(job.steps?.[at].run ?? "", /--stack "\$STACK" --require-secrets-provider/);
        }
        // The shipped stack files are not initialised yet (placeholder accounts): the CLI says what to run.
        const result = await captureCommand(stackInfoCommand, ["--stack", "dev", "--require-secrets-provider"]);
        assert.strictEqual(result.code, 1);
        assert.ok(
            result.err.includes(`pulumi stack init dev --secrets-provider "${stackInfo("dev").secretsProvider}"`),
            result.err,
        );
    });
});
