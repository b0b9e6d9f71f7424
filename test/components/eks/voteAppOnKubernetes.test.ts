import * as assert from "assert";
import { AppSecretName, APP_SERVICES, WORKER_HEARTBEAT } from "../../../shared/appContract";
import { ALB_IDLE_TIMEOUT_SECONDS } from "../../../components/eks/voteAppOnKubernetes";
import { WORKER_HEALTH_CHECK } from "../../../shared/imageContract";
import type { CapturedResource } from "../../../shared/capturedResource";
import { FULL_PROTECTION } from "../../../components/vocabulary";
import type { MockedRun } from "../../../plan/harness";
import { recordOf } from "../../../shared/record";
import {
    mountKubernetesApp,
    TEST_CERTIFICATE_ARN,
    TEST_CLUSTER,
    TEST_KUBERNETES_ARGS,
    TEST_NETWORK,
} from "../../support/fixtures";
import { MOUNT_ACCOUNT } from "../../support/mount";
import { input, named, ofType, single } from "../../support/resources";

/**
 * VoteAppOnKubernetes mounted with the args each test chooses, beside its pod groups and data layer as the eks
 * stack composes them (test/support/fixtures.ts mountKubernetesApp). What each stack's config makes of these
 * args (sizes, rollout keys, certificate and domain, controller replicas per tier, Auto Mode refused) is
 * test/stacks/eksComposition.test.ts; blue/green itself is blueGreen.test.ts.
 */
const { region, accountId } = MOUNT_ACCOUNT;
const DOMAIN = "vote.example.test";
const slotImages = (tag: string) => ({ vote: `registry.test/vote:${tag}`, result: `registry.test/result:${tag}` });
let plain: Promise<MockedRun> | undefined;
/** The app with the fixture's args alone: HTTP, no protection, rolling, one to two pods per service. */
const dev = () => (plain ??= mountKubernetesApp());
let hardened: Promise<MockedRun> | undefined;
/** The app as staging and prod run it: HTTPS on a certificate and domain, every protection, blue/green. */
const prod = () =>
    (hardened ??= mountKubernetesApp({
        certificateArn: TEST_CERTIFICATE_ARN,
        domainName: DOMAIN,
        protection: FULL_PROTECTION,
        blueGreen: { liveSlot: "blue", images: { blue: slotImages("1"), green: slotImages("2") } },
    }));
/** One Deployment per service, sized as prod sizes vote and result (512 CPU units, 1 GiB, 3 to 12 pods). */
const prodRolling = () =>
    mountKubernetesApp({
        protection: FULL_PROTECTION,
        sizes: recordOf(APP_SERVICES, (service) =>
            service === "worker"
                ? TEST_KUBERNETES_ARGS.sizes.worker
                : { cpu: 512, memory: 1024, minCount: 3, maxCount: 12 },
        ),
    });
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface ContainerInputs {
    name: string;
    env: EnvVar[];
    securityContext: Record<string, unknown>;
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    readinessProbe?: Record<string, unknown>;
    livenessProbe?: Record<string, unknown>;
    volumeMounts: { name: string; mountPath: string }[];
}

const containersOf = (deployment: CapturedResource) =>
    input(deployment, "spec", "template", "spec", "containers") as ContainerInputs[];
const deploymentOf = (run: MockedRun, service: string) => named(run, DEPLOYMENT, `vote-app-${service}`);

