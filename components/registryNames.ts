import { partitionOf } from "./partition";
import { physicalName } from "./naming";

/**
 * Where an environment's images live: one naming rule shared by the bootstrap (which creates the
 * repositories), the program (which runs their images), scripts/stack-info.ts and, through it, the
 * workflows (which copy images in). test/stacks/registryNames.test.ts joins the four. Apart from the Registry
 * component (./registry.ts, which re-exports them) so that the config and stack-info, which only name
 * things, load no SDK.
 */

/** The ECR registry host of an account and region. */
export function registryHost(accountId: string, region: string): string {
    return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** Every repository of an environment is `<prefix>/<service>`; the prefix is `<project>-<environment>`. */
export function repositoryPrefix(project: string, environment: string): string {
    return `${project}-${environment}`;
}

/** The repository name of a service, e.g. `voteapp-dev/vote`. */
export function repositoryName(project: string, environment: string, service: string): string {
    return physicalName("ecrRepository", `${repositoryPrefix(project, environment)}/${service}`);
}

export interface RegistryLocation {
    readonly accountId: string;
    readonly region: string;
    readonly project: string;
    readonly environment: string;
}

/**
 * An environment's registry as the program refers to it: the repositories exist before the stack's first
 * `pulumi up` (the account's bootstrap creates them), so the program needs their names, not resources.
 */
export interface RegistryReference {
    readonly host: string;
    /** Repositories are `<prefix>/<service>`. */
    readonly prefix: string;
    /** `<host>/<prefix>/<service>`. */
    urlOf(service: string): string;
    arnOf(service: string): string;
    /** Image reference for a service: the repository URL with a tag, or `@digest` when given a sha256 digest. */
    imageFor(service: string, tagOrDigest: string): string;
}

export function registryReference(location: RegistryLocation): RegistryReference {
    const host = registryHost(location.accountId, location.region);
    const name = (service: string) => repositoryName(location.project, location.environment, service);
    const urlOf = (service: string) => `${host}/${name(service)}`;
    return {
        host,
        prefix: repositoryPrefix(location.project, location.environment),
        urlOf,
        arnOf: (service) =>
            `arn:${partitionOf(location.region)}:ecr:${location.region}:${location.accountId}:repository/${name(service)}`,
        imageFor: (service, tagOrDigest) =>
            `${urlOf(service)}${tagOrDigest.startsWith("sha256:") ? "@" : ":"}${tagOrDigest}`,
    };
}
