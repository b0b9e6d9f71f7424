import * as k8s from "@pulumi/kubernetes";
import { loadBalancerControllerReplicas } from "./systemPods";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_PREFIX, createAccessLogBucket } from "../accessLogBucket";
import {
    APP_HEALTH_PATH,
    APP_SERVICE_TABLE,
    checkedServiceTable,
    defaultHttpService,
    httpServices,
    isDatabaseClient,
    appEnvironment,
    type ServiceTable,
} from "../../shared/appContract";
import type { Data } from "../data";
import { inheritedAwsProvider } from "../providers";
import { appPodIdentity } from "./appPodIdentity";
import { LoadBalancerController } from "./loadBalancerController";
import { appNetworkPolicies } from "./networkPolicies";
import { type IntOrPercent, NO_PROTECTION, type Protection, type ServiceSize } from "../vocabulary";
import { appContainer, appLabels, idleSlotOf, podSecurityContext, type Slot, SLOTS, slotLabels } from "./workloadSpec";
import { ARCHITECTURE_NAMES, type CpuArchitecture } from "../../shared/cpuArchitecture";
import { entryOf } from "../../shared/record";
import { type WorkloadRoleScope } from "../delivery/workloadRoles";

export interface VoteAppOnKubernetesArgs {
    /** The cluster's provider: every Kubernetes object is created through it, never an ambient kubeconfig. */
    readonly kubernetesProvider: k8s.Provider;
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    /** The VPC CIDR: where Redis, PostgreSQL and the ALB live, as NetworkPolicies see them. */
    readonly vpcCidr: string;
    /** Public subnets the ALB is placed in (the controller is told, not left to discover tagged subnets). */
    readonly publicSubnetIds: pulumi.Input<string[]>;
    /**
     * Data layer endpoints, what each service's pod role may connect to and the database setup: Redis and Postgres
     * clients sign IAM tokens with their pod role at run time and receive no secret at all (no Kubernetes Secret).
     */
    readonly data: Pick<Data, "endpoints" | "connectStatementsFor" | "databaseSetup">;
    /**
     * The app's services: a ServiceAccount, Deployment (two under blue/green for HTTP services), PDB and HPA
     * (none for single-replica services) per row; a Service and an Ingress path (in priority order, the default
     * service on `/`) per HTTP service.
     * @default APP_SERVICE_TABLE
     */
    readonly services?: ServiceTable;
    /** Image per service, by service name. */
    readonly images: Readonly<Record<string, pulumi.Input<string>>>;
    /** Container request (and memory limit) and HPA floor and ceiling per service. */
    readonly sizes: Readonly<Record<string, Pick<ServiceSize, "cpu" | "memory" | "minCount" | "maxCount">>>;
    /**
     * Blue/green for the HTTP services (vote, result): two Deployments each (`<service>-blue`, `<service>-green`, label
     * `voteapp/slot`), each on its own images, the Service selecting `liveSlot`, a `<service>-preview`
     * Service selecting the idle slot (for smoke tests through port-forward). The worker has no traffic to
     * switch and always rolls. Undefined: one rolling Deployment per service.
     * @example { liveSlot: "blue", images: { blue: { vote: "…:1.4.0", result: "…:1.4.0" }, green: { … } } }
     */
    readonly blueGreen?: {
        readonly liveSlot: Slot;
        readonly images: Readonly<Record<Slot, Readonly<Record<string, pulumi.Input<string>>>>>;
    };
    /**
     * Security groups for pods (managed node groups): each service's pods get their own branch network interface
     * carrying only `services[service]` (a SecurityGroupPolicy), which the data layer admits instead of the cluster
     * group every pod shares; the load balancer uses `loadBalancer` and the controller leaves the rules to us.
     * Undefined: pods keep the node's groups (the stack always sets it: it refuses Auto Mode, which assigns pod
     * security groups only from Kubernetes 1.36).
     */
    readonly podSecurityGroups?: {
        readonly loadBalancer: pulumi.Input<string>;
        readonly services: Readonly<Record<string, pulumi.Input<string>>>;
    };
    /** Rolling update of every Deployment (both slots' under blue/green, and the worker's). @example { maxSurge: "25%", maxUnavailable: 0 } */
    readonly rollingUpdate: { readonly maxSurge: IntOrPercent; readonly maxUnavailable: IntOrPercent };
    readonly voteOptions: { readonly a: string; readonly b: string };
    /** HTTPS on this ACM certificate (HTTP redirects). Without it the app is served on HTTP (dev only). */
    readonly certificateArn?: string;
    readonly domainName?: string;
    /**
     * The ALB's access logs (to a dedicated private bucket) and deletion protection, and two replicas of the
     * load balancer controller (see {@link Protection}).
     * @default NO_PROTECTION
     */
    readonly protection?: Protection;
    /** Days access logs are kept. @default 90 */
    readonly accessLogRetentionDays?: number;
    /**
     * Namespace of the app.
     * @default "voteapp"
     */
    readonly namespace?: string;
    /** Target average CPU (% of the request) the HPAs keep. @default 60 */
    readonly targetCpuPercent?: number;
    /**
     * CPU architecture the images are built for: the pods select nodes of it (`kubernetes.io/arch`).
     * @default "arm64"
     */
    readonly cpuArchitecture?: CpuArchitecture;
    /**
     * Where the component's IAM roles live and the permissions boundary each carries (the bootstrap's
     * deploy role creates roles only there, only with it). @default none: roles at "/", unbounded
     */
    readonly roleScope?: WorkloadRoleScope;
    /** Prefix of the access-log bucket's generated name (the stack's `<project>-<environment>-`). @default none */
    readonly bucketPrefix?: string;
}

