import { allocateSubnets, type SubnetKind } from "../shared/subnetLayout";

/**
 * What the mocked engine answers for resources and function calls: plausible, deterministic outputs so
 * the program's `apply` chains run as they would against AWS. Derived from the inputs and the stack's
 * region/account, never hard-coded per test.
 */
export interface MockContext {
    readonly region: string;
    readonly accountId: string;
}

type Outputs = Record<string, unknown>;

/**
 * How a remote component's mocked outputs reference resources it creates inside: `register` records a
 * child (type, name, parent URN, id, state) with the mocked engine and returns its URN and the wire-format
 * resource reference to put in an output.
 */
export interface MockChildren {
    /** URN of the resource whose outputs are being made. */
    readonly urn: string;
    register(
        type: string,
        name: string,
        parentUrn: string,
        id: string,
        state: Outputs,
    ): { readonly urn: string; readonly reference: Outputs };
}

type OutputFactory = (name: string, inputs: Outputs, ctx: MockContext, children?: MockChildren) => Outputs;

const str = (value: unknown, fallback: string): string =>
    typeof value === "string" && value.length > 0 ? value : fallback;
const hash = (text: string): string => {
    let h = 2166136261;
    for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    return h.toString(16).padStart(8, "0");
};

/** The service part of an ARN for a type token such as `aws:rds/instance:Instance`. */
function arnFor(type: string, name: string, ctx: MockContext): string {
    const module = type.split(":")[1]?.split("/")[0] ?? "unknown";
    const resource = type.split(":")[2]?.toLowerCase() ?? "resource";
    const global = module === "iam" || module === "s3" || module === "cloudfront";
    return `arn:aws:${module}:${global ? "" : ctx.region}:${module === "s3" ? "" : ctx.accountId}:${resource}/${name}`;
}

const azNames = (ctx: MockContext): string[] => ["a", "b", "c"].map((s) => `${ctx.region}${s}`);

