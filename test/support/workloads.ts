import * as assert from "assert";
import type { MockedRun } from "../../plan/harness";
import { input, ofType } from "./resources";

/** The namespace VoteAppOnKubernetes deploys the app into unless told otherwise (components/eks/voteAppOnKubernetes.ts). */
const APP_NAMESPACE = "voteapp";

/**
 * An app container of a planned ecs or eks stack: its service (the container's name), its plain environment, the
 * variables it gets from secrets, and the ARN of the role it runs as: the task role, or the role its pod's service account
 * is associated with by EKS Pod Identity.
 */
export interface ContainerWorkload {
    readonly service: string;
    readonly env: Readonly<Record<string, string>>;
    /** Variables set from secrets (ECS `secrets`, Kubernetes `valueFrom`), by name. */
    readonly secretNames: readonly string[];
    readonly roleArn: string;
}

/** Every app container a run plans: one per ECS task definition, one per Kubernetes Deployment of the app. */
export function containerWorkloads(run: MockedRun): ContainerWorkload[] {
    const ecs = ofType(run, "aws:ecs/taskDefinition:TaskDefinition").map((td): ContainerWorkload => {
        const [container] = JSON.parse(String(td.inputs.containerDefinitions)) as {
            name: string;
            environment: { name: string; value: string }[];
            secrets?: { name: string }[];
        }[];
        return {
            service: container.name,
            env: Object.fromEntries(container.environment.map((e) => [e.name, e.value])),
            secretNames: (container.secrets ?? []).map((secret) => secret.name),
            roleArn: String(td.inputs.taskRoleArn),
        };
    });
    const eks = ofType(run, "kubernetes:apps/v1:Deployment")
        .filter((d) => input(d, "metadata", "namespace") === APP_NAMESPACE)
        .map((d): ContainerWorkload => {
            const spec = input(d, "spec", "template", "spec") as {
                serviceAccountName: string;
                containers: { name: string; env: { name: string; value?: string; valueFrom?: unknown }[] }[];
            };
            const association = ofType(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find(
                (a) => a.inputs.serviceAccount === spec.serviceAccountName && a.inputs.namespace === APP_NAMESPACE,
            );
            assert.ok(association, `no Pod Identity association for ${spec.serviceAccountName}`);
            const [container] = spec.containers;
            return {
                service: container.name,
                env: Object.fromEntries(
                    container.env.filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]),
                ),
                secretNames: container.env.filter((e) => e.valueFrom !== undefined).map((e) => e.name),
                roleArn: String(association.inputs.roleArn),
            };
        });
    return [...ecs, ...eks];
}
