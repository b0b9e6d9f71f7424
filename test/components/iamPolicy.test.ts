import * as assert from "assert";
import { validateStatement } from "../../components/iamPolicy";

describe("IAM policy validation", () => {
    it("refuses service-wide wildcards in identity policies", () => {
        assert.throws(
            () => validateStatement({ Effect: "Allow", Action: "s3:*", Resource: "*" }, "test"),
            /grants every action of a service/,
        );
    });
    it("refuses malformed actions and non-ARN resources", () => {
        assert.throws(
            () => validateStatement({ Effect: "Allow", Action: "GetObject", Resource: "*" }, "test"),
            /not an IAM action/,
        );
        assert.throws(
            () => validateStatement({ Effect: "Allow", Action: "s3:GetObject", Resource: "my-bucket" }, "test"),
            /not an ARN/,
        );
        assert.throws(() => validateStatement({ Effect: "Allow", Action: [], Resource: "*" }, "test"), /no actions/);
        assert.throws(
            () =>
                validateStatement({ Sid: "has space", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, "test"),
            /alphanumeric/,
        );
        assert.throws(() => validateStatement({ Effect: "Allow", Action: "s3:GetObject" }, "test"), /needs a Resource/);
    });
    it("accepts the account-root kms:* statement of a key policy", () => {
        assert.doesNotThrow(() =>
            validateStatement(
                {
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::111111111111:root" },
                    Action: "kms:*",
                    Resource: "*",
                },
                "test",
            ),
        );
    });
});
