import * as assert from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { enforcement, ENVIRONMENTS, PROD_ACCOUNT_ID, ruleProps } from "../../policy/enforcement";
import { evaluatePolicies, packConfigPath, readPackConfig } from "../../policy/evaluate";
import { allPolicies } from "../../policy/rules";
import { renderTypeAliasesModule, scanTypeAliases } from "../../policy/scripts/aliases";
import { awsVersion, renderTaggableModule, scanTaggableTypes } from "../../policy/scripts/taggable";
import { configPath, renderConfig } from "../../policy/scripts/write-config";
import { README_PATH, renderReadme } from "../../policy/scripts/write-docs";

const REGENERATE = "npx ts-node --transpile-only policy/scripts/";

describe("policy pack config, docs and generated files", () => {
    it("every rule has an enforcement entry and every entry a rule", () => {
        const names = allPolicies.map((p) => p.name);
        assert.deepStrictEqual(
            names.filter((n) => !enforcement[n]),
            [],
            "rules without levels in policy/enforcement.ts",
        );
        assert.deepStrictEqual(
            Object.keys(enforcement).filter((n) => !names.includes(n)),
            [],
            "levels for rules that do not exist",
        );
        assert.strictEqual(new Set(names).size, names.length, "rule names are unique");
        assert.ok(names.length >= 60, `at least 60 rules, have ${names.length}`);
        assert.ok(!names.includes("all"), '"all" is reserved by CrossGuard');
    });

    it("rule names are kebab-case and every description states its control (or that it is a house rule)", () => {
        for (const p of allPolicies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, p.name);
            assert.match(p.description, /^(Enforces FSBP [A-Za-z0-9.]+: |House rule \(no FSBP control\): )/, p.name);
        }
    });

    it("every rule's description states exactly what passes", () => {
        const silent = allPolicies
            .filter((p) => !/\bPasses\b|\bpasses\b|\bpass\b/.test(p.description))
            .map((p) => p.name);
        assert.deepStrictEqual(silent, [], "add `passes` to these rules' meta");
    });

    for (const env of ENVIRONMENTS) {
        it(`policy/config/${env}.json equals what policy/enforcement.ts says (regenerate: ${REGENERATE}write-config.ts)`, () => {
            assert.strictEqual(fs.readFileSync(configPath(env), "utf8"), renderConfig(env));
        });

        it(`policy/config/${env}.json is a valid config for the pack (rule names, levels, parameter schemas)`, () => {
            assert.strictEqual(packConfigPath(env), configPath(env));
            const config = readPackConfig(packConfigPath(env));
            const report = evaluatePolicies([], { config });
            assert.deepStrictEqual(report.configErrors, []);
            assert.ok(Object.keys(config).length === allPolicies.length + 1);
        });
    }

    it("prod makes every rule the catalog marks M mandatory; staging enforces like prod; dev is mostly advisory", () => {
        for (const [name, levels] of Object.entries(enforcement)) assert.strictEqual(levels.staging, levels.prod, name);
        const dev = Object.values(enforcement).filter((l) => l.dev === "advisory").length;
        assert.ok(dev > allPolicies.length / 2, `dev: ${dev} advisory of ${allPolicies.length}`);
    });

    it("the prod account pinned in prod.json is Pulumi.prod.yaml's prodAccountId, and only prod sets one", () => {
        const stack = parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        assert.strictEqual(String(stack.config["voteapp:prodAccountId"]), PROD_ACCOUNT_ID);
        assert.deepStrictEqual(ruleProps.prod["prod-account-pin"], { prodAccountId: PROD_ACCOUNT_ID });
        assert.strictEqual(ruleProps.dev["prod-account-pin"], undefined);
        assert.strictEqual(ruleProps.staging["prod-account-pin"], undefined);
    });

    it(`policy/README.md is generated from the rules and enforcement.ts (regenerate: ${REGENERATE}write-docs.ts)`, () => {
        assert.strictEqual(fs.readFileSync(README_PATH, "utf8"), renderReadme());
    });

    it("the README documents the pull-request command and every rule", () => {
        const readme = fs.readFileSync(README_PATH, "utf8");
        assert.ok(
            readme.includes(
                "pulumi preview --stack prod --policy-pack policy --policy-pack-config policy/config/prod.json",
            ),
        );
        for (const p of allPolicies) assert.ok(readme.includes(`| \`${p.name}\` |`), p.name);
    });

    it(`policy/rules/taggableTypes.ts matches the installed @pulumi/aws (regenerate: ${REGENERATE}write-taggable.ts)`, () => {
        const file = fs.readFileSync(path.join(__dirname, "..", "..", "policy", "rules", "taggableTypes.ts"), "utf8");
        assert.strictEqual(file, renderTaggableModule(scanTaggableTypes(), awsVersion()));
        assert.ok(file.includes('"aws:rds/instance:Instance"') && !file.includes('"aws:iam/rolePolicy:RolePolicy"'));
    });

    it(`policy/rules/typeAliases.ts matches the installed @pulumi/aws (regenerate: ${REGENERATE}write-aliases.ts)`, () => {
        const file = fs.readFileSync(path.join(__dirname, "..", "..", "policy", "rules", "typeAliases.ts"), "utf8");
        assert.strictEqual(file, renderTypeAliasesModule(scanTypeAliases(), awsVersion()));
    });

    it("the pack's own package.json pins the SDKs the root uses", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policy", "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
        };
        assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), [
            "@pulumi/aws",
            "@pulumi/kubernetes",
            "@pulumi/policy",
            "@pulumi/pulumi",
        ]);
        assert.strictEqual(pkg.dependencies["@pulumi/pulumi"], "3.248.0");
    });

    it("the pack's lockfile resolves the same SDK versions the root's tests ran the rules against", () => {
        const lockedVersions = (file: string) => {
            const lock = JSON.parse(fs.readFileSync(file, "utf8")) as {
                packages: Record<string, { version?: string }>;
            };
            return Object.fromEntries(
                ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi"].map((name) => [
                    name,
                    lock.packages[`node_modules/${name}`]?.version,
                ]),
            );
        };
        const root = path.join(__dirname, "..", "..");
        assert.deepStrictEqual(
            lockedVersions(path.join(root, "policy", "package-lock.json")),
            lockedVersions(path.join(root, "package-lock.json")),
            "run `npm install --package-lock-only` in policy/",
        );
    });

    it("only policy/index.ts builds the PolicyPack (importing the rules starts no policy server)", () => {
        const policyDir = path.join(__dirname, "..", "..", "policy");
        const offenders: string[] = [];
        const walk = (dir: string) => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, e.name);
                if (e.isDirectory() && e.name !== "node_modules") walk(full);
                else if (e.name.endsWith(".ts") && /new PolicyPack\(/.test(fs.readFileSync(full, "utf8")))
                    offenders.push(path.relative(policyDir, full));
            }
        };
        walk(policyDir);
        assert.deepStrictEqual(offenders, ["index.ts"]);
    });
});
