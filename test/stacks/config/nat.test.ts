import * as assert from "assert";
import { NAT_DEFAULTS } from "../../../stacks/config/network";
import { assertProblem, parseWith } from "../../support/config";

/** Issue 13 §2: the NAT instance option, on by default where the tier allows it, refused in prod. */
describe("NAT config (voteapp:natGateways, voteapp:natInstanceType)", () => {
    it("defaults to one NAT instance in dev and staging and one NAT gateway per AZ in prod", () => {
        assert.deepStrictEqual(
            ["dev", "staging", "prod"].map((stack) => parseWith(stack).network.natGateways),
            ["instance", "instance", "onePerAz"],
        );
        assert.deepStrictEqual(NAT_DEFAULTS, { dev: "instance", staging: "instance", prod: "onePerAz" });
    });

    it("keeps an explicit choice in dev and staging", () => {
        assert.strictEqual(parseWith("dev", { natGateways: "single" }).network.natGateways, "single");
        assert.strictEqual(parseWith("staging", { natGateways: "onePerAz" }).network.natGateways, "onePerAz");
        assert.strictEqual(parseWith("dev", { natGateways: "instance" }).network.natInstanceType, "t4g.nano");
        assert.strictEqual(
            parseWith("staging", { natInstanceType: "c7gn.medium" }).network.natInstanceType,
            "c7gn.medium",
        );
    });

    it("refuses a NAT instance in prod, naming the key, the value and what prod allows", () =>
        assertProblem(
            "prod",
            { natGateways: "instance" },
            "natGateways",
            '"instance"',
            "must be onePerAz in prod",
            "dev and staging only",
        ));

    it("names every strategy when the value is unknown", () =>
        assertProblem("dev", { natGateways: "nat-instance" }, "natGateways", "none, instance, single, onePerAz"));

    it("refuses an instance type the arm64 image cannot boot on", () => {
        for (const type of ["t3.nano", "m5.large", "t4g", "a1.medium"])
            assertProblem("dev", { natInstanceType: type }, "natInstanceType", `"${type}"`, "Graviton (arm64)");
    });
});
