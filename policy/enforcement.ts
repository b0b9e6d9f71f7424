import type { EnforcementLevel } from "@pulumi/policy";
import { DEFAULT_SUPPORTED_EKS_VERSIONS } from "./rules/eks";
import { DEFAULT_SUPPORTED_SERVERLESS_ENGINES } from "./rules/elasticacheServerless";
import { LAMBDA_RUNTIME_DEPRECATIONS } from "./rules/lambda";
import { DEFAULT_REQUIRED_TAGS } from "./rules/tagging";
import type { PackConfig, PolicyConfigValue } from "./packConfig";

/**
 * The one source of each rule's enforcement level per environment (the dev/prod columns of the rule
 * catalog; staging enforces like prod, since it is where prod's settings are rehearsed) and of the rule
 * parameters each environment's pack config carries. policy/config/<env>.json are generated from this
 * file (policy/scripts/write-config.ts) and a test keeps them equal.
 */

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface RuleEnforcement {
    readonly dev: EnforcementLevel;
    readonly staging: EnforcementLevel;
    readonly prod: EnforcementLevel;
}

const M = "mandatory";
const A = "advisory";
type Short = "M" | "A";
const level = (s: Short): EnforcementLevel => (s === "M" ? M : A);
/** dev and prod levels from the catalog; staging = prod. */
const lv = (dev: Short, prod: Short): RuleEnforcement => ({ dev: level(dev), staging: level(prod), prod: level(prod) });

