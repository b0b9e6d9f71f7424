import * as assert from "assert";
import { ECR_PULL_ACTIONS } from "../../components/security/guardDutyAgent";
import type { MockedRun } from "../../plan/harness";
import type { CapturedResource } from "../../shared/capturedResource";
import { ofType } from "./resources";
import { wildcardRegExp } from "./wildcard";

/**
 * What an ECS task's execution role may do, read from the inline policies a run captured: whether it may pull
 * an image from a repository (GuardDuty's runtime agent sidecar starts only if it may). For a mounted
 * VoteAppOnFargate and for a whole stack alike.
 */
interface Statement {
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: unknown;
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
const glob = (pattern: string, value: string): boolean => wildcardRegExp(pattern, "i").test(value);

/** Whether unconditional Allow statements (and no Deny) grant the action on the resource. */
function allows(statements: readonly Statement[], action: string, resource: string): boolean {
    const matches = (s: Statement) =>
        list(s.Action).some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource));
    if (statements.some((s) => s.Effect === "Deny" && matches(s))) return false;
    return statements.some((s) => s.Effect === "Allow" && s.Condition === undefined && matches(s));
}

/** Every inline policy statement of the role a task definition runs its containers' housekeeping with. */
function executionRoleStatements(run: MockedRun, taskDefinition: CapturedResource): Statement[] {
    const roleArn = String(taskDefinition.inputs.executionRoleArn);
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const role = ofType(run, "aws:iam/role:Role").find((r) => r.name === roleName);
    assert.ok(role, `${taskDefinition.name}: no role ${roleName}`);
    const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `${roleName}-id`);
    assert.ok(policies.length > 0, `${roleName} has no inline policy`);
    return policies.flatMap((p) => (JSON.parse(String(p.inputs.policy)) as { Statement: Statement[] }).Statement);
}

/** Whether each task definition's execution role may log in to ECR and pull from the repository. */
export function executionRolesMayPull(run: MockedRun, repositoryArn: string): Record<string, boolean> {
    const taskDefinitions = ofType(run, "aws:ecs/taskDefinition:TaskDefinition");
    assert.ok(taskDefinitions.length > 0, "no task definition");
    return Object.fromEntries(
        taskDefinitions.map((taskDefinition) => {
            const statements = executionRoleStatements(run, taskDefinition);
            return [
                taskDefinition.name,
                allows(statements, "ecr:GetAuthorizationToken", "*") &&
                    ECR_PULL_ACTIONS.every((action) => allows(statements, action, repositoryArn)),
            ];
        }),
    );
}
