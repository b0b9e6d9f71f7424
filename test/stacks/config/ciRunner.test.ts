import * as assert from "assert";
import { assertProblem, parseWith } from "../../support/config";

describe("stack config: the CI runner (ciRunnerLabels, ciRunnerCidrs)", () => {
    it("defaults to GitHub's ubuntu-latest with no stated egress; labels and CIDRs are lists", () => {
        assert.deepStrictEqual(parseWith("dev").ciRunner, { labels: ["ubuntu-latest"], egressCidrs: [] });
        assert.deepStrictEqual(
            parseWith("prod", { ciRunnerLabels: "self-hosted, linux ,voteapp-prod", ciRunnerCidrs: "52.94.76.0/28" })
                .ciRunner,
            { labels: ["self-hosted", "linux", "voteapp-prod"], egressCidrs: ["52.94.76.0/28"] },
        );
    });

    it("refuses runner CIDRs for a GitHub-hosted runner, whose traffic leaves from any of GitHub's ranges", () => {
        assertProblem(
            "dev",
            { ciRunnerCidrs: "52.94.76.0/28" },
            "ciRunnerCidrs",
            "GitHub-hosted runner",
            "ubuntu-latest",
        );
        assertProblem(
            "dev",
            { ciRunnerLabels: "ubuntu-24.04", ciRunnerCidrs: "52.94.76.0/28" },
            "ciRunnerCidrs",
            "ubuntu-24.04",
        );
    });

    it("refuses CIDRs the endpoint must not be opened to: the internet, wider than /16, private or malformed", () => {
        const own = { ciRunnerLabels: "self-hosted" };
        assertProblem("dev", { ...own, ciRunnerCidrs: "0.0.0.0/0" }, "ciRunnerCidrs", "whole internet");
        assertProblem("dev", { ...own, ciRunnerCidrs: "8.0.0.0/8" }, "ciRunnerCidrs", "16,777,216 addresses", "/16");
        assertProblem("dev", { ...own, ciRunnerCidrs: "10.1.0.0/24" }, "ciRunnerCidrs", "private range");
        assertProblem("dev", { ...own, ciRunnerCidrs: "52.94.76.1/24" }, "ciRunnerCidrs", "host bits");
        assertProblem("dev", { ciRunnerLabels: "bad label" }, "ciRunnerLabels", "not a runner label");
        assertProblem("dev", { ciRunnerLabels: " , " }, "ciRunnerLabels", "at least one runner label");
    });

    it("on eks, people's and the runner's CIDRs together stay within EKS's 40", () => {
        const cidrs = (from: number, count: number) =>
            Array.from({ length: count }, (_, i) => `52.94.${from + i}.0/24`).join(",");
        const changes = {
            platform: "eks",
            ciRunnerLabels: "self-hosted",
            eksPublicAccessCidrs: cidrs(0, 30),
            ciRunnerCidrs: cidrs(30, 11),
        };
        assertProblem("dev", changes, "ciRunnerCidrs", "41 public access CIDRs", "at most 40");
        // The same CIDR in both lists counts once; on ecs the runner's CIDRs open nothing.
        assert.doesNotThrow(() => parseWith("dev", { ...changes, ciRunnerCidrs: cidrs(20, 10) }));
        assert.doesNotThrow(() => parseWith("dev", { ...changes, platform: "ecs" }));
    });
});
