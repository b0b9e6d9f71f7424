import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../plan/projectRoot";
import { stackInfo } from "../../scripts/stack-info";
import { APP_SERVICES } from "../../shared/appContract";
import { BOOTSTRAP_STACKS, bootstrapRun } from "../bootstrap/support";
import { decide, type RoleDocuments, roleNamed } from "../support/iamSimulation";
import { ofType, stackRun } from "../support/stacks";
import { githubDeployOrder, readWorkflow, type WorkflowStep } from "../support/workflows";

/**
 * The AWS calls the deploy job makes itself, outside Pulumi (whose calls test/bootstrap/deploySufficiency.test.ts
 * checks): the AWS CLI commands of its steps and of the scripts they run, and skopeo's registry traffic. Each is
 * read from the workflow and the scripts, turned into the IAM actions AWS authorises it with, and simulated
 * against the role the step runs as: the target account's deploy role, or, while promoting, the source
 * account's preview role. A command added to a step or a script without a row below fails here.
 */

/** What a call acts on: resolved per environment to an ARN. */
type Target = "everything" | "repository" | "function" | "deploymentGroup" | "deploymentConfig" | "application";
interface Grant {
    readonly action: string;
    readonly on: Target;
}

/**
 * IAM actions per AWS CLI command (`<service> <command>`; Service Authorization Reference). CodeDeploy's
 * create-deployment also reads the group's configuration and registers the AppSpec as a revision of the application.
 */
const CLI_COMMANDS: Readonly<Record<string, readonly Grant[]>> = {
    "ecr get-login-password": [{ action: "ecr:GetAuthorizationToken", on: "everything" }],
    "ecr describe-repositories": [{ action: "ecr:DescribeRepositories", on: "repository" }],
    "ecr describe-images": [{ action: "ecr:DescribeImages", on: "repository" }],
    "lambda get-alias": [{ action: "lambda:GetAlias", on: "function" }],
    "deploy create-deployment": [
        { action: "codedeploy:CreateDeployment", on: "deploymentGroup" },
        { action: "codedeploy:GetDeploymentConfig", on: "deploymentConfig" },
        { action: "codedeploy:RegisterApplicationRevision", on: "application" },
        { action: "codedeploy:GetApplicationRevision", on: "application" },
    ],
    // `aws deploy wait deployment-successful` polls GetDeployment.
    "deploy wait": [{ action: "codedeploy:GetDeployment", on: "deploymentGroup" }],
};

/** skopeo copy into ECR pushes (ECR User Guide, "Pushing an image"); from ECR it pulls. */
const SKOPEO_PUSH: readonly Grant[] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
].map((action) => ({ action, on: "repository" }));
const SKOPEO_PULL: readonly Grant[] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"].map((action) => ({
    action,
    on: "repository",
}));

type Role = "deploy" | "source preview";
interface Call {
    readonly what: string;
    readonly role: Role;
    readonly grants: readonly Grant[];
}

/** `aws <service> <command>` in a shell script, and `run("aws", ["<service>", "<command>", ...])` in a script. */
function cliCommands(text: string): string[] {
    return [
        ...[...text.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)/g)].map((m) => `${m[1]} ${m[2]}`),
        ...[...text.matchAll(/"aws",\s*\[\s*"([a-z0-9-]+)",\s*"([a-z0-9-]+)"/g)].map((m) => `${m[1]} ${m[2]}`),
    ];
}

/** The deploy job's AWS calls, each with the role its step runs as (the last role the job assumed). */
function deployJobCalls(): Call[] {
    const steps: readonly WorkflowStep[] = readWorkflow("deploy-environment.yml").jobs.deploy.steps ?? [];
    const calls: Call[] = [];
    let role: Role | undefined;
    for (const step of steps) {
        if (step.uses?.startsWith("aws-actions/configure-aws-credentials@")) {
            const assumed = step.with?.["role-to-assume"];
            role =
                assumed === "${{ steps.info.outputs.deploy-role-arn }}"
                    ? "deploy"
                    : assumed === "${{ steps.source.outputs.preview-role-arn }}"
                      ? "source preview"
                      : undefined;
            assert.ok(role, `${step.name}: assumes ${String(assumed)}, which this test does not know`);
            continue;
        }
        const run = step.run ?? "";
        const scripts = [...run.matchAll(/scripts\/[\w-]+\.ts/g)].map((m) => m[0]);
        const commands = [
            ...cliCommands(run),
            ...scripts.flatMap((script) => cliCommands(fs.readFileSync(path.join(PROJECT_ROOT, script), "utf8"))),
        ];
        const copies = /\bskopeo copy\b/.test(run);
        if (commands.length === 0 && !copies) continue;
        assert.ok(role, `${step.name}: calls AWS before any role is assumed`);
        for (const command of commands) {
            const grants = CLI_COMMANDS[command];
            assert.ok(grants, `${step.name}: aws ${command} has no IAM actions in CLI_COMMANDS`);
            calls.push({ what: `${step.name}: aws ${command}`, role, grants });
        }
        if (copies) {
            calls.push({ what: `${step.name}: skopeo copy (push)`, role, grants: SKOPEO_PUSH });
            // The source registry's login token came from the source account's preview role.
            if (run.includes("$SOURCE_REGISTRY"))
                calls.push({ what: `${step.name}: skopeo copy (pull)`, role: "source preview", grants: SKOPEO_PULL });
        }
    }
    return calls;
}

