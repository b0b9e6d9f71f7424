import * as aws from "@pulumi/aws";
import {
    hasCondition,
    isPublicPrincipal,
    ofType,
    prop,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    statementsOf,
    UNKNOWN,
    validateResourceOfType,
} from "./util";

/** ECR repositories, their lifecycle and repository policies (FSBP ECR.*). */

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

export const ecrScanOnPush = resourceRule(
    {
        name: "ecr-scan-on-push",
        control: "ECR.1",
        description:
            "ECR repositories scan images on push (`imageScanningConfiguration.scanOnPush`), so vulnerable images are found before they run. Set `enhancedScanningInAccount: true` in this rule's config when the account's registry uses Inspector enhanced scanning instead.",
        remediation: "Set imageScanningConfiguration: { scanOnPush: true }.",
        configSchema: {
            properties: {
                enhancedScanningInAccount: {
                    type: "boolean",
                    default: false,
                    description: "The registry uses enhanced (Inspector) scanning for every repository.",
                },
            },
        },
    },
    validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
        if (args.getConfig<{ enhancedScanningInAccount?: boolean }>().enhancedScanningInAccount === true) return;
        if (repo.imageScanningConfiguration?.scanOnPush !== true)
            report("imageScanningConfiguration.scanOnPush is not true.");
    }),
);

export const ecrTagImmutability = resourceRule(
    {
        name: "ecr-tag-immutability",
        control: "ECR.2",
        description:
            "ECR repositories make tags immutable (`imageTagMutability` IMMUTABLE or IMMUTABLE_WITH_EXCLUSION), so a deployed tag always names the image that was scanned and approved.",
        remediation: 'Set imageTagMutability: "IMMUTABLE".',
    },
    validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        const mutability = repo.imageTagMutability ?? "MUTABLE";
        if (!mutability.startsWith("IMMUTABLE")) report(`imageTagMutability is ${mutability}.`);
    }),
);

export const ecrKmsEncryption = resourceRule(
    {
        name: "ecr-kms-encryption",
        control: "ECR.5",
        description:
            "ECR repositories encrypt images with a KMS key (`encryptionConfigurations[].encryptionType` KMS or KMS_DSSE) instead of the default AES256, so key access is audited and revocable.",
        remediation: 'Set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <key arn> }].',
    },
    validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        const types = (repo.encryptionConfigurations ?? []).map((c) => c.encryptionType ?? "AES256");
        if (!types.some((t) => t.startsWith("KMS")))
            report(`Images are encrypted with ${types[0] ?? "AES256 (the default)"}, not a KMS key.`);
    }),
);

export const ecrNoPublicPolicy = resourceRule(
    {
        name: "ecr-no-public-policy",
        description:
            'ECR repository policies never allow `Principal: "*"` without a condition (e.g. aws:PrincipalOrgID): an unconditioned public principal lets anyone pull or push images.',
        remediation: "Name the accounts or roles in Principal, or add a condition restricting it.",
    },
    validateResourceOfType(aws.ecr.RepositoryPolicy, (policy, _args, report) => {
        const statements = statementsOf(policy.policy);
        if (!statements) {
            report("The repository policy is not a JSON policy document, so it cannot be checked.");
            return;
        }
        for (const s of statements) {
            if (s.effect === "Allow" && isPublicPrincipal(s.principal) && !hasCondition(s.condition)) {
                report(`A statement allows ${s.actions.join(", ") || "actions"} to Principal "*" without a condition.`);
            }
        }
    }),
);

export const ecrLifecyclePolicy = stackRule(
    {
        name: "ecr-lifecycle-policy",
        control: "ECR.3",
        description:
            "Every ECR repository has a lifecycle policy (matched by dependency or repository name), so old, unpatched images expire instead of piling up.",
        remediation: "Add an aws.ecr.LifecyclePolicy for the repository.",
    },
    (args, report) => {
        const policies = ofType(args.resources, LIFECYCLE_POLICY);
        for (const repo of ofType(args.resources, REPOSITORY)) {
            const repoName = prop(repo, "name");
            const covered = policies.some((p) => {
                if (relatesTo(p, repo)) return true;
                const target = prop(p, "repository");
                return target !== UNKNOWN && target !== undefined && (target === repoName || target === repo.name);
            });
            if (!covered) reportOn(report, repo, "has no lifecycle policy.");
        }
    },
);

export const ecrPolicies = [ecrScanOnPush, ecrTagImmutability, ecrLifecyclePolicy, ecrKmsEncryption, ecrNoPublicPolicy];
