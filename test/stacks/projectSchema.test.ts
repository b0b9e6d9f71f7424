import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BOOTSTRAP_ROOT, listStacks, PROJECT_ROOT } from "../../plan/projectRoot";

/**
 * The Pulumi CLI refuses to load a project whose typed config declares a default of another type, and a
 * stack whose values do not match the declared types. Its rule, ported (pulumi/pulumi at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8, sdk/go/common/workspace/project.go: `ValidateConfigValue`, used
 * by `Project.Validate` for defaults: "The default value specified for configuration key '%v' is not of the
 * expected type '%v'"): a string is a string; an integer is a whole number or a string `strconv.Atoi`
 * parses (so "" is not one); a boolean is true/false or "true"/"false".
 */
function validConfigValue(type: string, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (
                (typeof value === "number" && Number.isInteger(value)) ||
                (typeof value === "string" && /^[+-]?\d+$/.test(value))
            );
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        default:
            return false;
    }
}

interface Declaration {
    readonly type?: string;
    readonly default?: unknown;
    readonly value?: unknown;
}

function projectOf(root: string): { name: string; config: Record<string, Declaration> } {
    return YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<string, Declaration>;
    };
}

describe("Pulumi.yaml files load in the Pulumi CLI (its project config type rules)", () => {
    it("the ported rule refuses what the CLI refuses: an empty integer default, a non-boolean string", () => {
        assert.ok(!validConfigValue("integer", ""));
        assert.ok(validConfigValue("integer", "12") && validConfigValue("integer", 0));
        assert.ok(!validConfigValue("boolean", "yes"));
    });

    for (const [label, root] of [
        ["Pulumi.yaml", PROJECT_ROOT],
        ["bootstrap/Pulumi.yaml", BOOTSTRAP_ROOT],
    ] as const) {
        it(`${label}: every typed key's default is of its type`, () => {
            const project = projectOf(root);
            const wrong = Object.entries(project.config)
                .filter(([key, d]) => !key.includes(":") && d.type !== undefined && d.default !== undefined)
                .filter(([, d]) => !validConfigValue(String(d.type), d.default))
                .map(([key, d]) => `${key}: ${JSON.stringify(d.default)} is not ${d.type}`);
            assert.deepStrictEqual(wrong, []);
        });

        it(`${label}: every stack file's values are of their declared types`, () => {
            const project = projectOf(root);
            for (const stack of listStacks(root)) {
                const file = YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
                    config?: Record<string, unknown>;
                };
                for (const [key, value] of Object.entries(file.config ?? {})) {
                    const [namespace, name] = key.split(":");
                    if (namespace !== project.name) continue;
                    const declared = project.config[name];
                    if (declared?.type === undefined) continue;
                    assert.ok(
                        validConfigValue(declared.type, value),
                        `Pulumi.${stack}.yaml ${key}: ${JSON.stringify(value)} is not ${declared.type}`,
                    );
                }
            }
        });
    }
});
