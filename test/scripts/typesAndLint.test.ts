import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lint, projectProgram, typeErrors } from "../../scripts/typesAndLint";
import { PROJECT_ROOT } from "../../plan/stackFile";

/**
 * `npm test`'s type-check and lint share one program (scripts/typesAndLint.ts, issue 16.9). Proven on a
 * project of one file under the repository's own ESLint config: the type error is the compiler's, the floating
 * promise is found only by a rule that reads types, so the lint took them from the shared program (without
 * type information typescript-eslint refuses to run that rule at all).
 */
describe("type-check and lint over one program (scripts/typesAndLint.ts)", function () {
    this.timeout(60_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "types-and-lint-"));
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    target: "ES2022",
                    module: "commonjs",
                    lib: ["ES2022"],
                    strict: true,
                    types: [],
                    // As the project's tsconfig.json: the lib's declarations are not what this checks (1 s a program).
                    skipLibCheck: true,
                },
                files: ["checked.ts"],
            }),
        );
        // The project's config, as is (its ignores, rules and disable-directive policy).
        fs.writeFileSync(
            path.join(dir, "eslint.config.mjs"),
            `export { default } from ${JSON.stringify(path.join(PROJECT_ROOT, "eslint.config.mjs"))};\n`,
        );
        fs.writeFileSync(
            path.join(dir, "checked.ts"),
            [
                "async function later(): Promise<number> {",
                "    return 1;",
                "}",
                "later();",
                'export const count: number = "three";',
                "",
            ].join("\n"),
        );
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reports the compiler's errors and the type-aware rules' findings from the one program", async () => {
        const program = projectProgram(path.join(dir, "tsconfig.json"));
        const errors = typeErrors(program);
        assert.deepStrictEqual(
            errors.map((e) => e.code),
            [2322],
            errors.map((e) => String(e.messageText)).join("\n"),
        );
        const { problems, report } = await lint(program, dir);
        assert.strictEqual(problems, 1, report);
        assert.match(report, /@typescript-eslint\/no-floating-promises/);
    });

    it("a clean file passes both", async () => {
        fs.writeFileSync(
            path.join(dir, "checked.ts"),
            "export async function later(): Promise<number> {\n    return 1;\n}\n",
        );
        const program = projectProgram(path.join(dir, "tsconfig.json"));
        assert.deepStrictEqual(typeErrors(program), []);
        const { problems, report } = await lint(program, dir);
        assert.strictEqual(problems, 0, report);
    });
});
