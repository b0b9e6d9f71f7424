import * as assert from "assert";
import type { MockedRun } from "../../../plan/harness";
import { mountFargateApp, TEST_CERTIFICATE_ARN } from "../../support/fixtures";
import { input, named, ofType } from "../../support/resources";

/**
 * The blue/green test route never faces the internet: ECS native strategies route test traffic only through a
 * test listener on its own port, which the load balancer's security group opens to the stack's
 * testTrafficCidrs and nobody else (no listener rule anywhere selects requests by a header a client can send);
 * without those CIDRs there is no test route at all. Checked on the captured listeners, rules and groups of
 * VoteAppOnFargate mounted with its security groups (test/support/fixtures.ts); that testTrafficCidrs is
 * validated is test/stacks/config/testTraffic.test.ts, the eks preview Services test/stacks/eksComposition.test.ts.
 */

type Run = MockedRun;
const OFFICE = "52.94.76.0/22";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** The app with ECS native blue/green on HTTPS (as staging and prod run it); a test route when CIDRs are given. */
const blueGreen = (testTrafficCidrs: readonly string[] = []) =>
    mountFargateApp(
        {
            certificateArn: TEST_CERTIFICATE_ARN,
            deployment: { strategy: "blueGreen", bakeMinutes: 10, testListener: testTrafficCidrs.length > 0 },
        },
        { testTrafficCidrs },
    );
/** The app with a CodeDeploy strategy on HTTP, its test listener open to the given CIDRs. */
const codeDeploy = (testTrafficCidrs: readonly string[] = []) =>
    mountFargateApp({ deployment: { strategy: "codeDeployCanary", bakeMinutes: 0 } }, { testTrafficCidrs });

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

    it("ECS native blue/green without testTrafficCidrs: no test route at all, only 80/443 face the internet", async () => {
        const run = await blueGreen();
        assertNoHeaderRoutes(run);
        assert.deepStrictEqual(
            ofType(run, LISTENER)
                .map((l) => l.inputs.port)
                .sort(),
            [443, 80],
            "listeners",
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
            assert.ok(advanced.productionListenerRule, `${service}: no production rule`);
            assert.strictEqual(advanced.testListenerRule, undefined, `${service} has a test route`);
        }
    });

    it("with testTrafficCidrs: the test rules live on their own listener (8443), which admits only those CIDRs", async () => {
        const run = await blueGreen([OFFICE, "18.200.10.7/32"]);
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
        const closed = await codeDeploy();
        assert.deepStrictEqual(named(closed, LISTENER, "vote-app-alb-test").inputs.port, 8080);
        assert.deepStrictEqual(loadBalancerIngress(closed), [[80, "0.0.0.0/0"]]);
        const open = await codeDeploy([OFFICE]);
        assert.deepStrictEqual(loadBalancerIngress(open), [
            [80, "0.0.0.0/0"],
            [8080, OFFICE],
        ]);
    });
});
