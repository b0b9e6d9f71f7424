import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigInput {
    readonly clusterName: pulumi.Input<string>;
    /** API server URL, https://… */
    readonly endpoint: pulumi.Input<string>;
    /** Base64 PEM of the cluster CA, as EKS reports it. */
    readonly certificateAuthorityData: pulumi.Input<string>;
    readonly region: string;
}

/**
 * A kubeconfig for an EKS cluster that holds no credential: each request gets a short-lived token from
 * `aws eks get-token` (AWS CLI v2 on the machine running Pulumi), signed with the caller's own credentials,
 * as the AWS provider uses them: the deploy job's deploy-role session (which has the cluster-admin access
 * entry), or a person's admin role (`eksAdminRoleArn`). It names no role (`--role-arn`), so it is the same in
 * preview and deploy jobs, and no role has to trust itself for CI to chain into it.
 */
export function kubeconfigFor(input: KubeconfigInput): pulumi.Output<string> {
    return pulumi
        .all([input.clusterName, input.endpoint, input.certificateAuthorityData])
        .apply(([clusterName, endpoint, ca]) => {
            if (!endpoint.startsWith("https://"))
                throw new Error(`EKS cluster ${clusterName} reported endpoint "${endpoint}"; expected an https:// URL`);
            if (ca.length === 0) throw new Error(`EKS cluster ${clusterName} reported no certificate authority data`);
            const name = `eks-${clusterName}`;
            return JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": ca } }],
                contexts: [{ name, context: { cluster: name, user: name } }],
                "current-context": name,
                users: [
                    {
                        name,
                        user: {
                            exec: {
                                apiVersion: "client.authentication.k8s.io/v1beta1",
                                command: "aws",
                                args: [
                                    "eks",
                                    "get-token",
                                    "--cluster-name",
                                    clusterName,
                                    "--region",
                                    input.region,
                                    "--output",
                                    "json",
                                ],
                                interactiveMode: "Never",
                            },
                        },
                    },
                ],
            });
        });
}
