import { runBootstrap } from "../runBootstrap";
import { BOOTSTRAP_ROOT, listStacks } from "../projectRoot";
import type { StackRun } from "../stackRun";
import { readStackConfig, type StackFileConfig } from "../stackFile";
import type { AccountPlan } from "./estimate";

/**
 * The bootstrap stack of a program stack's account: the one (bootstrap/Pulumi.<name>.yaml) that bootstraps the
 * same account for the same environment of this project. Undefined when none does (e.g. a stack file for an
 * account bootstrapped elsewhere): the estimate then has no account lines and says so.
 */
export function bootstrapStackFor(stackConfig: StackFileConfig): string | undefined {
    const value = (key: string) => stackConfig.config[`${stackConfig.project}:${key}`];
    const matches = listStacks(BOOTSTRAP_ROOT).filter((name) => {
        const bootstrap = readStackConfig(name, BOOTSTRAP_ROOT);
        const of = (key: string) => bootstrap.config[`${bootstrap.project}:${key}`];
        return (
            of("accountId") === value("accountId") &&
            of("environment") === value("environment") &&
            (of("projectName") ?? stackConfig.project) === stackConfig.project
        );
    });
    return matches.length === 1 ? matches[0] : undefined;
}

/** Bootstrap plans by stack name: the bootstrap program does not read the program stack's overrides. */
const bootstrapPlans = new Map<string, Promise<AccountPlan>>();

/**
 * Plans the account's bootstrap stack under the same mocks, for the estimate's account lines (once per process
 * and bootstrap stack: the nine shipped combinations share three accounts).
 */
export function accountPlanFor(run: Pick<StackRun, "stackConfig">): Promise<AccountPlan | undefined> {
    const bootstrapStack = bootstrapStackFor(run.stackConfig);
    if (!bootstrapStack) return Promise.resolve(undefined);
    let plan = bootstrapPlans.get(bootstrapStack);
    if (!plan) {
        plan = runBootstrap(bootstrapStack).then((bootstrap) => ({ bootstrapStack, resources: bootstrap.resources }));
        bootstrapPlans.set(bootstrapStack, plan);
    }
    return plan;
}