/** The environment each environment's deploy promotes from: the one before it in deploy.yml's order, if any. */
function promotedFrom(environment: string): string | undefined {
    const order = githubDeployOrder();
    const index = order.indexOf(environment);
    return index > 0 ? order[index - 1] : undefined;
}

/** The ARNs an environment's calls act on: its registry's repositories, and its functions and CodeDeploy objects. */
async function targetsOf(environment: string): Promise<Record<Target, string[]>> {
    const info = stackInfo(environment);
    const arn = (service: string, resource: string) =>
        `arn:aws:${service}:${info.region}:${info.accountId}:${resource}`;
    // The stack on lambda as configured (the run deploySufficiency.test.ts plans too). Every lambda stack has its
    // CodeDeploy groups, though with allAtOnce the shift script finds no lagging alias and calls nothing.
    const run = await stackRun(environment, { overrides: { "voteapp:platform": "lambda" } });
    const application = String(run.outputs.codeDeployApplication);
    const groups = Object.values((run.outputs.codeDeployGroups ?? {}) as Record<string, string>);
    const functions = Object.values(run.outputs.functionNames as Record<string, string>);
    const configs = new Set(
        ofType(run, "aws:codedeploy/deploymentGroup:DeploymentGroup").map((g) => String(g.inputs.deploymentConfigName)),
    );
    return {
        everything: ["*"],
        repository: APP_SERVICES.map((service) => arn("ecr", `repository/${info.repositoryPrefix}/${service}`)),
        function: functions.map((name) => arn("lambda", `function:${name}`)),
        deploymentGroup: groups.map((group) => arn("codedeploy", `deploymentgroup:${application}/${group}`)),
        deploymentConfig: [...configs].map((config) => arn("codedeploy", `deploymentconfig:${config}`)),
        application: [arn("codedeploy", `application:${application}`)],
    };
}

/** One account's side of the job: the role a step runs as there, in its region, and what its calls act on. */
interface Side {
    readonly role: RoleDocuments;
    readonly region: string;
    readonly targets: Record<Target, string[]>;
}

async function sideOf(environment: string, roleName: string): Promise<Side> {
    return {
        role: roleNamed(await bootstrapRun(environment), roleName),
        region: stackInfo(environment).region,
        targets: await targetsOf(environment),
    };
}

describe("the deploy job's own AWS calls (CLI, skopeo, scripts) are allowed to the role each step runs as", function () {
    this.timeout(180_000);

    it("finds the calls: the registry checks and copy, the Lambda alias shift, and the promotion's pull", () => {
        const found = new Set(deployJobCalls().map((call) => `${call.role}: ${call.what.split(": ").pop()}`));
        for (const expected of [
            "source preview: aws ecr get-login-password",
            "deploy: aws ecr describe-repositories",
            "deploy: aws ecr describe-images",
            "deploy: skopeo copy (push)",
            "source preview: skopeo copy (pull)",
            "deploy: aws lambda get-alias",
            "deploy: aws deploy create-deployment",
            "deploy: aws deploy wait",
        ])
            assert.ok(found.has(expected), `${expected} not found; found ${[...found].join(", ")}`);
    });

    for (const environment of BOOTSTRAP_STACKS) {
        it(`${environment}: every call is allowed`, async () => {
            const source = promotedFrom(environment);
            const sides: Partial<Record<Role, Side>> = {
                deploy: await sideOf(environment, "voteapp-deploy"),
                ...(source ? { "source preview": await sideOf(source, "voteapp-preview") } : {}),
            };
            const denied: string[] = [];
            for (const call of deployJobCalls()) {
                const side = sides[call.role];
                // Without promotion (dev) no step runs as a source role.
                if (!side) continue;
                for (const grant of call.grants)
                    for (const resource of side.targets[grant.on]) {
                        const decision = await decide(side.role, {
                            action: grant.action,
                            resource,
                            context: { "aws:RequestedRegion": side.region },
                        });
                        if (decision !== "Allowed")
                            denied.push(`${call.what} as ${call.role}: ${grant.action} on ${resource}: ${decision}`);
                    }
            }
            assert.deepStrictEqual([...new Set(denied)], []);
            assert.ok((sides.deploy?.targets.deploymentGroup.length ?? 0) > 0, "no CodeDeploy group was checked");
        });
    }
});
