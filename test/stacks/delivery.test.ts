import * as assert from "assert";
import { readStackConfig } from "../../plan/stackFile";
import { ConfigValidationError, parseVoteAppConfig, type VoteAppConfig } from "../../stacks/config";
import { PLACEHOLDER_DIGEST } from "../../stacks/config/delivery";
import { single, stackRun } from "../support/stacks";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const STAGING_REGISTRY = "222222222222.dkr.ecr.eu-west-1.amazonaws.com";

function parseWith(stack: string, changes: Record<string, string>): VoteAppConfig {
    const file = readStackConfig(stack);
    const raw = { ...file.config };
    for (const [key, value] of Object.entries(changes)) raw[`voteapp:${key}`] = value;
    return parseVoteAppConfig(raw, { project: file.project, stack });
}

function problemLine(stack: string, changes: Record<string, string>, key: string): string {
    try {
        parseWith(stack, changes);
    } catch (err) {
        assert.ok(err instanceof ConfigValidationError, String(err));
        const line = err.message.split("\n").find((l) => l.includes(`voteapp:${key} =`));
        assert.ok(line, `no problem for voteapp:${key}:\n${err.message}`);
        return line;
    }
    return assert.fail(`expected ${JSON.stringify(changes)} to be refused in ${stack}`);
}

describe("delivery config: staging and prod run images by digest only", () => {
    it("the shipped staging and prod stacks carry the all-zero placeholder digest; dev keeps a tag", () => {
        for (const stack of ["staging", "prod"])
            assert.strictEqual(parseWith(stack, {}).images.tag, PLACEHOLDER_DIGEST);
        assert.strictEqual(parseWith("dev", {}).images.tag, "0.1.0");
    });

    for (const stack of ["staging", "prod"]) {
        it(`${stack}: a mutable tag in imageTag is refused, naming the key and what is allowed`, () => {
            const line = problemLine(stack, { imageTag: "1.4.0" }, "imageTag");
            assert.match(
                line,
                new RegExp(`voteapp:imageTag = "1.4.0": must be an image digest sha256:<64 hex> in ${stack}`),
            );
        });

        it(`${stack}: an image override by tag is refused`, () => {
            const account = stack === "staging" ? "222222222222" : "333333333333";
            const line = problemLine(
                stack,
                { voteImage: `${account}.dkr.ecr.eu-west-1.amazonaws.com/voteapp-${stack}/vote:1.4.0` },
                "voteImage",
            );
            assert.match(line, /must end in @sha256:<64 hex>/);
        });
    }

    it("staging: an override by digest from another account's registry is refused (images are copied in)", () => {
        const line = problemLine(
            "staging",
            { resultImage: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/voteapp-dev/result@${DIGEST}` },
            "resultImage",
        );
        assert.match(
            line,
            /must be in this account's registry 222222222222\.dkr\.ecr\.eu-west-1\.amazonaws\.com in staging/,
        );
    });

    it("staging: overrides by digest in its own registry are accepted and deployed as given", async () => {
        const overrides = Object.fromEntries(
            ["vote", "result", "worker"].map((s) => [
                `voteapp:${s}Image`,
                `${STAGING_REGISTRY}/voteapp-staging/${s}@${DIGEST}`,
            ]),
        );
        const config = parseWith(
            "staging",
            Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.slice(8), v])),
        );
        assert.strictEqual(config.images.overrides.worker, `${STAGING_REGISTRY}/voteapp-staging/worker@${DIGEST}`);
        const run = await stackRun("staging", { overrides });
        const definitions = JSON.parse(
            String(single(run, "aws:ecs/taskDefinition:TaskDefinition", "app-vote").inputs.containerDefinitions),
        ) as { image: string }[];
        assert.strictEqual(definitions[0].image, `${STAGING_REGISTRY}/voteapp-staging/vote@${DIGEST}`);
    });

    it("dev accepts tags, in imageTag and in overrides", () => {
        const config = parseWith("dev", {
            imageTag: "git-1a2b3c4",
            voteImage: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/voteapp-dev/vote:git-1a2b3c4",
        });
        assert.strictEqual(config.images.tag, "git-1a2b3c4");
    });

    it("the program's registry references the placeholder digest with @ in staging", async () => {
        const run = await stackRun("staging");
        const definitions = JSON.parse(
            String(single(run, "aws:ecs/taskDefinition:TaskDefinition", "app-result").inputs.containerDefinitions),
        ) as { image: string }[];
        assert.strictEqual(definitions[0].image, `${STAGING_REGISTRY}/voteapp-staging/result@${PLACEHOLDER_DIGEST}`);
    });
});
