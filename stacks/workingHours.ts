import type * as aws from "@pulumi/aws";
import type { Data } from "../components/data";
import { WorkingHoursSchedule } from "../components/workingHoursSchedule";
import type { VoteAppConfig } from "./config";
import type { BaseFoundation } from "./foundation";

/**
 * The working-hours schedule of what Application Auto Scaling cannot scale (voteapp:workingHours, platforms
 * ecs and eks): the database stops, and on eks the node group empties, outside the hours. Nothing when the
 * stack runs always (staging and prod by default; prod's config refuses anything else).
 */
export function scheduleWorkingHours(
    config: VoteAppConfig,
    foundation: BaseFoundation,
    targets: { readonly data: Data; readonly nodeGroup?: aws.eks.NodeGroup },
): WorkingHoursSchedule | undefined {
    const hours = config.cost.workingHours;
    if (hours === "always") return undefined;
    const { nodeGroup } = targets;
    const nodes = config.eks.nodes;
    return new WorkingHoursSchedule(
        "working-hours",
        {
            namePrefix: foundation.namePrefix,
            region: config.region,
            accountId: config.account.id,
            hours,
            roleScope: config.account.roleScope,
            databases: [{ identifier: targets.data.postgres.identifier, arn: targets.data.postgres.arn }],
            nodeGroups: nodeGroup
                ? [
                      {
                          clusterName: nodeGroup.clusterName,
                          nodeGroupName: nodeGroup.nodeGroupName,
                          arn: nodeGroup.arn,
                          minSize: nodes.minSize,
                          desiredSize: nodes.desiredSize,
                          maxSize: nodes.maxSize,
                      },
                  ]
                : [],
        },
        foundation.componentOptions,
    );
}
