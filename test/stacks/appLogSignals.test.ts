import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONTAINER_ENTRIES } from "../../app/build";
import { jsonLogger, type LogLevel } from "../../app/src/core/log";
import type { CapturedResource } from "../../shared/capturedResource";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import type { StackRun } from "../../plan/stackRun";
import { filterFieldValue, matchesJsonFilterPattern } from "../support/cloudWatchFilterPattern";
import { ofType, SHIPPED_STACKS, stackRun } from "../support/stacks";

/**
 * The seam between the app's logger (app/src/core/log.ts), which writes the lines, and the log metric filters
 * and alarms the stack plans on them: the lines a service really writes at level error are counted, its info
 * and warn lines are not, from the log group its task writes to, into the metric (and Service dimension) the
 * service's errors alarm evaluates. The filter pattern is run over the logger's own output (a CloudWatch JSON
 * pattern matcher, test/support/cloudWatchFilterPattern.ts), not compared with a copy of it.
 */

const FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const LEVELS: readonly LogLevel[] = ["info", "warn", "error"];

interface ContainerDefinition {
    readonly name: string;
    readonly logConfiguration?: { readonly logDriver: string; readonly options?: Record<string, string> };
}

/** The lines `jsonLogger(service)` writes at each level (what a container's stdout/stderr carries to awslogs). */
function appLines(service: string): Record<LogLevel, string> {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => (written.push(String(chunk)), true);
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
        const log = jsonLogger(service);
        // Fields named as the line's own keys too: they must not change what the filters read.
        for (const level of LEVELS)
            log(level, `a ${level} line`, { error: "boom", attempt: 2, level: "info", service: "impostor" });
    } finally {
        process.stdout.write = stdout;
        process.stderr.write = stderr;
    }
    assert.strictEqual(written.length, LEVELS.length, "one line per call");
    return Object.fromEntries(LEVELS.map((level, i) => [level, written[i].trimEnd()])) as Record<LogLevel, string>;
}

/** The service name the container entry point gives the app's logger: `runService("<name>", …)`. */
function loggerServiceOf(container: string): string {
    const entry = CONTAINER_ENTRIES[container as keyof typeof CONTAINER_ENTRIES];
    assert.ok(entry, `no container entry point named ${container} (app/build.ts CONTAINER_ENTRIES)`);
    const source = fs.readFileSync(path.join(PROJECT_ROOT, "app", entry), "utf8");
    const names = [...source.matchAll(/\brunService\(\s*"([^"]+)"/g)].map((m) => m[1]);
    assert.strictEqual(names.length, 1, `${entry} starts one service through runService`);
    return names[0];
}

/** The app containers writing to each log group (awslogs-group of the planned task definitions). */
function containersByLogGroup(run: StackRun): Map<string, string[]> {
    const byGroup = new Map<string, string[]>();
    for (const task of ofType(run, TASK))
        for (const c of JSON.parse(String(task.inputs.containerDefinitions)) as ContainerDefinition[]) {
            const group = c.logConfiguration?.options?.["awslogs-group"];
            if (c.logConfiguration?.logDriver !== "awslogs" || !group || !(c.name in CONTAINER_ENTRIES)) continue;
            byGroup.set(group, [...(byGroup.get(group) ?? []), c.name]);
        }
    return byGroup;
}

const transformationOf = (filter: CapturedResource) =>
    filter.inputs.metricTransformation as {
        namespace: string;
        name: string;
        value: string;
        dimensions: Record<string, string>;
    };

describe("the app's log lines reach the error metrics and alarms the stack plans on them", function () {
    this.timeout(600_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: each service's error lines, and only those, count into the metric its errors alarm evaluates`, async () => {
            const run = await stackRun(stack);
            const filters = ofType(run, FILTER);
            assert.ok(filters.length > 0, "no log metric filter");
            const writers = containersByLogGroup(run);
            const alarms = ofType(run, ALARM);
            const watched = new Set<string>();
            for (const filter of filters) {
                const group = String(filter.inputs.logGroupName);
                const containers = writers.get(group) ?? [];
                assert.strictEqual(containers.length, 1, `${group}: one app container writes there (${containers})`);
                const [container] = containers;
                const lines = appLines(loggerServiceOf(container));
                const pattern = String(filter.inputs.pattern);
                assert.ok(matchesJsonFilterPattern(pattern, lines.error), `${pattern} misses ${lines.error}`);
                for (const level of ["info", "warn"] as const)
                    assert.ok(!matchesJsonFilterPattern(pattern, lines[level]), `${pattern} counts ${lines[level]}`);

                const transformation = transformationOf(filter);
                assert.strictEqual(filterFieldValue(transformation.value, lines.error), "1");
                const dimensions = Object.fromEntries(
                    Object.entries(transformation.dimensions).map(([name, field]) => [
                        name,
                        filterFieldValue(field, lines.error),
                    ]),
                );
                const reading = alarms.filter(
                    (a) =>
                        a.inputs.namespace === transformation.namespace &&
                        a.inputs.metricName === transformation.name &&
                        JSON.stringify(a.inputs.dimensions) === JSON.stringify(dimensions),
                );
                assert.deepStrictEqual(
                    reading.map((a) => a.inputs.name),
                    [`voteapp-${stack}-${container}-errors`],
                    `the alarm on ${container}'s error lines (${transformation.namespace} ${transformation.name} ${JSON.stringify(dimensions)})`,
                );
                watched.add(container);
            }
            // Every app container's log group is counted: a service whose lines no filter reads has no errors alarm.
            assert.deepStrictEqual([...watched].sort(), [...writers.values()].flat().sort());
        });
    }
});