const TYPE_OUTPUTS: Readonly<Record<string, OutputFactory>> = {
    "awsx:ec2:Vpc": (name, inputs, ctx, children) => mockVpc(name, inputs, ctx, children),
    "aws:ecr/repository:Repository": (name, inputs, ctx) => ({
        repositoryUrl: `${ctx.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${str(inputs.name, name)}`,
        registryId: ctx.accountId,
        arn: `arn:aws:ecr:${ctx.region}:${ctx.accountId}:repository/${str(inputs.name, name)}`,
    }),
    "aws:rds/instance:Instance": (name, inputs, ctx) => {
        const host = `${str(inputs.identifier, name)}.${hash(name)}.${ctx.region}.rds.amazonaws.com`;
        return {
            address: host,
            endpoint: `${host}:5432`,
            port: 5432,
            // The DbiResourceId IAM database authentication ARNs name (rds-db:connect on dbuser:<id>/<user>).
            resourceId: `db-${hash(name).toUpperCase()}${hash(`${name}-r`).toUpperCase()}`,
            masterUserSecrets: inputs.manageMasterUserPassword
                ? [
                      {
                          secretArn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:rds!db-${hash(name)}-AbCdEf`,
                          kmsKeyId: inputs.masterUserSecretKmsKeyId,
                          secretStatus: "active",
                      },
                  ]
                : [],
        };
    },
    // ElastiCache ARNs use ":" before the id (what IAM policies for elasticache:Connect name).
    "aws:elasticache/replicationGroup:ReplicationGroup": (name, inputs, ctx) => ({
        arn: `arn:aws:elasticache:${ctx.region}:${ctx.accountId}:replicationgroup:${str(inputs.replicationGroupId, name)}`,
        primaryEndpointAddress: `master.${name}.${hash(name)}.${ctx.region.replace(/-/g, "")}.cache.amazonaws.com`,
        readerEndpointAddress: `replica.${name}.${hash(name)}.${ctx.region.replace(/-/g, "")}.cache.amazonaws.com`,
    }),
    "aws:elasticache/user:User": (name, inputs, ctx) => ({
        arn: `arn:aws:elasticache:${ctx.region}:${ctx.accountId}:user:${str(inputs.userId, name)}`,
    }),
    "aws:elasticache/userGroup:UserGroup": (name, inputs, ctx) => ({
        arn: `arn:aws:elasticache:${ctx.region}:${ctx.accountId}:usergroup:${str(inputs.userGroupId, name)}`,
    }),
    "aws:lb/loadBalancer:LoadBalancer": (name, _inputs, ctx) => ({
        dnsName: `${name}-${hash(name)}.${ctx.region}.elb.amazonaws.com`,
        arnSuffix: `app/${name}/${hash(name)}`,
        zoneId: "Z32O12XQLNTSW2",
    }),
    "aws:lb/targetGroup:TargetGroup": (name) => ({ arnSuffix: `targetgroup/${name}/${hash(name)}` }),
    "aws:kms/key:Key": (name, _inputs, ctx) => ({
        keyId: `${hash(name)}-0000-4000-8000-${hash(name + "k")}0000`,
        arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${hash(name)}`,
    }),
    "aws:s3/bucket:Bucket": (name, inputs) => ({
        bucket: str(inputs.bucket, `${name}-${hash(name)}`),
        bucketDomainName: `${str(inputs.bucket, name)}.s3.amazonaws.com`,
        arn: `arn:aws:s3:::${str(inputs.bucket, `${name}-${hash(name)}`)}`,
    }),
    "aws:ecs/cluster:Cluster": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        arn: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:cluster/${str(inputs.name, name)}`,
    }),
    "aws:ecs/service:Service": (name, inputs) => ({ name: str(inputs.name, name) }),
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (name, _inputs, ctx) => ({
        arn: `arn:aws:servicediscovery:${ctx.region}:${ctx.accountId}:namespace/ns-${hash(name)}`,
        hostedZone: `Z${hash(name).toUpperCase()}`,
    }),
    "aws:iam/role:Role": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        arn: `arn:aws:iam::${ctx.accountId}:role/${str(inputs.name, name)}`,
    }),
    // Instance profiles are named with their path (`instance-profile/<path>/<name>`), like roles.
    "aws:iam/instanceProfile:InstanceProfile": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        arn: `arn:aws:iam::${ctx.accountId}:instance-profile${str(inputs.path, "/")}${str(inputs.name, name)}`,
    }),
    // IAM names an OIDC provider after its URL's host and path.
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (name, inputs, ctx) => ({
        arn: `arn:aws:iam::${ctx.accountId}:oidc-provider/${str(inputs.url, name).replace(/^https:\/\//, "")}`,
    }),
    "aws:iam/policy:Policy": (name, inputs, ctx) => ({
        arn: `arn:aws:iam::${ctx.accountId}:policy/${str(inputs.name, name)}`,
    }),
    "aws:cloudwatch/logGroup:LogGroup": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${str(inputs.name, name)}`,
    }),
    "aws:secretsmanager/secret:Secret": (name, inputs, ctx) => ({
        arn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${str(inputs.name, name)}-AbCdEf`,
    }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
    // A serverless cache's endpoint names it and says "serverless" (the app's IAM tokens depend on that).
    "aws:elasticache/serverlessCache:ServerlessCache": (name, inputs, ctx) => ({
        arn: `arn:aws:elasticache:${ctx.region}:${ctx.accountId}:serverlesscache:${str(inputs.name, name)}`,
        endpoints: [
            {
                address: `${str(inputs.name, name)}-${hash(name).slice(0, 6)}.serverless.${ctx.region.replace(/-(\w)\w*-(\d)$/, "$1$2")}.cache.amazonaws.com`,
                port: 6379,
            },
        ],
        readerEndpoints: [],
    }),
    // EKS names an unnamed node group after the resource (Pulumi's auto-name in AWS; the logical name here).
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => ({ nodeGroupName: str(inputs.nodeGroupName, name) }),
    "aws:eks/cluster:Cluster": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        endpoint: `https://${hash(name).toUpperCase()}.gr7.${ctx.region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`mock-ca-${name}`).toString("base64") },
        identities: [
            { oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${hash(name).toUpperCase()}` }] },
        ],
        vpcConfig: {
            ...(typeof inputs.vpcConfig === "object" ? inputs.vpcConfig : {}),
            clusterSecurityGroupId: `sg-cluster${hash(name)}`,
        },
    }),
    // --- lambda ---
    "aws:lambda/function:Function": (name, inputs, ctx) => {
        const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${str(inputs.name, name)}`;
        const version = inputs.publish === true ? "1" : "$LATEST";
        return {
            name: str(inputs.name, name),
            arn,
            version,
            qualifiedArn: `${arn}:${version}`,
            invokeArn: lambdaInvokeArn(arn, ctx),
            qualifiedInvokeArn: lambdaInvokeArn(`${arn}:${version}`, ctx),
        };
    },
    "aws:lambda/alias:Alias": (name, inputs, ctx) => {
        const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${str(inputs.functionName, name)}:${str(inputs.name, name)}`;
        return { arn, invokeArn: lambdaInvokeArn(arn, ctx) };
    },
    "aws:sqs/queue:Queue": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${str(inputs.name, name)}`,
        arn: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${str(inputs.name, name)}`,
    }),
    "aws:dynamodb/table:Table": (name, inputs, ctx) => ({
        name: str(inputs.name, name),
        arn: `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${str(inputs.name, name)}`,
    }),
    "aws:apigatewayv2/api:Api": (name, _inputs, ctx) => ({
        apiEndpoint: `https://${hash(name)}.execute-api.${ctx.region}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${ctx.region}:${ctx.accountId}:${hash(name)}`,
        arn: `arn:aws:apigateway:${ctx.region}::/apis/${hash(name)}`,
    }),
    "aws:apigatewayv2/domainName:DomainName": (name, inputs, ctx) => ({
        domainNameConfiguration: {
            ...(typeof inputs.domainNameConfiguration === "object" ? inputs.domainNameConfiguration : {}),
            targetDomainName: `d-${hash(name)}.execute-api.${ctx.region}.amazonaws.com`,
            hostedZoneId: "ZLY8HYME6SFDD",
        },
    }),
};