export const enforcement: Readonly<Record<string, RuleEnforcement>> = {
    "ecs-task-no-privileged": lv("M", "M"),
    "ecs-task-readonly-root": lv("A", "M"),
    "ecs-task-no-secrets-in-env": lv("M", "M"),
    "ecs-task-logging": lv("M", "M"),
    "ecs-task-no-host-network": lv("M", "M"),
    "ecs-task-no-host-pid": lv("M", "M"),
    "ecs-task-non-root-user": lv("A", "A"),
    "ecs-service-no-public-ip": lv("M", "M"),
    "ecs-fargate-latest-platform": lv("A", "A"),
    "ecs-cluster-container-insights": lv("A", "M"),
    "ecs-service-circuit-breaker": lv("A", "M"),
    "ecr-scan-on-push": lv("M", "M"),
    "ecr-tag-immutability": lv("A", "M"),
    "ecr-lifecycle-policy": lv("A", "M"),
    "ecr-kms-encryption": lv("A", "M"),
    "ecr-no-public-policy": lv("M", "M"),
    "sqs-no-public-policy": lv("M", "M"),
    "sns-no-public-policy": lv("M", "M"),
    "kms-no-public-policy": lv("M", "M"),
    "kms-no-lockout-bypass": lv("M", "M"),
    "secrets-no-public-policy": lv("M", "M"),
    "iam-trust-not-public": lv("M", "M"),
    "resource-policy-known-accounts": lv("M", "M"),
    "eks-endpoint-not-public": lv("A", "M"),
    "eks-supported-version": lv("M", "M"),
    "eks-secrets-encrypted": lv("M", "M"),
    "eks-audit-logging": lv("A", "M"),
    "eks-nodes-imdsv2": lv("M", "M"),
    "ec2-no-public-ip": lv("M", "M"),
    "k8s-no-privileged-pods": lv("M", "M"),
    "k8s-run-as-non-root": lv("A", "M"),
    "k8s-resource-limits": lv("A", "M"),
    "k8s-probes": lv("A", "M"),
    "k8s-namespace-default-deny": lv("A", "M"),
    "alb-http-to-https": lv("A", "M"),
    "alb-drop-invalid-headers": lv("M", "M"),
    "alb-access-logs": lv("A", "M"),
    "alb-deletion-protection": lv("A", "M"),
    "alb-desync-mitigation": lv("M", "M"),
    "alb-multi-az": lv("M", "M"),
    "alb-tls-policy": lv("M", "M"),
    "alb-waf": lv("A", "A"),
    "redis-encryption-at-rest": lv("M", "M"),
    "redis-encryption-in-transit": lv("M", "M"),
    "redis-auth": lv("M", "M"),
    "redis-failover": lv("A", "M"),
    "redis-backups": lv("A", "M"),
    "redis-minor-upgrades": lv("A", "A"),
    "redis-own-subnet-group": lv("M", "M"),
    "redis-serverless-kms": lv("M", "M"),
    "redis-serverless-security-groups": lv("M", "M"),
    "redis-serverless-auth": lv("M", "M"),
    "redis-serverless-backups": lv("A", "M"),
    "redis-serverless-supported-engine": lv("M", "M"),
    "redis-serverless-not-in-prod": lv("A", "M"),
    "rds-not-public": lv("M", "M"),
    "rds-encrypted": lv("M", "M"),
    "rds-multi-az": lv("A", "M"),
    "rds-deletion-protection": lv("A", "M"),
    "rds-logs-exported": lv("A", "M"),
    "rds-iam-auth": lv("A", "A"),
    "rds-backups": lv("A", "M"),
    "rds-minor-upgrades": lv("A", "A"),
    "rds-copy-tags": lv("A", "M"),
    "rds-final-snapshot": lv("A", "M"),
    "rds-force-ssl": lv("A", "M"),
    "sg-no-public-ingress": lv("M", "M"),
    "sg-no-admin-ports": lv("M", "M"),
    "vpc-flow-logs": lv("A", "M"),
    "vpc-default-sg-closed": lv("A", "M"),
    "s3-block-public": lv("M", "M"),
    "s3-tls-only": lv("A", "M"),
    "s3-encryption": lv("A", "M"),
    "s3-versioning": lv("A", "A"),
    "s3-access-logging": lv("A", "M"),
    "s3-no-public-policy": lv("M", "M"),
    "kms-rotation": lv("M", "M"),
    "logs-retention": lv("A", "M"),
    "logs-kms": lv("A", "A"),
    "secrets-kms": lv("A", "A"),
    "secrets-rotation": lv("A", "A"),
    "iam-no-admin-wildcard": lv("M", "M"),
    "iam-no-service-wildcard": lv("A", "M"),
    "iam-no-managed-admin": lv("M", "M"),
    "lambda-supported-runtime": lv("M", "M"),
    "lambda-no-public-invoke": lv("M", "M"),
    "lambda-url-auth": lv("M", "M"),
    "lambda-no-secrets-in-env": lv("M", "M"),
    "lambda-env-kms": lv("A", "M"),
    "lambda-tracing": lv("A", "M"),
    "lambda-dlq": lv("A", "M"),
    "lambda-concurrency": lv("A", "A"),
    "apigw-access-logs": lv("A", "M"),
    "apigw-throttling": lv("A", "M"),
    "apigw-vpc-link-closed": lv("M", "M"),
    "sqs-encrypted": lv("M", "M"),
    "sqs-dlq": lv("A", "M"),
    "dynamodb-pitr": lv("A", "M"),
    "dynamodb-deletion-protection": lv("A", "M"),
    "dynamodb-kms": lv("A", "A"),
    "sns-encrypted": lv("A", "M"),
    "cloudtrail-multi-region": lv("A", "M"),
    "cloudtrail-encrypted": lv("A", "M"),
    "cloudtrail-log-validation": lv("A", "M"),
    "cloudtrail-cloudwatch": lv("A", "A"),
    "guardduty-enabled": lv("A", "M"),
    "guardduty-features": lv("A", "M"),
    "inspector-enabled": lv("A", "M"),
    "required-tags": lv("A", "M"),
    "provider-allowed-accounts": lv("M", "M"),
    "prod-account-pin": lv("M", "M"),
    "no-default-provider": lv("M", "M"),
};

/** The prod account (Pulumi.prod.yaml's voteapp:prodAccountId; a test keeps them equal). */
export const PROD_ACCOUNT_ID = "333333333333";

/**
 * The organisation's accounts resource policies may name (`resource-policy-known-accounts`): each
 * environment's workload account (the stack files' voteapp:devAccountId / stagingAccountId / prodAccountId)
 * and the tooling account of the AWS-native pipeline (bootstrap/Pulumi.tooling.yaml). A test keeps them equal.
 */
export const ENVIRONMENT_ACCOUNT_IDS: Readonly<Record<string, string>> = {
    dev: "111111111111",
    staging: "222222222222",
    prod: PROD_ACCOUNT_ID,
    tooling: "444444444444",
};
const KNOWN_ACCOUNT_IDS = Object.values(ENVIRONMENT_ACCOUNT_IDS);

