import * as assert from "assert";
import { parseWorkingHours } from "../../stacks/config/cost";
import { runStack } from "../../plan/runStack";
import { assertRejectsWith, ofType, stackRun } from "../support/stacks";

const SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction";
const TARGET = "aws:appautoscaling/target:Target";

describe("working hours (voteapp:workingHours): dev's ECS services scale to zero outside them", function () {
    this.timeout(300_000);

    it("dev on ecs stops every service at 19:00 and starts it at 07:00, Monday to Friday (UTC), by its scalable target", async () => {
        const run = await stackRun("dev");
        const services = ofType(run, "aws:ecs/service:Service");
        const targets = ofType(run, TARGET);
        // The worker gets a target too (min = max = its count), so the schedule reaches every service.
        assert.strictEqual(targets.length, services.length);
        const actions = ofType(run, SCHEDULED);
        assert.strictEqual(actions.length, 2 * services.length);
        for (const target of targets) {
            const own = actions.filter((a) => a.inputs.resourceId === target.inputs.resourceId);
            const stop = own.find((a) => /-stop$/.test(a.name));
            const start = own.find((a) => /-start$/.test(a.name));
            assert.ok(stop && start, `${target.name}: ${own.map((a) => a.name).join(", ")}`);
            assert.strictEqual(stop.inputs.schedule, "cron(0 19 ? * MON-FRI *)");
            assert.deepStrictEqual(stop.inputs.scalableTargetAction, { minCapacity: 0, maxCapacity: 0 });
            assert.strictEqual(start.inputs.schedule, "cron(0 7 ? * MON-FRI *)");
            assert.deepStrictEqual(start.inputs.scalableTargetAction, {
                minCapacity: target.inputs.minCapacity,
                maxCapacity: target.inputs.maxCapacity,
            });
            assert.ok((target.inputs.minCapacity as number) >= 1, "the services come back");
            for (const a of own) assert.strictEqual(a.inputs.timezone, "UTC");
        }
    });

    it("staging and prod run always; a stack file's schedule is read with its time zone", async () => {
        for (const stack of ["staging", "prod"]) assert.strictEqual(ofType(await stackRun(stack), SCHEDULED).length, 0);
        const always = await stackRun("dev", { overrides: { "voteapp:workingHours": "always" } });
        assert.strictEqual(ofType(always, SCHEDULED).length, 0);
        const dublin = await stackRun("staging", {
            overrides: { "voteapp:workingHours": "MON,WED,FRI 08:30-18:00 Europe/Dublin" },
        });
        const actions = ofType(dublin, SCHEDULED);
        assert.ok(actions.length > 0);
        assert.ok(actions.every((a) => a.inputs.timezone === "Europe/Dublin"));
        assert.ok(actions.some((a) => a.inputs.schedule === "cron(30 8 ? * MON,WED,FRI *)"));
        assert.ok(actions.some((a) => a.inputs.schedule === "cron(0 18 ? * MON,WED,FRI *)"));
    });

    it("eks and lambda plan no schedule (their default is always); setting one there is refused by name", async () => {
        for (const platform of ["eks", "lambda"]) {
            const run = await stackRun("dev", { overrides: { "voteapp:platform": platform } });
            assert.strictEqual(ofType(run, SCHEDULED).length, 0, platform);
        }
        await assertRejectsWith(
            runStack("dev", {
                overrides: { "voteapp:platform": "lambda", "voteapp:workingHours": "MON-FRI 07:00-19:00 UTC" },
            }),
            "voteapp:workingHours",
            "has no effect on platform lambda",
        );
    });

    it("refuses a schedule in prod, and a value it cannot read, naming the key, the value and what is allowed", async () => {
        await assertRejectsWith(
            runStack("prod", { overrides: { "voteapp:workingHours": "MON-FRI 07:00-19:00 UTC" } }),
            "voteapp:workingHours",
            "must be always in prod",
        );
        await assertRejectsWith(
            runStack("dev", { overrides: { "voteapp:workingHours": "weekdays" } }),
            "voteapp:workingHours",
            "weekdays",
            'e.g. "MON-FRI 07:00-19:00 Europe/Dublin"',
        );
        const problem = (value: string) => {
            const parsed = parseWorkingHours(value);
            return typeof parsed === "object" && "problem" in parsed ? parsed.problem : "";
        };
        assert.match(problem("SAT-SUN 09:00-17:00 UTC"), /list them instead, e\.g\. "SAT,SUN"/);
        assert.match(problem("MON-FRI 19:00-07:00 UTC"), /no overnight windows/);
        assert.match(problem("MON-FRI 07:00-19:00 Mars/Olympus"), /not an IANA time zone/);
        assert.deepStrictEqual(parseWorkingHours("SUN-SAT 00:00-23:59 UTC"), {
            days: "SUN-SAT",
            start: "00:00",
            stop: "23:59",
            timezone: "UTC",
        });
    });
});
