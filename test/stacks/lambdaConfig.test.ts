import * as assert from "assert";
import { ConfigValidationError } from "../../stacks/config";
import { queueVisibilityTimeoutSeconds } from "../../stacks/config/lambda";
import { assertProblem, parseWith } from "../support/config";

const lambda = { platform: "lambda" };

describe("stack config validation: the lambda block", () => {
    it("accepts lambda in every shipped stack and nests its sizes under config.lambda, deeply frozen", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const config = parseWith(stack, lambda);
            assert.strictEqual(config.platform, "lambda");
            assert.ok(Object.isFrozen(config.lambda.functions.worker), `${stack}: config.lambda is not frozen`);
        }
        const config = parseWith("dev", {
            ...lambda,
            lambdaVoteMemory: "512",
            lambdaWorkerTimeoutSeconds: "60",
            lambdaWorkerBatchSize: "4",
            lambdaQueueMaxReceiveCount: "3",
        });
        assert.deepStrictEqual(config.lambda.functions.vote, {
            memoryMb: 512,
            timeoutSeconds: 10,
            reservedConcurrency: 20,
        });
        assert.deepStrictEqual(config.lambda.functions.worker, {
            memoryMb: 256,
            timeoutSeconds: 60,
            reservedConcurrency: 5,
        });
        assert.deepStrictEqual(config.lambda.worker, { batchSize: 4 });
        assert.deepStrictEqual(config.lambda.queue, { maxReceiveCount: 3, visibilityTimeoutSeconds: 360 });
        assert.deepStrictEqual(config.lambda.api, { throttleBurstLimit: 200, throttleRateLimit: 100 });
    });

    it("derives the queue's visibility timeout as six times the worker's timeout, always above it", () => {
        for (const timeout of [1, 30, 900]) {
            const visibility = parseWith("dev", { lambdaWorkerTimeoutSeconds: String(timeout) }).lambda.queue
                .visibilityTimeoutSeconds;
            assert.strictEqual(visibility, queueVisibilityTimeoutSeconds(timeout));
            assert.ok(visibility > timeout && visibility <= 43_200, `${timeout} s gives ${visibility} s`);
        }
    });

    it("refuses memory outside what Lambda offers (128–10240 MiB)", () => {
        assertProblem("dev", { lambdaVoteMemory: "64" }, "lambdaVoteMemory", "= 64:", "between 128 and 10240");
        assertProblem("dev", { lambdaWorkerMemory: "10241" }, "lambdaWorkerMemory", "between 128 and 10240");
        assert.strictEqual(parseWith("dev", { lambdaResultMemory: "10240" }).lambda.functions.result.memoryMb, 10240);
    });

    it("refuses an HTTP function timeout API Gateway would cut off, and a worker timeout past Lambda's 900 s", () => {
        assertProblem(
            "dev",
            { lambdaHttpTimeoutSeconds: "30" },
            "lambdaHttpTimeoutSeconds",
            "between 1 and 29",
            "30 s",
        );
        assertProblem("dev", { lambdaHttpTimeoutSeconds: "0" }, "lambdaHttpTimeoutSeconds", "between 1 and 29");
        assertProblem("dev", { lambdaWorkerTimeoutSeconds: "901" }, "lambdaWorkerTimeoutSeconds", "between 1 and 900");
    });

    it("refuses zero reserved concurrency (it would stop the function) and a worker below the mapping's minimum of 2", () => {
        assertProblem(
            "dev",
            { lambdaVoteReservedConcurrency: "0" },
            "lambdaVoteReservedConcurrency",
            "0 would stop the function",
        );
        assertProblem(
            "dev",
            { lambdaWorkerReservedConcurrency: "1" },
            "lambdaWorkerReservedConcurrency",
            "between 2 and 1000",
            "at least 2",
        );
    });

    it("refuses reserved concurrency that leaves the account fewer than 100 unreserved executions", () => {
        assertProblem(
            "dev",
            {
                lambdaVoteReservedConcurrency: "500",
                lambdaResultReservedConcurrency: "300",
                lambdaWorkerReservedConcurrency: "101",
            },
            "lambdaAccountConcurrency",
            "1000",
            "reserve 901 executions",
            "at most 900",
            "voteapp:lambdaVoteReservedConcurrency",
        );
        assertProblem(
            "dev",
            { lambdaAccountConcurrency: "120" },
            "lambdaAccountConcurrency",
            "reserve 45",
            "at most 20",
        );
        const exactly = parseWith("dev", {
            lambdaVoteReservedConcurrency: "500",
            lambdaResultReservedConcurrency: "300",
            lambdaWorkerReservedConcurrency: "100",
        });
        assert.strictEqual(
            exactly.lambda.functions.worker.reservedConcurrency,
            100,
            "900 of 1000 reserved leaves exactly 100",
        );
    });

    it("refuses FIFO batch sizes above 10, receive counts outside 1–1000 and throttling beyond the HTTP API account limits", () => {
        assertProblem("dev", { lambdaWorkerBatchSize: "11" }, "lambdaWorkerBatchSize", "between 1 and 10", "FIFO");
        assertProblem("dev", { lambdaQueueMaxReceiveCount: "0" }, "lambdaQueueMaxReceiveCount", "between 1 and 1000");
        assertProblem("dev", { lambdaApiThrottleRate: "20000" }, "lambdaApiThrottleRate", "between 1 and 10000");
        assertProblem("dev", { lambdaApiThrottleBurst: "0" }, "lambdaApiThrottleBurst", "between 1 and 5000");
        assertProblem("dev", { lambdaApiThrottleBurst: "many" }, "lambdaApiThrottleBurst", "whole number");
    });

    it("still requires a domain, a certificate and 30 days of logs for a prod lambda stack", () => {
        assertProblem(
            "prod",
            { ...lambda, domainName: undefined, certificateArn: undefined },
            "domainName",
            "required in prod",
        );
        assertProblem("prod", { ...lambda, logRetentionDays: "14" }, "logRetentionDays", "at least 30 in prod");
    });

    it("does not hold a prod lambda stack to the NAT, task-count and data-layer rules of resources it does not build", () => {
        const container = { natGateways: "single", voteMinCount: "1", multiAz: "false", backupRetentionDays: "1" };
        assert.strictEqual(parseWith("prod", { ...lambda, ...container }).platform, "lambda");
        assertProblem("prod", container, "natGateways", "onePerAz in prod");
        assertProblem("prod", container, "multiAz", "must be true in prod");
    });

    it("lists every lambda problem at once", () => {
        assert.throws(
            () =>
                parseWith("dev", {
                    ...lambda,
                    lambdaVoteMemory: "1",
                    lambdaWorkerBatchSize: "50",
                    lambdaHttpTimeoutSeconds: "60",
                }),
            (err: unknown) => err instanceof ConfigValidationError && err.problems.length === 3,
        );
    });
});
