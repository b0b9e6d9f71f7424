import type * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iamPolicy";

/**
 * Trust policy of a role that pods assume through EKS Pod Identity: only the Pod Identity service, only for
 * this account and this cluster (the agent tags the session, hence sts:TagSession).
 */
export function podIdentityTrustPolicy(accountId: string, clusterArn: pulumi.Input<string>): pulumi.Output<string> {
    return policyDocument("EKS Pod Identity trust", [
        {
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnEquals: { "aws:SourceArn": clusterArn } },
        },
    ]);
}
