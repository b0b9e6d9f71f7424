// ESLint (flat config): typescript-eslint's recommended rules for every TypeScript file, type-aware where a
// rule needs the checker, and @pulumi/eslint-plugin's rules against an Output in a plain template literal
// (it would render "Calling [toString] on an [Output<T>] is not supported", not the value). Formatting is
// Prettier's job (`npm run format:check`), so no stylistic rule is on here. Run: `npm run lint`; `npm test`
// runs it beside the type-check, the format check and the tests (scripts/test.ts).
// Every disable in the tree names one rule and says why on the same line; a bare or unused one fails the lint.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: ["**/node_modules/**", "**/dist/**", ".plan-cache/**", "policy/rules/taggableTypes.ts"],
    },
    {
        linterOptions: { reportUnusedDisableDirectives: "error" },
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // A promise nobody awaits hides its failure: in a Pulumi program that is a resource that never
            // registers, in a test an assertion that never runs.
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
            // `const parent = this;` is how a component names itself as the parent of what it creates
            // (`{ parent }`); the rule's concern, a `this` captured by a function that loses it, is not that.
            "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["parent"] }],
            // Unused names are the compiler's (noUnusedLocals/noUnusedParameters); `_`-prefixed ones are meant.
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
            ],
        },
    },
    {
        // The CommonJS files: mocha loads reporters with require(); node -r loads the children's TypeScript hook.
        files: ["test/support/reporter.js", "test/support/esbuildTs.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["eslint.config.mjs"],
        languageOptions: { sourceType: "module" },
    },
);
