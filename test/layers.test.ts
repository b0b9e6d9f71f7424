import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../plan/projectRoot";
import { importCycles, layerViolations, readImportGraph } from "./support/importGraph";

describe("module layering (issue 16.4)", () => {
    const graph = readImportGraph(PROJECT_ROOT);

    it("reads the whole tree: every layer has files and imports", () => {
        for (const file of [
            "shared/appContract.ts",
            "stacks/config/load.ts",
            "app/src/lambda/result.ts",
            "plan/harness.ts",
        ])
            assert.ok(graph[file] !== undefined, `${file} missing from the import graph`);
        assert.ok((graph["stacks/config/load.ts"] ?? []).includes("stacks/config/schema.ts"));
    });

    it("has no import cycle (type-only and dynamic imports count)", () => {
        const cycles = importCycles(graph);
        assert.deepStrictEqual(cycles, [], `import cycles:\n${cycles.map((c) => `  ${c.join(" <-> ")}`).join("\n")}`);
    });

    it("every import points down: shared <- app <- components <- stacks/bootstrap <- plan <- tools <- tests", () => {
        const violations = layerViolations(graph);
        assert.deepStrictEqual(violations, [], `upward or sideways imports:\n  ${violations.join("\n  ")}`);
    });

    describe("the checker itself", () => {
        let root: string;
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
        };
        before(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
            write("shared/contract.ts", 'import type { X } from "../components/x";\nexport type Y = X;\n');
            write("components/x.ts", 'export type X = string;\nexport const lazy = () => import("../stacks/a");\n');
            write("components/eks/a.ts", 'import "../fargate/b";\n');
            write("components/fargate/b.ts", "export {};\n");
            write(
                "stacks/a.ts",
                'import { lazy } from "../components/x";\nexport const b = require("./b");\nvoid lazy;\n',
            );
            write("stacks/b.ts", 'export * from "./a";\n');
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        it("finds cycles through re-exports and require, and upward imports through type-only and dynamic imports", () => {
            const small = readImportGraph(root);
            // x -> a by a dynamic import, a -> x by a static one, a -> b by require, b -> a by a re-export.
            assert.deepStrictEqual(importCycles(small), [["components/x.ts", "stacks/a.ts", "stacks/b.ts"]]);
            const violations = layerViolations(small);
            assert.ok(
                violations.some((v) => v.startsWith("shared/contract.ts -> components/x.ts")),
                violations.join("\n"),
            );
            assert.ok(
                violations.some((v) => v.startsWith("components/x.ts -> stacks/a.ts")),
                violations.join("\n"),
            );
            assert.ok(
                violations.some((v) => v.includes("components/eks/a.ts -> components/fargate/b.ts: a platform's")),
                violations.join("\n"),
            );
        });
    });
});
