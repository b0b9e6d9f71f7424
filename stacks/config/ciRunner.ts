import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import type { ConfigCheck, FlatOf } from "./check";
import { MAX_PUBLIC_CIDRS, WIDEST_PUBLIC_ACCESS_PREFIX } from "./eks";
import { qualifiedKey } from "./keys";
import { commaList, isWholeInternet, type Platform, publicCidrFormProblem } from "./rules";

/**
 * The CI runner as a config fact (keys `ciRunnerLabels`, `ciRunnerCidrs`): which runner the workflows'
 * preview and deploy jobs run on (scripts/stack-info.ts prints it as `runs-on`, the workflows use it), and
 * the addresses its traffic to AWS leaves from. On platform eks the program opens the cluster's public API
 * endpoint to exactly those addresses (besides `eksPublicAccessCidrs`), so the runner that runs `pulumi up`
 * is the one the endpoint admits: the two cannot drift, because both come from these keys.
 */

/**
 * GitHub's standard hosted runner labels (ubuntu-latest, ubuntu-24.04, windows-2025, macos-15, …). Their
 * traffic leaves from any address of GitHub's (Azure's) ranges, which no /16 list can name: such a runner
 * can reach no restricted EKS endpoint. Larger runners with static IP addresses and self-hosted runners
 * carry labels of their own.
 */
export const GITHUB_HOSTED_LABEL = /^(ubuntu|windows|macos)-(latest|\d[\w.-]*)$/;
const RUNNER_LABEL = /^[A-Za-z0-9][\w.:-]{0,99}$/;

/** Why a runner CIDR is wider than the API endpoint may be opened to (the same /16 as eksPublicAccessCidrs), or undefined. */
function tooWide(cidr: string): string | undefined {
    const prefix = ipaddr.IPv4.parseCIDR(cidr)[1];
    if (prefix >= WIDEST_PUBLIC_ACCESS_PREFIX) return undefined;
    return `"${cidr}" would open the Kubernetes API to ${(2 ** (32 - prefix)).toLocaleString("en-US")} addresses; each CIDR may be at most a /${WIDEST_PUBLIC_ACCESS_PREFIX}: list the runner's NAT or static IP ranges`;
}

export const ciRunnerKeys = {
    ciRunnerLabels: z
        .string()
        .transform(commaList)
        .superRefine((labels, ctx) => {
            if (labels.length === 0)
                ctx.addIssue({ code: "custom", message: "must name at least one runner label, e.g. ubuntu-latest" });
            for (const label of labels.filter((l) => !RUNNER_LABEL.test(l)))
                ctx.addIssue({
                    code: "custom",
                    message: `"${label}" is not a runner label (letters, digits and _ . : -, up to 100)`,
                });
        }),
    ciRunnerCidrs: z
        .string()
        .optional()
        .transform(commaList)
        .superRefine((cidrs, ctx) => {
            for (const cidr of cidrs) {
                const why =
                    publicCidrFormProblem(cidr, "the public endpoint") ??
                    (isWholeInternet(cidr)
                        ? `"${cidr}" is the whole internet, not a runner's egress; list the runner's NAT or static IP ranges`
                        : tooWide(cidr));
                if (why) ctx.addIssue({ code: "custom", message: why });
            }
        }),
};

export type CiRunnerFlatConfig = FlatOf<typeof ciRunnerKeys> & {
    readonly platform: Platform;
    readonly eksPublicAccessCidrs: readonly string[];
};

export interface CiRunnerConfig {
    /** `runs-on` of the jobs that preview and deploy this stack. */
    readonly labels: readonly string[];
    /** Public CIDRs the runner's traffic to AWS leaves from; empty = not stated. */
    readonly egressCidrs: readonly string[];
}

/** The EKS API endpoint's public access list: the people's CIDRs, then the CI runner's, each once. */
export function endpointPublicAccessCidrs(
    peopleCidrs: readonly string[],
    runner: Pick<CiRunnerConfig, "egressCidrs">,
): string[] {
    return [...new Set([...peopleCidrs, ...runner.egressCidrs])];
}

export type CiRunnerReach =
    { readonly reaches: true; readonly through: string } | { readonly reaches: false; readonly why: string };

