/**
 * How our EC2 instances (the EKS nodes, the NAT instance) serve the instance metadata service: IMDSv2 only (a
 * session token first, so a forged GET through an open proxy or SSRF gets nothing) and one network hop, so that a
 * container behind the node's network namespace cannot reach the node role's credentials. The policy pack accepts
 * one or two hops (policy/rules/eks.ts); ours take the stricter one.
 */
export const IMDS_V2_ONE_HOP = {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
} as const;
