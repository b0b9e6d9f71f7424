import * as assert from "assert";
import { HttpApiIngress, httpApiRouteKeys } from "../../../components/fargate/httpApiIngress";
import { APP_SERVICE_TABLE, type AppServiceSpec, type ServiceTable } from "../../../shared/appContract";
import { mountComponent } from "../../support/mount";
import { mountFargateApp, TEST_KMS_KEY_ARN, TEST_NAME_PREFIX, TEST_NETWORK } from "../../support/fixtures";
import { input, named, ofType, single } from "../../support/resources";

/**
 * HttpApiIngress mounted alone (components/fargate/httpApiIngress.ts): what it makes of its args. How the stacks
 * join it to the tasks, the security groups, the alarms and the URL is test/stacks/ecsIngress.test.ts.
 */
const THROTTLING = { burstLimit: 40, rateLimit: 20 };
const STATS: AppServiceSpec = {
    ...APP_SERVICE_TABLE[1],
    name: "stats",
    postgres: false,
    http: { pathPatterns: ["/stats", "/stats/*"], priority: 20, lambdaRoutes: ["GET /stats"] },
};

const mount = (args: { services?: ServiceTable; domain?: { name: string; certificateArn: string } } = {}) =>
    mountComponent(
        (opts) =>
            new HttpApiIngress(
                "ingress",
                {
                    namePrefix: TEST_NAME_PREFIX,
                    vpcId: TEST_NETWORK.vpcId,
                    privateSubnetIds: [...TEST_NETWORK.privateSubnetIds],
                    vpcLinkSecurityGroupId: "sg-link",
                    kmsKeyArn: TEST_KMS_KEY_ARN,
                    logRetentionDays: 30,
                    throttling: THROTTLING,
                    ...args,
                },
                opts,
            ),
    );

describe("HttpApiIngress (mounted alone)", function () {
    this.timeout(60_000);

    it("route keys follow the ALB's path patterns; the default service takes $default; other wildcards are refused", () => {
        const table: ServiceTable = [...APP_SERVICE_TABLE, STATS];
        assert.deepStrictEqual(httpApiRouteKeys(APP_SERVICE_TABLE[0], table), ["$default"]);
        assert.deepStrictEqual(httpApiRouteKeys(APP_SERVICE_TABLE[1], table), ["ANY /result", "ANY /result/{proxy+}"]);
        assert.deepStrictEqual(httpApiRouteKeys(STATS, table), ["ANY /stats", "ANY /stats/{proxy+}"]);
        const odd = { ...STATS, http: { ...STATS.http, pathPatterns: ["/st*ts"] } } as AppServiceSpec;
        assert.throws(() => httpApiRouteKeys(odd, [...APP_SERVICE_TABLE, odd]), /"\/st\*ts" has no HTTP API route/);
        assert.throws(() => httpApiRouteKeys(APP_SERVICE_TABLE[2], table), /serves no HTTP/);
    });

    it("a Cloud Map service (SRV) and an integration per HTTP service; the link in the given subnets and group", async () => {
        const run = await mount({ services: [...APP_SERVICE_TABLE, STATS] });
        assert.deepStrictEqual(
            ofType(run, "aws:servicediscovery/service:Service")
                .map((s) => s.inputs.name)
                .sort(),
            ["result", "stats", "vote"],
        );
        const link = single(run, "aws:apigatewayv2/vpcLink:VpcLink");
        assert.deepStrictEqual(
            [link.inputs.subnetIds, link.inputs.securityGroupIds],
            [[...TEST_NETWORK.privateSubnetIds], ["sg-link"]],
        );
        assert.strictEqual(ofType(run, "aws:apigatewayv2/integration:Integration").length, 3);
        assert.strictEqual(
            single(run, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").inputs.vpc,
            TEST_NETWORK.vpcId,
        );
        const stage = single(run, "aws:apigatewayv2/stage:Stage");
        assert.deepStrictEqual(input(stage, "defaultRouteSettings", "throttlingBurstLimit"), 40);
        assert.strictEqual(ofType(run, "aws:apigatewayv2/domainName:DomainName").length, 0);
        assert.strictEqual(single(run, "aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, false);
    });

    it("a custom domain maps the stage and turns the execute-api endpoint off", async () => {
        const run = await mount({
            domain: { name: "vote.example.com", certificateArn: "arn:aws:acm:eu-west-1:111111111111:certificate/x" },
        });
        const mapping = single(run, "aws:apigatewayv2/apiMapping:ApiMapping");
        assert.ok(String(mapping.inputs.stage).length > 0);
        assert.strictEqual(
            named(run, "aws:apigatewayv2/api:Api", "ingress-api").inputs.disableExecuteApiEndpoint,
            true,
        );
    });

    it("VoteAppOnFargate refuses the HTTP API with a strategy that shifts target groups, or with the ALB's groups", async () => {
        await assert.rejects(
            mountFargateApp({
                ingress: { kind: "httpApi", throttling: THROTTLING },
                deployment: { strategy: "blueGreen", bakeMinutes: 5 },
            }),
            /blueGreen shifts traffic between load balancer target groups/,
        );
        await assert.rejects(
            mountFargateApp({ ingress: { kind: "httpApi", throttling: THROTTLING } }),
            /needs FargateSecurityGroups made with ingress httpApi/,
        );
    });
});
