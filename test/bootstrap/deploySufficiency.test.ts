import * as assert from "assert";
import deployActions from "../../components/delivery/deployActions.json";
import { workloadBoundaryArn } from "../../components/delivery/workloadRoles";
import type { StackRun } from "../../plan/stackRun";
import { exampleResources } from "../support/iamArns";
import { decide, type PolicyDocumentJson, regionOf, type RoleDocuments, roleNamed } from "../support/iamSimulation";
import { SHIPPED_STACKS, single, stackRun } from "../support/stacks";
import { bootstrapRun } from "./support";

/**
 * Issue 11.4: the deploy role can do what `pulumi up` of every stack × platform asks of it. The oracle is
 * components/delivery/deployActions.json (CloudFormation handler permissions per resource type, written by
 * scripts/write-deploy-actions.ts); the judge is the IAM simulator on the deploy role's real documents
 * (inline policy, guardrails), with realistic ARNs (the IAM dataset's templates, this stack's account and
 * region, the program's role path) and context (region, boundary, tags). Passing each role to its service
 * is simulated role by role in test/stacks/workloadRoles.test.ts; service-linked roles here.
 */
type Operation = "create" | "read" | "update" | "delete" | "list";
interface Entry {
    readonly cloudFormation: readonly string[];
    readonly source: readonly string[];
    readonly create: readonly string[];
    readonly read: readonly string[];
    readonly update: readonly string[];
    readonly delete: readonly string[];
    readonly list: readonly string[];
}
const ENTRIES = deployActions.entries as Readonly<Record<string, Entry>>;
const OPERATIONS: readonly Operation[] = ["create", "read", "update", "delete", "list"];
const PLATFORMS = ["ecs", "eks", "lambda"] as const;

/** Captured types that make no AWS API call of their own, and why. */
const NOT_AWS_CALLS: readonly { readonly type: RegExp; readonly why: string }[] = [
    { type: /^pulumi:/, why: "the stack and its providers" },
    { type: /^voteapp:/, why: "our components: their children are checked one by one" },
    { type: /^random:/, why: "generated locally by the random provider" },
    {
        type: /^kubernetes:/,
        why: "the Kubernetes API of the cluster, authorised by the deploy role's EKS access entry, not by IAM actions",
    },
];

/**
 * Entry actions the deploy role is denied on purpose or that need no grant, each with its reason. Everything
 * else in the table must be allowed.
 */
