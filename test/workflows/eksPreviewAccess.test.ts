import * as assert from "assert";
import { parseBootstrapConfig } from "../../bootstrap/config";
import { KUBERNETES_PROVIDER_BEHAVIOUR } from "../../components/eks/eksCluster";
import { BOOTSTRAP_ROOT } from "../../plan/projectRoot";
import { readStackConfig } from "../../plan/stackFile";
import { githubOutputLines, stackInfo } from "../../scripts/stack-info";
import type { CapturedResource } from "../../shared/capturedResource";
import {
    DISCOVERY_PATHS,
    kindOfType,
    previewRequests,
    rbacAllows,
    type RbacRuleLike,
    resourceOfKind,
} from "../support/kubernetesProviderPreview";
import { input, ofType, stackRun } from "../support/stacks";
import { readWorkflow } from "../support/workflows";

/**
 * Issue 11, PR preview of an eks stack: pull requests preview dev with the account's read-only preview role,
 * and on eks the Kubernetes provider talks to the cluster's API in that preview. Joined here: the role preview.yml
 * assumes (stack-info ← bootstrap) ↔ the cluster's access entries ↔ the Kubernetes RBAC bound to the entry's group
 * ↔ the requests the provider's preview sends for every Kubernetes object the stack plans (from its source:
 * test/support/kubernetesProviderPreview.ts). Every request whose refusal would fail the preview is allowed; every
 * write (the dry-runs) is refused, which the provider answers with a client-side preview; nothing else is granted.
 */

// The stacks on their own runner as test/workflows/runnerReach.test.ts plans them (prod keeping people's CIDRs beside the
// runner's): the same configs, so the two files share each run (test/support/runStore.ts).
const ON_OWN_RUNNER = {
    "voteapp:platform": "eks",
    "voteapp:ciRunnerLabels": "self-hosted,voteapp-deploy",
    "voteapp:ciRunnerCidrs": "52.94.76.0/28,3.5.140.0/24",
};
const PROD_ON_OWN_RUNNER = { ...ON_OWN_RUNNER, "voteapp:eksPublicAccessCidrs": "52.95.0.0/24" };
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"];

/** The role preview.yml's preview job assumes for a stack: its role-to-assume, resolved through stack-info's output. */
function previewJobRole(stack: string): string {
    const steps = readWorkflow("preview.yml").jobs.preview.steps ?? [];
    const assume = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    const expression = /^\$\{\{\s*steps\.(\w+)\.outputs\.([\w-]+)\s*}}$/.exec(String(assume?.with?.["role-to-assume"]));
    assert.ok(expression, "the preview job assumes a role stack-info prints");
    const info = steps.find((s) => s.id === expression[1]);
    assert.match(info?.run ?? "", /scripts\/stack-info\.ts --stack "\$STACK" --github-output/);
    const line = githubOutputLines(stackInfo(stack, ON_OWN_RUNNER))
        .split("\n")
        .find((l) => l.startsWith(`${expression[2]}=`));
    assert.ok(line, `stack-info prints no ${expression[2]}`);
    return line.slice(line.indexOf("=") + 1);
}

/** The RBAC rules the cluster grants an identity in these Kubernetes groups, from the planned bindings. */
function rulesForGroups(resources: readonly CapturedResource[], groups: readonly string[]): RbacRuleLike[] {
    const clusterRoles = resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
    const bindings = resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
    const roleBindings = resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
    for (const binding of roleBindings) {
        const subjects = (input(binding, "subjects") ?? []) as { kind: string; name: string }[];
        assert.ok(
            !subjects.some((s) => s.kind === "Group" && groups.includes(s.name)),
            `RoleBinding ${binding.name} grants the preview group more (not modelled here)`,
        );
    }
    return bindings
        .filter((binding) =>
            ((input(binding, "subjects") ?? []) as { kind: string; name: string }[]).some(
                (s) => s.kind === "Group" && groups.includes(s.name),
            ),
        )
        .flatMap((binding) => {
            const roleRef = input(binding, "roleRef") as { kind: string; name: string };
            assert.strictEqual(roleRef.kind, "ClusterRole", binding.name);
            const role = clusterRoles.find((r) => input(r, "metadata", "name") === roleRef.name);
            assert.ok(
                role,
                `ClusterRoleBinding ${binding.name} names ClusterRole ${roleRef.name}, which is not planned`,
            );
            return input(role, "rules") as RbacRuleLike[];
        });
}

