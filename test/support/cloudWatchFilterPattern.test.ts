import * as assert from "assert";
import { filterFieldValue, matchesJsonFilterPattern } from "./cloudWatchFilterPattern";

/** The matcher against the examples of AWS's filter pattern syntax page (JSON log events) it claims to read. */
describe("CloudWatch JSON filter patterns (test support)", () => {
    const event = JSON.stringify({
        eventType: "UpdateTrail",
        sourceIPAddress: "123.123.123.123",
        arrayKey: ["value", "another value"],
        objectList: [{ name: "a", id: 1 }],
        bandwidth: 75,
        latency: 20,
        user: { id: 1, email: "John.Stiles@example.com" },
        level: "error",
    });

    it("matches string equality, inequality and wildcards, case-sensitively, on nested selectors", () => {
        assert.ok(matchesJsonFilterPattern('{ $.eventType = "UpdateTrail" }', event));
        assert.ok(!matchesJsonFilterPattern('{ $.eventType = "updatetrail" }', event));
        assert.ok(matchesJsonFilterPattern('{ $.eventType != "DeleteTrail" }', event));
        assert.ok(matchesJsonFilterPattern('{ $.sourceIPAddress = "123.123.*" }', event));
        assert.ok(matchesJsonFilterPattern('{ $.user.email = "*@example.com" }', event));
        assert.ok(!matchesJsonFilterPattern('{ $.missing = "x" }', event));
    });

    it("compares numbers, and joins with && and || in parentheses", () => {
        assert.ok(matchesJsonFilterPattern("{ $.bandwidth > 50 }", event));
        assert.ok(!matchesJsonFilterPattern("{ $.bandwidth < 50 }", event));
        assert.ok(matchesJsonFilterPattern("{ $.user.id = 1 }", event));
        assert.ok(matchesJsonFilterPattern('{ ($.user.id = 2 || $.level = "error") && $.latency <= 20 }', event));
        assert.ok(!matchesJsonFilterPattern('{ $.user.id = 2 && $.level = "error" }', event));
        // A string field never equals a number.
        assert.ok(!matchesJsonFilterPattern("{ $.eventType = 1 }", event));
    });

    it("never matches a line that is not a JSON object; refuses patterns outside its subset", () => {
        assert.ok(!matchesJsonFilterPattern('{ $.level = "error" }', 'level="error"'));
        assert.ok(!matchesJsonFilterPattern('{ $.level = "error" }', '["error"]'));
        for (const pattern of [
            "ERROR",
            '{ $.level = "error" ',
            '{ $.arrayKey[0] = "value" }',
            "{ $.a = 1 && $.b = 2 || $.c = 3 }",
            '{ $.level > "error" }',
            "{ $.level IS NULL }",
        ])
            assert.throws(() => matchesJsonFilterPattern(pattern, event), /filter pattern/, pattern);
    });

    it("fills a metric field from the event (`$.` selector) or as the literal", () => {
        assert.strictEqual(filterFieldValue("$.user.email", event), "John.Stiles@example.com");
        assert.strictEqual(filterFieldValue("$.bandwidth", event), "75");
        assert.strictEqual(filterFieldValue("$.user", event), undefined);
        assert.strictEqual(filterFieldValue("1", event), "1");
    });
});
