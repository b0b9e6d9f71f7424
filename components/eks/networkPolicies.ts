import type * as k8s from "@pulumi/kubernetes";
import { APP_HTTP_PORT, APP_SERVICE_TABLE, type ServiceTable } from "../../shared/appContract";
import { POSTGRES_PORT, REDIS_PORT } from "../data";
import { POD_IDENTITY_AGENT } from "./appPodIdentity";
import { appLabels } from "./workloadSpec";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/**
 * The app namespace's NetworkPolicies: deny everything, then allow only what the app contract needs.
 * Redis and PostgreSQL live outside the cluster (ElastiCache, RDS in the private subnets), so their rules
 * are egress to the VPC CIDR on their one port; the security groups of the Data component narrow that to
 * the two endpoints. The ALB reaches the HTTP services' pods (vote, result) directly (target type ip) from inside the VPC.
 */
export interface NamedPolicy {
    readonly name: string;
    readonly spec: NetworkPolicySpec;
}

const kubeDns = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

export function appNetworkPolicies(vpcCidr: string, services: ServiceTable = APP_SERVICE_TABLE): NamedPolicy[] {
    const vpc = [{ ipBlock: { cidr: vpcCidr } }];
    const policies: NamedPolicy[] = [
        { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        {
            name: "dns",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [kubeDns],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ],
            },
        },
    ];
    for (const needs of services) {
        const service = needs.name;
        const podSelector = { matchLabels: appLabels(needs) };
        if (needs.http) {
            policies.push({
                name: `ingress-to-${service}`,
                spec: {
                    podSelector,
                    policyTypes: ["Ingress"],
                    ingress: [{ from: vpc, ports: [{ protocol: "TCP", port: APP_HTTP_PORT }] }],
                },
            });
        }
        const ports = [...(needs.redis ? [REDIS_PORT] : []), ...(needs.postgres ? [POSTGRES_PORT] : [])];
        if (ports.length > 0) {
            policies.push({
                name: `${service}-to-data`,
                spec: {
                    podSelector,
                    policyTypes: ["Egress"],
                    egress: [{ to: vpc, ports: ports.map((port) => ({ protocol: "TCP", port })) }],
                },
            });
        }
        // Redis and Postgres clients sign IAM tokens locally with their pod role's credentials, which come from the
        // Pod Identity agent (link-local on the node). No AWS API call, so no HTTPS out.
        if (needs.redis || needs.postgres) {
            policies.push({
                name: `${service}-to-pod-identity`,
                spec: {
                    podSelector,
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
                            ports: [{ protocol: "TCP", port: POD_IDENTITY_AGENT.port }],
                        },
                    ],
                },
            });
        }
    }
    return policies;
}