describe("PR preview of an eks stack: the preview role reads the cluster as the Kubernetes provider's preview needs, and writes nothing", function () {
    this.timeout(240_000);

    it("dev on eks: the role preview.yml assumes has an access entry, and its RBAC allows every request a preview must not be refused", async () => {
        const role = previewJobRole("dev");
        // The same role the account's bootstrap creates (stack-info refuses stack files that disagree).
        const raw = readStackConfig("dev", BOOTSTRAP_ROOT);
        const bootstrap = parseBootstrapConfig(raw.config, { project: raw.project, stack: "dev" });
        assert.strictEqual(
            role,
            `arn:${bootstrap.partition}:iam::${bootstrap.accountId}:role/${bootstrap.roles.preview}`,
        );

        const run = await stackRun("dev", { overrides: ON_OWN_RUNNER });
        const entries = ofType(run, "aws:eks/accessEntry:AccessEntry").filter((e) => e.inputs.principalArn === role);
        assert.strictEqual(
            entries.length,
            1,
            `no access entry for ${role}: the API server would refuse the preview (401)`,
        );
        const [entry] = entries;
        assert.strictEqual(entry.inputs.type, "STANDARD");
        const groups = (entry.inputs.kubernetesGroups ?? []) as string[];
        assert.ok(groups.length > 0, "the preview entry maps to no Kubernetes group");
        for (const group of groups) assert.doesNotMatch(group, /^(system|eks|aws|amazon|iam):/, group);
        // No EKS access policy: its rights are the ClusterRole's below, nothing AWS-managed on top.
        assert.deepStrictEqual(
            ofType(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter(
                (a) => a.inputs.principalArn === role,
            ),
            [],
        );

        const rules = rulesForGroups(run.resources, groups);
        assert.ok(rules.length > 0, "no ClusterRole bound to the preview group");
        const kubernetesObjects = run.resources.filter((r) => kindOfType(r.type) !== undefined);
        assert.ok(kubernetesObjects.length > 10, "the eks plan holds the app's Kubernetes objects");
        for (const object of kubernetesObjects) {
            const name = input(object, "metadata", "name") as string | undefined;
            for (const request of previewRequests(object.type)) {
                const allowed = rbacAllows(rules, request.verb, request.on, request.verb === "get" ? name : undefined);
                const what = `${object.type} ${object.name}: ${request.step} sends ${request.verb} ${request.on.group}/${request.on.resource}`;
                if (request.dryRun) {
                    assert.ok(!allowed, `${what} (dry-run): granting it grants the real write`);
                    assert.strictEqual(request.whenForbidden, "client-side preview", what);
                } else if (request.whenForbidden === "the preview fails") assert.ok(allowed, `${what}: refused`);
            }
        }
        // Discovery (Configure) is open to every authenticated identity: the access entry is what it needs.
        assert.ok(DISCOVERY_PATHS.includes("/openapi/v2"));
    });

    it("the preview group reads nothing more: no write verb, no wildcard, no Secret", async () => {
        const run = await stackRun("dev", { overrides: ON_OWN_RUNNER });
        const role = previewJobRole("dev");
        const entry = ofType(run, "aws:eks/accessEntry:AccessEntry").find((e) => e.inputs.principalArn === role);
        assert.ok(entry, "no preview access entry");
        const rules = rulesForGroups(run.resources, entry.inputs.kubernetesGroups as string[]);
        for (const rule of rules) {
            for (const field of [rule.verbs, rule.apiGroups ?? [], rule.resources ?? []])
                assert.ok(!field.includes("*"), `wildcard in ${JSON.stringify(rule)}`);
            assert.deepStrictEqual(rule.nonResourceURLs ?? [], [], "non-resource URLs come from system:discovery");
            for (const verb of rule.verbs)
                assert.ok(["get", "list"].includes(verb), `${verb} in ${JSON.stringify(rule)}`);
            for (const verb of WRITE_VERBS)
                for (const group of rule.apiGroups ?? [])
                    for (const resource of rule.resources ?? [])
                        assert.ok(!rbacAllows(rules, verb, { group, resource }, "x"), `${verb} ${group}/${resource}`);
        }
        for (const verb of ["get", "list", "watch"])
            assert.ok(!rbacAllows(rules, verb, { group: "", resource: "secrets" }, "any"), `${verb} secrets`);
        // The stack creates no Secret, so no preview request needs one.
        assert.deepStrictEqual(
            run.resources.filter((r) => kindOfType(r.type)?.kind === "Secret").map((r) => r.name),
            [],
        );
    });

    it("where pull requests do not preview (staging, prod), the preview role gets no access entry", async () => {
        const run = await stackRun("prod", { overrides: PROD_ON_OWN_RUNNER });
        const raw = readStackConfig("prod", BOOTSTRAP_ROOT);
        const bootstrap = parseBootstrapConfig(raw.config, { project: raw.project, stack: "prod" });
        const entries = ofType(run, "aws:eks/accessEntry:AccessEntry").map((e) => String(e.inputs.principalArn));
        assert.ok(entries.length > 0, "prod on eks plans its admin access entries");
        assert.ok(!entries.some((arn) => arn.endsWith(`:role/${bootstrap.roles.preview}`)), entries.join(", "));
    });

    it("the Kubernetes provider pins every behaviour a PULUMI_K8S_* variable of the runner would otherwise set", async () => {
        // provider.go Configure (l. 619-730): each flag reads its provider input first, the variable only when unset.
        const overridable: Record<string, string> = {
            deleteUnreachable: "PULUMI_K8S_DELETE_UNREACHABLE",
            skipUpdateUnreachable: "PULUMI_K8S_SKIP_UPDATE_UNREACHABLE",
            enableServerSideApply: "PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY",
            enablePatchForce: "PULUMI_K8S_ENABLE_PATCH_FORCE",
            upsertExistingObjects: "PULUMI_K8S_UPSERT_EXISTING_OBJECTS",
            enableConfigMapMutable: "PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE",
            enableSecretMutable: "PULUMI_K8S_ENABLE_SECRET_MUTABLE",
        };
        assert.deepStrictEqual(Object.keys(KUBERNETES_PROVIDER_BEHAVIOUR).sort(), Object.keys(overridable).sort());
        const run = await stackRun("dev", { overrides: ON_OWN_RUNNER });
        const [provider] = ofType(run, "pulumi:providers:kubernetes");
        assert.ok(provider, "no Kubernetes provider planned");
        for (const [key, variable] of Object.entries(overridable)) {
            const value = provider.inputs[key];
            assert.ok(value !== undefined, `${key} unset: ${variable} on the runner would decide it`);
            assert.strictEqual(
                String(value),
                String(KUBERNETES_PROVIDER_BEHAVIOUR[key as keyof typeof KUBERNETES_PROVIDER_BEHAVIOUR]),
                key,
            );
        }
        // A skipped-unreachable preview returns the old inputs (Check): it would show no change. Never.
        assert.strictEqual(String(provider.inputs.skipUpdateUnreachable), "false");
        assert.strictEqual(resourceOfKind("NetworkPolicy"), "networkpolicies");
        assert.strictEqual(resourceOfKind("Ingress"), "ingresses");
        assert.strictEqual(resourceOfKind("Endpoints"), "endpoints");
    });
});
