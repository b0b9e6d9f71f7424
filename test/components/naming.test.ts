import * as assert from "assert";
import { autoName, physicalName } from "../../components/naming";

describe("physical names", () => {
    it("refuses names past AWS's limit, naming the limit", () => {
        assert.throws(
            () =>
                physicalName("elasticacheReplicationGroup", "voteapp", "a-very-long-environment-name", "redis-cluster"),
            /at most 40/,
        );
        assert.strictEqual(physicalName("rdsInstance", "voteapp", "prod", "postgres"), "voteapp-prod-postgres");
    });
    it("leaves room for Pulumi's random suffix on auto-named resources", () => {
        assert.throws(() => autoName("targetGroup", "voteapp", "staging-long", "result"), /at most 24/);
        assert.strictEqual(autoName("loadBalancer", "voteapp", "prod"), "voteapp-prod");
    });
});
