import { partitionOf } from "../partition";

/**
 * GuardDuty Runtime Monitoring on Fargate: with automated agent management (the detector feature
 * RUNTIME_MONITORING + ECS_FARGATE_AGENT_MANAGEMENT, which AccountSecurityBaseline enables on ecs), ECS adds
 * GuardDuty's security agent as a sidecar to every new task. The task's execution role pulls that sidecar's
 * image from an AWS-owned ECR repository in the task's region; an execution role that may only pull the
 * app's own repositories leaves every task stuck on CannotPullContainerError. The agent then delivers
 * events through a `guardduty-data` VPC endpoint that GuardDuty creates itself in each VPC running such
 * tasks (with its own security group admitting the VPC CIDR on 443; it needs the VPC's DNS support and
 * hostnames): a second endpoint of ours with private DNS would clash with it, so the stack creates none.
 *
 * The agent's repository per region, checked on 2026-12-03 against the Amazon GuardDuty User Guide, "ECR
 * repository for GuardDuty agent on AWS Fargate (Amazon ECS only)",
 * https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html, and for GovCloud the
 * AWS GovCloud (US) User Guide's Amazon GuardDuty page,
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-guardduty.html. Only rows read there are
 * listed: a stack in another region is refused by its config (voteapp:region) until its row is added from
 * that page, rather than deployed with tasks that cannot start.
 * Prerequisites (same guide, "Prerequisites for AWS Fargate (Amazon ECS only) support"; Amazon ECS
 * Developer Guide, "Runtime Monitoring for Amazon ECS Fargate workloads"): Fargate platform 1.4.0 or later
 * (the services run LATEST), a task execution role, and a network path to ECR: a NAT gateway or ECR VPC
 * endpoints in the tasks' subnets.
 */

export const GUARDDUTY_FARGATE_AGENT_REPOSITORY = "aws-guardduty-agent-fargate";

export const GUARDDUTY_AGENT_SOURCE =
    "https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html";

/** Region → account of the AWS-owned registry holding the Fargate agent. */
export const GUARDDUTY_FARGATE_AGENT_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "593207742271",
    "us-east-2": "307168627858",
    "us-west-1": "684579721401",
    "us-west-2": "733349766148",
    "ca-central-1": "354763396469",
    "sa-east-1": "758426053663",
    "eu-west-1": "694911143906",
    "eu-west-2": "892757235363",
    "eu-west-3": "665651866788",
    "eu-central-1": "323658145986",
    "eu-central-2": "529164026651",
    "eu-north-1": "591436053604",
    "me-central-1": "000014521398",
    "ap-south-1": "251508486986",
    "ap-south-2": "950823858135",
    "ap-southeast-1": "174946120834",
    "ap-southeast-2": "005257825471",
    "us-gov-east-1": "383115532789",
    "us-gov-west-1": "383110348953",
};

/** The agent repository's ARN in a region, or undefined when the table does not list the region. */
export function guardDutyFargateAgentRepositoryArn(region: string): string | undefined {
    const account = GUARDDUTY_FARGATE_AGENT_ACCOUNTS[region];
    return account === undefined
        ? undefined
        : `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${GUARDDUTY_FARGATE_AGENT_REPOSITORY}`;
}

/** ECR actions an execution role needs on a repository to pull an image from it (besides GetAuthorizationToken). */
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