const EXPECTED_DENIALS: readonly { readonly action: RegExp; readonly why: string }[] = [
    {
        action: /^iam:(PassRole|CreateServiceLinkedRole)$/i,
        why: "simulated with their context: PassRole per role and service (test/stacks/workloadRoles.test.ts), service-linked roles below",
    },
    {
        action: /^iam:(DeleteServiceLinkedRole|GetServiceLinkedRoleDeletionStatus)$/i,
        why: "the API Gateway VPC link's CloudFormation handlers may delete AWSServiceRoleForAPIGateway with the account's last link; Pulumi's provider (terraform-provider-aws apigatewayv2 vpc_link.go: Create/Get/Update/DeleteVpcLink) never does, and CI must not delete a role every API Gateway domain and link of the account shares",
    },
    {
        action: /^(cloudtrail:(StopLogging|DeleteTrail)|guardduty:DeleteDetector|access-analyzer:DeleteAnalyzer|securityhub:DisableSecurityHub|inspector2:Disable)$/i,
        why: "guardrail (issue 12.4): CI never switches audit off; deleting these is an administrator's job",
    },
    {
        action: /^organizations:/i,
        why: "organization-wide analyzers, delegated administrators and Security Hub/GuardDuty organization settings: the stacks manage one account",
    },
    {
        action: /^iam:(CreatePolicy|CreatePolicyVersion|DeletePolicy|DeletePolicyVersion|ListPolicyVersions|DeleteRolePermissionsBoundary)$/i,
        why: "the stacks create no managed policy (AWS managed ones are attached by ARN), and a boundary is never removed (issue 12.1)",
    },
    {
        action: /^(s3:(GetObject|GetObjectVersion|DeleteObject|PutObjectAcl)|dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|BatchWriteItem|Query|Scan|ImportTable|DescribeImport))$/i,
        why: "data, not configuration: handlers list them for emptying buckets, code or API definitions stored in S3 and table imports, none of which the stacks use (Lambda code and API routes are inline); the deploy role never reads or writes the app's data",
    },
    {
        action: /^(logs:(CreateLogStream|PutLogEvents|PutBearerTokenAuthentication)|firehose:|kinesis:)/i,
        why: "writing log events or to Firehose/Kinesis: ElastiCache and log groups deliver to CloudWatch Logs through vended-log deliveries (logs:*LogDelivery), the stacks configure no Firehose or Kinesis destination, and CI must not forge log events",
    },
    {
        action: /^(dynamodb:(CreateTableReplica|AssociateTableReplica|UpdateContributorInsights|EnableKinesisStreamingDestination|DisableKinesisStreamingDestination|UpdateKinesisStreamingDestination)|secretsmanager:(ReplicateSecretToRegions|RemoveRegionsFromReplication)|rds:(PromoteReadReplica|RestoreDBInstanceFromDBSnapshot|RestoreDBInstanceToPointInTime|StartDBInstanceAutomatedBackupsReplication|StopDBInstanceAutomatedBackupsReplication))$/i,
        why: "cross-region replicas, streaming, restores and backup replication: none configured (a restore is an administrator's recovery, not a deploy)",
    },
    {
        action: /^((s3tables|s3files|elasticfilesystem|cognito-idp|vpc-lattice):\w+|s3:(CreateBucketMetadataTableConfiguration|DeleteBucketMetadataTableConfiguration|UpdateBucketMetadata\w+)|lambda:PassCapacityProvider|vpce:AllowMultiRegion|ec2:(AcceptAddressTransfer|AssignPrivateNatGatewayAddress|UnassignPrivateNatGatewayAddress)|codedeploy:RegisterOnPremisesInstance)$/i,
        why: "features the stacks do not configure: S3 Metadata tables, EFS/S3 Files mounts, Lambda capacity providers, Cognito listener auth, VPC Lattice and cross-region endpoints, Elastic IP transfers, private NAT secondary addresses, on-premises CodeDeploy",
    },
    {
        action: /^ssm:Get(?!Parameters?$)\w+$/i,
        why: "the NAT instance's auto-scaling group resolves only its launch template's public AMI parameter (ssm:GetParameter/GetParameters, granted); the handler's ssm:Get* also reaches automation, patching, inventory, OpsCenter and sessions, none of which the stacks use",
    },
    {
        action: /^(autoscaling:(Attach|Detach)(LoadBalancers|LoadBalancerTargetGroups|TrafficSources)|autoscaling:(Put|Delete)(LifecycleHook|NotificationConfiguration)|ec2:(Assign|Unassign)(PrivateIpAddresses|Ipv6Addresses))$/i,
        why: "the NAT instance's group has no load balancer, traffic source, lifecycle hook or notification, and its interface keeps one private IPv4 address and no IPv6 (components/network/natInstance.ts)",
    },
];

/**
 * Actions whose resource forms the simulator cannot tell apart (a Lambda alias ARN and a version ARN share one
 * shape), so it refuses to decide; the deploy role's lambda:Get*, Put* and Delete* cover them. Checked to stay
 * exactly these.
 */
const AMBIGUOUS_FOR_THE_SIMULATOR = [
    "lambda:DeleteProvisionedConcurrencyConfig",
    "lambda:GetProvisionedConcurrencyConfig",
    "lambda:PutProvisionedConcurrencyConfig",
];

const GLOBAL_SERVICES = new Set(["iam", "route53", "cloudfront", "organizations", "sts"]);

