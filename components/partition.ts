/** The AWS partition of a region: ARNs of China and GovCloud regions differ from the commercial ones. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    return region.startsWith("cn-") ? "aws-cn" : region.includes("-gov-") ? "aws-us-gov" : "aws";
}