interface SubnetSpecInput {
    readonly type: string;
    readonly cidrMask: number;
    readonly name?: string;
}

/**
 * awsx's Vpc as its provider would answer: the subnets its allocator lays out (shared/subnetLayout.ts,
 * the allocator's arithmetic, which throws as awsx does when they do not fit), one route table and
 * association per subnet (awsx/ec2/vpc.ts: subnet → route table → association, each the parent of the
 * next), and outputs that reference those resources the way the real component's do.
 */
function mockVpc(name: string, inputs: Outputs, ctx: MockContext, children?: MockChildren): Outputs {
    const azCount = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
    const specs = (
        (inputs.subnetSpecs as SubnetSpecInput[] | undefined) ?? [
            { type: "Private", cidrMask: 19 },
            { type: "Public", cidrMask: 20 },
        ]
    ).map((spec) => ({
        type: spec.type as SubnetKind,
        cidrMask: spec.cidrMask,
        name: spec.name ?? spec.type.toLowerCase(),
    }));
    const layout = allocateSubnets(name, str(inputs.cidrBlock, "10.0.0.0/16"), azCount, specs);
    const vpcId = `vpc-${hash(name)}`;
    const azs = azNames(ctx).slice(0, azCount);
    // Subnet ids say their kind (priv/pub) so tests can tell them apart; route tables get real-looking rtb- ids.
    const subnetId = (subnet: string) =>
        `subnet-${subnet.includes("-public-") ? "pub" : "priv"}${subnet.slice(subnet.lastIndexOf("-") + 1)}-${hash(subnet)}`;
    const plain = {
        vpcId,
        privateSubnetIds: layout.subnets.filter((s) => s.type === "Private").map((s) => subnetId(s.name)),
        publicSubnetIds: layout.subnets.filter((s) => s.type === "Public").map((s) => subnetId(s.name)),
        isolatedSubnetIds: [],
        availabilityZoneNames: azs,
        subnetLayout: specs,
    };
    if (!children) return plain;
    const vpc = children.register("aws:ec2/vpc:Vpc", name, children.urn, vpcId, {
        cidrBlock: inputs.cidrBlock,
        arn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:vpc/${vpcId}`,
    });
    const created = layout.subnets.map((s) => {
        const subnet = children.register("aws:ec2/subnet:Subnet", s.name, vpc.urn, subnetId(s.name), {
            vpcId,
            cidrBlock: s.cidrBlock,
            availabilityZone: azs[s.azIndex],
            tags: { Name: s.name, SubnetType: s.type },
        });
        const routeTableId = `rtb-${hash(`${s.name}/rtb`)}`;
        const routeTable = children.register("aws:ec2/routeTable:RouteTable", s.name, subnet.urn, routeTableId, {
            vpcId,
        });
        const association = children.register(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            s.name,
            routeTable.urn,
            `rtbassoc-${hash(`${s.name}/assoc`)}`,
            { subnetId: subnetId(s.name), routeTableId },
        );
        return { type: s.type, subnet, routeTable, association };
    });
    const refs = (kind: "subnet" | "routeTable" | "association", type?: SubnetKind) =>
        created.filter((c) => type === undefined || c.type === type).map((c) => c[kind].reference);
    return {
        ...plain,
        vpc: vpc.reference,
        subnets: refs("subnet"),
        privateSubnets: refs("subnet", "Private"),
        publicSubnets: refs("subnet", "Public"),
        isolatedSubnets: [],
        routeTables: refs("routeTable"),
        routeTableAssociations: refs("association"),
    };
}

/** The API Gateway URI that invokes a Lambda function or alias ARN. */
const lambdaInvokeArn = (functionArn: string, ctx: MockContext): string =>
    `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;

/** Outputs for a newly registered resource: its inputs, an id, an ARN, plus what its type computes. */
export function mockResourceOutputs(
    type: string,
    name: string,
    inputs: Outputs,
    ctx: MockContext,
    children?: MockChildren,
): { id: string; state: Outputs } {
    const factory = TYPE_OUTPUTS[type];
    const state: Outputs = {
        ...inputs,
        arn: arnFor(type, name, ctx),
        ...(factory ? factory(name, inputs, ctx, children) : {}),
    };
    // A bucket's id is its name in AWS: policies built from bucket.id and bucket.arn must name the same bucket.
    const id =
        type === "aws:ec2/securityGroup:SecurityGroup"
            ? `sg-${hash(name)}`
            : type === "aws:ec2/networkInterface:NetworkInterface"
              ? `eni-0${hash(name)}${hash(`${name}/eni`)}`
              : type === "aws:s3/bucket:Bucket"
                ? String(state.bucket)
                : `${name}-id`;
    if (type.startsWith("aws:") && state.name === undefined) state.name = name;
    return { id, state };
}

/** Answers for provider functions (invokes) the program calls. */
export function mockCallOutputs(token: string, inputs: Outputs, ctx: MockContext): Outputs {
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: azNames(ctx), zoneIds: azNames(ctx).map((_, i) => `use1-az${i + 1}`), state: "available" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: ctx.accountId,
                arn: `arn:aws:sts::${ctx.accountId}:assumed-role/voteapp-deploy/mock`,
                userId: "AROAMOCK:mock",
            };
        case "aws:index/getRegion:getRegion":
            return { name: ctx.region, region: ctx.region, id: ctx.region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
            // RDS-managed master secrets hold JSON; others (the Redis AUTH token) a plain string.
            const id = String(inputs.secretId ?? "");
            const value = `mock-secret-${hash(id)}`;
            return {
                arn: id,
                secretId: id,
                versionId: `v-${hash(id)}`,
                secretString: id.includes(":secret:rds!")
                    ? JSON.stringify({ username: "voteapp", password: value })
                    : value,
            };
        }
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::156460612806:root", id: "156460612806" };
        default:
            return inputs;
    }
}