/** Service-linked roles AWS creates when the stack first uses a service, by resource type. */
const SERVICE_LINKED_ROLES: Readonly<Record<string, readonly string[]>> = {
    "aws:accessanalyzer/analyzer:Analyzer": ["access-analyzer.amazonaws.com"],
    "aws:securityhub/account:Account": ["securityhub.amazonaws.com"],
    "aws:guardduty/detector:Detector": ["guardduty.amazonaws.com", "malware-protection.guardduty.amazonaws.com"],
    "aws:inspector2/enabler:Enabler": ["inspector2.amazonaws.com"],
    "aws:ecs/cluster:Cluster": ["ecs.amazonaws.com"],
    "aws:appautoscaling/target:Target": ["ecs.application-autoscaling.amazonaws.com"],
    "aws:lb/loadBalancer:LoadBalancer": ["elasticloadbalancing.amazonaws.com"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["elasticache.amazonaws.com"],
    "aws:rds/instance:Instance": ["rds.amazonaws.com"],
    "aws:eks/cluster:Cluster": ["eks.amazonaws.com"],
    "aws:eks/nodeGroup:NodeGroup": ["eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"],
    "aws:apigatewayv2/domainName:DomainName": ["ops.apigateway.amazonaws.com"],
    // The VPC link's handlers create AWSServiceRoleForAPIGateway (aws-apigatewayv2-vpclink.json: iam:CreateServiceLinkedRole).
    "aws:apigatewayv2/vpcLink:VpcLink": ["ops.apigateway.amazonaws.com"],
};

/** AWS-managed types whose API IAM authorises on each service's own resources (types of the plan). */
function plannedTypes(run: StackRun): string[] {
    return [...new Set(run.resources.filter((r) => r.custom || r.remote).map((r) => r.type))].sort();
}

const expectedDenial = (action: string) => EXPECTED_DENIALS.find((d) => d.action.test(action));

async function deployRoleOf(stack: string): Promise<RoleDocuments> {
    return roleNamed(await bootstrapRun(stack), "voteapp-deploy");
}

describe("deploy role sufficiency (CloudFormation handler permissions, simulated)", function () {
    this.timeout(900_000);

    it("every resource type of every stack × platform has a table entry (or makes no AWS call of its own)", async () => {
        const missing: string[] = [];
        for (const stack of SHIPPED_STACKS)
            for (const platform of PLATFORMS) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                for (const type of plannedTypes(run))
                    if (!ENTRIES[type] && !NOT_AWS_CALLS.some((n) => n.type.test(type)))
                        missing.push(`${stack}/${platform}: ${type}`);
            }
        assert.deepStrictEqual(missing, [], "add these types to scripts/write-deploy-actions.ts and regenerate");
    });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: the deploy role may create, read, update, delete and list everything the three platforms plan`, async () => {
            const deploy = await deployRoleOf(stack);
            const checked = new Map<string, string>();
            const problems: string[] = [];
            for (const platform of PLATFORMS) {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                const region = regionOf(run);
                const account = deploy.accountId;
                const keyPolicy = JSON.parse(
                    String(single(run, "aws:kms/key:Key", "data-key").inputs.policy),
                ) as PolicyDocumentJson;
                const project = run.stackConfig.project;
                const tags = { project, environment: stack, owner: "platform-team", "cost-centre": "cc-1234" };
                for (const type of plannedTypes(run)) {
                    const entry = ENTRIES[type];
                    if (!entry) continue;
                    for (const op of OPERATIONS)
                        for (const action of entry[op]) {
                            if (expectedDenial(action) || checked.has(action)) continue;
                            const service = action.split(":")[0];
                            const resources = await exampleResources(action, {
                                partition: "aws",
                                region,
                                accountId: account,
                                name: `${project}-${stack}-example`,
                                // Roles live on the program's path.
                                // A bucket action acts on the stack's bucket, not on an access point or a job.
                                prefer: /:s3:::\$\{BucketName\}$/,
                                names: {
                                    RoleNameWithPath: `${project}/${project}-${stack}-example`,
                                    InstanceProfileNameWithPath: `${project}/${project}-${stack}-example`,
                                },
                            });
                            const context: Record<string, string | string[]> = {
                                "aws:RequestedRegion": GLOBAL_SERVICES.has(service) ? "us-east-1" : region,
                                ...Object.fromEntries(
                                    Object.entries(tags).flatMap(([k, v]) => [
                                        [`aws:RequestTag/${k}`, v],
                                        [`aws:ResourceTag/${k}`, v],
                                    ]),
                                ),
                                "aws:TagKeys": Object.keys(tags),
                                ...(service === "iam"
                                    ? {
                                          "iam:PermissionsBoundary": workloadBoundaryArn("aws", account, project),
                                          "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                                      }
                                    : {}),
                            };
                            let decision = "not simulated";
                            for (const resource of resources) {
                                try {
                                    decision = await decide(deploy, {
                                        action,
                                        resource,
                                        context,
                                        // KMS honours IAM policies only where the key policy lets the account (the stacks' keys do).
                                        ...(service === "kms" ? { resourcePolicy: keyPolicy } : {}),
                                    });
                                    break;
                                } catch (err) {
                                    decision = `not simulated: ${(err as Error).message}`;
                                }
                            }
                            checked.set(action, decision);
                            const ambiguous = decision.includes('"multiple.resource.types"');
                            if (ambiguous !== AMBIGUOUS_FOR_THE_SIMULATOR.includes(action))
                                problems.push(`${action}: update AMBIGUOUS_FOR_THE_SIMULATOR`);
                            if (decision !== "Allowed" && !ambiguous)
                                problems.push(`${type} ${op}: ${action}: ${decision}`);
                        }
                    for (const awsService of SERVICE_LINKED_ROLES[type] ?? []) {
                        const decision = await decide(deploy, {
                            action: "iam:CreateServiceLinkedRole",
                            resource: `arn:aws:iam::${account}:role/aws-service-role/${awsService}/AWSServiceRoleFor${awsService.split(".")[0]}`,
                            context: { "aws:RequestedRegion": "us-east-1", "iam:AWSServiceName": awsService },
                        });
                        if (decision !== "Allowed")
                            problems.push(`${type}: service-linked role for ${awsService}: ${decision}`);
                    }
                }
            }
            const unique = [...new Set(problems)].sort();
            assert.ok(
                unique.length === 0,
                `the deploy role is denied ${unique.length} action(s):\n${unique.join("\n")}`,
            );
        });
    }

    it("the deploy role's documents fit IAM's size limits (inline 10,240, managed 6,144 characters; 10 managed policies per role)", async () => {
        for (const stack of SHIPPED_STACKS) {
            const run = await bootstrapRun(stack);
            const deploy = roleNamed(run, "voteapp-deploy");
            const size = (p: PolicyDocumentJson) => JSON.stringify(p).replace(/\s/g, "").length;
            const inline = deploy.identityPolicies.filter((p) => !p.name.startsWith("arn:"));
            const managed = deploy.identityPolicies.filter((p) => p.name.startsWith("arn:"));
            const inlineTotal = inline.reduce((sum, p) => sum + size(p.policy), 0);
            assert.ok(inlineTotal <= 10_240, `${stack}: inline policies of the deploy role: ${inlineTotal} characters`);
            for (const p of managed) assert.ok(size(p.policy) <= 6_144, `${p.name}: ${size(p.policy)} characters`);
            const boundary = JSON.parse(
                String(single(run, "aws:iam/policy:Policy", "workload-boundary").inputs.policy),
            ) as PolicyDocumentJson;
            assert.ok(size(boundary) <= 6_144, `boundary: ${size(boundary)} characters`);
            assert.ok(managed.length <= 10, `${stack}: ${managed.length} managed policies on the deploy role`);
        }
    });
});