describe("VoteAppOnKubernetes", function () {
    this.timeout(180_000);

    it("creates every Kubernetes object through the cluster's provider it is given (Helm release included)", async () => {
        for (const run of [await dev(), await prod()]) {
            const provider = single(run, "pulumi:providers:kubernetes");
            assert.strictEqual(provider.name, "cluster");
            const k8sResources = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(k8sResources.length >= 25, `only ${k8sResources.length} Kubernetes resources`);
            for (const r of k8sResources)
                assert.strictEqual(
                    r.provider,
                    `${provider.urn}::${provider.name}-id`,
                    `${r.type} ${r.name} does not use the cluster's provider`,
                );
        }
    });

    it("runs every container non-root (10001), read-only root with a /tmp emptyDir, no capabilities, no escalation, RuntimeDefault seccomp", async () => {
        const run = await prod();
        for (const deployment of ofType(run, DEPLOYMENT)) {
            const pod = input(deployment, "spec", "template", "spec") as Record<string, unknown>;
            assert.deepStrictEqual(pod.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.strictEqual(pod.automountServiceAccountToken, false);
            assert.deepStrictEqual(pod.volumes, [{ name: "scratch", emptyDir: { sizeLimit: "64Mi" } }]);
            for (const container of containersOf(deployment)) {
                const sc = container.securityContext;
                assert.strictEqual(sc.runAsNonRoot, true, container.name);
                assert.strictEqual(sc.runAsUser, 10001, container.name);
                assert.strictEqual(sc.readOnlyRootFilesystem, true, container.name);
                assert.strictEqual(sc.allowPrivilegeEscalation, false, container.name);
                assert.strictEqual(sc.privileged, false, container.name);
                assert.deepStrictEqual(sc.capabilities, { drop: ["ALL"] }, container.name);
                assert.deepStrictEqual(sc.seccompProfile, { type: "RuntimeDefault" }, container.name);
                assert.deepStrictEqual(container.volumeMounts, [{ name: "scratch", mountPath: "/tmp" }]);
            }
        }
    });

    it("gives each service the app contract's environment and no secret: no Kubernetes Secret, no secret reference, no secret read while the program runs", async () => {
        for (const run of [await dev(), await prod()]) {
            assert.deepStrictEqual(ofType(run, "kubernetes:core/v1:Secret"), [], "a Kubernetes Secret exists");
            assert.deepStrictEqual(
                run.invokes.filter((call) => call.token.includes("secretsmanager")),
                [],
                "a secret is read with an invoke",
            );
            for (const service of APP_SERVICES) {
                const [container] = containersOf(
                    ofType(run, DEPLOYMENT).find((d) => new RegExp(`^vote-app-${service}(-blue)?$`).test(d.name)) ??
                        deploymentOf(run, service),
                );
                assert.deepStrictEqual(
                    container.env.filter((e) => e.valueFrom !== undefined).map((e) => e.name),
                    [],
                    `${service} takes a variable from a Secret`,
                );
                const plain = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
                for (const secretName of Object.values(AppSecretName))
                    assert.ok(!(secretName in plain), `${service} has ${secretName}`);
                // Redis and Postgres clients sign IAM tokens with their pod role (databaseAccess.test.ts, redisAccess.test.ts).
                if (service !== "result") assert.strictEqual(plain.REDIS_AUTH, "iam", `${service} REDIS_AUTH`);
                if (service !== "vote") assert.strictEqual(plain.PGAUTH, "iam", `${service} PGAUTH`);
            }
        }
        const vote = containersOf(deploymentOf(await dev(), "vote"))[0].env.map((e) => e.name);
        assert.ok(
            vote.includes("REDIS_HOST") && vote.includes("REDIS_TLS") && !vote.includes("PGHOST"),
            `vote env: ${vote.join(", ")}`,
        );
    });

    it("sizes containers as given (512 CPU units → 500m, 1024 MiB) with limits", async () => {
        const [vote] = containersOf(deploymentOf(await prodRolling(), "vote"));
        assert.deepStrictEqual(vote.resources, {
            requests: { cpu: "500m", memory: "1024Mi" },
            limits: { cpu: "1000m", memory: "1024Mi" },
        });
        const [small] = containersOf(deploymentOf(await dev(), "vote"));
        assert.deepStrictEqual(small.resources, {
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "500m", memory: "512Mi" },
        });
    });

    it("probes /healthz on vote and result, and the worker's heartbeat file it is told to write", async () => {
        const run = await dev();
        for (const service of ["vote", "result"]) {
            const [container] = containersOf(deploymentOf(run, service));
            assert.deepStrictEqual(input({ inputs: container.readinessProbe ?? {} } as CapturedResource, "httpGet"), {
                path: "/healthz",
                port: "http",
            });
            assert.deepStrictEqual(input({ inputs: container.livenessProbe ?? {} } as CapturedResource, "httpGet"), {
                path: "/healthz",
                port: "http",
            });
        }
        const [worker] = containersOf(deploymentOf(run, "worker"));
        assert.deepStrictEqual(
            worker.env.find((e) => e.name === WORKER_HEARTBEAT.variable),
            { name: WORKER_HEARTBEAT.variable, value: WORKER_HEALTH_CHECK.heartbeatFile },
        );
        const command = (worker.livenessProbe?.exec as { command: string[] }).command;
        assert.strictEqual(command[0], "/nodejs/bin/node");
        assert.ok(
            command[2].includes(WORKER_HEALTH_CHECK.heartbeatFile) &&
                command[2].includes(String(WORKER_HEARTBEAT.staleAfterSeconds * 1000)),
            command[2],
        );
        assert.ok(
            WORKER_HEARTBEAT.staleAfterSeconds >= 4 * WORKER_HEARTBEAT.intervalSeconds,
            "the probe's staleness window must cover several heartbeats",
        );
    });

    it("rolls vote and result out with the surge and unavailability given, the HPA owning their replica count; the worker is one pod, replaced never side by side", async () => {
        const run = await mountKubernetesApp({ rollingUpdate: { maxSurge: 1, maxUnavailable: "50%" } });
        const worker = deploymentOf(run, "worker");
        assert.deepStrictEqual(
            [input(worker, "spec", "replicas"), input(worker, "spec", "strategy")],
            [1, { type: "Recreate" }],
        );
        assert.ok(
            !ofType(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").some((h) => h.name.endsWith("-worker")),
            "no HPA may scale the worker",
        );
        for (const deployment of ofType(run, DEPLOYMENT).filter((d) => d !== worker)) {
            assert.deepStrictEqual(input(deployment, "spec", "strategy"), {
                type: "RollingUpdate",
                rollingUpdate: { maxSurge: 1, maxUnavailable: "50%" },
            });
            assert.strictEqual(input(deployment, "spec", "replicas"), undefined);
        }
    });

    it("keeps a PDB per service and scales vote and result with an autoscaling/v2 HPA between the min and max given", async () => {
        for (const [run, expected] of [
            [await prodRolling(), { vote: [3, 12], result: [3, 12] }],
            [await dev(), { vote: [1, 2], result: [1, 2] }],
        ] as const) {
            for (const service of APP_SERVICES) {
                const pdb = named(run, "kubernetes:policy/v1:PodDisruptionBudget", `vote-app-${service}`);
                assert.strictEqual(input(pdb, "spec", "maxUnavailable"), 1);
                assert.deepStrictEqual(
                    input(pdb, "spec", "selector", "matchLabels"),
                    input(deploymentOf(run, service), "spec", "selector", "matchLabels"),
                );
                if (service === "worker") continue; // one pod, no HPA (see above)
                const hpa = named(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `vote-app-${service}`);
                assert.deepStrictEqual(
                    [input(hpa, "spec", "minReplicas"), input(hpa, "spec", "maxReplicas")],
                    expected[service],
                    service,
                );
                assert.strictEqual(input(hpa, "spec", "scaleTargetRef", "name"), service);
            }
        }
    });

    it("NetworkPolicies: default deny, DNS to kube-dns, vote→redis, worker→redis/postgres, result→postgres, VPC→vote/result", async () => {
        const run = await dev();
        const policies = Object.fromEntries(
            ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [
                String(input(p, "metadata", "name")),
                p,
            ]),
        );
        assert.deepStrictEqual(Object.keys(policies).sort(), [
            "default-deny",
            "dns",
            "ingress-to-result",
            "ingress-to-vote",
            "result-to-data",
            "result-to-pod-identity",
            "vote-to-data",
            "vote-to-pod-identity",
            "worker-to-data",
            "worker-to-pod-identity",
        ]);
        for (const service of ["vote", "worker", "result"]) {
            assert.deepStrictEqual(
                input(policies[`${service}-to-pod-identity`], "spec", "egress"),
                [{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] }],
                `${service} reaches only the Pod Identity agent (IAM tokens are signed locally: no AWS API, no HTTPS out)`,
            );
        }
        assert.deepStrictEqual(input(policies["default-deny"], "spec"), {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
        });
        const egressPorts = (name: string) =>
            ((input(policies[name], "spec", "egress", 0, "ports") as { port: number }[]) ?? []).map((p) => p.port);
        assert.deepStrictEqual(egressPorts("vote-to-data"), [6379]);
        assert.deepStrictEqual(egressPorts("result-to-data"), [5432]);
        assert.deepStrictEqual(egressPorts("worker-to-data"), [6379, 5432]);
        assert.deepStrictEqual(input(policies["vote-to-data"], "spec", "egress", 0, "to"), [
            { ipBlock: { cidr: TEST_NETWORK.cidr } },
        ]);
        assert.deepStrictEqual(input(policies["ingress-to-vote"], "spec", "ingress", 0, "ports"), [
            { protocol: "TCP", port: 8080 },
        ]);
        assert.deepStrictEqual(input(policies.dns, "spec", "egress", 0, "to", 0, "podSelector"), {
            matchLabels: { "k8s-app": "kube-dns" },
        });
        for (const p of Object.values(policies)) assert.strictEqual(input(p, "metadata", "namespace"), "voteapp");
    });

    it("without a certificate: an HTTP-only internet-facing ALB Ingress, ip targets, /result to result, the rest to vote, SSE-friendly idle timeout", async () => {
        const ingress = single(await dev(), "kubernetes:networking.k8s.io/v1:Ingress");
        const annotations = input(ingress, "metadata", "annotations") as Record<string, string>;
        assert.strictEqual(input(ingress, "spec", "ingressClassName"), "alb");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/target-type"], "ip");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/healthcheck-path"], "/healthz");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP":80}]');
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/certificate-arn"], undefined);
        assert.ok(
            annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].includes(
                `idle_timeout.timeout_seconds=${ALB_IDLE_TIMEOUT_SECONDS}`,
            ),
        );
        assert.deepStrictEqual(
            annotations["alb.ingress.kubernetes.io/subnets"].split(","),
            TEST_NETWORK.publicSubnetIds,
        );
        const paths = input(ingress, "spec", "rules", 0, "http", "paths") as {
            path: string;
            backend: { service: { name: string } };
        }[];
        assert.deepStrictEqual(
            paths.map((p) => [p.path, p.backend.service.name]),
            [
                ["/result", "result"],
                ["/", "vote"],
            ],
        );
    });

    it("with a certificate and protection: HTTPS on it with a TLS 1.3 policy, HTTP redirected, deletion protection, a rule for the domain given", async () => {
        const ingress = single(await prod(), "kubernetes:networking.k8s.io/v1:Ingress");
        const annotations = input(ingress, "metadata", "annotations") as Record<string, string>;
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/certificate-arn"], TEST_CERTIFICATE_ARN);
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP":80},{"HTTPS":443}]');
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/ssl-redirect"], "443");
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/ssl-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.ok(
            annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].includes(
                "deletion_protection.enabled=true",
            ),
        );
        assert.strictEqual(input(ingress, "spec", "rules", 0, "host"), DOMAIN);
    });

    it("with protection: ALB access logs to a private, TLS-only bucket ELB may write to; without, none", async () => {
        const run = await prod();
        const ingress = single(run, "kubernetes:networking.k8s.io/v1:Ingress");
        const attributes = String(
            input(ingress, "metadata", "annotations", "alb.ingress.kubernetes.io/load-balancer-attributes"),
        ).split(",");
        const bucket = single(run, "aws:s3/bucket:Bucket", "alb-access-logs");
        assert.strictEqual(bucket.name, "vote-app-alb-access-logs");
        assert.ok(attributes.includes("access_logs.s3.enabled=true"), attributes.join(","));
        // The mock names the bucket `<logical name>-<hash>`, as Pulumi's auto-naming would.
        assert.ok(
            attributes.some((a) => /^access_logs\.s3\.bucket=vote-app-alb-access-logs-[0-9a-f]{8}$/.test(a)),
            attributes.join(","),
        );
        assert.ok(attributes.includes("access_logs.s3.prefix=alb"));
        assert.deepStrictEqual(
            input(
                single(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "alb-access-logs"),
                "restrictPublicBuckets",
            ),
            true,
        );
        const policy = JSON.parse(
            String(input(single(run, "aws:s3/bucketPolicy:BucketPolicy", "alb-access-logs"), "policy")),
        ) as { Statement: { Sid: string }[] };
        assert.deepStrictEqual(
            policy.Statement.map((s) => s.Sid),
            ["ElbLogDelivery", "ElbLogDeliveryService", "DenyInsecureTransport"],
        );
        assert.ok(
            ingress.dependencies.includes(single(run, "aws:s3/bucketPolicy:BucketPolicy", "alb-access-logs").urn),
            "the ALB may be created before ELB can write its logs",
        );
        assert.strictEqual(
            ofType(await dev(), "aws:s3/bucket:Bucket").filter((b) => b.name.includes("alb-access-logs")).length,
            0,
        );
        assert.ok(
            !String(
                input(
                    single(await dev(), "kubernetes:networking.k8s.io/v1:Ingress"),
                    "metadata",
                    "annotations",
                    "alb.ingress.kubernetes.io/load-balancer-attributes",
                ),
            ).includes("access_logs"),
        );
    });

    it("installs the Load Balancer Controller from a pinned chart, on its own Pod Identity role with a scoped policy", async () => {
        const run = await prod();
        const release = named(run, "kubernetes:helm.sh/v3:Release", "vote-app-lb-controller");
        assert.strictEqual(input(release, "chart"), "aws-load-balancer-controller");
        assert.match(String(input(release, "version")), /^\d+\.\d+\.\d+$/);
        assert.deepStrictEqual(input(release, "repositoryOpts"), { repo: "https://aws.github.io/eks-charts" });
        assert.strictEqual(input(release, "values", "clusterName"), TEST_CLUSTER.name);
        assert.strictEqual(input(release, "values", "replicaCount"), 2, "with protection: two replicas");
        assert.strictEqual(
            input(
                named(await dev(), "kubernetes:helm.sh/v3:Release", "vote-app-lb-controller"),
                "values",
                "replicaCount",
            ),
            1,
        );
        const association = named(
            run,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "vote-app-lb-controller",
        );
        assert.deepStrictEqual(
            [input(association, "namespace"), input(association, "serviceAccount")],
            ["kube-system", "aws-load-balancer-controller"],
        );
        assert.ok(
            release.dependencies.includes(association.urn),
            "the controller starts before its Pod Identity association exists",
        );
        for (const deployment of ofType(run, DEPLOYMENT))
            assert.ok(
                deployment.dependencies.includes(release.urn),
                `${deployment.name} may start before the controller's readiness-gate webhook`,
            );
        const role = named(run, "aws:iam/role:Role", "vote-app-lb-controller");
        const trust = JSON.parse(String(input(role, "assumeRolePolicy"))) as {
            Statement: { Principal: { Service: string }; Condition: Record<string, Record<string, string>> }[];
        };
        assert.strictEqual(trust.Statement[0].Principal.Service, "pods.eks.amazonaws.com");
        assert.strictEqual(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], accountId);
        assert.strictEqual(trust.Statement[0].Condition.ArnEquals["aws:SourceArn"], TEST_CLUSTER.arn);
        const policy = JSON.parse(
            String(input(named(run, "aws:iam/rolePolicy:RolePolicy", "vote-app-lb-controller"), "policy")),
        ) as {
            Statement: { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
        };
        for (const statement of policy.Statement) {
            const actions = ([] as string[]).concat(statement.Action);
            const resources = ([] as string[]).concat(statement.Resource);
            const writes = actions.filter((a) => !/:(Describe|Get|List)/.test(a));
            if (resources.includes("*") && writes.length > 0)
                assert.ok(
                    statement.Condition,
                    `${statement.Sid} writes (${writes.join(", ")}) on * without a condition`,
                );
        }
    });

    describe("IAM authentication: Redis and Postgres clients get their credentials through EKS Pod Identity", () => {
        const statementsOf = (policy: CapturedResource) =>
            (
                JSON.parse(String(input(policy, "policy"))) as {
                    Statement: {
                        Sid: string;
                        Action: string | string[];
                        Resource: string | string[];
                        Condition?: Record<string, Record<string, string>>;
                    }[];
                }
            ).Statement;

        it("one role per Redis or Postgres client, assumable only by EKS Pod Identity for this account and cluster, connecting as its own users", async () => {
            const run = await prod();
            for (const service of ["vote", "worker", "result"]) {
                const role = named(run, "aws:iam/role:Role", `vote-app-${service}`);
                const trust = JSON.parse(String(input(role, "assumeRolePolicy"))) as {
                    Statement: {
                        Principal: { Service: string };
                        Action: string[];
                        Condition: Record<string, Record<string, string>>;
                    }[];
                };
                assert.strictEqual(trust.Statement.length, 1);
                assert.strictEqual(trust.Statement[0].Principal.Service, "pods.eks.amazonaws.com");
                assert.deepStrictEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
                assert.strictEqual(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], accountId);
                assert.strictEqual(trust.Statement[0].Condition.ArnEquals["aws:SourceArn"], TEST_CLUSTER.arn);
                const policy = named(run, "aws:iam/rolePolicy:RolePolicy", `vote-app-${service}`);
                assert.strictEqual(input(policy, "role"), `vote-app-${service}-id`);
                const statements = statementsOf(policy);
                assert.deepStrictEqual(
                    statements.map((st) => [st.Sid, st.Action]),
                    [
                        ...(service !== "result" ? [["ConnectToRedisAsOwnUser", "elasticache:Connect"]] : []),
                        ...(service !== "vote" ? [["ConnectAsOwnDatabaseUser", "rds-db:connect"]] : []),
                    ],
                );
                if (service !== "vote")
                    assert.match(
                        String(statements.find((st) => st.Action === "rds-db:connect")?.Resource),
                        new RegExp(`^arn:aws:rds-db:${region}:${accountId}:dbuser:db-[A-Z0-9]+/voteapp_${service}$`),
                    );
            }
            const appRoles = ofType(run, "aws:iam/role:Role")
                .filter((r) => /^vote-app-(vote|worker|result)$/.test(r.name))
                .map((r) => r.name)
                .sort();
            assert.deepStrictEqual(appRoles, ["vote-app-result", "vote-app-vote", "vote-app-worker"]);
        });

        it("associates each role with exactly its service's ServiceAccount, before the Deployment's pods exist", async () => {
            const run = await prod();
            const associations = ofType(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation").filter(
                (a) => a.name !== "vote-app-lb-controller",
            );
            assert.deepStrictEqual(associations.map((a) => a.name).sort(), [
                "vote-app-result",
                "vote-app-vote",
                "vote-app-worker",
            ]);
            for (const association of associations) {
                const service = association.name.replace("vote-app-", "");
                assert.strictEqual(input(association, "namespace"), "voteapp");
                assert.strictEqual(input(association, "serviceAccount"), service);
                assert.strictEqual(input(association, "clusterName"), TEST_CLUSTER.name);
                assert.match(String(input(association, "roleArn")), new RegExp(`vote-app-${service}`));
                assert.ok(
                    association.dependencies.includes(
                        named(run, "aws:iam/rolePolicy:RolePolicy", `vote-app-${service}`).urn,
                    ),
                    "the role's policy exists before pods can assume it",
                );
                const serviceAccount = named(run, "kubernetes:core/v1:ServiceAccount", `vote-app-${service}`);
                assert.strictEqual(input(serviceAccount, "metadata", "name"), service);
                // Under blue/green both slots' Deployments use the service's ServiceAccount and wait for it.
                const deployments = ofType(run, DEPLOYMENT).filter((d) =>
                    new RegExp(`^vote-app-${service}(-blue|-green)?$`).test(d.name),
                );
                assert.ok(deployments.length > 0, `no ${service} Deployment`);
                for (const deployment of deployments) {
                    assert.strictEqual(input(deployment, "spec", "template", "spec", "serviceAccountName"), service);
                    // Pod Identity's webhook mounts its own projected token (audience pods.eks.amazonaws.com): no API token needed.
                    assert.strictEqual(
                        input(deployment, "spec", "template", "spec", "automountServiceAccountToken"),
                        false,
                    );
                    assert.ok(
                        deployment.dependencies.includes(association.urn),
                        `${deployment.name} pods could start before their association and get no credentials`,
                    );
                }
            }
        });
    });

    it("the namespace enforces the restricted Pod Security Standard", async () => {
        const namespace = single(await dev(), "kubernetes:core/v1:Namespace");
        assert.strictEqual(input(namespace, "metadata", "labels", "pod-security.kubernetes.io/enforce"), "restricted");
    });
});
