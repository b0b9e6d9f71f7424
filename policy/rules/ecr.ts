import * as aws from "@pulumi/aws";
import { noPublicPolicyRule } from "./resourcePolicies";
import {
    ofType,
    prop,
    relatesTo,
    reportOn,
    resourceRule,
    stackRule,
    isAwsManagedKey,
    UNKNOWN,
    validateResourceOfType,
} from "./util";

/** ECR repositories, their lifecycle and repository policies (FSBP ECR.*). */

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

export const ecrScanOnPush = resourceRule(
    {
        name: "ecr-scan-on-push",
        passes: "`imageScanningConfiguration.scanOnPush` is true, or the rule's config says the account uses enhanced scanning",
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
        passes: "`imageTagMutability` is IMMUTABLE or IMMUTABLE_WITH_EXCLUSION (unset means MUTABLE and fails)",
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
            "ECR repositories encrypt images with a customer managed KMS key: an `encryptionConfigurations` entry with `encryptionType` KMS or KMS_DSSE and a `kmsKey` that is not the AWS managed alias/aws/ecr, so key access is audited and revocable. Passes only with such a key; AES256 (the default), and KMS without a `kmsKey` (which AWS fills with the AWS managed key), fail.",
        remediation: 'Set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <customer key arn> }].',
    },
    validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        const configs = repo.encryptionConfigurations ?? [];
        const kms = configs.filter((c) => (c.encryptionType ?? "AES256").startsWith("KMS"));
        if (kms.length === 0)
            report(`Images are encrypted with ${configs[0]?.encryptionType ?? "AES256 (the default)"}, not a KMS key.`);
        else if (!kms.some((c) => c.kmsKey && !isAwsManagedKey(c.kmsKey, "ecr")))
            report(
                `encryptionType ${kms[0].encryptionType} ${kms[0].kmsKey ? `uses the AWS managed key ${kms[0].kmsKey}` : "without kmsKey uses the AWS managed key alias/aws/ecr"}; set kmsKey to a customer managed key.`,
            );
    }),
);

export const ecrNoPublicPolicy = noPublicPolicyRule({
    name: "ecr-no-public-policy",
    service: "ecr",
    what: "ECR repository and registry policies",
});

export const ecrLifecyclePolicy = stackRule(
    {
        name: "ecr-lifecycle-policy",
        passes: "every repository has an aws.ecr.LifecyclePolicy depending on it or naming it in `repository`",
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
