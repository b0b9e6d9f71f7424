import { ELB_LOG_DELIVERY_ACCOUNTS } from "./awsServiceAccounts";
import { LAMBDA_RUNTIME_DEPRECATIONS, LAMBDA_RUNTIME_DEPRECATIONS_CHECKED } from "./lambda";

/** Rules that judge by a data catalogue rather than by the resource alone: what the catalogue is, its source, its date. */
export interface RuleCatalogue {
    readonly rule: string;
    readonly catalogue: string;
    readonly source: string;
    readonly checked: string;
}

export const RULE_CATALOGUES: readonly RuleCatalogue[] = [
    {
        rule: "lambda-supported-runtime",
        catalogue: `deprecation date of each of ${Object.keys(LAMBDA_RUNTIME_DEPRECATIONS).length} Lambda runtimes (past and announced)`,
        source: "AWS Lambda Developer Guide, Lambda runtimes (supported and deprecated tables), via tflint-ruleset-aws and endoflife.date",
        checked: LAMBDA_RUNTIME_DEPRECATIONS_CHECKED,
    },
    {
        rule: "resource-policy-known-accounts",
        catalogue: `Elastic Load Balancing log-delivery account of ${Object.keys(ELB_LOG_DELIVERY_ACCOUNTS).length} regions`,
        source: "AWS ELB User Guide, access log bucket permissions, via aws/aws-cdk region-info fact tables",
        checked: "2026-12-03",
    },
    {
        rule: "resource-policy-known-accounts",
        catalogue: "the organisation's environment and tooling accounts (knownAccountIds)",
        source: "the stack files' voteapp:*AccountId and bootstrap/Pulumi.tooling.yaml (a test keeps them equal)",
        checked: "with the stack files",
    },
    {
        rule: "*-no-public-policy, vpc-default-sg-closed, …",
        catalogue: "type aliases (aws.alb.* = aws.lb.*, S3 V2 classes)",
        source: "@pulumi/aws class notes, generated into rules/typeAliases.ts",
        checked: "with the installed package",
    },
];
