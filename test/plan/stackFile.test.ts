import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig, secretPlaceholder } from "../../plan/stackFile";
import { listStacks } from "../../plan/projectRoot";

describe("reading stack files offline", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "voteapp-stackfile-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            "name: demo\nruntime: nodejs\nconfig:\n  size:\n    type: integer\n    default: 2\n  pulumi:disable-default-providers:\n    value: [aws]\n",
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.test.yaml"),
            "config:\n  demo:size: 5\n  demo:password:\n    secure: v1:abcdef\n  demo:tags:\n    owner: me\n",
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("applies project defaults, then stack values, qualified with the project namespace", () => {
        const file = readStackConfig("test", dir);
        assert.strictEqual(file.project, "demo");
        assert.strictEqual(file.config["demo:size"], "5");
        assert.strictEqual(file.config["pulumi:disable-default-providers"], '["aws"]');
    });

    it("replaces secure values by marked placeholders and lists them as secret", () => {
        const file = readStackConfig("test", dir);
        assert.strictEqual(file.config["demo:password"], secretPlaceholder("demo:password"));
        assert.deepStrictEqual(file.secretKeys, ["demo:password"]);
    });

    it("passes structured values as JSON, as the CLI does", () => {
        assert.strictEqual(readStackConfig("test", dir).config["demo:tags"], '{"owner":"me"}');
    });

    it("reads a stack file changed since the last read afresh, even at the same size and modification time", () => {
        const file = path.join(dir, "Pulumi.edited.yaml");
        fs.writeFileSync(file, "config:\n  demo:size: 5\n");
        const { mtime } = fs.statSync(file);
        assert.strictEqual(readStackConfig("edited", dir).config["demo:size"], "5");
        fs.writeFileSync(file, "config:\n  demo:size: 7\n");
        fs.utimesSync(file, mtime, mtime);
        assert.strictEqual(readStackConfig("edited", dir).config["demo:size"], "7");
    });

    it("hands each reader its own config: one that changes it changes nothing for the next", () => {
        const first = readStackConfig("test", dir);
        first.config["demo:size"] = "99";
        first.secretKeys.push("demo:size");
        const second = readStackConfig("test", dir);
        assert.strictEqual(second.config["demo:size"], "5");
        assert.deepStrictEqual(second.secretKeys, ["demo:password"]);
    });

    it("names the missing stack file", () => {
        assert.throws(() => readStackConfig("nope", dir), /Pulumi\.nope\.yaml does not exist/);
    });

    it("lists the shipped stacks", () => {
        for (const stack of ["dev", "staging", "prod"]) assert.ok(listStacks().includes(stack));
    });
});
