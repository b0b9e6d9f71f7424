import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigInput {
    readonly clusterName: pulumi.Input<string>;
    /** API server URL, https://… */
    readonly endpoint: pulumi.Input<string>;
    /** Base64 PEM of the cluster CA, as EKS reports it. */
    readonly certificateAuthorityData: pulumi.Input<string>;
    readonly region: string;
    /**
     * Role whose token authenticates: the deploy role, which holds the cluster-admin access entry. The AWS CLI
     * assumes it from the caller's credentials, exactly as the AWS provider does.
     */
    readonly roleArn: string;
}

/**
 * A kubeconfig for an EKS cluster that holds no credential: each request gets a short-lived token from
 * `aws eks get-token` (AWS CLI v2 on the machine running Pulumi).
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
                                    "--role-arn",
                                    input.roleArn,
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
