import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { readStackConfig } from "../../plan/stackFile";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { deployedImages, imagePins, writeImagePins } from "../../scripts/pin-images";

const ref = (service: string) =>
    `222222222222.dkr.ecr.eu-west-1.amazonaws.com/voteapp-staging/${service}@sha256:${"c".repeat(64)}`;

describe("scripts/pin-images.ts (the one way the workflows set a stack's images)", () => {
    it("writes voteapp:<service>Image into the stack file as pulumi config set would, keeping its comments", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "pin-images-"));
        try {
            for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml"])
                fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
            writeImagePins(
                "staging",
                imagePins({ vote: ref("vote"), result: ref("result"), worker: ref("worker") }),
                root,
            );
            const text = fs.readFileSync(path.join(root, "Pulumi.staging.yaml"), "utf8");
            assert.ok(text.startsWith("# staging"), "the file's comments are kept");
            const config = (YAML.parse(text) as { config: Record<string, string> }).config;
            assert.strictEqual(config["voteapp:voteImage"], ref("vote"));
            assert.strictEqual(config["voteapp:workerImage"], ref("worker"));
            assert.strictEqual(readStackConfig("staging", root).config["voteapp:resultImage"], ref("result"));
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("reads the deployed stack's images output; before the first deploy there is none, and nothing is pinned", () => {
        assert.strictEqual(deployedImages(""), undefined);
        assert.strictEqual(deployedImages("  \n"), undefined);
        const images = { vote: ref("vote"), result: ref("result"), worker: ref("worker") };
        assert.deepStrictEqual(deployedImages(JSON.stringify(images)), images);
    });

    it("refuses anything that is not a full image reference, naming the service", () => {
        assert.throws(
            () => imagePins({ vote: ref("vote"), result: "", worker: "latest" }),
            /result: "" is not a full image reference[\s\S]*worker: "latest"/,
        );
        assert.throws(() => deployedImages("[1]"), /not an object/);
    });
});
