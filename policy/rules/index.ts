import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { accountsPolicies } from "./accounts";
import { apigatewayPolicies } from "./apigateway";
import { cloudtrailPolicies } from "./cloudtrail";
import { dynamodbPolicies } from "./dynamodb";
import { ec2Policies } from "./ec2";
import { ecrPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { eksPolicies } from "./eks";
import { elasticachePolicies } from "./elasticache";
import { elasticacheServerlessPolicies } from "./elasticacheServerless";
import { elbPolicies } from "./elb";
import { guarddutyInspectorPolicies } from "./guardduty-inspector";
import { iamPolicies } from "./iam";
import { kmsPolicies } from "./kms";
import { kubernetesPolicies } from "./kubernetes";
import { lambdaPolicies } from "./lambda";
import { logsPolicies } from "./logs";
import { rdsPolicies } from "./rds";
import { s3Policies } from "./s3";
import { secretsPolicies } from "./secrets";
import { snsPolicies } from "./sns";
import { sqsPolicies } from "./sqs";
import { taggingPolicies } from "./tagging";

/**
 * Every rule of the pack, grouped by service module. Importing this starts nothing: only policy/index.ts
 * builds the PolicyPack (which starts the policy server).
 */
export type VoteAppPolicy = ResourceValidationPolicy | StackValidationPolicy;

export const policiesByModule: Readonly<Record<string, readonly VoteAppPolicy[]>> = {
    ecs: ecsPolicies,
    ecr: ecrPolicies,
    eks: eksPolicies,
    kubernetes: kubernetesPolicies,
    lambda: lambdaPolicies,
    elb: elbPolicies,
    elasticache: elasticachePolicies,
    elasticacheServerless: elasticacheServerlessPolicies,
    rds: rdsPolicies,
    ec2: ec2Policies,
    iam: iamPolicies,
    kms: kmsPolicies,
    logs: logsPolicies,
    s3: s3Policies,
    secrets: secretsPolicies,
    apigateway: apigatewayPolicies,
    sqs: sqsPolicies,
    sns: snsPolicies,
    dynamodb: dynamodbPolicies,
    "guardduty-inspector": guarddutyInspectorPolicies,
    cloudtrail: cloudtrailPolicies,
    tagging: taggingPolicies,
    accounts: accountsPolicies,
};

export const allPolicies: readonly VoteAppPolicy[] = Object.values(policiesByModule).flat();
