import * as assert from "assert";
import { assertProblem, parseWith } from "../../support/config";

const EKS = { platform: "eks" };
const DIGEST_A = `sha256:${"a".repeat(64)}`;

describe("EKS blue/green config (eksLiveSlot, eksBlueImageTag, eksGreenImageTag)", () => {
    it("is on by default in staging and prod (blueGreen): live slot blue, both slots on imageTag", () => {
        const prod = parseWith("prod", EKS);
        assert.deepStrictEqual(prod.eks.blueGreen, {
            liveSlot: "blue",
            imageTags: { blue: prod.images.tag, green: prod.images.tag },
            slotTagSet: { blue: false, green: false },
        });
    });

    it("is absent when EKS rolls (dev's default) and on other platforms", () => {
        assert.strictEqual(parseWith("dev", EKS).eks.blueGreen, undefined);
        assert.strictEqual(parseWith("prod", { ...EKS, deploymentStrategy: "rolling" }).eks.blueGreen, undefined);
        assert.strictEqual(parseWith("prod").eks.blueGreen, undefined);
    });

    it("reads the live slot and each slot's image tag", () => {
        const dev = parseWith("dev", {
            ...EKS,
            deploymentStrategy: "blueGreen",
            eksLiveSlot: "green",
            eksGreenImageTag: "1.5.0",
        });
        assert.deepStrictEqual(dev.eks.blueGreen, {
            liveSlot: "green",
            imageTags: { blue: dev.images.tag, green: "1.5.0" },
            slotTagSet: { blue: false, green: true },
        });
    });

    it("refuses the slot keys when the stack does not run blue/green on EKS, naming the strategy or platform", () => {
        assertProblem(
            "dev",
            { ...EKS, eksLiveSlot: "green" },
            "eksLiveSlot",
            "only used on platform eks with voteapp:deploymentStrategy = blueGreen",
            "deploymentStrategy is rolling",
        );
        assertProblem(
            "prod",
            { ...EKS, deploymentStrategy: "rolling", eksGreenImageTag: DIGEST_A },
            "eksGreenImageTag",
            "deploymentStrategy is rolling",
        );
        assertProblem("prod", { eksLiveSlot: "blue" }, "eksLiveSlot", "platform is ecs");
    });

    it("refuses a slot that is neither blue nor green", () => {
        assertProblem("prod", { ...EKS, eksLiveSlot: "red" }, "eksLiveSlot", "must be one of blue, green");
    });

    it("refuses slot tags that are not tags or digests, and plain tags outside dev", () => {
        assertProblem(
            "dev",
            { ...EKS, deploymentStrategy: "blueGreen", eksBlueImageTag: "not a tag" },
            "eksBlueImageTag",
            "must be an image tag",
        );
        assertProblem(
            "prod",
            { ...EKS, eksGreenImageTag: "1.5.0" },
            "eksGreenImageTag",
            "must be an image digest sha256:<64 hex> in prod",
        );
        assert.strictEqual(
            parseWith("prod", { ...EKS, eksGreenImageTag: DIGEST_A }).eks.blueGreen?.imageTags.green,
            DIGEST_A,
        );
    });

    it("refuses a per-service image pin of vote or result together with slot tags (it would hold both slots on one image)", () => {
        assertProblem(
            "dev",
            {
                ...EKS,
                deploymentStrategy: "blueGreen",
                eksGreenImageTag: "1.5.0",
                voteImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vote:1.4.0",
            },
            "voteImage",
            "both blue/green slots",
            "voteapp:eksGreenImageTag",
        );
    });
});
