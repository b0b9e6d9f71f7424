import { matching } from "../../shared/config/values";
import { arnPartitionProblem } from "./catalogues";
import type { ConfigCheck, FlatOf } from "./check";
import { qualifiedKey } from "./keys";
import { ACM_CERTIFICATE_ARN, DOMAIN_NAME } from "./rules";

/** The app's DNS name and ACM certificate: HTTPS, required in prod. */
export const httpsKeys = {
    domainName: matching(DOMAIN_NAME, "a lowercase DNS name such as vote.example.com").optional(),
    certificateArn: matching(
        ACM_CERTIFICATE_ARN,
        "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)",
    ).optional(),
};

export type HttpsFlatConfig = FlatOf<typeof httpsKeys> & { readonly region: string; readonly accountId: string };

/** Set when the app is served on a DNS name with an ACM certificate (HTTPS). */
export interface DomainConfig {
    readonly name: string;
    readonly certificateArn: string;
}

/** Together or not at all; required in prod; the load balancer needs the certificate in its own region and account. */
export const checkHttps: ConfigCheck<HttpsFlatConfig> = (flat, tier, report) => {
    if ((flat.domainName === undefined) !== (flat.certificateArn === undefined)) {
        const missing = flat.domainName === undefined ? "domainName" : "certificateArn";
        report(
            missing,
            undefined,
            `is required when ${qualifiedKey(missing === "domainName" ? "certificateArn" : "domainName")} is set (HTTPS needs both)`,
        );
    }
    const prodNeeds = "is required in prod: prod serves HTTPS only, on a domain with an ACM certificate";
    if (tier === "prod" && flat.domainName === undefined) report("domainName", undefined, prodNeeds);
    if (tier === "prod" && flat.certificateArn === undefined) report("certificateArn", undefined, prodNeeds);
    if (flat.certificateArn !== undefined) {
        const partition = arnPartitionProblem(flat.certificateArn, flat.region);
        if (partition) report("certificateArn", flat.certificateArn, partition);
        const match = ACM_CERTIFICATE_ARN.exec(flat.certificateArn);
        if (match && match[1] !== flat.region)
            report(
                "certificateArn",
                flat.certificateArn,
                `is in region ${match[1]}; the load balancer needs a certificate in ${flat.region}`,
            );
        if (match && match[2] !== flat.accountId)
            report(
                "certificateArn",
                flat.certificateArn,
                `belongs to account ${match[2]}; it must be in the stack's account ${flat.accountId}`,
            );
    }
};

export function resolveDomain(flat: HttpsFlatConfig): DomainConfig | undefined {
    return flat.domainName !== undefined && flat.certificateArn !== undefined
        ? { name: flat.domainName, certificateArn: flat.certificateArn }
        : undefined;
}
