import * as assert from "assert";
import { findPostgresBin, findRedisServer, SERVER_PACKAGES } from "./servers";

describe("app test servers", () => {
    it("missing server binaries fail the tests with the Debian packages to install, never a skip", () => {
        assert.throws(
            () => findRedisServer(["/nonexistent"]),
            (error: Error) => error.message.includes(SERVER_PACKAGES) && /redis-server not found/.test(error.message),
        );
        assert.throws(
            () => findPostgresBin("/nonexistent"),
            (error: Error) => error.message.includes(SERVER_PACKAGES) && /initdb, postgres/.test(error.message),
        );
        assert.strictEqual(SERVER_PACKAGES, "redis-server postgresql");
    });
});