/** Rule parameters per environment, beside the enforcement level. */
export const ruleProps: Readonly<Record<Environment, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> = {
    dev: {
        "eks-supported-version": { supportedVersions: DEFAULT_SUPPORTED_EKS_VERSIONS },
        "redis-serverless-supported-engine": { supportedEngines: DEFAULT_SUPPORTED_SERVERLESS_ENGINES },
        "lambda-supported-runtime": { deprecationDates: LAMBDA_RUNTIME_DEPRECATIONS },
        "resource-policy-known-accounts": { knownAccountIds: KNOWN_ACCOUNT_IDS },
        "required-tags": { requiredTags: DEFAULT_REQUIRED_TAGS },
        "logs-retention": { minimumDays: 1, auditMinimumDays: 365 },
        "rds-backups": { minimumDays: 7 },
        // dev keeps a day of snapshots (Pulumi.dev.yaml voteapp:backupRetentionDays).
        "redis-serverless-backups": { minimumDays: 1 },
        "redis-serverless-not-in-prod": { allowed: true },
    },
    staging: {
        "eks-supported-version": { supportedVersions: DEFAULT_SUPPORTED_EKS_VERSIONS },
        "redis-serverless-supported-engine": { supportedEngines: DEFAULT_SUPPORTED_SERVERLESS_ENGINES },
        "lambda-supported-runtime": { deprecationDates: LAMBDA_RUNTIME_DEPRECATIONS },
        "resource-policy-known-accounts": { knownAccountIds: KNOWN_ACCOUNT_IDS },
        "required-tags": { requiredTags: DEFAULT_REQUIRED_TAGS },
        // staging keeps logs 90 days (Pulumi.staging.yaml voteapp:logRetentionDays).
        "logs-retention": { minimumDays: 1, auditMinimumDays: 90 },
        "rds-backups": { minimumDays: 7 },
        "redis-serverless-backups": { minimumDays: 7 },
        // staging's cost floor (plan/cost/floor.ts) runs a serverless cache: it then keeps no final snapshot.
        "redis-serverless-not-in-prod": { allowed: true },
    },
    prod: {
        "eks-supported-version": { supportedVersions: DEFAULT_SUPPORTED_EKS_VERSIONS },
        "redis-serverless-supported-engine": { supportedEngines: DEFAULT_SUPPORTED_SERVERLESS_ENGINES },
        "lambda-supported-runtime": { deprecationDates: LAMBDA_RUNTIME_DEPRECATIONS },
        "resource-policy-known-accounts": { knownAccountIds: KNOWN_ACCOUNT_IDS },
        "required-tags": { requiredTags: DEFAULT_REQUIRED_TAGS },
        "logs-retention": { minimumDays: 1, auditMinimumDays: 365 },
        "rds-backups": { minimumDays: 7 },
        "redis-serverless-backups": { minimumDays: 7 },
        "redis-serverless-not-in-prod": { allowed: false },
        "prod-account-pin": { prodAccountId: PROD_ACCOUNT_ID },
    },
};

/** The level every rule not listed gets (the pack config's `all`). */
export const baseline: Readonly<Record<Environment, EnforcementLevel>> = { dev: A, staging: M, prod: M };

/** Rules mandatory in every environment. */
export function mandatoryEverywhere(): string[] {
    return Object.entries(enforcement)
        .filter(([, e]) => ENVIRONMENTS.every((env) => e[env] === M))
        .map(([name]) => name);
}

/**
 * Rules a central security account (a delegated administrator of GuardDuty and Inspector) satisfies for
 * the environment's account; they take the `centralSecurityAccount` parameter.
 */
export const CENTRAL_SECURITY_RULES: readonly string[] = [
    "guardduty-enabled",
    "guardduty-features",
    "inspector-enabled",
];

export interface PackConfigOptions {
    /** The stack's `voteapp:securityBaseline` is central: the account baseline lives in a security account. */
    readonly centralSecurityAccount?: boolean;
}

/** The `--policy-pack-config` content for an environment: `all` plus every rule, in enforcement order. */
export function packConfigFor(env: Environment, options: PackConfigOptions = {}): PackConfig {
    const config: Record<string, PolicyConfigValue> = { all: baseline[env] };
    for (const [name, levels] of Object.entries(enforcement)) {
        const central =
            options.centralSecurityAccount === true && CENTRAL_SECURITY_RULES.includes(name)
                ? { centralSecurityAccount: true }
                : undefined;
        const props = ruleProps[env][name] || central ? { ...ruleProps[env][name], ...central } : undefined;
        config[name] = props ? { enforcementLevel: levels[env], ...props } : levels[env];
    }
    return config;
}
