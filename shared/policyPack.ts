/**
 * Where the CrossGuard policy pack lives, relative to the repository's root (its PulumiPolicy.yaml is there): what
 * every `pulumi preview` and `pulumi up` is judged with, in the workflows (preview.yml, deploy-environment.yml) and
 * in the tooling account's pipeline (components/delivery/deliveryPipeline.ts). test/workflows/workflows.test.ts
 * holds the workflows' `--policy-pack` to it.
 */
export const POLICY_PACK_DIR = "policy";
