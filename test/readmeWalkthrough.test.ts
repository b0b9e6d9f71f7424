import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { captureCommand } from "../plan/command";
import { runBootstrap } from "../plan/runBootstrap";
import { PROJECT_ROOT } from "../plan/projectRoot";
import { stackInfo, stackInfoCommand } from "../scripts/stack-info";
import { NEW_ACCOUNT_CONCURRENCY, UNRESERVED_CONCURRENCY_MINIMUM } from "../stacks/config/lambdaLimits";
import { parseWith } from "./support/config";
import { readmeSection } from "./support/readme";

/**
 * The README's "From empty accounts to a running app": its shell commands, per environment, with every
 * command that needs no AWS run here (stack-info in-process), and the values the others are given (the
 * secrets provider, the backend, the policy config) joined to what the bootstrap and the program produce.
 */

const ENVIRONMENTS = ["dev", "staging", "prod"];

const walkthrough = (): string => readmeSection("## From empty accounts to a running app");

/** The shell lines of the walkthrough's code blocks, in order. */
function commands(): string[] {
    const blocks = [...walkthrough().matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((b) =>
        b
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.length > 0),
    );
}

/** Each `scripts/stack-info.ts <args>` in a line (inside `$( … )` or not), its arguments split as the shell would. */
function stackInfoCalls(line: string): string[][] {
    return [...line.matchAll(/scripts\/stack-info\.ts ([^)"]*?)(?:\)|"|$)/g)].map((m) =>
        m[1]
            .trim()
            .split(/\s+/)
            .filter((a) => a !== ">" && a !== "/dev/null"),
    );
}

async function stackInfoValue(args: readonly string[]): Promise<string> {
    const result = await captureCommand(stackInfoCommand, args);
    assert.strictEqual(result.code, 0, `stack-info ${args.join(" ")}: ${result.err}`);
    return result.out.trim();
}

describe("README: from empty accounts to a running app", () => {
    it("every stack-info command in it runs for every environment (the secrets-provider check says what to run)", async () => {
        const calls = commands().flatMap(stackInfoCalls);
        assert.ok(calls.length >= 5, `stack-info calls: ${JSON.stringify(calls)}`);
        for (const env of ENVIRONMENTS) {
            for (const call of calls) {
                const args = call.map((a) => a.replace("<env>", env));
                const result = await captureCommand(stackInfoCommand, args);
                if (args.includes("--require-secrets-provider")) {
                    // The shipped stack files are the uninitialised state of step 3: the check fails naming step 3's command.
                    assert.strictEqual(result.code, 1, result.out);
                    assert.match(result.err, new RegExp(`pulumi stack init ${env} --secrets-provider`));
                } else assert.strictEqual(result.code, 0, `${args.join(" ")}: ${result.err}`);
            }
        }
    });

    it("step 3 creates the stack with the bootstrap's secrets provider and logs in to its backend", async () => {
        const lines = commands();
        const init = lines.find((l) => l.startsWith("pulumi stack init <env> --secrets-provider"));
        const login = lines.find((l) => l.startsWith('pulumi login "$('));
        assert.ok(init && login, lines.join("\n"));
        for (const env of ENVIRONMENTS) {
            const bootstrap = await runBootstrap(env);
            const [provider]: string[][] = stackInfoCalls(init).map((c) => c.map((a) => a.replace("<env>", env)));
            assert.strictEqual(await stackInfoValue(provider), bootstrap.outputs.secretsProvider);
            const [backend]: string[][] = stackInfoCalls(login).map((c) => c.map((a) => a.replace("<env>", env)));
            assert.strictEqual(await stackInfoValue(backend), bootstrap.outputs.stateBackendUrl);
        }
    });

    it("step 6's pulumi up judges with the stack's policy config, a file that exists", async () => {
        const up = commands().find((l) => l.startsWith("pulumi up --stack <env>"));
        assert.ok(up);
        for (const env of ENVIRONMENTS) {
            const [call] = stackInfoCalls(up).map((c) => c.map((a) => a.replace("<env>", env)));
            const file = await stackInfoValue(call);
            assert.strictEqual(file, stackInfo(env).policyConfig);
            assert.ok(fs.existsSync(path.join(PROJECT_ROOT, file)), file);
        }
    });

    it("the npm scripts and the scripts' flags it uses exist", () => {
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
                scripts: Record<string, string>;
            }
        ).scripts;
        for (const line of commands()) {
            const npm = /^npm run ([\w:]+)/.exec(line);
            if (npm) assert.ok(scripts[npm[1]], `npm run ${npm[1]}`);
            for (const script of line.matchAll(/scripts\/([\w-]+\.ts)((?: --[\w-]+(?: [^-\s]\S*)?)*)/g)) {
                const source = fs.readFileSync(path.join(PROJECT_ROOT, "scripts", script[1]), "utf8");
                for (const flag of script[2].matchAll(/--([\w-]+)/g))
                    assert.ok(
                        new RegExp(`["']?${flag[1]}["']?: \\{ type:`).test(source),
                        `scripts/${script[1]} has no --${flag[1]}`,
                    );
            }
        }
    });

    it("the numbers it states come from the code: the Lambda quota, a new account's, prod's eks nodes", () => {
        const text = walkthrough();
        const lambda = parseWith("dev", { platform: "lambda" }).lambda.functions;
        const reserved =
            lambda.vote.reservedConcurrency + lambda.result.reservedConcurrency + lambda.worker.reservedConcurrency;
        assert.ok(
            text.includes(`at least ${reserved + UNRESERVED_CONCURRENCY_MINIMUM} in the region`),
            "the Lambda quota",
        );
        assert.ok(text.includes(`(new accounts have ${NEW_ACCOUNT_CONCURRENCY};`), "a new account's Lambda quota");
        const prod = parseWith("prod", { platform: "eks" }).eks.nodes;
        assert.ok(
            text.includes(`prod's stack file asks for ${prod.desiredSize}\n     ${prod.instanceTypes.join(",")}`) ||
                text.includes(`prod's stack file asks for ${prod.desiredSize} ${prod.instanceTypes.join(",")}`),
            "the prod eks nodes",
        );
        assert.throws(
            () => parseWith("prod", { platform: "eks", eksNodeDesiredSize: String(prod.desiredSize - 1) }),
            /eksNodeDesiredSize/,
        );
    });
});
