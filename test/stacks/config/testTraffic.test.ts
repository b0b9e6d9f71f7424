import * as assert from "assert";
import { assertProblem, parseWith } from "../../support/config";

/** voteapp:testTrafficCidrs (stacks/config/testTraffic.ts): who may reach the blue/green test route. */
const OFFICE = "52.94.76.0/22";

describe("test traffic CIDRs (stacks/config/testTraffic.ts)", () => {
    it("testTrafficCidrs refuses the internet, private ranges, malformed CIDRs, and stacks without a test route", () => {
        assertProblem("prod", { testTrafficCidrs: "0.0.0.0/0" }, "testTrafficCidrs", "anyone on the internet");
        assertProblem("prod", { testTrafficCidrs: "10.0.0.0/8" }, "testTrafficCidrs", "private");
        assertProblem("prod", { testTrafficCidrs: "52.94.76.1/22" }, "testTrafficCidrs", "host bits");
        assertProblem("dev", { testTrafficCidrs: OFFICE }, "testTrafficCidrs", "no test route");
        assertProblem("prod", { testTrafficCidrs: OFFICE, platform: "eks" }, "testTrafficCidrs", "port-forward");
        assert.deepStrictEqual(parseWith("prod", { testTrafficCidrs: OFFICE }).testTrafficCidrs, [OFFICE]);
    });
});
