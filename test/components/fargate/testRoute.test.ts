import * as assert from "assert";
import { input, named, ofType, stackRun } from "../../support/stacks";
import { parseWith, assertProblem } from "../../support/config";

/**
 * The blue/green test route never faces the internet: ECS native strategies route test traffic only through a
 * test listener on its own port, which the load balancer's security group opens to the stack's
 * testTrafficCidrs and nobody else (no listener rule anywhere selects requests by a header a client can send);
 * without those CIDRs there is no test route at all. Checked on the captured listeners, rules and groups.
 */

type Run = Awaited<ReturnType<typeof stackRun>>;
const OFFICE = "52.94.76.0/22";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** The load balancer group's inbound rules as [port, source]. */
function loadBalancerIngress(run: Run): [number, string][] {
    // The load balancer group's own rules (its group's rules all carry the alb-in- name prefix).
    return ofType(run, INGRESS)
        .filter((r) => r.name.startsWith("fargate-security-groups-alb-in-"))
        .map((r): [number, string] => [
            Number(r.inputs.fromPort),
            String(r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId),
        ])
        .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
}

function assertNoHeaderRoutes(run: Run): void {
    for (const rule of ofType(run, RULE)) {
        const conditions = (rule.inputs.conditions as Record<string, unknown>[]) ?? [];
        assert.ok(
            conditions.every((c) => c.httpHeader === undefined),
            `${rule.name} routes by a request header, which anyone can send`,
        );
    }
}

describe("blue/green test traffic stays off the internet (ecs)", function () {
    this.timeout(180_000);

    it("staging and prod (ECS native blue/green) without testTrafficCidrs: no test route at all, only 80/443 face the internet", async () => {
        for (const stack of ["staging", "prod"]) {
            const run = await stackRun(stack);
            assertNoHeaderRoutes(run);
            assert.deepStrictEqual(
                ofType(run, LISTENER)
                    .map((l) => l.inputs.port)
                    .sort(),
                [443, 80],
                `${stack}: listeners`,
            );
            assert.deepStrictEqual(loadBalancerIngress(run), [
                [80, "0.0.0.0/0"],
                [443, "0.0.0.0/0"],
            ]);
            for (const service of ["vote", "result"]) {
                const advanced = input(
                    named(run, "aws:ecs/service:Service", `vote-app-${service}`),
                    "loadBalancers",
                    0,
                    "advancedConfiguration",
                ) as Record<string, unknown>;
                assert.ok(advanced.productionListenerRule, `${stack} ${service}: no production rule`);
                assert.strictEqual(advanced.testListenerRule, undefined, `${stack} ${service} has a test route`);
            }
        }
    });

    it("with testTrafficCidrs: the test rules live on their own listener (8443), which admits only those CIDRs", async () => {
        const run = await stackRun("prod", { overrides: { "voteapp:testTrafficCidrs": `${OFFICE},18.200.10.7/32` } });
        assertNoHeaderRoutes(run);
        const test = named(run, LISTENER, "vote-app-alb-test");
        assert.deepStrictEqual([test.inputs.port, test.inputs.protocol], [8443, "HTTPS"]);
        assert.deepStrictEqual(loadBalancerIngress(run), [
            [80, "0.0.0.0/0"],
            [443, "0.0.0.0/0"],
            [8443, "18.200.10.7/32"],
            [8443, OFFICE],
        ]);
        for (const service of ["vote", "result"]) {
            const rule = named(run, RULE, `vote-app-alb-${service}-test`);
            assert.ok(rule.dependencies.includes(test.urn), `${service}'s test rule is not on the test listener`);
            const advanced = input(
                named(run, "aws:ecs/service:Service", `vote-app-${service}`),
                "loadBalancers",
                0,
                "advancedConfiguration",
            ) as Record<string, string>;
            assert.ok(advanced.testListenerRule.endsWith(`/vote-app-alb-${service}-test`), advanced.testListenerRule);
        }
        // The production listener holds only production rules.
        const https = named(run, LISTENER, "vote-app-alb-https");
        const onProduction = ofType(run, RULE)
            .filter((r) => r.dependencies.includes(https.urn))
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(onProduction, ["vote-app-alb-result", "vote-app-alb-vote"]);
    });

    it("CodeDeploy's test listener admits only testTrafficCidrs (nobody by default)", async () => {
        const closed = await stackRun("dev", { overrides: { "voteapp:deploymentStrategy": "codeDeployCanary" } });
        assert.deepStrictEqual(named(closed, LISTENER, "vote-app-alb-test").inputs.port, 8080);
        assert.deepStrictEqual(loadBalancerIngress(closed), [[80, "0.0.0.0/0"]]);
        const open = await stackRun("dev", {
            overrides: { "voteapp:deploymentStrategy": "codeDeployCanary", "voteapp:testTrafficCidrs": OFFICE },
        });
        assert.deepStrictEqual(loadBalancerIngress(open), [
            [80, "0.0.0.0/0"],
            [8080, OFFICE],
        ]);
    });

    it("testTrafficCidrs refuses the internet, private ranges, malformed CIDRs, and stacks without a test route", () => {
        assertProblem("prod", { testTrafficCidrs: "0.0.0.0/0" }, "testTrafficCidrs", "anyone on the internet");
        assertProblem("prod", { testTrafficCidrs: "10.0.0.0/8" }, "testTrafficCidrs", "private");
        assertProblem("prod", { testTrafficCidrs: "52.94.76.1/22" }, "testTrafficCidrs", "host bits");
        assertProblem("dev", { testTrafficCidrs: OFFICE }, "testTrafficCidrs", "no test route");
        assertProblem("prod", { testTrafficCidrs: OFFICE, platform: "eks" }, "testTrafficCidrs", "port-forward");
        assert.deepStrictEqual(parseWith("prod", { testTrafficCidrs: OFFICE }).testTrafficCidrs, [OFFICE]);
    });

    it("eks: the idle slot's -preview Services are cluster-internal (ClusterIP, behind no Ingress)", async () => {
        const run = await stackRun("prod", { overrides: { "voteapp:platform": "eks" } });
        const previews = ofType(run, "kubernetes:core/v1:Service").filter((s) =>
            String(input(s, "metadata", "name")).endsWith("-preview"),
        );
        assert.deepStrictEqual(previews.map((s) => input(s, "metadata", "name")).sort(), [
            "result-preview",
            "vote-preview",
        ]);
        for (const preview of previews) {
            assert.strictEqual(input(preview, "spec", "type"), "ClusterIP");
            assert.deepStrictEqual(input(preview, "metadata", "annotations"), undefined);
        }
        const ingressText = JSON.stringify(ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").map((i) => i.inputs));
        assert.ok(!ingressText.includes("-preview"), "an Ingress routes to a -preview Service");
    });
});
