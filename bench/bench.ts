// `npm run bench`: how long the offline plan and policy evaluation of each stack × platform and the whole test suite take, and the memory
// a plan needs. Figures, not pass/fail: compare them across changes (targets: a stack plan under 10 s,
// the suite under 3 minutes on CI's 2-core machine).
import { spawnSync } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { evaluatePolicies, packConfigPath, readPackConfig } from "../policy/evaluate";
import { runStack } from "../plan/runStack";
import { PLATFORMS } from "../stacks/config/rules";
import { listStacks, PROJECT_ROOT } from "../plan/stackFile";
import { estimateCost } from "../plan/cost/estimate";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Estimated monthly cost of each stack × platform, from the plan's own estimate (plan/cost). */
const costs: string[] = [];

async function benchPlans(): Promise<void> {
    console.log(`Offline plan, in process (${ROUNDS} rounds each, after one warm-up):`);
    await runStack("dev"); // module loading is paid once per process; report it separately
    for (const platform of PLATFORMS) {
        for (const stack of listStacks()) {
            const times: number[] = [];
            const policyTimes: number[] = [];
            let resources = 0;
            for (let i = 0; i < ROUNDS; i++) {
                const start = performance.now();
                const run = await runStack(stack, { overrides: { "voteapp:platform": platform } });
                times.push(performance.now() - start);
                const policyStart = performance.now();
                evaluatePolicies(run.resources, { config: readPackConfig(packConfigPath(stack)) });
                policyTimes.push(performance.now() - policyStart);
                resources = run.resources.length;
                if (i === ROUNDS - 1) {
                    const region = run.stackConfig.config["voteapp:region"] ?? "us-east-1";
                    const estimate = estimateCost(run.resources, { region });
                    const unpriced = estimate.notPriced.length ? `  (+${estimate.notPriced.length} not priced)` : "";
                    costs.push(
                        `  ${`${stack}/${platform}`.padEnd(16)} $${estimate.totals.idleUsd.toFixed(2).padStart(8)} idle   $${estimate.totals.atLoadUsd.toFixed(2).padStart(8)} at ${estimate.votesPerMonth.toLocaleString("en-US")} votes${unpriced}`,
                    );
                }
            }
            const label = `${stack}/${platform}`;
            console.log(
                `  ${label.padEnd(16)} ${String(resources).padStart(4)} resources  plan median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})  policy median ${median(policyTimes).toFixed(0)} ms`,
            );
        }
    }
    console.log(
        `  peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
}

function benchCommand(label: string, command: string, args: string[]): void {
    const start = performance.now();
    const result = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    const seconds = (performance.now() - start) / 1000;
    const summary = /(\d+) passed, (\d+) failed/.exec(result.stdout ?? "")?.[0] ?? `exit ${result.status}`;
    console.log(`  ${label.padEnd(28)} ${seconds.toFixed(1)} s  (${summary})`);
}

async function main(): Promise<void> {
    await benchPlans();
    console.log("Estimated monthly cost (plan/cost, on-demand list prices, 730 h):");
    for (const line of costs) console.log(line);
    console.log("Whole commands, cold processes:");
    benchCommand("npm run plan -- --stack dev", "npm", ["run", "--silent", "plan", "--", "--stack", "dev"]);
    benchCommand("type-check (tsc --noEmit)", process.execPath, [
        require.resolve("typescript/bin/tsc"),
        "--noEmit",
        "-p",
        path.join(PROJECT_ROOT, "tsconfig.json"),
    ]);
    benchCommand("test suite (mocha)", process.execPath, [require.resolve("mocha/bin/mocha.js"), "test/**/*.test.ts"]);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