/** The VPC resource controller's SecurityGroupPolicy (aws/amazon-vpc-resource-controller-k8s, config/crd/bases). */
export const SECURITY_GROUP_POLICY = {
    apiVersion: "vpcresources.k8s.aws/v1beta1",
    kind: "SecurityGroupPolicy",
} as const;

/** Seconds the ALB keeps an idle connection: result streams totals over server-sent events (15 s heartbeat). */
export const ALB_IDLE_TIMEOUT_SECONDS = 120;
export const INGRESS_CLASS = "alb";

/**
 * The voting app on Kubernetes: a namespace under default-deny NetworkPolicies, one hardened Deployment per
 * service (non-root, read-only root, no capabilities, RuntimeDefault seccomp, probes, requests and limits)
 * with a PodDisruptionBudget and an HPA, no secret anywhere (each client signs IAM tokens with its own pod
 * role), vote and result behind one
 * internet-facing ALB made by the AWS Load Balancer Controller from an Ingress.
 */
export class VoteAppOnKubernetes extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    /** Deployments by Kubernetes name: `vote`, or `vote-blue` and `vote-green` under blue/green. */
    readonly deployments: Readonly<Record<string, k8s.apps.v1.Deployment>>;
    readonly ingress: k8s.networking.v1.Ingress;
    readonly controller: LoadBalancerController;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: VoteAppOnKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "voteapp:eks:VoteAppOnKubernetes",
            name,
            {},
            { ...opts, providers: { ...(opts?.providers ?? {}), kubernetes: args.kubernetesProvider } },
        );
        const parent = this;
        const table = checkedServiceTable(args.services ?? APP_SERVICE_TABLE);
        const awsProvider = inheritedAwsProvider(this, `VoteAppOnKubernetes ${name}`);
        const k8sOpts = { parent, provider: args.kubernetesProvider };
        const namespaceName = args.namespace ?? "voteapp";
        const https = args.certificateArn !== undefined;
        const protection = args.protection ?? NO_PROTECTION;

        this.controller = new LoadBalancerController(
            `${name}-lb-controller`,
            {
                roleScope: args.roleScope,
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                region: args.region,
                accountId: args.accountId,
                vpcId: args.vpcId,
                replicas: loadBalancerControllerReplicas(protection),
            },
            { parent, providers: { aws: awsProvider, kubernetes: args.kubernetesProvider } },
        );

        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: namespaceName,
                    labels: {
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        // The controller delays a pod's termination until the ALB has deregistered it: no dropped requests in a rollout.
                        "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
                    },
                },
            },
            k8sOpts,
        );
        const namespace = this.namespace.metadata.name;

        for (const policy of appNetworkPolicies(args.vpcCidr, table)) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy.name}`,
                { metadata: { name: policy.name, namespace }, spec: policy.spec },
                k8sOpts,
            );
        }

        const deployments: Record<string, k8s.apps.v1.Deployment> = {};
        for (const spec of table) {
            const service = spec.name;
            const labels = appLabels(spec);
            const size = entryOf(args.sizes, `VoteAppOnKubernetes args.sizes`, service);
            // The pods' own security group: the webhook gives each matching pod a branch interface with exactly it.
            const podGroup = args.podSecurityGroups
                ? entryOf(
                      args.podSecurityGroups.services,
                      "VoteAppOnKubernetes args.podSecurityGroups.services",
                      service,
                  )
                : undefined;
            const securityGroupPolicy =
                podGroup === undefined
                    ? undefined
                    : new k8s.apiextensions.CustomResource(
                          `${name}-${service}-security-groups`,
                          {
                              apiVersion: SECURITY_GROUP_POLICY.apiVersion,
                              kind: SECURITY_GROUP_POLICY.kind,
                              metadata: { name: service, namespace, labels },
                              spec: {
                                  podSelector: { matchLabels: labels },
                                  securityGroups: { groupIds: [podGroup] },
                              },
                          },
                          k8sOpts,
                      );
            const serviceAccount = new k8s.core.v1.ServiceAccount(
                `${name}-${service}`,
                { metadata: { name: service, namespace, labels }, automountServiceAccountToken: false },
                k8sOpts,
            );
            // Redis and Postgres clients sign IAM tokens with their own pod role: connect as exactly their own users.
            const access = args.data.connectStatementsFor(service);
            const podIdentity =
                access.statements.length > 0
                    ? appPodIdentity(
                          `${name}-${service}`,
                          {
                              roleScope: args.roleScope,
                              service,
                              clusterName: args.clusterName,
                              clusterArn: args.clusterArn,
                              accountId: args.accountId,
                              region: args.region,
                              namespace,
                              serviceAccount,
                              permissions: access.statements,
                              purpose: `connect to ${access.purpose}`,
                          },
                          this,
                      )
                    : undefined;
            const http = spec.http !== undefined;
            // The worker runs as exactly one pod (workers share Redis's processing list): no HPA, and a new pod
            // only once the old one has stopped (Recreate), never two side by side as a rolling update would.
            const singleReplica = spec.singleReplica;
            const blueGreen = http ? args.blueGreen : undefined;
            // One workload per slot under blue/green; the rolling workload keeps its original names (no replacement).
            const workloads: {
                slot?: Slot;
                k8sName: string;
                resourceName: string;
                labels: Record<string, string>;
                image: pulumi.Input<string>;
            }[] = blueGreen
                ? SLOTS.map((slot) => ({
                      slot,
                      k8sName: `${service}-${slot}`,
                      resourceName: `${name}-${service}-${slot}`,
                      labels: slotLabels(spec, slot),
                      image: entryOf(
                          blueGreen.images[slot],
                          `VoteAppOnKubernetes args.blueGreen.images.${slot}`,
                          service,
                      ),
                  }))
                : [
                      {
                          k8sName: service,
                          resourceName: `${name}-${service}`,
                          labels,
                          image: entryOf(args.images, `VoteAppOnKubernetes args.images`, service),
                      },
                  ];
            for (const workload of workloads) {
                const container = appContainer({
                    service: spec,
                    image: workload.image,
                    environment: appEnvironment(spec, args.data.endpoints, (v) => pulumi.output(v), args.voteOptions),
                    size,
                });
                const deployment = new k8s.apps.v1.Deployment(
                    workload.resourceName,
                    {
                        metadata: { name: workload.k8sName, namespace, labels: workload.labels },
                        spec: {
                            // No replicas for scaled services: the HPA owns the count (from its minimum), Pulumi does not fight it.
                            replicas: singleReplica ? 1 : undefined,
                            selector: { matchLabels: workload.labels },
                            strategy: singleReplica
                                ? { type: "Recreate" }
                                : {
                                      type: "RollingUpdate",
                                      rollingUpdate: {
                                          maxSurge: args.rollingUpdate.maxSurge,
                                          maxUnavailable: args.rollingUpdate.maxUnavailable,
                                      },
                                  },
                            revisionHistoryLimit: 5,
                            template: {
                                metadata: { labels: workload.labels },
                                spec: {
                                    serviceAccountName: serviceAccount.metadata.name,
                                    automountServiceAccountToken: false,
                                    securityContext: podSecurityContext(),
                                    // Only nodes of the images' architecture (node groups and Auto Mode alike).
                                    nodeSelector: {
                                        "kubernetes.io/arch":
                                            ARCHITECTURE_NAMES[args.cpuArchitecture ?? "arm64"].kubernetes,
                                        "kubernetes.io/os": "linux",
                                    },
                                    topologySpreadConstraints: [
                                        {
                                            maxSkew: 1,
                                            topologyKey: "topology.kubernetes.io/zone",
                                            whenUnsatisfiable: "ScheduleAnyway",
                                            labelSelector: { matchLabels: workload.labels },
                                        },
                                    ],
                                    terminationGracePeriodSeconds: 30,
                                    containers: [container],
                                    volumes: [{ name: "scratch", emptyDir: { sizeLimit: "64Mi" } }],
                                },
                            },
                        },
                    },
                    // Pods are created once the controller's webhook can add their ALB readiness gates, and, for Postgres
                    // clients, once their Pod Identity association exists (credentials are injected at pod creation)
                    // and the database setup has created their user.
                    {
                        ...k8sOpts,
                        dependsOn: [
                            this.controller.release,
                            ...(podIdentity ? [podIdentity.association] : []),
                            ...(isDatabaseClient(service) ? [args.data.databaseSetup.invocation] : []),
                            // Pods created before their SecurityGroupPolicy would keep the node's groups.
                            ...(securityGroupPolicy ? [securityGroupPolicy] : []),
                        ],
                    },
                );
                deployments[workload.k8sName] = deployment;
                // Per workload: a drain never takes more than one pod of a slot, and each slot scales on its own load.
                new k8s.policy.v1.PodDisruptionBudget(
                    workload.resourceName,
                    {
                        metadata: { name: workload.k8sName, namespace, labels: workload.labels },
                        spec: { selector: { matchLabels: workload.labels }, maxUnavailable: 1 },
                    },
                    k8sOpts,
                );
                if (singleReplica) continue;
                new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                    workload.resourceName,
                    {
                        metadata: { name: workload.k8sName, namespace, labels: workload.labels },
                        spec: {
                            scaleTargetRef: {
                                apiVersion: "apps/v1",
                                kind: "Deployment",
                                name: deployment.metadata.name,
                            },
                            minReplicas: size.minCount,
                            maxReplicas: size.maxCount,
                            metrics: [
                                {
                                    type: "Resource",
                                    resource: {
                                        name: "cpu",
                                        target: {
                                            type: "Utilization",
                                            averageUtilization: args.targetCpuPercent ?? 60,
                                        },
                                    },
                                },
                            ],
                        },
                    },
                    k8sOpts,
                );
            }
            if (http) {
                // Under blue/green the Service (which the Ingress targets) selects the live slot: flipping it is the promotion.
                const selector = blueGreen ? slotLabels(spec, blueGreen.liveSlot) : labels;
                new k8s.core.v1.Service(
                    `${name}-${service}`,
                    {
                        metadata: { name: service, namespace, labels },
                        spec: {
                            type: "ClusterIP",
                            selector,
                            ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
                        },
                    },
                    k8sOpts,
                );
                if (blueGreen) {
                    new k8s.core.v1.Service(
                        `${name}-${service}-preview`,
                        {
                            metadata: { name: `${service}-preview`, namespace, labels },
                            spec: {
                                type: "ClusterIP",
                                selector: slotLabels(spec, idleSlotOf(blueGreen.liveSlot)),
                                ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
                            },
                        },
                        k8sOpts,
                    );
                }
            }
        }
        this.deployments = deployments;

        const accessLogs = protection.accessLogs
            ? createAccessLogBucket(`${name}-alb`, args.accessLogRetentionDays ?? 90, this, args.bucketPrefix)
            : undefined;
        const attributes: pulumi.Input<string>[] = [
            `idle_timeout.timeout_seconds=${ALB_IDLE_TIMEOUT_SECONDS}`,
            "routing.http.drop_invalid_header_fields.enabled=true",
            "routing.http.desync_mitigation_mode=defensive",
            `deletion_protection.enabled=${protection.deletionProtection}`,
            ...(accessLogs
                ? [
                      "access_logs.s3.enabled=true",
                      pulumi.interpolate`access_logs.s3.bucket=${accessLogs.bucket.bucket}`,
                      `access_logs.s3.prefix=${ACCESS_LOG_PREFIX}`,
                  ]
                : []),
        ];
        const annotations: Record<string, pulumi.Input<string>> = {
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/subnets": pulumi.output(args.publicSubnetIds).apply((ids) => ids.join(",")),
            "alb.ingress.kubernetes.io/healthcheck-path": APP_HEALTH_PATH,
            "alb.ingress.kubernetes.io/success-codes": "200",
            "alb.ingress.kubernetes.io/load-balancer-attributes": pulumi.all(attributes).apply((all) => all.join(",")),
            "alb.ingress.kubernetes.io/listen-ports": JSON.stringify(
                https ? [{ HTTP: 80 }, { HTTPS: 443 }] : [{ HTTP: 80 }],
            ),
            // Our load balancer group (80/443 in, the app port out to the pods' groups): the controller uses it and
            // adds no rules of its own, so every rule is visible to the plan and the policy pack.
            ...(args.podSecurityGroups
                ? {
                      "alb.ingress.kubernetes.io/security-groups": pulumi.output(args.podSecurityGroups.loadBalancer),
                      "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "false",
                  }
                : {}),
            ...(https
                ? {
                      "alb.ingress.kubernetes.io/certificate-arn": args.certificateArn,
                      "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                      "alb.ingress.kubernetes.io/ssl-redirect": "443",
                  }
                : {}),
        };
        const backend = (service: string) => ({ service: { name: service, port: { name: "http" } } });
        // Each HTTP service's prefixes in priority order (the ALB controller keeps the order), the default service on "/".
        const defaultService = defaultHttpService(table).name;
        const paths = [
            ...httpServices(table)
                .filter((spec) => spec.name !== defaultService)
                .flatMap((spec) =>
                    (spec.http.pathPatterns ?? [])
                        .filter((pattern) => !pattern.endsWith("*"))
                        .map((path) => ({ path, pathType: "Prefix", backend: backend(spec.name) })),
                ),
            { path: "/", pathType: "Prefix", backend: backend(defaultService) },
        ];
        this.ingress = new k8s.networking.v1.Ingress(
            name,
            {
                metadata: { name: "voteapp", namespace, annotations },
                spec: {
                    ingressClassName: INGRESS_CLASS,
                    rules: [
                        {
                            ...(args.domainName ? { host: args.domainName } : {}),
                            http: { paths },
                        },
                    ],
                },
            },
            // The controller's webhook must be up before the Ingress is admitted.
            { ...k8sOpts, dependsOn: [this.controller.release, ...(accessLogs ? [accessLogs.policy] : [])] },
        );
        const address = this.ingress.status.apply((status) => status?.loadBalancer?.ingress?.[0]?.hostname ?? "");
        this.url = args.domainName
            ? pulumi.output(`${https ? "https" : "http"}://${args.domainName}`)
            : address.apply((host) =>
                  host ? `http://${host}` : "(the ALB address appears once the controller has created it)",
              );
        this.registerOutputs({ url: this.url });
    }
}
