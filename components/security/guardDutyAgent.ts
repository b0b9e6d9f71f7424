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
 * https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html (the 33 commercial rows,
 * in the page's order; the rows from Jakarta on were read from a markdown copy of that page whose other rows
 * agree with the AWS page), and for GovCloud the AWS GovCloud (US) User Guide's "Amazon GuardDuty in AWS
 * GovCloud (US)", https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-guardduty.html. A stack in
 * a region the table does not list (China, ISO) is refused by its config (voteapp:region) until its row is
 * added, rather than deployed with tasks that cannot start.
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
    "us-west-2": "733349766148",
    "eu-west-3": "665651866788",
    "ap-south-1": "251508486986",
    "ap-south-2": "950823858135",
    "ca-central-1": "354763396469",
    "me-central-1": "000014521398",
    "eu-west-2": "892757235363",
    "us-west-1": "684579721401",
    "us-east-1": "593207742271",
    "us-east-2": "307168627858",
    "eu-west-1": "694911143906",
    "sa-east-1": "758426053663",
    "eu-north-1": "591436053604",
    "eu-central-1": "323658145986",
    "eu-central-2": "529164026651",
    "ap-southeast-1": "174946120834",
    "ap-southeast-2": "005257825471",
    "ap-southeast-3": "510637619217",
    "ap-northeast-1": "533107202818",
    "ap-northeast-2": "914738172881",
    "ap-northeast-3": "273192626886",
    "ap-east-1": "258348409381",
    "me-south-1": "536382113932",
    "eu-south-1": "266869475730",
    "eu-south-2": "919611009337",
    "af-south-1": "197869348890",
    "ap-southeast-4": "251357961535",
    "il-central-1": "870907303882",
    "ap-southeast-5": "156041399949",
    "ap-southeast-7": "054037130133",
    "ca-west-1": "339712888787",
    "mx-central-1": "311141559934",
    "ap-east-2": "259886477082",
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
