import * as assert from "assert";
import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies } from "../../policy/evaluate";
import { judgedTypesOf, validateResourceOfType } from "../../policy/rules/util";
import type { CapturedResource } from "../../shared/capturedResource";
import { captured, stackOf } from "./helpers";
import { db } from "./fixtures/rds";

const ALB = "aws:alb/loadBalancer:LoadBalancer";
const LB = "aws:lb/loadBalancer:LoadBalancer";

describe("offline policy evaluator: a rule of one resource type (validateResourceOfType)", () => {
    it("judges its type and the type's aliases, and is not even handed any other resource", () => {
        const judged: string[] = [];
        const validation = validateResourceOfType(aws.lb.LoadBalancer, (_props, args) => void judged.push(args.type));
        assert.deepStrictEqual([...(judgedTypesOf(validation) ?? [])].sort(), [ALB, LB]);
        // A database whose inputs count their reads: the evaluator reads them to build the arguments of a call. Every
        // rule would answer it "not applicable" by throwing, nearly every rule × resource pair of a plan: not called.
        const database = captured({ type: "aws:rds/instance:Instance", name: "db", props: db() });
        let reads = 0;
        const counted: CapturedResource = {
            ...database,
            get inputs() {
                reads += 1;
                return database.inputs;
            },
        };
        const policy: ResourceValidationPolicy = { name: "lb-only", description: "d", validateResource: validation };
        const report = evaluatePolicies(stackOf([counted, { type: ALB, name: "alb", props: {} }]), {
            policies: [policy],
            config: { all: "mandatory" },
        });
        assert.deepStrictEqual(judged, [ALB]);
        assert.strictEqual(reads, 0, "the load balancer rule was handed the database");
        assert.deepStrictEqual(report.violations, []);
    });
});