/**
 * Whether the stack's CI runner reaches everything `pulumi preview`/`up` must talk to. AWS APIs are public
 * endpoints; the one private thing is the EKS API endpoint, which the Kubernetes provider calls during the
 * same run.
 */
export function ciRunnerReach(platform: Platform, runner: CiRunnerConfig): CiRunnerReach {
    if (platform !== "eks") return { reaches: true, through: "public AWS endpoints only (no cluster)" };
    if (runner.egressCidrs.length > 0)
        return {
            reaches: true,
            through: `the cluster's public API endpoint, open to the runner's ${runner.egressCidrs.join(", ")}`,
        };
    return {
        reaches: false,
        why:
            `${qualifiedKey("ciRunnerCidrs")} is unset, so the EKS API endpoint admits no address the CI runner (${runner.labels.join(", ")}) ` +
            `sends from, and the Kubernetes provider cannot reach the cluster from the preview or deploy job. Run those jobs on a runner ` +
            `with fixed egress addresses (a self-hosted runner behind a NAT gateway, or a GitHub larger runner with static IPs), name it ` +
            `in ${qualifiedKey("ciRunnerLabels")} and its public CIDRs (each at most a /16) in ${qualifiedKey("ciRunnerCidrs")}; or deploy from inside the VPC instead of CI`,
    };
}

/**
 * Whether the AWS-native pipeline's builds (components/delivery/deliveryPipeline.ts: CodeBuild projects in the
 * tooling account, outside any VPC) reach what `pulumi preview`/`up` talks to. Outside a VPC, CodeBuild sends from
 * AWS's shared address ranges for the region, which no list of /16s can name, and no VPC of the environment is
 * theirs: the EKS API endpoint (private, or open to `ciRunnerCidrs`, the GitHub runner's addresses) admits neither.
 * So the pipeline deploys ecs and lambda stacks, and refuses eks stacks before Pulumi starts: their deploys run
 * from the GitHub workflows on a runner with fixed egress addresses.
 */
export function codeBuildReach(platform: Platform): CiRunnerReach {
    if (platform !== "eks") return { reaches: true, through: "public AWS endpoints only (no cluster)" };
    return {
        reaches: false,
        why:
            `the AWS-native pipeline's CodeBuild projects run outside any VPC, from AWS's shared addresses, which the EKS API endpoint ` +
            `cannot admit (${qualifiedKey("ciRunnerCidrs")} names the GitHub runner's addresses, not CodeBuild's): deploy eks stacks ` +
            `with the GitHub workflows (preview.yml, deploy.yml) on the runner ${qualifiedKey("ciRunnerLabels")} names`,
    };
}

/** Runner CIDRs need a runner that has them, and EKS takes at most 40 public CIDRs in all. */
export const checkCiRunner: ConfigCheck<CiRunnerFlatConfig> = (flat, _tier, report) => {
    const hosted = flat.ciRunnerLabels.filter((label) => GITHUB_HOSTED_LABEL.test(label));
    if (flat.ciRunnerCidrs.length > 0 && hosted.length > 0)
        report(
            "ciRunnerCidrs",
            flat.ciRunnerCidrs.join(","),
            `are stated for a GitHub-hosted runner (${qualifiedKey("ciRunnerLabels")} ${hosted.join(",")}), whose traffic leaves from any of GitHub's address ranges, not from these; name a self-hosted runner or a larger runner with static IPs in ${qualifiedKey("ciRunnerLabels")}`,
        );
    const all = endpointPublicAccessCidrs(flat.eksPublicAccessCidrs, { egressCidrs: flat.ciRunnerCidrs });
    if (flat.platform === "eks" && all.length > MAX_PUBLIC_CIDRS)
        report(
            "ciRunnerCidrs",
            flat.ciRunnerCidrs.join(","),
            `together with ${qualifiedKey("eksPublicAccessCidrs")} make ${all.length} public access CIDRs; EKS allows at most ${MAX_PUBLIC_CIDRS}`,
        );
};

export function resolveCiRunner(flat: CiRunnerFlatConfig): CiRunnerConfig {
    return { labels: flat.ciRunnerLabels, egressCidrs: flat.ciRunnerCidrs };
}
