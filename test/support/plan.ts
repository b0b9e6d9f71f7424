import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/stackFile";

/** Runs the offline plan exactly as `npm run plan -- ...` does, with no AWS credentials in the environment. */
export function planCli(...args: string[]): { code: number | null; out: string; err: string } {
    const result = spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(PROJECT_ROOT, "plan/cli.ts"), ...args],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            env: { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "" },
            timeout: 120_000,
        },
    );
    return { code: result.status, out: result.stdout, err: result.stderr };
}
