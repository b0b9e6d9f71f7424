import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../plan/stackFile";

/**
 * One way to do each thing (issue 16.7): constructs that one module writes for everybody. A second place
 * writing one of them again is how the copies this codebase had (KMS keys beside EncryptionKey, CodeDeploy
 * applications written twice, alarm names by hand) came about.
 */
const SOURCE_DIRS = ["shared", "components", "stacks", "bootstrap", "plan", "scripts", "test/support"];

function sources(): { file: string; text: string }[] {
    const found: { file: string; text: string }[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
            const relative = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) walk(relative);
            else if (entry.name.endsWith(".ts"))
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
    { what: "the mock harness's run of a stack file", pattern: /await runMocked\(/, only: "plan/runStack.ts" },
    // The SDK internals the harness relies on (issue 16.8) are used in one module, which a test checks.
    {
        what: "a use of the SDK's mock internals",
        pattern: /@pulumi\/pulumi\/runtime\/mocks|waitForRPCs|setMockOptions/,
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
