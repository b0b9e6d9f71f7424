import * as assert from "assert";
import { containerDefinition } from "../../../components/fargate/containerDefinition";
import { WORKER_HEARTBEAT } from "../../../shared/appContract";
import { ecsHealthCheckFor, HTTP_HEALTH_CHECK, WORKER_HEALTH_CHECK } from "../../../shared/imageContract";

describe("containerDefinition", () => {
    const base = {
        image: "repo/vote:1",
        logGroupName: "/g",
        region: "eu-west-1",
        environment: { PORT: "8080" },
    };

    it("maps a port for HTTP services; checks vote over HTTP, the worker by its heartbeat on the /tmp volume", () => {
        const vote = containerDefinition({ ...base, service: "vote" });
        assert.strictEqual(vote.portMappings.length, 1);
        assert.deepStrictEqual(vote.healthCheck, ecsHealthCheckFor("vote"));
        assert.deepStrictEqual(vote.healthCheck.command, ["CMD", ...HTTP_HEALTH_CHECK.command]);
        assert.deepStrictEqual(vote.mountPoints, []);
        const worker = containerDefinition({ ...base, service: "worker" });
        assert.strictEqual(worker.portMappings.length, 0);
        assert.deepStrictEqual(worker.healthCheck.command, ["CMD", ...WORKER_HEALTH_CHECK.command]);
        assert.deepStrictEqual(worker.mountPoints, [
            { sourceVolume: "scratch", containerPath: "/tmp", readOnly: false },
        ]);
        assert.ok(
            worker.environment.some(
                (e) => e.name === WORKER_HEARTBEAT.variable && e.value === WORKER_HEALTH_CHECK.heartbeatFile,
            ),
        );
    });
});
