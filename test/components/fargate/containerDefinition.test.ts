import * as assert from "assert";
import { containerDefinition, secretValueFrom } from "../../../components/fargate/containerDefinition";
import { ecsHttpHealthCheck } from "../../../shared/imageContract";

describe("containerDefinition", () => {
    const base = {
        image: "repo/vote:1",
        logGroupName: "/g",
        region: "eu-west-1",
        environment: { PORT: "8080" },
        secrets: [{ name: "REDIS_PASSWORD", secretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x" }],
    };

    it("refuses a variable that is both plain environment and a secret", () => {
        assert.throws(
            () => containerDefinition({ ...base, service: "vote", environment: { REDIS_PASSWORD: "oops" } }),
            /both a plain environment variable and a secret/,
        );
    });

    it("selects a JSON key of a secret with the ECS valueFrom syntax", () => {
        assert.strictEqual(
            secretValueFrom({ name: "PGPASSWORD", secretArn: "arn:s", jsonKey: "password" }),
            "arn:s:password::",
        );
        assert.strictEqual(secretValueFrom({ name: "REDIS_PASSWORD", secretArn: "arn:s" }), "arn:s");
    });

    it("maps a port and a health check only for HTTP services", () => {
        assert.strictEqual(containerDefinition({ ...base, service: "vote" }).portMappings.length, 1);
        assert.deepStrictEqual(containerDefinition({ ...base, service: "vote" }).healthCheck, ecsHttpHealthCheck());
        const worker = containerDefinition({ ...base, service: "worker" });
        assert.deepStrictEqual([worker.portMappings.length, worker.healthCheck], [0, undefined]);
    });
});
