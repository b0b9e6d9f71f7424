import * as assert from "assert";
import { CONFIG_KEYS } from "../../stacks/config/keys";
import {
    APP_SERVICE_TABLE,
    type AppServiceSpec,
    checkedServiceTable,
    defaultHttpService,
    httpServices,
    serviceTableProblems,
    SERVICE_NEEDS,
} from "../../shared/appContract";

/** The service table (issue 16.2): what every platform derives its per-service resources from. */
describe("the app's service table", () => {
    it("is deployable as shipped: vote is the default route, result has /result before it, the worker serves no HTTP", () => {
        assert.deepStrictEqual(serviceTableProblems(APP_SERVICE_TABLE), []);
        assert.strictEqual(defaultHttpService(APP_SERVICE_TABLE).name, "vote");
        assert.deepStrictEqual(
            httpServices(APP_SERVICE_TABLE).map((spec) => spec.name),
            ["result", "vote"],
        );
        assert.deepStrictEqual(SERVICE_NEEDS.worker, { redis: true, postgres: true, http: false });
    });

    it("declares each row's size keys with the row's defaults (Pulumi.yaml follows from them)", () => {
        const keys: Readonly<Record<string, object>> = CONFIG_KEYS;
        const defaultOf = (key: string) => (keys[key] as { readonly default?: unknown } | undefined)?.default;
        for (const spec of APP_SERVICE_TABLE) {
            assert.strictEqual(defaultOf(`${spec.name}Cpu`), spec.defaultSize.cpu, `${spec.name}Cpu`);
            assert.strictEqual(defaultOf(`${spec.name}Memory`), spec.defaultSize.memory, `${spec.name}Memory`);
            assert.strictEqual(defaultOf(`${spec.name}MaxCount`), spec.defaultSize.maxCount, `${spec.name}MaxCount`);
        }
    });

    const statsHttp = { pathPatterns: ["/stats"], priority: 20, lambdaRoutes: ["GET /stats"] };
    const stats: AppServiceSpec = {
        name: "stats",
        http: statsHttp,
        redis: false,
        postgres: false,
        singleReplica: false,
        lambda: {
            bundle: "result-lambda",
            description: "stats",
            access: ["readTotals"],
            defaultSize: { memoryMb: 256, reservedConcurrency: 5 },
        },
        defaultSize: { cpu: 256, memory: 512, maxCount: 2 },
    };
    const problemsWith = (row: AppServiceSpec) => serviceTableProblems([...APP_SERVICE_TABLE, row]);

    it("accepts a sixth row that routes its own paths", () => {
        assert.deepStrictEqual(problemsWith(stats), []);
    });

    for (const [what, row, fragment] of [
        ["a duplicate name", { ...stats, name: "vote" }, 'service "vote" is listed twice'],
        ["a name that is no DNS label", { ...stats, name: "Stats_1" }, "lowercase DNS label"],
        [
            "a second default route",
            { ...stats, http: { priority: 30, lambdaRoutes: ["GET /x"] } },
            "exactly one HTTP service must omit pathPatterns",
        ],
        ["a priority shared with result", { ...stats, http: { ...statsHttp, priority: 10 } }, "priority 10 is shared"],
        [
            "a priority after the default route's",
            { ...stats, http: { ...statsHttp, priority: 200 } },
            "default route's priority must be the highest",
        ],
        [
            "Redis without a Redis user",
            { ...stats, redis: true },
            "stats connects to Redis but REDIS_USERS gives it no user",
        ],
        ["PostgreSQL without a database user", { ...stats, postgres: true }, "DATABASE_USERS gives it no user"],
        ["a single-replica HTTP service", { ...stats, singleReplica: true }, "cannot be singleReplica"],
        [
            "a second queue consumer",
            { ...stats, lambda: { ...stats.lambda, access: ["receiveBallots"] } },
            "only one function may consume the votes queue",
        ],
    ] as const) {
        it(`refuses ${what}, naming the row`, () => {
            const problems = problemsWith(row as AppServiceSpec);
            assert.ok(
                problems.some((problem) => problem.includes(fragment)),
                `expected a problem containing "${fragment}", got: ${JSON.stringify(problems)}`,
            );
            assert.throws(
                () => checkedServiceTable([...APP_SERVICE_TABLE, row as AppServiceSpec]),
                /invalid service table/,
            );
        });
    }
});
