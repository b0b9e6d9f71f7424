import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT, listStacks } from "../../plan/projectRoot";
import { CONFIG_KEYS } from "../../stacks/config";
import { projectConfigDeclarations } from "../../stacks/config/projectFile";

const projectFile = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    runtime: { name: string };
    config: Record<string, unknown>;
};

describe("Pulumi.yaml", () => {
    it("declares exactly the typed keys the program reads (regenerate with scripts/write-pulumi-yaml.ts)", () => {
        const declared = Object.fromEntries(Object.entries(projectFile.config).filter(([key]) => !key.includes(":")));
        assert.deepStrictEqual(declared, projectConfigDeclarations());
    });

    it("disables the default AWS provider", () => {
        assert.deepStrictEqual(projectFile.config["pulumi:disable-default-providers"], { value: ["aws"] });
    });

    it("is a TypeScript nodejs project named voteapp", () => {
        assert.deepStrictEqual([projectFile.name, projectFile.runtime.name], ["voteapp", "nodejs"]);
    });

    it("has stack files that set only known keys of our namespace", () => {
        for (const stack of listStacks()) {
            const file = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
                config: Record<string, unknown>;
            };
            const unknown = Object.keys(file.config).filter(
                (k) => !(k.startsWith("voteapp:") && k.slice(8) in CONFIG_KEYS),
            );
            assert.deepStrictEqual(unknown, [], `Pulumi.${stack}.yaml`);
        }
    });
});
