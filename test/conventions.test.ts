import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../plan/projectRoot";

/**
 * One way to do each thing (issue 16.7): constructs that one module writes for everybody. A second place
 * writing one of them again is how the copies this codebase had (KMS keys beside EncryptionKey, CodeDeploy
 * applications written twice, alarm names by hand) came about.
 */
const SOURCE_DIRS = ["shared", "components", "stacks", "bootstrap", "plan", "policy", "scripts", "test/support"];

function sources(): { file: string; text: string }[] {
    const found: { file: string; text: string }[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
            const relative = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules") walk(relative);
            } else if (entry.name.endsWith(".ts"))
                found.push({ file: relative, text: fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8") });
        }
    };
    for (const dir of SOURCE_DIRS) walk(dir);
    return found;
}

const SINGLE_WRITERS: readonly { readonly what: string; readonly pattern: RegExp; readonly only?: string }[] = [
    { what: "a KMS key", pattern: /new aws\.kms\.Key\(/, only: "components/encryptionKey.ts" },
    {
        what: "a CodeDeploy application",
        pattern: /new aws\.codedeploy\.Application\(/,
        only: "components/codeDeploy.ts",
    },
    // alarmNames.ts's alarmName() builds every alarm's name; nothing writes one as a template.
    { what: "an alarm name by hand", pattern: /\bname: `\$\{(inputs\.)?namePrefix\}-/ },
    // One filter of resources by type (aliases included), for the rules and the tests alike.
    { what: "a filter of resources by type", pattern: /\bfunction ofType\b/, only: "policy/rules/util.ts" },
    { what: "the mock harness's run of a stack file", pattern: /await runMocked\(/, only: "plan/runStack.ts" },
    // The SDK internals the harness relies on (issue 16.8), and the stack capture it turns off around a run (the
    // private Resource.callsites, the source mapper's prepareStackTrace; 16.9), are used in one module, which a test checks.
    {
        what: "a use of the SDK's mock internals",
        pattern: /@pulumi\/pulumi\/runtime\/mocks|waitForRPCs|setMockOptions|\bcallsites\b|prepareStackTrace/,
        only: "plan/sdkInternals.ts",
    },
];

describe("one way to do each thing (issue 16.7)", () => {
    const files = sources();

    for (const { what, pattern, only } of SINGLE_WRITERS) {
        it(only ? `only ${only} writes ${what}` : `nothing writes ${what}`, () => {
            if (only)
                assert.ok(
                    files.some((f) => f.file === only && pattern.test(f.text)),
                    `${only} no longer matches ${pattern}`,
                );
            const elsewhere = files.filter((f) => f.file !== only && pattern.test(f.text)).map((f) => f.file);
            assert.deepStrictEqual(
                elsewhere,
                [],
                `${what} is written in ${elsewhere.join(", ")}${only ? `: use ${only}` : ""}`,
            );
        });
    }

    it("components share one vocabulary: protection, service and function sizes, IntOrPercent (issue 16.3)", () => {
        const vocabulary = "components/vocabulary.ts";
        const found: string[] = [];
        for (const { file, text } of files) {
            if (file === vocabulary) continue;
            for (const match of text.matchAll(
                /^export (?:interface|type) (\w*(?:Service|Function)Size|IntOrPercent)\b/gm,
            ))
                found.push(`${file} declares ${match[1]}`);
            if (!file.startsWith("components/")) continue;
            // A tier-derived setting under its own name in a component's Args, instead of `protection`.
            for (const args of text.matchAll(/export interface \w+Args\b[^{]*\{([\s\S]*?)\n\}/g)) {
                for (const field of args[1].matchAll(
                    /^\s*readonly (production|protect(?!ion)\w*|retainOnDelete|deletionProtection|accessLogs|finalSnapshot|controllerReplicas)\??:/gm,
                ))
                    found.push(`${file}: Args field ${field[1]} (use protection: Protection)`);
            }
        }
        assert.deepStrictEqual(found, [], `declared outside ${vocabulary}`);
    });

    it("declares each exported function once (no second ofType, no runStack copy)", () => {
        const seen = new Map<string, string>();
        const twice: string[] = [];
        for (const { file, text } of files) {
            for (const match of text.matchAll(/^export (?:async )?function (\w+)/gm)) {
                const first = seen.get(match[1]);
                if (first !== undefined) twice.push(`${match[1]}: ${first} and ${file}`);
                else seen.set(match[1], file);
            }
        }
        assert.deepStrictEqual(twice, []);
    });
});

/**
 * Component tests mount their component with the args they choose (issue 16.5): what loads a shipped stack
 * file, or runs either Pulumi program (the stacks' or the bootstrap's), belongs in test/stacks or test/bootstrap.
 */
const STACK_LOADING_MODULES: readonly { readonly module: RegExp; readonly names?: RegExp }[] = [
    { module: /^(index|bootstrap\/index|stacks\/.*|bootstrap\/config)$/ },
    { module: /^plan\/(runStack|stackFile|cli|command|planReport|runBootstrap|bootstrapCli)$/ },
    { module: /^test\/support\/(config|plan)$/ },
    { module: /^test\/support\/stacks$/, names: /\b(stackRun|stackConfigWith)\b/ },
    { module: /^test\/bootstrap\/support$/, names: /\b(bootstrapRun|BOOTSTRAP_STACKS)\b/ },
];
const STACK_FILE_NAME = /Pulumi\.[\w-]+\.yaml/;

/** What a test file loads of the stacks: the modules (with the names it imports) and stack files it names. */
function stackLoadsOf(file: string, text: string): string[] {
    const found: string[] = [];
    // Type-only imports load nothing at run time.
    for (const match of text.matchAll(/^import\s+(?!type\s)([^;"]*?)\s+from\s+"(\.[^"]+)"/gm)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[2]));
        for (const { module, names } of STACK_LOADING_MODULES) {
            if (!module.test(target)) continue;
            const imported = names ? (match[1].match(new RegExp(names.source, "g")) ?? []) : [match[1].trim()];
            for (const name of imported) found.push(`${name} from ${target}`);
        }
    }
    const stackFile = STACK_FILE_NAME.exec(text);
    if (stackFile) found.push(stackFile[0]);
    return found;
}

describe("component tests mount one component (issue 16.5)", () => {
    const componentTests = (() => {
        const found: { file: string; text: string }[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
                const relative = path.posix.join(dir, entry.name);
                if (entry.isDirectory()) walk(relative);
                else if (entry.name.endsWith(".ts"))
                    found.push({ file: relative, text: fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8") });
            }
        };
        walk("test/components");
        return found;
    })();

    it("no test under test/components loads a stack file or runs a Pulumi program", () => {
        const offenders = componentTests.flatMap(({ file, text }) =>
            stackLoadsOf(file, text).map((load) => `${file}: ${load}`),
        );
        assert.deepStrictEqual(offenders, [], "mount the component (test/support/mount.ts, test/support/fixtures.ts)");
    });

    it("recognises a stack run, a stack file, the stack program and the config reader", () => {
        const file = "test/components/example.test.ts";
        assert.deepStrictEqual(
            stackLoadsOf(
                file,
                [
                    'import { input, stackRun } from "../support/stacks";',
                    'import { parseWith } from "../support/config";',
                    'import { deployOnFargate } from "../../stacks/platforms/fargate";',
                    'import type { StackRun } from "../../plan/stackRun";',
                    'const file = "Pulumi.prod.yaml";',
                ].join("\n"),
            ),
            [
                "stackRun from test/support/stacks",
                "{ parseWith } from test/support/config",
                "{ deployOnFargate } from stacks/platforms/fargate",
                "Pulumi.prod.yaml",
            ],
        );
        assert.deepStrictEqual(
            stackLoadsOf(
                file,
                'import { input, named } from "../support/stacks";\nimport { Data } from "../../components/data";',
            ),
            [],
        );
    });
});
