import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    DATABASE_CLIENTS,
    DATABASE_USERS,
    type DatabaseClient,
    databaseSetupInput,
    DATABASE_SETUP_ENV,
} from "../shared/appContract";
import { readSecretsStatements } from "./iamPolicy";
import { physicalName } from "./naming";
import { partitionOf } from "./partition";
import { BUNDLE_FILE, BUNDLE_HANDLER, bundleOnce } from "./serverless/bundle";
import { functionExecution } from "./serverless/functionExecution";
import type { CpuArchitecture } from "../shared/cpuArchitecture";
import type { WorkloadRoleScope } from "./delivery/workloadRoles";

/** The setup function's source (bundled with the project's esbuild bundling when the program runs). */
export const DATABASE_SETUP_ENTRY = "app/src/dbsetup/handler.ts";

/** The setup function's code, bundled once per process (every ecs/eks stack of a run shares it; see bundleOnce). */
export function databaseSetupBundle(): Promise<string> {
    return bundleOnce("database-setup", DATABASE_SETUP_ENTRY);
}

/** Seconds the setup may take: a connection, a dozen statements. */
const SETUP_TIMEOUT_SECONDS = 60;

export interface DatabaseSetupArgs {
    /** `<project>-<environment>`. @example "voteapp-dev" */
    readonly namePrefix: string;
    readonly region: string;
    readonly accountId: string;
    /** Private subnets of the database: the function runs next to it. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The function's own security group, which the database's admits (created by the Data component). */
    readonly securityGroupId: pulumi.Input<string>;
    readonly instance: aws.rds.Instance;
    /** Name of the application database (the instance's dbName). */
    readonly database: string;
    /** The RDS-managed master secret: the only reader is this function. */
    readonly masterSecretArn: pulumi.Input<string>;
    /** KMS key of the master secret, the function's environment and its log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** CPU architecture of the function: the stack's (voteapp:cpuArchitecture). @default "arm64" */
    readonly cpuArchitecture?: CpuArchitecture;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
}

/**
 * The database setup: a Lambda function in the VPC, bundled from app/src/dbsetup, that alone uses the RDS
 * master secret to create the schema and one IAM-authenticated, least-privilege user per Postgres client; and
 * the Pulumi invocation that runs it after the database exists, again whenever the setup code or the input
 * changes (it is idempotent). A failed setup fails `pulumi up` with the function's error. The invocation's
 * result, kept in state, is the users' names and privileges, never a credential.
 *
 * The app's users then connect with RDS IAM tokens: `connectPolicy(client)` is the one statement the client's
 * task or pod role needs, `rds-db:connect` on exactly its own database user.
 */
export class DatabaseSetup extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly invocation: aws.lambda.Invocation;
    /** Each client's database user name (created by the invocation: clients depend on `invocation` to wait for it). */
    readonly users: Readonly<Record<DatabaseClient, string>>;
    /** `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>` per client. */
    readonly connectArns: Readonly<Record<DatabaseClient, pulumi.Output<string>>>;

    constructor(name: string, args: DatabaseSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("voteapp:data:DatabaseSetup", name, {}, opts);
        const parent = this;
        const partition = partitionOf(args.region);
        const functionName = physicalName("lambdaFunction", args.namePrefix, "db-setup");

        const execution = functionExecution(
            name,
            {
                ...args, // accountId, kmsKeyArn, logRetentionDays, roleScope
                functionName,
                roleDescription: `${functionName}: reads the RDS master secret and sets up the app's database users`,
                permissions: readSecretsStatements([args.masterSecretArn], args.kmsKeyArn, args.region, "MasterSecret"),
                architecture: args.cpuArchitecture,
            },
            parent,
        );
        this.role = execution.role;
        // Network interfaces in the VPC: AWS's minimal managed policy for it (EC2 ENI actions have no resource scoping).
        const eniAccess = new aws.iam.RolePolicyAttachment(
            `${name}-eni`,
            {
                role: this.role.name,
                policyArn: `arn:${partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess`,
            },
            { parent },
        );

        const source = databaseSetupBundle();
        this.function = new aws.lambda.Function(
            name,
            {
                ...execution.functionArgs,
                description: "Creates the voting app's schema and least-privilege IAM database users (idempotent)",
                handler: BUNDLE_HANDLER,
                code: new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.StringAsset(source) }),
                memorySize: 256,
                timeout: SETUP_TIMEOUT_SECONDS,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
                environment: {
                    variables: {
                        [DATABASE_SETUP_ENV.host]: args.instance.address,
                        [DATABASE_SETUP_ENV.port]: args.instance.port.apply(String),
                        [DATABASE_SETUP_ENV.database]: args.database,
                        [DATABASE_SETUP_ENV.sslMode]: "verify-full",
                        [DATABASE_SETUP_ENV.masterSecretArn]: args.masterSecretArn,
                    },
                },
            },
            { parent, dependsOn: [execution.rolePolicy, eniAccess] },
        );

        const input = databaseSetupInput(args.database);
        this.invocation = new aws.lambda.Invocation(
            name,
            {
                functionName: this.function.name,
                input: JSON.stringify(input),
                // Run again when the setup's code changes (new statements) or the database is replaced.
                triggers: {
                    code: pulumi.output(source).apply((text) => crypto.createHash("sha256").update(text).digest("hex")),
                    database: args.instance.resourceId,
                },
            },
            { parent, dependsOn: [args.instance] },
        );

        this.users = { worker: DATABASE_USERS.worker.name, result: DATABASE_USERS.result.name };
        this.connectArns = Object.fromEntries(
            DATABASE_CLIENTS.map((client) => [
                client,
                pulumi.interpolate`arn:${partition}:rds-db:${args.region}:${args.accountId}:dbuser:${args.instance.resourceId}/${DATABASE_USERS[client].name}`,
            ]),
        ) as Record<DatabaseClient, pulumi.Output<string>>;
        this.registerOutputs({ functionName: this.function.name });
    }

    /** The statement a client's task or pod role needs: connect as its own database user, nothing else. */
    connectStatement(client: DatabaseClient): {
        Sid: string;
        Effect: "Allow";
        Action: string;
        Resource: pulumi.Output<string>;
    } {
        return {
            Sid: "ConnectAsOwnDatabaseUser",
            Effect: "Allow",
            Action: "rds-db:connect",
            Resource: this.connectArns[client],
        };
    }
}
