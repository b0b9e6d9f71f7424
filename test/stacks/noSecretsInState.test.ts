import * as assert from "assert";
import type { StackRun } from "../../plan/stackRun";
import { stackRun } from "../support/stacks";

/**
 * No secret value passes through Pulumi (issues 11.7 and 12.2): what a resource receives as input is what the
 * state keeps, and the preview role may read the state. The app's credentials are made at run time instead (IAM
 * tokens signed with the task, pod or function role; RDS keeps its master password itself). So, on every
 * platform: no input marked secret, no resource that generates or holds a secret value, and every input whose
 * name speaks of a password, token or secret is one of the known settings below, holding no secret.
 */

/** Resource types that generate or hold a secret value. */
const SECRET_HOLDERS = [
    /^random:/,
    /^tls:/,
    /^aws:secretsmanager\/secretVersion:/,
    /^aws:ssm\/parameter:/,
    /^aws:iam\/accessKey:/,
    /^kubernetes:core\/v1:Secret$/,
];

/** Inputs whose names speak of a secret but whose values are settings or references, with the values allowed. */
const NOT_SECRETS: Readonly<Record<string, RegExp>> = {
    // The provider's switch, not a credential.
    skipCredentialsValidation: /^(true|false)$/,
    // RDS generates and keeps the master password in Secrets Manager, encrypted with this key.
    manageMasterUserPassword: /^true$/,
    masterUserSecretKmsKeyId: /^arn:aws[a-z-]*:kms:/,
    // The database setup function reads the master secret at run time: its ARN, not its value.
    MASTER_SECRET_ARN: /^arn:aws[a-z-]*:secretsmanager:/,
    // IMDSv2 only; private API endpoint; no service account token in the pods.
    httpTokens: /^required$/,
    endpointPrivateAccess: /^(true|false)$/,
    automountServiceAccountToken: /^false$/,
    // The Kubernetes provider's switch for replacing (not patching) Secrets, pinned in components/eks; no Secret exists.
    enableSecretMutable: /^(true|false)$/,
};
const SECRET_WORD = /pass|token|secret|credential|private/i;

function secretNamedInputs(value: unknown, path: string, found: { path: string; key: string; value: unknown }[]): void {
    if (Array.isArray(value)) value.forEach((item, i) => secretNamedInputs(item, `${path}[${i}]`, found));
    else if (value !== null && typeof value === "object")
        for (const [key, item] of Object.entries(value)) {
            if (SECRET_WORD.test(key)) found.push({ path: `${path}.${key}`, key, value: item });
            secretNamedInputs(item, `${path}.${key}`, found);
        }
}

/** Every way a secret value could sit in a run's resource inputs, as readable lines (none expected). */
function secretsInInputs(run: StackRun): string[] {
    const problems: string[] = [];
    for (const resource of run.resources) {
        if (resource.secretInputKeys.length > 0)
            problems.push(`${resource.type} ${resource.name}: secret inputs ${resource.secretInputKeys.join(", ")}`);
        if (SECRET_HOLDERS.some((pattern) => pattern.test(resource.type)))
            problems.push(`${resource.type} ${resource.name}: a resource holding a secret value`);
        const found: { path: string; key: string; value: unknown }[] = [];
        secretNamedInputs(resource.inputs, resource.type, found);
        for (const { path, key, value } of found) {
            const allowed = NOT_SECRETS[key];
            if (allowed === undefined || !allowed.test(String(value)))
                problems.push(`${resource.name} ${path} = ${JSON.stringify(value)}`);
        }
    }
    return problems;
}

describe("no secret value in any resource input (hence none in the state)", function () {
    this.timeout(180_000);

    for (const platform of ["ecs", "eks", "lambda"])
        for (const stack of ["dev", "prod"])
            it(`${platform}, ${stack}`, async () => {
                const run = await stackRun(stack, { overrides: { "voteapp:platform": platform } });
                assert.deepStrictEqual(secretsInInputs(run), []);
                assert.deepStrictEqual(
                    run.invokes.filter((call) => /secretsmanager|ssm/.test(call.token)).map((call) => call.token),
                    [],
                    "a secret is read while the program runs",
                );
            });

    it("the check can fail: a Redis AUTH token as an input is found", async () => {
        const run = await stackRun("dev", {
            // The replication group (dev's default is a serverless cache, which has no AUTH token at all).
            overrides: { "voteapp:redisCapacity": "nodes" },
            transforms: {
                data: {
                    redis: (args) => ({ ...args, authToken: "not-a-real-token-but-shaped-like-one" }),
                },
            },
        });
        const problems = secretsInInputs(run);
        assert.ok(
            problems.some((line) => line.includes("authToken")),
            `not found in:\n${problems.join("\n")}`,
        );
    });
});
